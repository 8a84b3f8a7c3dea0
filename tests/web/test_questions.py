"""Written questions in the browser: the secretariat records one (on a case or on its
own), the addressee's ministry answers it online, another government does not find it,
and the pages speak Dutch and French."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.web.conftest import case_id, flashes, login, text
from web import labels
from web.extensions import db
from workflow import clock
from workflow.history.models import Event
from workflow.models import Notification, WrittenQuestion
from workflow.questions.models import QUESTION_STATES

TODAY = clock.brussels_date(clock.utcnow())
FORM = {"addressee_code": "NL", "asker": "Mevr. De Vries", "subject": "Telewerk grensarbeiders",
        "text": "Wanneer komt de fiscale regeling voor telewerk?", "asked_on": TODAY.isoformat(),
        "doc_number": "", "number": "", "rule": "20 working days"}


def numbers(app) -> tuple[str, str]:
    """The numbers the next two questions of this year get (the demo has questions of its
    own)."""
    from workflow.questions.operations import next_number

    with app.app_context():
        first = next_number(db.session, TODAY.year)
    return first, f"{first[:-3]}{int(first[-3:]) + 1:03d}"


def ask(client, **changes):
    return client.post("/questions/new", data={**FORM, **changes})


def english(client):
    client.post("/language", data={"lang": "en", "next": "/"})


def question(app, number: str | None = None) -> WrittenQuestion:
    with app.app_context():
        db.session.expire_all()
        stmt = select(WrittenQuestion).order_by(WrittenQuestion.id.desc())
        if number:
            stmt = stmt.where(WrittenQuestion.number == number)
        found = db.session.scalars(stmt).first()
        db.session.expunge(found)
        return found


def test_every_state_of_a_question_has_a_label():
    assert set(QUESTION_STATES) == set(labels.QUESTION_STATES)


def test_the_secretariat_records_a_question_on_a_case(app, client):
    FIRST, _ = numbers(app)
    login(client, "secretariaat")
    english(client)
    rid = case_id(app, "743/5Bis")
    form_page = text(client.get(f"/questions/new?case={rid}"))
    assert 'value="743/5Bis"' in form_page
    response = ask(client, doc_number="743/5Bis")
    assert response.status_code == 302
    q = question(app)
    assert q.number == FIRST and q.rule == "20 working days"
    assert q.recommendation_id == rid and q.state == "asked"
    page = text(client.get(response.headers["Location"]))
    assert FIRST in page and "Telewerk grensarbeiders" in page
    assert "written question asked" in page  # its history, for the secretariat
    case_page = text(client.get(f"/cases/{rid}"))
    assert f'<tr data-question="{FIRST}"' in case_page
    listing = text(client.get("/questions/?addressee=NL&state=asked"))
    assert f'data-question="{FIRST}"' in listing
    assert f'data-question="{FIRST}"' not in text(client.get("/questions/?state=answered"))
    with app.app_context():
        told = db.session.scalars(select(Notification).where(
            Notification.kind == "question_asked", Notification.question_id == q.id)).all()
        assert {n.user.organisation for n in told} == {"NL"}


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(app, client):
    with app.app_context():
        before = (db.session.scalars(select(WrittenQuestion.id)).all(),
                  db.session.scalars(select(Event.id).where(Event.entity == "question")).all())
    login(client, "secretariaat")
    english(client)
    response = ask(client, rule="6 weeks")
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="rule-error">The deadline rule “6 weeks” cannot be read', page)
    assert ask(client, doc_number="999/9").status_code == 400
    assert ask(client, text="").status_code == 400
    assert ask(client, number="Q-25-1").status_code == 400
    with app.app_context():
        assert (db.session.scalars(select(WrittenQuestion.id)).all(),
                db.session.scalars(select(Event.id).where(Event.entity == "question")).all()
                ) == before


def test_the_ministry_answers_online_and_another_does_not_find_it(app, client):
    login(client, "secretariaat")
    ask(client)
    q = question(app)
    other = app.test_client()
    login(other, "spf-affaires-etrangeres")
    assert other.get(f"/questions/{q.id}").status_code == 404
    assert other.post(f"/questions/{q.id}/answer",
                      data={"answer_text": "Non.", "version": q.version}).status_code == 404
    assert f'data-question="{q.number}"' not in text(other.get("/questions/"))
    assert f'data-question="{q.number}"' not in text(other.get("/questions/?addressee=NL"))

    nl = app.test_client()
    login(nl, "minbuza")
    inbox = text(nl.get("/ministry/"))
    assert f'data-question="{q.number}"' in inbox
    page = text(nl.get(f"/questions/{q.id}"))
    assert 'id="answer-form"' in page and 'id="withdraw-form"' not in page
    assert nl.post(f"/questions/{q.id}/withdraw", data={"version": q.version}
                   ).status_code == 403
    response = nl.post(f"/questions/{q.id}/answer",
                       data={"answer_text": "De regeling treedt in 2026 in werking.",
                             "version": q.version, "answered_on": "2025-01-01"})
    assert response.status_code == 302
    answered = question(app)
    assert answered.state == "answered" and answered.answered_by == "minbuza"
    # online, the answer is dated the day it is sent (a date given by the form is ignored)
    assert answered.answered_on == clock.brussels_date(clock.utcnow())
    page = text(nl.get(response.headers["Location"]))
    assert "De regeling treedt in 2026 in werking." in page and 'id="answer-form"' not in page
    assert f'data-question="{q.number}"' not in text(nl.get("/ministry/"))
    # the same form sent again: the question is at another version now
    again = nl.post(f"/questions/{q.id}/answer",
                    data={"answer_text": "Nogmaals.", "version": q.version})
    assert again.status_code == 409 and 'id="conflict"' in text(again)
    with app.app_context():
        told = db.session.scalars(select(Notification).where(
            Notification.kind == "question_answered")).all()
        assert told and {n.user.role for n in told} == {"secretariat"}


def test_the_secretariat_records_a_paper_answer_or_withdraws(app, client):
    FIRST, SECOND = numbers(app)
    login(client, "secretariaat")
    english(client)
    ask(client)
    ask(client, addressee_code="LU", subject="Vervoer")
    first, second = question(app, FIRST), question(app, SECOND)
    too_early = client.post(f"/questions/{first.id}/answer",
                            data={"answer_text": "Brief",
                                  "answered_on": (TODAY - timedelta(days=1)).isoformat(),
                                  "version": first.version})
    assert too_early.status_code == 400
    assert 'id="answered_on-error"' in text(too_early)
    response = client.post(f"/questions/{first.id}/answer",
                           data={"answer_text": "Brief van de minister",
                                 "answered_on": TODAY.isoformat(), "version": first.version})
    assert response.status_code == 302
    assert question(app, FIRST).answered_on == TODAY
    response = client.post(f"/questions/{second.id}/withdraw",
                           data={"withdraw-reason": "Vraagsteller vertrokken",
                                 "withdraw-version": second.version})
    assert response.status_code == 302
    assert question(app, SECOND).state == "withdrawn"
    refused = client.post(f"/questions/{second.id}/answer",
                          data={"answer_text": "Toch", "version": second.version + 1})
    assert refused.status_code == 400
    assert "only a question awaiting its answer" in text(refused)


def test_the_pages_in_dutch_and_french(app, client):
    login(client, "secretariaat")
    ask(client)
    q = question(app)
    client.post("/language", data={"lang": "nl", "next": "/"})
    page = text(client.get(f"/questions/{q.id}"))
    assert "Schriftelijke vragen" in page and "wacht op antwoord" in page
    assert "schriftelijke vraag gesteld" in page
    client.post("/language", data={"lang": "fr", "next": "/"})
    page = text(client.get("/questions/"))
    assert "Questions écrites" in page and "en attente de la réponse" in page
    page = text(client.get(f"/questions/{q.id}"))
    assert "question écrite posée" in page and "Enregistrer la réponse reçue" in page
    nl = app.test_client()
    login(nl, "minbuza")  # a Dutch-speaking user
    assert "Schriftelijke vragen die op uw antwoord wachten" in text(nl.get("/ministry/"))
    flashes_seen = flashes(client.post(f"/questions/{q.id}/withdraw",
                                       data={"withdraw-version": q.version},
                                       follow_redirects=True))
    assert flashes_seen == [f"La question écrite {q.number} est retirée."]


def test_the_focal_point_is_told_in_its_language_with_a_link_to_the_question(app, client):
    login(client, "secretariaat")
    ask(client)
    q = question(app)
    nl = app.test_client()
    login(nl, "minbuza")
    nl.post("/language", data={"lang": "nl", "next": "/"})
    page = text(nl.get("/notifications/"))
    assert f"Schriftelijke vraag {q.number}: uw antwoord wordt gevraagd" in page
    assert f'href="/questions/{q.id}"' in page
