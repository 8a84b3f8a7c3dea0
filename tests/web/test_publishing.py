"""Publishing answers from the web pages: one answer from the case page (and withdrawing
it with a reason), every submitted answer of a case or of a plenary session after a
preview; the public pages, the open-data exports and the feed follow."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.web.conftest import case_id, events_after_demo, flashes, login, text, version_of
from web.extensions import db
from workflow import clock
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import registration, scope, transitions
from workflow.models import Answer
from workflow.publishing import publication

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
NL = Actor("minbuza", "ministry", "NL")
BE = Actor("spf-affaires-etrangeres", "ministry", "BE-FED")
TEXT = "Nederland zet grensoverschrijdende ambulances in vanaf 2027."
SESSION = "Plenaire zitting van 12-13 maart 2027"


def _secretariat(app):
    client = app.test_client()
    login(client, "secretariaat")
    client.post("/language", data={"lang": "en"})  # the words below are the English ones
    return client


def _submit(app, doc: str, actor: Actor = NL, text_nl: str = TEXT, kind: str = "final") -> int:
    with app.app_context():
        rec = scope.find_recommendation(db.session, doc)
        answer = replies.submit_reply(db.session, actor, rec.entry(actor.organisation),
                                      kind=kind, position="agrees" if kind == "final" else None,
                                      text_nl=text_nl)
        db.session.commit()
        return answer.id


def _answer(app, answer_id: int) -> Answer:
    with app.app_context():
        db.session.expire_all()
        answer = db.session.get(Answer, answer_id)
        db.session.expunge(answer)
        return answer


def _public(client, doc: str) -> dict:
    """What the public side shows of recommendation ``doc``: its page, answers.csv (the
    answer ids), answers.json and the feed."""
    page = text(client.get(f"/public/recommendations/{doc}"))
    rows = list(csv.DictReader(io.StringIO(text(client.get("/public/export/answers.csv")))))
    records = json.loads(text(client.get("/public/export/answers.json")))
    feed = text(client.get("/public/feed.atom?lang=en"))
    return {"page": page, "csv": {r["id"] for r in rows if r["doc_number"] == doc},
            "json": records, "feed": feed}


def _json_ids(records) -> set[str]:
    items = records["answers"] if isinstance(records, dict) else records
    return {str(r["id"]) for r in items}


def test_publish_from_the_case_page_then_public_everywhere_and_withdraw_with_a_reason(app):
    answer_id = _submit(app, "743/5Bis")
    client, public = _secretariat(app), app.test_client()
    case = case_id(app, "743/5Bis")
    before = _public(public, "743/5Bis")
    assert TEXT not in before["page"] and str(answer_id) not in before["csv"]
    assert str(answer_id) not in _json_ids(before["json"])
    entry = before["feed"].split("743/5Bis: answer of NL", 1)[1].split("</entry>", 1)[0]
    assert "(position: agrees)" not in entry

    page = text(client.get(f"/cases/{case}"))
    assert f'id="form-publish-{answer_id}"' in page and 'id="link-publish-case"' in page
    response = client.post(f"/secretariat/answers/{answer_id}/publish",
                           data={f"answer-{answer_id}-version": version_of(app, "743/5Bis")})
    assert response.status_code == 302, text(response)[:2000]
    assert response.headers["Location"].endswith(f"/cases/{case}#answer-{answer_id}")
    page = client.get(f"/cases/{case}")
    assert "The answer of Government of the Netherlands is published." in flashes(page)
    assert f'id="form-unpublish-{answer_id}"' in text(page)
    [ev] = events_after_demo(app, "publish_answer")
    assert (ev.doc_number, ev.addressee_code, ev.actor, ev.data["answer_id"]) == \
        ("743/5Bis", "NL", "secretariaat", answer_id)

    shown = _public(public, "743/5Bis")
    assert TEXT in shown["page"]
    assert shown["csv"] == {str(answer_id)}
    assert str(answer_id) in _json_ids(shown["json"])
    entry = shown["feed"].split("743/5Bis: answer of NL", 1)[1].split("</entry>", 1)[0]
    assert "(position: agrees)" in entry

    # the same button again (an old page): nothing more, the case as it is now
    response = client.post(f"/secretariat/answers/{answer_id}/publish",
                           data={f"answer-{answer_id}-version": version_of(app, "743/5Bis")})
    assert response.status_code == 409 and 'id="conflict"' in text(response)
    assert len(events_after_demo(app, "publish_answer")) == 1

    # withdrawing needs a reason: said next to the field, nothing changed
    version = version_of(app, "743/5Bis")
    response = client.post(f"/secretariat/answers/{answer_id}/unpublish",
                           data={f"answer-{answer_id}-version": version,
                                 f"answer-{answer_id}-reason": "  "})
    assert response.status_code == 400
    assert re.search(rf'id="answer-{answer_id}-reason-error">Give the reason for withdrawing',
                     text(response))
    assert _answer(app, answer_id).is_published and events_after_demo(app, "unpublish_answer") == []
    assert version_of(app, "743/5Bis") == version

    response = client.post(f"/secretariat/answers/{answer_id}/unpublish",
                           data={f"answer-{answer_id}-version": version,
                                 f"answer-{answer_id}-reason": "Op verzoek van het ministerie"})
    assert response.status_code == 302
    assert not _answer(app, answer_id).is_published
    [ev] = events_after_demo(app, "unpublish_answer")
    assert ev.reason == "Op verzoek van het ministerie" and ev.data["answer_id"] == answer_id
    # the timeline shows the withdrawal and its reason
    timeline = text(client.get(f"/audit/cases/{case}/timeline"))
    assert "answer withdrawn from publication" in timeline
    assert "Op verzoek van het ministerie" in timeline

    gone = _public(public, "743/5Bis")
    assert TEXT not in gone["page"] and gone["csv"] == set()
    assert str(answer_id) not in _json_ids(gone["json"])
    entry = gone["feed"].split("743/5Bis: answer of NL", 1)[1].split("</entry>", 1)[0]
    assert "(position: agrees)" not in entry


def test_an_unknown_answer_is_not_found(app):
    client = _secretariat(app)
    for answer_id in ("999999", "99999999999", "0", "x"):
        response = client.post(f"/secretariat/answers/{answer_id}/publish", data={})
        assert response.status_code == 404, answer_id


def test_a_stale_form_publishes_nothing(app):
    answer_id = _submit(app, "743/5Bis")
    client = _secretariat(app)
    old = version_of(app, "743/5Bis")
    with app.app_context():
        rec = scope.find_recommendation(db.session, "743/5Bis")
        registration.set_published(db.session, SEC, rec, False)  # someone acted meanwhile
        db.session.commit()
    response = client.post(f"/secretariat/answers/{answer_id}/publish",
                           data={f"answer-{answer_id}-version": old})
    assert response.status_code == 409 and 'id="conflict"' in text(response)
    assert not _answer(app, answer_id).is_published
    assert events_after_demo(app, "publish_answer") == []


def _plan_rows(page: str) -> tuple[set[int], dict[int, str], set[int]]:
    published = {int(x) for x in re.findall(r'<tr data-answer="(\d+)"', page)}
    skipped = {int(a): why for a, why in
               re.findall(r'<tr data-skipped="(\d+)" data-why="(\w+)"', page)}
    without = {int(x) for x in re.findall(r'<li data-entry="(\d+)"', page)}
    return published, skipped, without


def _digest(page: str) -> str:
    return re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)


def test_publish_all_submitted_answers_of_a_case_after_a_preview(app):
    # 731/3: NL's final answer and BE-FED's interim reply are submitted; CM and LU not
    with app.app_context():
        rec = scope.find_recommendation(db.session, "731/3")
        ids = {a.entry.addressee_code: a.id for e in rec.addressees for a in e.answers}
        draft = replies.save_draft(db.session, SEC, rec.entry("CM"), text_nl="Op papier")
        db.session.commit()
        draft_id, case = draft.id, rec.id
    client = _secretariat(app)
    # one of them published already, from the case page
    response = client.post(f"/secretariat/answers/{ids['NL']}/publish",
                           data={f"answer-{ids['NL']}-version": version_of(app, "731/3")})
    assert response.status_code == 302
    page = text(client.get(f"/secretariat/cases/{case}/publish-answers"))
    published, skipped, without = _plan_rows(page)
    assert published == {ids["BE-FED"]}
    assert skipped == {ids["NL"]: "already_published", draft_id: "draft"}
    assert "already published" in page and "a draft, not submitted" in page
    assert len(without) == 1  # LU: nothing submitted (CM has the secretariat's own draft)
    assert "Nothing is published yet." in page
    digest = _digest(page)
    # a preview publishes nothing
    assert not _answer(app, ids["BE-FED"]).is_published

    # a confirmation of an older preview: nothing, and the new preview
    response = client.post(f"/secretariat/cases/{case}/publish-answers",
                           data={"digest": "0" * 64})
    assert response.status_code == 409 and 'id="conflict"' in text(response)
    assert not _answer(app, ids["BE-FED"]).is_published

    response = client.post(f"/secretariat/cases/{case}/publish-answers",
                           data={"digest": digest})
    assert response.status_code == 302
    assert "1 answer published." in flashes(client.get(f"/cases/{case}"))
    assert _answer(app, ids["BE-FED"]).is_published
    assert [ev.data["answer_id"] for ev in events_after_demo(app, "publish_answer")] == \
        [ids["NL"], ids["BE-FED"]]
    # twice: the preview changed (nothing left to publish), nothing more
    response = client.post(f"/secretariat/cases/{case}/publish-answers",
                           data={"digest": digest})
    assert response.status_code == 409
    page = text(response)
    assert 'id="nothing-to-publish"' in page and 'id="btn-publish-confirm"' not in page
    assert len(events_after_demo(app, "publish_answer")) == 2


def _session_cases(app, n: int, first: int = 1) -> list[int]:
    """``n`` transmitted recommendations of SESSION, each with NL's final answer and BE's
    interim reply submitted; the last one not published. Returns the answer ids."""
    out = []
    with app.app_context():
        s = db.session
        today = clock.brussels_date(clock.utcnow())
        for i in range(first, first + n):
            rec = registration.register_recommendation(
                s, SEC, doc_number=f"960/{i}", adopted_on=today - timedelta(days=60),
                addressees={"NL": True, "BE-FED": True, "LU": True}, title_nl=f"Zitting {i}",
                session_label=SESSION, deadline_rule="3 months")
            if i != first + n - 1:
                registration.set_published(s, SEC, rec, True)
            transitions.transmit(s, SEC, rec, transmitted_on=today - timedelta(days=50))
            out.append(replies.submit_reply(s, NL, rec.entry("NL"), kind="final",
                                            position="agrees", text_nl=f"Antwoord {i}").id)
            out.append(replies.submit_reply(s, BE, rec.entry("BE-FED"), kind="interim",
                                            text_fr=f"Réponse intermédiaire {i}").id)
        s.commit()
    return out


def test_publish_all_answers_of_a_plenary_session_after_a_preview(app):
    ids = _session_cases(app, 3)
    client, public = _secretariat(app), app.test_client()
    chooser = text(client.get("/secretariat/publish-answers"))
    assert f'<option value="{SESSION}">' in chooser
    page = text(client.get("/secretariat/publish-answers", query_string={"session": SESSION}))
    published, skipped, without = _plan_rows(page)
    assert published == set(ids[:4])
    assert skipped == dict.fromkeys(ids[4:], "case_not_published")
    assert "the recommendation is not published" in page
    assert len(without) == 3  # LU on each
    before = {doc: version_of(app, doc) for doc in ("960/1", "960/2", "960/3")}
    response = client.post("/secretariat/publish-answers",
                           data={"session_label": SESSION, "digest": _digest(page)})
    assert response.status_code == 302
    # the cases whose answers were published get a new version (an open form goes stale)
    assert {doc: version_of(app, doc) - n for doc, n in before.items()} == \
        {"960/1": 1, "960/2": 1, "960/3": 0}
    assert "4 answers published." in flashes(client.get(response.headers["Location"]))
    events = events_after_demo(app, "publish_answer")
    assert [ev.data for ev in events] == [{"answer_id": i, "session": SESSION}
                                          for i in ids[:4]]
    assert {ev.doc_number for ev in events} == {"960/1", "960/2"}
    rows = list(csv.DictReader(io.StringIO(text(public.get("/public/export/answers.csv")))))
    assert {int(r["id"]) for r in rows if r["doc_number"].startswith("960/")} == set(ids[:4])
    assert "Antwoord 1" in text(public.get("/public/recommendations/960/1"))
    with app.app_context():
        from workflow import history

        assert history.verify_history(db.session).ok


def test_a_session_must_be_chosen_and_known(app):
    client = _secretariat(app)
    response = client.get("/secretariat/publish-answers", query_string={"session": "Geen"})
    assert response.status_code == 400
    assert re.search(r'id="session-error">No recommendation was adopted in the session',
                     text(response))
    response = client.post("/secretariat/publish-answers", data={})
    assert response.status_code == 400
    assert 'id="session-error">Choose the plenary session.' in text(response)


def test_a_session_is_published_in_the_same_number_of_statements_however_large(app):
    client = _secretariat(app)

    def confirm() -> int:
        page = text(client.get("/secretariat/publish-answers",
                               query_string={"session": SESSION}))
        statements = []
        with app.app_context():
            engine = db.engine

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.post("/secretariat/publish-answers",
                                   data={"session_label": SESSION, "digest": _digest(page)})
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 302
        return len(statements)

    _session_cases(app, 2)
    small = confirm()
    _session_cases(app, 12, first=3)
    assert confirm() == small
    assert len(events_after_demo(app, "publish_answer")) == 2 + 22


@pytest.mark.parametrize("user", ["minbuza", "auditor"])
def test_only_the_secretariat_publishes(app, user):
    answer_id = _submit(app, "743/5Bis")
    client = app.test_client()
    login(client, user)
    version = version_of(app, "743/5Bis")
    for url in (f"/secretariat/answers/{answer_id}/publish",
                f"/secretariat/answers/{answer_id}/unpublish",
                f"/secretariat/cases/{case_id(app, '743/5Bis')}/publish-answers",
                "/secretariat/publish-answers"):
        response = client.post(url, data={f"answer-{answer_id}-version": version,
                                          "session_label": "x"})
        assert response.status_code == 403, url
    assert not _answer(app, answer_id).is_published


def test_the_rule_in_python_and_in_sql_agree(app):
    _session_cases(app, 2)
    with app.app_context():
        s = db.session
        rec = scope.find_recommendation(s, "960/1")
        replies.save_draft(s, SEC, rec.entry("LU"), text_nl="Concept")
        publication.publish_answer(s, SEC, rec.entry("NL").answers[0])
        from workflow.answers import corrections
        other = scope.find_recommendation(s, "960/2")
        paper = replies.submit_reply(s, SEC, other.entry("LU"), kind="interim",
                                     text_fr="Sur papier, par erreur")
        corrections.withdraw_reply(s, SEC, paper, reason="Vergissing")
        s.flush()
        answers = s.scalars(select(Answer)).all()
        from workflow.cases.models import CaseAddressee

        sql = set(s.scalars(select(Answer.id).join(Answer.entry)
                            .join(CaseAddressee.recommendation).where(publication.publishable())))
        python = {a.id for a in answers if publication.skip_reason(a) is None}
        assert sql == python and python
        assert {publication.skip_reason(a) for a in answers} == \
            {None, *publication.SKIP_REASONS}
        s.rollback()


def test_every_reason_to_leave_an_answer_out_is_worded():
    from web.labels import PUBLICATION_SKIPS

    assert set(PUBLICATION_SKIPS) == set(publication.SKIP_REASONS)


def test_the_forms_carry_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    answer_id = _submit(app, "743/5Bis")
    client = app.test_client()
    page = text(client.get("/login"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "secretariaat", "password": "demo-secretariaat",
                                "csrf_token": token})
    case = case_id(app, "743/5Bis")
    version = version_of(app, "743/5Bis")
    # without the token: refused, nothing published
    response = client.post(f"/secretariat/answers/{answer_id}/publish",
                           data={f"answer-{answer_id}-version": version})
    assert response.status_code == 400 and not _answer(app, answer_id).is_published
    page = text(client.get(f"/secretariat/cases/{case}/publish-answers"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/secretariat/cases/{case}/publish-answers",
                           data={"digest": _digest(page)})
    assert response.status_code == 400 and not _answer(app, answer_id).is_published
    response = client.post(f"/secretariat/cases/{case}/publish-answers",
                           data={"digest": _digest(page), "csrf_token": token})
    assert response.status_code == 302 and _answer(app, answer_id).is_published
