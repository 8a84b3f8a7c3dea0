"""Each role's main journey, in a real browser, in Dutch, French and English:
the secretariat registers (with the due-date preview) and transmits; a ministry
answers with a PDF attachment; the secretariat assesses and closes; the auditor
reads the timeline, the state on a past date, verifies the history and
downloads it. Finally one recommendation goes through all of it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import LANGS, choose_language, exactly, login, shot, tr
from workflow import clock
from workflow import clock as clock_ops

CATALOGUE = Path(__file__).resolve().parents[2] / "workflow" / "data" / "addressees.json"
NAMES = {a["code"]: a["name"]
         for a in json.loads(CATALOGUE.read_text(encoding="utf-8"))["addressees"]}

# The ministry that answers in each language, and the language its text is written in.
MINISTRY_OF = {"nl": ("minbuza", "NL", "nl"),
               "fr": ("spf-affaires-etrangeres", "BE-FED", "fr"),
               "en": ("nrw-staatskanzlei", "DE-NW", "nl")}


def today() -> date:
    return clock_ops.brussels_date(clock.utcnow())


def name_of(code: str, lang: str) -> str:
    return NAMES[code][lang]


def tiny_pdf(text: str = "Antwoord") -> bytes:
    """A small but valid one-page PDF (with a correct cross-reference table)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


# ---------------------------------------------------------------------------
# What a person does, step by step (shared by the role journeys and the full one)


def button(page, lang: str, msgid: str, hidden: bool = False, **values):
    """The button named ``msgid``; ``hidden``: also in a folded-away form."""
    return page.get_by_role("button", name=exactly(tr(lang, msgid, **values)),
                            include_hidden=hidden)


def field(where, lang: str, msgid: str):
    """The form field labelled ``msgid`` (the whole label)."""
    return where.get_by_label(tr(lang, msgid), exact=True)


def form_of(page, lang: str, msgid: str):
    """The form whose submit button is named ``msgid``."""
    return page.locator("form").filter(has=button(page, lang, msgid))


def flash(page):
    return page.get_by_role("status").first


def expect_flash(page, lang: str, msgid: str, **values) -> None:
    message = tr(lang, msgid, **values)
    assert message in flash(page).inner_text(), (message, flash(page).inner_text())


def case_state(page) -> str:
    return page.locator("#case-state").inner_text().strip()


def open_case(page, doc: str) -> None:
    page.get_by_role("link", name=doc, exact=True).first.click()
    page.get_by_role("heading", level=1).filter(has_text=doc).wait_for()


def register(page, lang: str, doc: str, addressees: dict[str, str],
             screenshot: bool = True) -> None:
    """From the dashboard: fill the form, preview the due dates, register."""
    page.get_by_role("link", name=exactly(tr(lang, "Register a recommendation"))).click()
    field(page, lang, "Document number").fill(doc)
    field(page, lang, "Date of the plenary (adoption)").fill(
        (today() - timedelta(days=3)).isoformat())
    field(page, lang, "Session").fill("Plenaire zitting / Session plénière")
    field(page, lang, "Committee").fill("Grensoverschrijdende Samenwerking")
    field(page, lang, "Theme").fill("Mobiliteit")
    field(page, lang, "Title in Dutch").fill("Grensoverschrijdend openbaar vervoer")
    field(page, lang, "Title in French").fill("Transports publics transfrontaliers")
    field(page, lang, "Text in Dutch").fill(
        "Het Beneluxparlement beveelt aan één vervoerbewijs in te voeren.")
    field(page, lang, "Text in French").fill(
        "Le Parlement Benelux recommande d'introduire un titre de transport unique.")
    choice = {"required": "answer required", "optional": "answer welcome, not required"}
    for code, how in addressees.items():
        page.get_by_label(name_of(code, lang), exact=True).select_option(
            label=tr(lang, choice[how]))
    field(page, lang, "Answer deadline counted in").select_option(
        label=tr(lang, "working days"))
    field(page, lang, "Number of months or days").fill("40")

    button(page, lang, "Preview due dates").click()
    preview = page.get_by_role("region", name=tr(lang, "Due dates if transmitted today"))
    rows = preview.get_by_role("row")
    assert rows.count() == 1 + len(addressees)
    for code in addressees:
        row = rows.filter(has_text=name_of(code, lang))
        assert row.locator("td.due").inner_text().strip(), code
        # the computation, step by step, in the page's language
        day_zero = tr(lang, "Start: %(date)s (day zero).").split("%(date)s")[1].strip()
        assert day_zero in row.inner_text()
    assert field(page, lang, "Document number").input_value() == doc  # kept
    if screenshot:
        shot(page, f"{lang}-register-preview")

    button(page, lang, "Register").click()
    page.get_by_role("heading", level=1).filter(has_text=doc).wait_for()
    expect_flash(page, lang, "Recommendation %(doc)s registered. Transmit it when it is sent "
                 "to its addressees.", doc=doc)
    assert case_state(page) == tr(lang, "adopted")
    # only what the lifecycle allows now is offered; the rest says why not
    assert button(page, lang, "Transmit to the addressees").is_visible()
    assert button(page, lang, "Start the assessment", hidden=True).count() == 0
    page.get_by_text(tr(lang, "Why other actions are not offered")).click()
    assert tr(lang, "Start the assessment") in page.locator("#refusals").inner_text()


def transmit(page, lang: str) -> None:
    button(page, lang, "Transmit to the addressees").click()
    expect_flash(page, lang, "Transmitted: the answer clocks run.")
    assert case_state(page) == tr(lang, "transmitted")
    assert button(page, lang, "Transmit to the addressees", hidden=True).count() == 0


def answer(page, lang: str, doc: str, text_lang: str, pdf: bytes, screenshot: bool = True):
    """From the inbox: draft with a PDF, check the attachment, submit."""
    inbox = page.locator("table").filter(has_text=doc)
    assert inbox.get_by_role("row").filter(has_text=doc).count() == 1
    if screenshot:
        shot(page, f"{lang}-inbox")
    inbox.get_by_role("link", name=doc, exact=True).click()
    page.get_by_role("heading", name=tr(lang, "Your reply")).wait_for()
    deadline = page.get_by_role("region", name=tr(lang, "Deadline"))
    assert "-" not in deadline.locator("#days-left").inner_text()  # overdue: 0 days left

    field(page, lang, "Kind of reply").select_option(label=tr(lang, "final answer"))
    field(page, lang, "Position").select_option(label=tr(lang, "agrees"))
    label = "Answer in Dutch" if text_lang == "nl" else "Answer in French"
    words = ("De regering steunt de aanbeveling." if text_lang == "nl"
             else "Le gouvernement soutient la recommandation.")
    page.get_by_label(tr(lang, label)).fill(words)
    field(page, lang, "Date on the letter").fill(
        (today() - timedelta(days=1)).isoformat())
    field(page, lang, "Attach a PDF (at most 10 MiB)").set_input_files(
        {"name": "antwoord.pdf", "mimeType": "application/pdf", "buffer": pdf})
    button(page, lang, "Save draft").click()
    expect_flash(page, lang, "Draft saved. It is visible only to your organisation until "
                 "you submit it.")
    # the draft is kept: text, position and the attachment
    assert page.get_by_label(tr(lang, label)).input_value() == words
    assert field(page, lang, "Position").input_value() == "agrees"
    with page.expect_download() as download:
        page.get_by_role("link", name="antwoord.pdf").click()
    assert download.value.suggested_filename == "antwoord.pdf"
    assert download.value.path().read_bytes() == pdf
    if screenshot:
        shot(page, f"{lang}-answer-form")

    # submitting asks for a confirmation first; without it nothing is sent
    button(page, lang, "Submit the reply").click()
    confirm = field(page, lang, "I confirm: send this reply to the Benelux Parliament now. It "
                                "cannot be changed afterwards.")
    assert tr(lang, "Tick the box to confirm that the reply is to be sent, or save it as a "
                    "draft.") in page.locator("#confirm-error").inner_text()
    confirm.check()
    button(page, lang, "Submit the reply").click()
    page.wait_for_url("**/ministry/")
    expect_flash(page, lang, "Your reply on %(doc)s is submitted.", doc=doc)
    # no longer waiting; listed among the other recommendations, answered
    assert page.locator("table").filter(has_text=doc).count() == 0
    other = page.get_by_role("listitem").filter(has_text=doc)
    assert tr(lang, "answered") in other.inner_text()


def assess_and_close(page, lang: str, doc: str) -> None:
    """From the dashboard's list of answered cases: assess, then close with a reason."""
    to_assess = page.get_by_role("region", name=tr(lang, "Answered: to assess"))
    to_assess.get_by_role("link", name=doc, exact=True).click()
    page.get_by_role("heading", level=1).filter(has_text=doc).wait_for()
    assert case_state(page) == tr(lang, "answered")

    assessment = form_of(page, lang, "Start the assessment")
    field(assessment, lang, "Note (optional)").fill("Antwoorden besproken")
    button(page, lang, "Start the assessment").click()
    expect_flash(page, lang, "Done: %(action)s.", action=tr(lang, "Start the assessment"))
    assert case_state(page) == tr(lang, "under assessment")

    # the close form is folded away until asked for
    closing = form_of(page, lang, "Close the case")
    assert not closing.is_visible()
    page.locator("summary").filter(has_text=exactly(tr(lang, "Close the case"))).click()
    field(closing, lang, "Reason for closing").select_option(
        label=tr(lang, "implemented"))
    field(closing, lang, "Explanation (optional)").fill("Uitgevoerd / Mis en œuvre")
    field(closing, lang, "I confirm: close this case now. Answers still awaited are no "
                         "longer expected.").check()
    button(page, lang, "Close the case").click()
    expect_flash(page, lang, "The case is closed.")
    assert case_state(page) == tr(lang, "closed")
    assert tr(lang, "implemented") in page.locator("main p").filter(
        has=page.locator("#case-state")).inner_text()
    assert button(page, lang, "Reopen the case", hidden=True).count() == 1


def verify_and_download(page, lang: str, doc: str) -> list[dict]:
    """Verify the whole chain, download the case's history as JSON and CSV, check them."""
    page.get_by_role("link", name=exactly(tr(lang, "Verify history"))).first.click()
    result = page.get_by_role("status").filter(has_text=tr(lang, "History intact"))
    result.wait_for()
    head = page.locator("#head-hash").inner_text().strip()
    assert len(head) == 64
    shot(page, f"{lang}-verify")

    page.go_back()
    with page.expect_download() as json_download:
        page.get_by_role("link", name=exactly(tr(lang, "Download history (JSON)"))).click()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name=exactly(tr(lang, "Download history (CSV)"))).click()
    slug = doc.replace("/", "-")
    assert json_download.value.suggested_filename == f"history-{slug}.json"
    assert csv_download.value.suggested_filename == f"history-{slug}.csv"
    data = json.loads(json_download.value.path().read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(csv_download.value.path().read_text("utf-8"))))
    events = data["events"]
    assert data["doc_number"] == doc and events
    for event in events:  # each hash checks out offline from its own text
        digest = hashlib.sha256(f"{event['prev_hash']}\n{event['canonical']}".encode())
        assert digest.hexdigest() == event["hash"], event["seq"]
    assert [(int(r["seq"]), r["hash"]) for r in rows] == [(e["seq"], e["hash"]) for e in events]
    return events


# ---------------------------------------------------------------------------
# The journeys


@pytest.mark.parametrize("lang", LANGS)
def test_secretariat_registers_and_transmits(browsing, lang):
    page = browsing.page(lang)
    login(page, "secretariaat", lang, screenshot=f"{lang}-login")
    choose_language(page, lang)
    shot(page, f"{lang}-dashboard")
    register(page, lang, "750/1", {"NL": "required", "BE-FED": "required", "LU": "optional"})
    transmit(page, lang)
    table = page.get_by_role("table").filter(has_text=name_of("NL", lang))
    for code in ("NL", "BE-FED", "LU"):
        row = table.get_by_role("row").filter(has_text=f"({code})")
        assert tr(lang, "pending") in row.inner_text()
    shot(page, f"{lang}-case")


@pytest.mark.parametrize("lang", LANGS)
def test_ministry_answers_with_an_attachment(browsing, lang):
    username, code, text_lang = MINISTRY_OF[lang]
    page = browsing.page(lang)
    login(page, username, lang)
    choose_language(page, lang)
    answer(page, lang, "743/5Bis", text_lang, tiny_pdf())

    # the case page shows the submitted reply and its attachment
    page.get_by_role("link", name="743/5Bis", exact=True).click()
    reply = page.get_by_role("article").filter(has_text=name_of(code, lang))
    assert tr(lang, "final answer") in reply.inner_text()
    assert reply.get_by_role("link", name="antwoord.pdf").count() == 1


@pytest.mark.parametrize("lang", LANGS)
def test_secretariat_assesses_and_closes(browsing, lang):
    page = browsing.page(lang)
    login(page, "secretariaat", lang)
    choose_language(page, lang)
    assess_and_close(page, lang, "737/3")  # in the demo, answered by the Committee of Ministers


@pytest.mark.parametrize("lang", LANGS)
def test_auditor_checks_the_history(browsing, lang):
    page = browsing.page(lang)
    login(page, "auditor", lang)
    choose_language(page, lang)
    doc = "726/2"  # in the demo: answered by all, assessed and closed
    row = page.get_by_role("row").filter(has_text=doc)
    row.get_by_role("link", name=exactly(tr(lang, "Timeline"))).click()
    page.get_by_role("heading", name=tr(lang, "Timeline of %(doc)s", doc=doc)).wait_for()
    timeline = page.get_by_role("table").first
    events = timeline.locator("tbody").get_by_role("row")
    assert events.count() >= 7
    assert tr(lang, "registered") in events.first.inner_text()
    assert tr(lang, "Close the case") in events.last.inner_text()
    assert tr(lang, "Answer versions") in page.locator("main").inner_text()
    shot(page, f"{lang}-timeline")

    # the state as it was 300 days ago: all answers in, not yet assessed
    page.get_by_role("link", name=exactly(tr(lang, "State on a date"))).click()
    field(page, lang, "Date").fill((today() - timedelta(days=300)).isoformat())
    button(page, lang, "Show").click()
    snapshot = page.locator("#snapshot")
    assert page.locator("#snapshot-state").inner_text().strip() == tr(lang, "answered")
    assert snapshot.get_by_role("row").filter(has_text="BE-FED").filter(
        has_text=tr(lang, "partly agrees")).count() == 1
    # before the plenary, there was nothing
    field(page, lang, "Date").fill((today() - timedelta(days=600)).isoformat())
    button(page, lang, "Show").click()
    assert tr(lang, "The recommendation was not registered yet on that date.") in \
        snapshot.inner_text()
    page.get_by_role("link", name=exactly(tr(lang, "Timeline"))).click()

    events = verify_and_download(page, lang, doc)
    assert events[0]["action"] == "register" and events[-1]["to_state"] == "closed"


def test_one_recommendation_from_registration_to_audit(browsing):
    """The same case through every role, each in the language of their account."""
    doc = "750/2"
    sec = browsing.page("nl")
    login(sec, "secretariaat", "nl")  # Dutch is the secretariat's own setting
    register(sec, "nl", doc, {"NL": "required", "BE-FED": "required", "LU": "optional"},
             screenshot=False)
    transmit(sec, "nl")

    pdf = tiny_pdf("Reponse")
    for username, lang, text_lang in (("minbuza", "nl", "nl"),
                                      ("spf-affaires-etrangeres", "fr", "fr")):
        ministry = browsing.page(lang)
        login(ministry, username, lang)
        answer(ministry, lang, doc, text_lang, pdf, screenshot=False)

    sec.get_by_role("link", name=exactly(tr("nl", "Dashboard"))).click()
    assess_and_close(sec, "nl", doc)

    auditor = browsing.page("en")
    login(auditor, "auditor", "en")
    auditor.get_by_role("row").filter(has_text=doc).get_by_role(
        "link", name="Timeline").click()
    versions = auditor.get_by_role("region", name=name_of("BE-FED", "en"))
    assert "Le gouvernement soutient la recommandation." in versions.inner_text()
    assert versions.get_by_role("link", name="antwoord.pdf").count() == 1
    events = verify_and_download(auditor, "en", doc)
    actions = [e["action"] for e in events]
    assert actions[:2] == ["register", "transmit"] and actions[-2:] == ["start_assessment",
                                                                        "close"]
    assert {e["actor"] for e in events} >= {"secretariaat", "minbuza",
                                            "spf-affaires-etrangeres"}
