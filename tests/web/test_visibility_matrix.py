"""Who sees which answer, draft and attachment: one rule, everywhere.

For submitted answers (published or not, on published and unpublished cases), drafts
(of ministries and of the secretariat) and their attachments, and for every role and
organisation (the secretariat, each government, the Committee of Ministers, an auditor
and the public), the web pages and downloads and the API give the visible / hidden
result of ``X.visible_to(actor)``, which is the same in Python and in SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.pdfs import pdf
from tests.web.conftest import MINISTRIES, login, text
from workflow import clock
from workflow.accounts import tokens
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import registration, transitions
from workflow.models import Answer, Attachment, Recommendation, User
from workflow.publishing import opendata

NOW = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)
PDF = pdf("visibility")
SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
PUBLIC = "public"
USERS = ("secretariaat", *MINISTRIES.values(), "auditor")


def _ministry(code: str) -> Actor:
    return Actor(MINISTRIES[code], "ministry", code)


def _draft(session, actor, entry, *, attach: bool, kind: str = "final"):
    draft = replies.save_draft(session, actor, entry, kind=kind, position="agrees",
                               text_nl=f"Ontwerp van {actor.organisation}", now=NOW)
    if attach:
        replies.add_attachment(session, actor, draft, filename=f"{actor.organisation}.pdf",
                               content=PDF, now=NOW)
    return draft


def _submit(session, actor, entry):
    return replies.submit_reply(session, actor, entry, kind="final", position="agrees",
                                text_nl=f"Antwoord van {actor.organisation}", now=NOW)


def build(session) -> None:
    """991/1, published: NL submitted (unpublished), BE-FED submitted and published, LU a
    draft, the secretariat a draft of its own for DE-NW, all with attachments; the
    Committee of Ministers (optional) a draft without one. 991/2, not published: NL's
    answer published (still not public), BE-FED a draft."""
    a = registration.register_recommendation(
        session, SEC, doc_number="991/1", adopted_on=date(2025, 1, 2), title_nl="Zichtbaar",
        addressees={"NL": True, "BE-FED": True, "LU": True, "DE-NW": True, "CM": False},
        now=NOW)
    transitions.transmit(session, SEC, a, transmitted_on=date(2025, 1, 6), now=NOW)
    registration.set_published(session, SEC, a, True, now=NOW)
    for code in ("NL", "BE-FED"):
        _draft(session, _ministry(code), a.entry(code), attach=True)
        _submit(session, _ministry(code), a.entry(code))
    opendata.publish_answer(session, SEC, a.entry("BE-FED").answers[0], now=NOW)
    _draft(session, _ministry("LU"), a.entry("LU"), attach=True)
    _draft(session, SEC, a.entry("DE-NW"), attach=True)
    _draft(session, _ministry("CM"), a.entry("CM"), attach=False)

    b = registration.register_recommendation(
        session, SEC, doc_number="991/2", adopted_on=date(2025, 1, 2), title_nl="Intern",
        addressees={"NL": True, "BE-FED": True}, now=NOW)
    transitions.transmit(session, SEC, b, transmitted_on=date(2025, 1, 6), now=NOW)
    _draft(session, _ministry("NL"), b.entry("NL"), attach=True)
    opendata.publish_answer(session, SEC, _submit(session, _ministry("NL"), b.entry("NL")),
                            now=NOW)
    _draft(session, _ministry("BE-FED"), b.entry("BE-FED"), attach=True)
    session.flush()


@pytest.fixture
def world(app):
    from web.extensions import db

    with clock.frozen(NOW), app.app_context():
        build(db.session)
        actors, headers = {PUBLIC: None}, {}
        for username in USERS:
            user = db.session.scalar(select(User).where(User.username == username))
            actors[username] = Actor.of(user)
            secret = tokens.create_token(db.session, user, "matrix").secret
            headers[username] = {"Authorization": f"Bearer {secret}"}
        db.session.commit()
    clients = {PUBLIC: app.test_client()}
    for username in USERS:
        clients[username] = app.test_client()
        login(clients[username], username)
    return {"actors": actors, "headers": headers, "clients": clients}


def _ids(stmt) -> set[int]:
    from web.extensions import db

    return set(db.session.scalars(stmt))


def expected(app, actors):
    """who -> (answers seen, attachments seen), per the rule in Python; checked against
    the same rule as a WHERE clause."""
    from web.extensions import db

    with app.app_context():
        answers = db.session.scalars(select(Answer)).all()
        attachments = db.session.scalars(select(Attachment)).all()
        out = {}
        for who, actor in actors.items():
            seen = {a.id for a in answers if a.visible_to(actor)}
            files = {f.id for f in attachments if f.visible_to(actor)}
            assert seen == _ids(select(Answer.id).where(Answer.visible_to(actor))), who
            assert files == _ids(select(Attachment.id).where(Attachment.visible_to(actor))), \
                who
            out[who] = (seen, files)
        return out, answers, attachments


def test_the_matrix_is_not_trivial(app, world):
    """Each answer and attachment is seen by someone and hidden from someone, and the
    matrix has drafts, unpublished and published answers."""
    seen, answers, attachments = expected(app, world["actors"])
    for answer in answers:
        who = {w for w, (ids, _) in seen.items() if answer.id in ids}
        assert who and who != set(seen), (answer.id, who)
    assert {(a.status, a.is_published) for a in answers} >= {
        ("draft", False), ("submitted", False), ("submitted", True)}
    assert len(attachments) >= 6
    assert seen[PUBLIC][0], "the public sees no answer at all"


def test_web_and_api_agree_with_the_rule_for_every_role(app, world):
    seen, answers, attachments = expected(app, world["actors"])
    from web.extensions import db

    with app.app_context():
        places = {a.id: (a.entry.recommendation.id, a.entry.recommendation.doc_number,
                         a.entry.addressee_code, a.status) for a in answers}
        cases = db.session.scalars(select(Recommendation).where(
            Recommendation.id.in_({p[0] for p in places.values()}))).all()
        case_seen = {}
        for who, actor in world["actors"].items():
            case_seen[who] = {r.id for r in cases if r.visible_to(actor)}
            assert case_seen[who] == _ids(select(Recommendation.id).where(
                Recommendation.id.in_([r.id for r in cases]),
                Recommendation.visible_to(actor))), who
    docs = {(case_id, doc) for case_id, doc, _code, _status in places.values()}
    for who, client in world["clients"].items():
        answers_seen, files_seen = seen[who]
        web_answers, api_answers = set(), set()
        for case_id, doc in docs:
            page = client.get(f"/public/recommendations/{doc}" if who == PUBLIC
                              else f"/cases/{case_id}")
            assert page.status_code == (200 if case_id in case_seen[who] else 404), (who, doc)
            if page.status_code == 200:
                web_answers |= {i for i in places if f'id="answer-{i}"' in text(page)}
            if who != PUBLIC:
                detail = client.get(f"/api/v1/recommendations/{doc}",
                                    headers=world["headers"][who])
                assert detail.status_code == (200 if case_id in case_seen[who] else 404), \
                    (who, doc, detail.json)
                if detail.status_code == 200:
                    api_answers |= {a["id"] for a in detail.json["answers"]}
        assert web_answers == answers_seen, (who, "web pages")
        if who == PUBLIC:
            export = client.get("/public/export/answers.json").json["answers"]
            assert {row["id"] for row in export} & set(places) == answers_seen, \
                (who, "open-data export")
        else:
            assert api_answers == answers_seen, (who, "API")
            # The draft endpoint hands out exactly the caller's own visible drafts.
            drafts = set()
            for answer_id, (_cid, doc, code, status) in places.items():
                if status != "draft":
                    continue
                response = client.get(f"/api/v1/recommendations/{doc}/addressees/{code}/draft",
                                      headers=world["headers"][who])
                assert response.status_code in (200, 404), (who, doc, code, response.json)
                if response.status_code == 200 and response.json["id"] == answer_id:
                    drafts.add(answer_id)
            assert drafts == {i for i in answers_seen if places[i][3] == "draft"}, \
                (who, "API drafts")

        for att in attachments:
            url = (f"/public/attachments/{att.id}" if who == PUBLIC
                   else f"/attachments/{att.id}")
            status = client.get(url).status_code
            assert status == (200 if att.id in files_seen else 404), (who, att.id, "web")
            if who != PUBLIC:
                status = client.get(f"/api/v1/attachments/{att.id}",
                                    headers=world["headers"][who]).status_code
                assert status == (200 if att.id in files_seen else 404), (who, att.id, "API")
            # Anyone, logged in or not, downloads exactly the public files publicly.
            public = client.get(f"/public/attachments/{att.id}").status_code
            assert public == (200 if att.id in seen[PUBLIC][1] else 404), (who, att.id)
