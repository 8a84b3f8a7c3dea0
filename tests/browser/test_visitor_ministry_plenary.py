"""Three journeys in the real browser, in Dutch and French, with screenshots: a visitor on
the public side (home page, search, filter, the scoreboard's charts and judgements), a
ministry reading its correspondence (the committee's follow-up question in the thread) and
filtering its inbox, and the secretariat transmitting a whole plenary session after a
preview."""

from __future__ import annotations

import pytest

from tests.browser.conftest import choose_language, exactly, login, shot, tr


def in_language(page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        choose_language(page, lang)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_visitor_finds_a_recommendation_and_reads_the_scoreboard(browsing, lang):
    page = browsing.page(lang)
    page.goto("/")
    in_language(page, lang)
    assert page.locator("#home-figures").is_visible()
    assert page.locator("#nav-login").is_visible()  # a way in for the staff
    shot(page, f"{lang}-visitor-home")

    # search a word of a title, then narrow to one addressee
    page.locator("#link-all-recommendations").click()
    search = page.locator("#public-search")
    search.get_by_label(tr(lang, "Search title, text or document number")).fill("diploma")
    search.get_by_role("button", name=exactly(tr(lang, "Search"))).click()
    page.locator("#result-count").wait_for()
    assert page.locator('#public-recommendations tr[data-doc="741/4"]').is_visible()
    assert "q=diploma" in page.url  # the search is in the address, to bookmark
    search.get_by_label(tr(lang, "Addressee")).select_option("LU")
    search.get_by_role("button", name=exactly(tr(lang, "Search"))).click()
    page.wait_for_url(lambda url: "addressee=LU" in url)
    rows = page.locator("#public-recommendations tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-doc") == "741/4"
    shot(page, f"{lang}-visitor-search")

    # the case: its published answers with the committee's judgement
    page.get_by_role("link", name="741/4", exact=True).click()
    page.locator("#public-addressees").wait_for()
    assert "741/4" in page.locator("p.doc").inner_text()
    replies = page.locator("article.reply")
    assert replies.count() >= 2
    assert tr(lang, "unsatisfactory") in page.locator("main").inner_text()

    # the scoreboard: one chart per addressee, the judgements counted
    page.goto("/public/scoreboard")
    assert page.locator("#charts svg.chart").count() >= 3
    nl_row = page.locator('#scoreboard tr[data-addressee="NL"]')
    assert nl_row.locator('[data-col="judged_unsatisfactory"]').inner_text().strip() == "1"
    shot(page, f"{lang}-visitor-scoreboard")


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_ministry_reads_the_follow_up_question_in_its_correspondence(browsing, lang):
    page = browsing.page(lang)
    login(page, "minbuza", lang)
    page.goto("/ministry/")
    in_language(page, lang)

    # the inbox filtered by text: only the recommendation on diplomas is left
    filters = page.locator("#inbox-filters")
    filters.get_by_label(tr(lang, "Search number, title and text")).fill("diploma")
    page.locator("#btn-search").click()
    page.wait_for_url(lambda url: "q=diploma" in url)
    rows = page.locator("#inbox tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-doc") == "741/4"
    shot(page, f"{lang}-ministry-inbox-filtered")

    # its answer page: the thread, oldest first, ends with the follow-up question
    rows.first.get_by_role("link", name="741/4").first.click()
    thread = page.locator("#thread")
    thread.wait_for()
    kinds = [li.get_attribute("data-kind") for li in thread.locator("li.letter").all()]
    assert kinds[0] == "transmitted" and "final_answer" in kinds
    assert kinds[-1] == "follow_up_question"
    question = thread.locator('li.letter[data-kind="follow_up_question"]').last
    assert "automatische erkenning" in question.inner_text()  # the committee's question
    assert page.locator("#answer-form").is_visible()  # and it is answered on this page
    shot(page, f"{lang}-ministry-thread")


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_secretariat_transmits_a_plenary_session_after_a_preview(browsing, lang):
    page = browsing.page(lang)
    login(page, "secretariaat", lang)
    page.goto("/secretariat/transmit-session")
    in_language(page, lang)
    form = page.locator("#transmit-session")
    form.get_by_label(tr(lang, "Plenary session")).select_option(index=1)
    page.locator("#btn-preview").click()
    page.locator("#preview").wait_for()
    assert page.locator('#ready tr[data-doc="747/2"]').is_visible()  # not transmitted yet
    assert tr(lang, "Nothing is sent yet.") in page.locator("#preview").inner_text()
    shot(page, f"{lang}-transmit-session-preview")

    page.locator("#btn-apply").click()
    page.wait_for_url(lambda url: "transmit-session" not in url)
    page.goto("/cases/")
    in_language(page, lang)
    page.get_by_role("link", name="747/2", exact=True).first.click()
    page.get_by_role("heading", level=1).filter(has_text="747/2").wait_for()
    assert page.locator("#form-transmit").count() == 0  # transmitted: not offered again
    shot(page, f"{lang}-transmit-session-done")
