"""The secretariat publishes answers from the pages, and a visitor reads them; then one is
withdrawn from publication with a reason. In Dutch and French, with screenshots."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import choose_language, exactly, login, shot, tr

DOC = "726/2"  # in the demo: answered by all, assessed and closed, no answer published


def button(page, lang: str, msgid: str, **values):
    return page.get_by_role("button", name=exactly(tr(lang, msgid, **values)))


def flash_text(page) -> str:
    return page.get_by_role("status").first.inner_text()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_publish_a_case_s_answers_then_withdraw_one(browsing, lang):
    visitor = browsing.page(lang)
    visitor.goto(f"/public/recommendations/{DOC}")
    assert visitor.locator("#no-answers").is_visible()

    page = browsing.page(lang)
    login(page, "secretariaat", lang)
    page.goto("/cases/")
    page.get_by_role("link", name=DOC, exact=True).first.click()
    page.get_by_role("heading", level=1).filter(has_text=DOC).wait_for()
    if page.locator("html").get_attribute("lang") != lang:
        choose_language(page, lang)

    # all submitted answers of the case: first the list, nothing published yet
    page.get_by_role("link", name=tr(lang, "Publish all submitted answers…")).click()
    rows = page.locator("#to-publish tbody tr")
    count = rows.count()
    assert count >= 2
    assert tr(lang, "Nothing is published yet.") in page.locator("#publish-confirm").inner_text()
    shot(page, f"{lang}-publish-preview")
    visitor.reload()
    assert visitor.locator("#no-answers").is_visible()

    confirm = page.locator("#btn-publish-confirm")
    assert str(count) in confirm.inner_text()  # the button says how many
    confirm.click()
    page.get_by_role("heading", level=1).filter(has_text=DOC).wait_for()
    assert str(count) in flash_text(page)

    visitor.reload()
    answers = visitor.locator("article.reply")
    assert answers.count() == count and not visitor.locator("#no-answers").count()
    shot(visitor, f"{lang}-public-case-with-answers")

    # withdraw one: the reason is asked for, then the answer leaves the public page
    first = page.locator("[id^=publication-]").first
    answer_id = re.sub(r"\D", "", first.get_attribute("id"))
    first.locator("summary").click()
    button(first, lang, "Withdraw from publication").click()
    form = page.locator(f"#form-unpublish-{answer_id}")
    assert form.locator("p.error").is_visible()  # no reason given: nothing withdrawn
    form.get_by_role("textbox").fill("Vertrouwelijke bijlage / Annexe confidentielle")
    button(form, lang, "Withdraw from publication").click()
    page.locator(f"#publication-{answer_id}").wait_for()
    assert page.locator(f"#btn-publish-{answer_id}").is_visible()

    visitor.reload()
    assert visitor.locator("article.reply").count() == count - 1
    assert visitor.locator(f"#answer-{answer_id}").count() == 0
