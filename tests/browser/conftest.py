"""Browser tests: Playwright drives Debian's chromium against the app served for real.

Each test gets the app on a fresh database with the demo loaded (SQLite, or
PostgreSQL when DATABASE_URL names one), served by werkzeug on 127.0.0.1 and a
free port in a background thread, with CSRF protection on as in production.
Without playwright or chromium the tests are skipped, except under CI=true,
where they fail. Screenshots go to $SCREENSHOTS_DIR (default
artifacts/screenshots at the repository root).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.web.conftest import PASSWORDS, close_app, make_app
from tests.web.conftest import db_url as db_url  # the demo-loaded database of the web tests
from tests.web.conftest import demo_sqlite as demo_sqlite

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
TIMEOUT_MS = 10_000
LANGS = ("nl", "fr", "en")
# What a context's Accept-Language is for each interface language.
BROWSER_LOCALES = {"nl": "nl-NL", "fr": "fr-BE", "en": "en-GB"}


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the browser tests must run)")
    pytest.skip(message)


# ---------------------------------------------------------------------------
# The interface's own words, in each language


@cache
def _catalogue(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = ROOT / "web" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    # like the compiled catalogue: fuzzy and empty translations fall back to the English
    return {m.id: m.string for m in catalog
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def tr(lang: str, msgid: str, **values) -> str:
    """``msgid`` as the interface shows it in ``lang`` (from the repo's catalogues)."""
    text = _catalogue(lang).get(msgid, msgid) if lang != "en" else msgid
    return text % values if values else text


def exactly(text: str) -> re.Pattern:
    """A whole accessible name or text, whitespace-insensitive."""
    return re.compile(r"^\s*" + re.escape(text).replace(r"\ ", r"\s+") + r"\s*$")


# ---------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"chromium does not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


# ---------------------------------------------------------------------------
# The app, served for real


@dataclass
class LiveServer:
    app: object
    url: str
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def live_server(db_url, tmp_path, monkeypatch):
    from werkzeug.serving import make_server

    app = make_app(db_url, tmp_path, monkeypatch, WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        close_app(app)


@dataclass
class Browsing:
    """Opens pages as different people, each in a browser context of its own,
    and fails the test on a server error, a JavaScript error or a request to
    another site in any of them."""

    chromium: object
    server: LiveServer
    contexts: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def page(self, lang: str = "en", **options):
        options.setdefault("locale", BROWSER_LOCALES[lang])
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = self.chromium.new_context(base_url=self.server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error: {exc}"))
        page.on("console", self._console)
        return page

    def _request(self, request) -> None:
        # everything is served by the app itself
        if not request.url.startswith((self.server.url + "/", "data:", "blob:", "about:")):
            self.problems.append(f"request to another site: {request.url}")

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")

    def _console(self, message) -> None:
        # a form sent back with its errors is a 400 (a lost race a 409), which chromium
        # logs as a failed resource: that is the page working; a 5xx is caught above
        if message.type == "error" and not re.match(
                r"Failed to load resource: the server responded with a status of 4\d\d",
                message.text):
            self.problems.append(f"console error: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium, live_server, request):
    b = Browsing(chromium, live_server)
    try:
        yield b
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            folder = screenshots_dir() / "failures"
            folder.mkdir(exist_ok=True)
            for n, context in enumerate(b.contexts):
                for m, page in enumerate(context.pages):
                    name = re.sub(r"[^\w.-]+", "_", request.node.name)
                    page.screenshot(path=folder / f"{name}-{n}-{m}.png", full_page=True)
    finally:
        b.close()
    assert not b.problems, b.problems


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# ---------------------------------------------------------------------------
# What a person does on every page


def shot(page, name: str) -> Path:
    """A full-page screenshot into the screenshots folder."""
    path = screenshots_dir() / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def login(page, username: str, lang: str = "en", screenshot: str | None = None) -> None:
    """Log in through the form (the login page speaks the browser's language)."""
    page.goto("/login")
    if screenshot:
        shot(page, screenshot)
    page.get_by_label(tr(lang, "User name")).fill(username)
    page.get_by_label(tr(lang, "Password")).fill(PASSWORDS[username])
    page.get_by_role("button", name=exactly(tr(lang, "Log in"))).click()
    page.wait_for_url(lambda url: "/login" not in url)


def page_language(page) -> str:
    return page.locator("html").get_attribute("lang")


def choose_language(page, lang: str) -> None:
    """The selector at the top of every page (it also becomes the user's setting)."""
    shown = page_language(page)
    page.get_by_label(tr(shown, "Language")).select_option(lang)
    # the form posts and redirects: wait for the new page, also when the language was
    # already the one chosen (then html[lang] is there before the new page arrives)
    with page.expect_navigation():
        page.get_by_role("button", name=exactly(tr(shown, "Change language"))).click()
    page.locator(f"html[lang={lang}]").wait_for(state="attached")
