"""The committee's judgement of an answer, a government's right of reply and a correction
of a recommendation's texts, each done in the pages by the person who does it and then
read by a visitor on the public case page. In Dutch and French, with screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import choose_language, exactly, login, shot, tr

DOC = "726/2"  # in the demo: answered by all, assessed and closed


def in_language(page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        choose_language(page, lang)


def open_case(page, lang: str) -> None:
    page.goto("/cases/")
    in_language(page, lang)
    page.get_by_role("link", name=DOC, exact=True).first.click()
    page.get_by_role("heading", level=1).filter(has_text=DOC).wait_for()


def status_text(page) -> str:
    return page.get_by_role("status").first.inner_text()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_judge_an_answer_reply_to_the_scoreboard_and_correct_a_text(browsing, lang):
    sec = browsing.page(lang)
    login(sec, "secretariaat", lang)
    open_case(sec, lang)
    # publish the case's answers, so that a visitor reads them and their judgement
    sec.get_by_role("link", name=tr(lang, "Publish all submitted answers…")).click()
    sec.locator("#btn-publish-confirm").click()
    sec.get_by_role("heading", level=1).filter(has_text=DOC).wait_for()

    # the committee's judgement of the first answer: unsatisfactory, with a note
    form = sec.locator("form[id^=form-assess-]").first
    answer_id = re.sub(r"\D", "", form.get_attribute("id"))
    sec.locator(f"#action-assess-{answer_id} summary").click()
    form.get_by_role("button", name=exactly(tr(lang, "Record the assessment"))).click()
    assert tr(lang, "Choose a judgement.") in sec.locator(
        f"#form-assess-{answer_id}").inner_text()  # nothing chosen: nothing recorded
    form = sec.locator(f"#form-assess-{answer_id}")
    form.get_by_label(tr(lang, "unsatisfactory"), exact=True).check()
    form.get_by_label(tr(lang, "Note (optional)")).fill("Geen tijdpad / Pas de calendrier")
    form.get_by_role("button", name=exactly(tr(lang, "Record the assessment"))).click()
    judgement = sec.locator(f"#judgement-{answer_id}")
    judgement.wait_for()
    assert tr(lang, "unsatisfactory") in judgement.inner_text()
    shot(sec, f"{lang}-answer-assessed")

    # the secretariat corrects the Dutch title, with a reason
    sec.locator("#action-correct summary").click()
    correct = sec.locator("#form-correct")
    title = correct.get_by_label(tr(lang, "Title in Dutch"))
    title.fill(title.input_value() + " (gecorrigeerd)")
    correct.get_by_label(tr(lang, "Why are the texts corrected?")).fill("Tikfout / Coquille")
    correct.get_by_role("button", name=exactly(tr(lang, "Correct the texts"))).click()
    sec.locator("#correction-note").wait_for()
    assert "Tikfout / Coquille" in sec.locator("#correction-note").inner_text()

    # the Dutch government's right of reply on the case
    nl = browsing.page(lang)
    login(nl, "minbuza", lang)
    nl.goto("/comments/")
    in_language(nl, lang)
    comment = nl.locator("#comment-form")
    comment.get_by_label(tr(lang, "On recommendation (document number)")).fill(DOC)
    comment.get_by_label(tr(lang, "Comment"), exact=True).fill(
        "Antwoord verzonden op 6 november via de permanente vertegenwoordiging.")
    comment.get_by_role("button", name=exactly(tr(lang, "Publish the comment"))).click()
    nl.locator("#comment-list").wait_for()
    assert "permanente vertegenwoordiging" in nl.locator("#comment-list").inner_text()

    # a visitor reads all three on the public case page
    visitor = browsing.page(lang)
    visitor.goto(f"/public/recommendations/{DOC}")
    public = visitor.locator("main").inner_text()
    assert tr(lang, "unsatisfactory") in visitor.locator(f"#judgement-{answer_id}").inner_text()
    assert "(gecorrigeerd)" in public and "Tikfout / Coquille" in public
    assert "permanente vertegenwoordiging" in visitor.locator("#case-comments").inner_text()
    shot(visitor, f"{lang}-public-case-judged-corrected-commented")
