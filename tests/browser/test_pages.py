"""Switching language, the lifecycle diagram (SVG drawn by the server, shown with or
without JavaScript, under the strict Content-Security-Policy) and the pages at a phone's
width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date

from tests.browser.conftest import LANGS, choose_language, exactly, login, shot, tr
from tests.browser.test_journeys import MINISTRY_OF, today

DOC = "743/5Bis"  # in the demo: transmitted 70 days ago, no answer yet
TITLES = {"nl": "Grensoverschrijdende inzet van ambulances",
          "fr": "Intervention transfrontalière des ambulances"}


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def check_dashboard(page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    assert heading(page) == tr(lang, "What needs you today")
    counts = page.get_by_role("region", name=tr(lang, "Recommendations by state"))
    assert tr(lang, "awaiting answers") in counts.inner_text()
    nav = page.get_by_role("navigation", name=tr(lang, "Main"))
    assert nav.get_by_role("link", name=exactly(tr(lang, "Dashboard"))).count() == 1
    assert page.get_by_role("button", name=exactly(tr(lang, "Log out"))).count() == 1


def check_case_page(page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    assert DOC in heading(page)
    assert TITLES.get(lang, TITLES["nl"]) in heading(page)  # no English text: the Dutch one
    for msgid in ("Addressees and deadlines", "Replies", "What you can do now"):
        assert page.get_by_role("heading", name=exactly(tr(lang, msgid))).count() == 1
    adopted = format_date(today() - timedelta(days=75), "medium", locale=lang)
    assert adopted in page.locator("dl").inner_text()  # dates in the language's format
    assert tr(lang, "transmitted") in page.locator("#case-state").inner_text()


def test_switching_language_changes_the_dashboard_and_the_case_page(browsing):
    page = browsing.page("en")
    page.goto("/login")
    assert heading(page) == "Log in"  # the browser's language before logging in
    login(page, "secretariaat", "en")
    check_dashboard(page, "nl")  # then the language of the account wins
    page.get_by_role("region", name=tr("nl", "Overdue answers")).get_by_role(
        "link", name=DOC).first.click()
    check_case_page(page, "nl")
    case_url = page.url

    choose_language(page, "fr")
    assert page.url == case_url  # the same page, in French
    check_case_page(page, "fr")
    shot(page, "fr-case-awaiting")
    page.get_by_role("link", name=exactly(tr("fr", "Dashboard"))).click()
    check_dashboard(page, "fr")

    choose_language(page, "en")
    check_dashboard(page, "en")
    page.get_by_role("region", name="Overdue answers").get_by_role(
        "link", name=DOC).first.click()
    check_case_page(page, "en")

    # the choice is kept in the account: the next login is in English
    page.get_by_role("button", name=exactly("Log out")).click()
    other = browsing.page("fr")
    login(other, "secretariaat", "fr")
    check_dashboard(other, "en")

    choose_language(other, "nl")
    check_dashboard(other, "nl")


@pytest.mark.parametrize("lang", LANGS)
def test_lifecycle_diagram(browsing, lang):
    page = browsing.page(lang)
    page.add_init_script(WATCH_CSP)
    console = []
    page.on("console", lambda message: console.append(message.text))
    login(page, "secretariaat", lang)
    choose_language(page, lang)
    page.goto("/cases/")
    page.get_by_role("link", name="739/2", exact=True).click()  # in the demo: monitoring
    page.get_by_role("link", name=exactly(tr(lang, "Lifecycle diagram"))).click()
    assert heading(page) == tr(lang, "Lifecycle of %(doc)s", doc="739/2")

    current = tr(lang, "monitoring implementation")
    states = page.get_by_role("list").filter(has_text=current).first
    assert states.locator("[aria-current=step]").inner_text().startswith(current)
    assert states.get_by_role("listitem").filter(has_text=tr(lang, "passed")).count() == 5
    path = page.get_by_role("heading", name=exactly(tr(lang, "Path taken")))
    assert path.count() == 1

    check_drawing(page, current, passed=5)
    assert not [m for m in console if "Content Security Policy" in m], console
    assert tr(lang, "closed") in page.locator("#lifecycle-diagram svg").text_content()
    shot(page, f"{lang}-diagram")


# Collects what the browser reports as a violation of the Content-Security-Policy (it also
# logs them on the console, which the browsing fixture fails on).
WATCH_CSP = """window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
    e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def check_drawing(page, current: str, passed: int) -> None:
    """The server-drawn SVG shows, readable, with the current state standing out."""
    svg = page.locator("#lifecycle-diagram svg")
    assert svg.is_visible() and svg.get_attribute("role") == "img"
    box = svg.bounding_box()
    assert box["width"] > 800 and box["height"] > 400
    marked = svg.locator("g.state.current")
    assert marked.count() == 1
    assert " ".join(marked.locator("text").all_text_contents()) == current
    assert svg.locator("g.state.visited").count() == passed
    looks = page.evaluate("""() => {
        const stroke = sel => getComputedStyle(
            document.querySelector(`#lifecycle-diagram ${sel} rect`)).stroke;
        const sizes = [...document.querySelectorAll('#lifecycle-diagram svg text')].map(
            t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
        return {current: stroke('g.state.current'), visited: stroke('g.state.visited'),
                other: stroke('g.state:not(.current):not(.visited)'),
                smallest: Math.min(...sizes)};
    }""")
    # the stylesheet colours it: the current state, the visited ones and the rest differ
    assert len({looks["current"], looks["visited"], looks["other"]}) == 3, looks
    assert looks["smallest"] >= 14, looks  # px, in a 1,280 px wide window
    assert page.evaluate("window.cspViolations") == []


def test_lifecycle_diagram_without_javascript(browsing):
    page = browsing.page("en", java_script_enabled=False)
    login(page, "auditor", "en")
    page.get_by_role("row").filter(has_text="726/2").get_by_role(
        "link", name=exactly("Diagram")).click()
    assert heading(page) == "Lifecycle of 726/2"
    svg = page.locator("#lifecycle-diagram svg")
    assert svg.is_visible()  # drawn by the server: no script needed
    assert svg.locator("g.state.current").text_content().strip() == "closed"
    assert page.get_by_role("img", name="Lifecycle of a recommendation").count() == 1
    states = page.get_by_role("list").filter(has_text="closed").first
    assert states.locator("[aria-current=step]").inner_text().startswith("closed")
    shot(page, "en-diagram-no-javascript")


PHONE = {"width": 390, "height": 844}


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("""() => ({
        page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
        viewport: document.documentElement.clientWidth})""")
    assert widths["page"] <= widths["viewport"], widths
    assert widths["body"] <= widths["viewport"], widths


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_phone_width(browsing, lang):
    sec = browsing.page(lang, viewport=PHONE, is_mobile=True, has_touch=True)
    login(sec, "secretariaat", lang)
    choose_language(sec, lang)
    check_dashboard(sec, lang)
    assert_no_horizontal_scroll(sec)
    shot(sec, f"{lang}-phone-dashboard")
    sec.get_by_role("region", name=tr(lang, "Overdue answers")).get_by_role(
        "link", name=DOC).first.click()
    # measure the case page once it is there with its stylesheet, not the page being left
    sec.wait_for_url("**/cases/*")
    sec.wait_for_load_state("load")
    assert_no_horizontal_scroll(sec)
    shot(sec, f"{lang}-phone-case")

    username, _code, _text = MINISTRY_OF[lang]
    ministry = browsing.page(lang, viewport=PHONE, is_mobile=True, has_touch=True)
    login(ministry, username, lang)
    choose_language(ministry, lang)
    assert_no_horizontal_scroll(ministry)
    shot(ministry, f"{lang}-phone-inbox")
    ministry.get_by_role("link", name=DOC, exact=True).click()
    form = ministry.get_by_role("heading", name=exactly(tr(lang, "Your reply")))
    form.wait_for()
    ministry.wait_for_load_state("load")
    assert_no_horizontal_scroll(ministry)
    # the fields fit: nothing sticks out to the right of the screen
    for msgid in ("Kind of reply", "Answer in Dutch", "Attach a PDF (at most 10 MiB)"):
        box = ministry.get_by_label(tr(lang, msgid), exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], msgid
    shot(ministry, f"{lang}-phone-answer-form")


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_timeline_fits_a_laptop_window(browsing, lang):
    from tests.web.conftest import case_id

    page = browsing.page(lang)  # 1,280 px wide
    login(page, "secretariaat", lang)
    choose_language(page, lang)
    for doc in ("726/2", "741/4"):
        page.goto(f"/audit/cases/{case_id(browsing.server.app, doc)}/timeline")
        widths = page.evaluate("""() => ({
            table: document.querySelector('#timeline').getBoundingClientRect().width,
            room: document.querySelector('#timeline').parentElement.clientWidth})""")
        assert widths["table"] <= widths["room"] + 1, (doc, widths)  # reason and hash visible


def assert_fits_a_laptop_window(page, where: str) -> None:
    """Nothing wider than the 1,280 px window: not the page, not any of its tables."""
    widths = page.evaluate("""() => ({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        tables: [...document.querySelectorAll('table')].map(
            t => Math.ceil(t.getBoundingClientRect().right))})""")
    assert widths["page"] <= widths["viewport"] <= 1280, (where, widths)
    assert all(right <= widths["viewport"] for right in widths["tables"]), (where, widths)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_widest_pages_fit_a_laptop_window(browsing, lang):
    from tests.web.conftest import case_id

    visitor = browsing.page(lang)  # 1,280 px wide
    for name, url in (("public-home", "/"), ("public-index", "/public/"),
                      ("scoreboard", "/public/scoreboard")):
        visitor.goto(url)
        assert_fits_a_laptop_window(visitor, url)
        shot(visitor, f"{lang}-laptop-{name}")
    login(visitor, "secretariaat", lang, screenshot=f"{lang}-laptop-login")
    choose_language(visitor, lang)
    case, closed = case_id(browsing.server.app, DOC), case_id(browsing.server.app, "726/2")
    for name, url in (("dashboard", "/secretariat/"), ("cases", "/cases/"),
                      ("case", f"/cases/{case}"), ("timeline", f"/audit/cases/{closed}/timeline"),
                      ("escalation", "/secretariat/escalation")):
        visitor.goto(url)
        assert_fits_a_laptop_window(visitor, url)
        shot(visitor, f"{lang}-laptop-{name}")


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_phone_keeps_the_navigation_on_one_line(browsing, lang):
    phone = browsing.page(lang, viewport={"width": 390, "height": 844})
    login(phone, "secretariaat", lang)
    choose_language(phone, lang)
    phone.goto("/secretariat/")
    nav = phone.locator("header.top nav.navbar-nav")
    first = nav.locator(".nav-link").first
    assert nav.bounding_box()["height"] < 2 * first.bounding_box()["height"]  # one line
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page
    last = nav.locator("#nav-tokens")  # the last link: reached by scrolling the line
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    shot(phone, f"{lang}-phone-dashboard")
    phone.goto("/public/scoreboard")  # the public pages' own links mark the page shown
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # charts shrink
    current = phone.locator("#public-nav .nav-link.active")
    assert current.get_attribute("aria-current") == "page"
    assert current.get_attribute("href") == "/public/scoreboard"
    shot(phone, f"{lang}-phone-scoreboard")
