"""Transmitting all recommendations of one plenary session at once: the preview lists
exactly what goes and what cannot (and writes nothing), the confirmation transmits those
shown (one transmit event each), a changed list is a conflict, bad input is worded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.web.conftest import flashes, login, text
from web.extensions import db
from workflow import clock
from workflow.actors import Actor
from workflow.cases import registration, scope
from workflow.models import Event

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
SESSION = "Plenaire zitting december 2026"


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Event.id)))


def _state(app, doc: str) -> str:
    with app.app_context():
        return scope.find_recommendation(db.session, doc).state


@pytest.fixture
def plenary(app):
    """Three recommendations of one session: two ready, one with no required answer."""
    with app.app_context():
        s = db.session
        adopted = clock.brussels_date(clock.utcnow()) - timedelta(days=2)
        for doc, addressees in (("790/1", ["NL", "BE-FED"]), ("790/2", ["LU"]),
                                ("790/3", {"NL": False})):
            registration.register_recommendation(
                s, SEC, doc_number=doc, adopted_on=adopted, addressees=addressees,
                title_nl=f"Aanbeveling {doc}", title_fr=f"Recommandation {doc}",
                session_label=SESSION, deadline_rule="6 months")
        s.commit()
    return SESSION


def _post(client, **data):
    return client.post("/secretariat/transmit-session",
                       data={f"plenary-{k}": v for k, v in data.items()})


def test_preview_then_transmit_the_session(app, client, plenary):
    login(client, "secretariaat")
    page = text(client.get("/secretariat/transmit-session"))
    assert f'value="{plenary}"' in page

    before = _events(app)
    preview = _post(client, session_label=plenary, preview="1")
    page = text(preview)
    assert preview.status_code == 200
    assert re.findall(r'<tr data-doc="([^"]+)"', page) == ["790/1", "790/2"]
    assert re.findall(r'<li data-doc="([^"]+)"', page) == ["790/3"]
    assert _events(app) == before and _state(app, "790/1") == "adopted"  # nothing written
    digest = re.search(r'name="plenary-digest" type="hidden" value="([0-9a-f]{64})"', page)[1]

    done = _post(client, session_label=plenary, digest=digest, apply="1")
    assert done.status_code == 302, text(done)[:1500]
    assert [_state(app, d) for d in ("790/1", "790/2", "790/3")] == [
        "transmitted", "transmitted", "adopted"]
    with app.app_context():
        actions = list(db.session.scalars(select(Event.action).order_by(Event.seq)
                                          .offset(before)))
    assert actions.count("transmit") == 2
    assert any(SESSION in m and "2" in m
               for m in flashes(client.get("/secretariat/")))
    # the session has one recommendation left that cannot go: still offered, none ready
    page = text(_post(client, session_label=plenary, preview="1"))
    assert 'id="nothing-ready"' in page and 'id="btn-apply"' not in page


def test_a_changed_list_is_a_conflict_and_nothing_is_written(app, client, plenary):
    login(client, "secretariaat")
    page = text(_post(client, session_label=plenary, preview="1"))
    digest = re.search(r'name="plenary-digest" type="hidden" value="([0-9a-f]{64})"', page)[1]
    with app.app_context():
        registration.register_recommendation(
            db.session, SEC, doc_number="790/4", addressees=["NL"],
            adopted_on=clock.brussels_date(clock.utcnow()) - timedelta(days=1),
            title_nl="Later", title_fr="Plus tard", session_label=SESSION)
        db.session.commit()
    before = _events(app)
    response = _post(client, session_label=plenary, digest=digest, apply="1")
    assert response.status_code == 409
    page = text(response)
    assert 'id="conflict"' in page and 'data-doc="790/4"' in page
    assert _events(app) == before and _state(app, "790/1") == "adopted"


def test_bad_choices_are_worded_next_to_the_field(app, client, plenary):
    login(client, "secretariaat")
    client.post("/language", data={"language": "fr"})
    missing = _post(client, session_label="", preview="1")
    assert missing.status_code == 400 and 'id="plenary-session_label-error"' in text(missing)
    future = (clock.brussels_date(clock.utcnow()) + timedelta(days=3)).isoformat()
    late = _post(client, session_label=plenary, transmitted_on=future, preview="1")
    assert late.status_code == 400 and 'id="plenary-transmitted_on-error"' in text(late)
    unknown = _post(client, session_label="Zitting 1901", preview="1")
    assert unknown.status_code == 400
    assert _state(app, "790/1") == "adopted"


def test_a_transmission_date_before_adoption_is_refused_for_the_whole_session(
        app, client, plenary):
    login(client, "secretariaat")
    page = text(_post(client, session_label=plenary, preview="1"))
    digest = re.search(r'name="plenary-digest" type="hidden" value="([0-9a-f]{64})"', page)[1]
    early = (clock.brussels_date(clock.utcnow()) - timedelta(days=10)).isoformat()
    response = _post(client, session_label=plenary, transmitted_on=early, digest=digest,
                     apply="1")
    assert response.status_code == 400
    assert 'id="plenary-transmitted_on-error"' in text(response)
    assert [_state(app, d) for d in ("790/1", "790/2")] == ["adopted", "adopted"]


def test_the_inbox_filters_by_deadline_session_and_text(app, client, plenary):
    with app.app_context():
        s = db.session
        from workflow.cases import transitions
        transitions.transmit(s, SEC, scope.find_recommendation(s, "790/1"))
        s.commit()
    login(client, "minbuza")
    all_rows = re.findall(r'<tr data-doc="([^"]+)"', text(client.get("/ministry/")))
    assert "790/1" in all_rows and len(all_rows) > 1
    by_session = text(client.get("/ministry/", query_string={"session": SESSION}))
    assert re.findall(r'<tr data-doc="([^"]+)"', by_session) == ["790/1"]
    by_text = text(client.get("/ministry/", query_string={"q": "aanbeveling 790"}))
    assert re.findall(r'<tr data-doc="([^"]+)"', by_text) == ["790/1"]
    # a six-month limit set today is not due soon; the filter agrees with the badge
    on_time = text(client.get("/ministry/", query_string={"status": "on_time"}))
    rows = re.findall(r'<tr data-doc="([^"]+)" data-deadline-status="([^"]+)"', on_time)
    assert ("790/1", "on_time") in rows and {st for _d, st in rows} == {"on_time"}
    late = text(client.get("/ministry/", query_string={"status": "overdue",
                                                       "session": SESSION}))
    assert 'id="inbox-no-match"' in late and 'id="link-reset"' in late
    bad = client.get("/ministry/", query_string={"status": "whenever"})
    assert bad.status_code == 400 and 'id="status-error"' in text(bad)
