"""The history: a hash chain that shows tampering, append-only in the ORM and in the
database, reconstruction of a case at any past moment, and one transaction with the
state change it records."""

from __future__ import annotations

import functools
import itertools
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from werkzeug.security import generate_password_hash

from workflow import accounts, db, dispatch, errors, history
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import catalogue, registration, transitions
from workflow.demo import load_demo
from workflow.models import Event, Recommendation

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)  # registered
T1 = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # transmitted
T2 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)  # NL answers
T3 = datetime(2024, 4, 2, 9, 0, tzinfo=UTC)  # BE-FED answers: all answers in
T4 = datetime(2024, 4, 10, 9, 0, tzinfo=UTC)  # assessment starts
T5 = datetime(2024, 4, 22, 9, 0, tzinfo=UTC)  # closed

SQLITE_TRIGGERS = {
    verb: f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event BEGIN SELECT "
          f"RAISE(ABORT, 'event history is append-only: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
}


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """The demo creates seven accounts; a cheap hash keeps these tests quick (the stored
    hash still names its method, so checking a password works the same)."""
    monkeypatch.setattr(accounts.users, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def _case_with_history(session, secretariat, ministry_nl, ministry_be) -> Recommendation:
    """A case that went all the way to closure (8 events, at the moments T0..T5)."""
    rec = registration.register_recommendation(
        session, secretariat, doc_number="750/2", adopted_on=date(2024, 1, 8),
        addressees={"NL": True, "BE-FED": True}, title_nl="Grensoverschrijdend openbaar vervoer",
        title_fr="Transports publics transfrontaliers", now=T0)
    transitions.transmit(session, secretariat, rec, now=T1)
    replies.submit_reply(session, ministry_nl, rec.entry("NL"), kind="final", position="agrees",
                         text_nl="Nederland steunt de aanbeveling.", now=T2)
    replies.submit_reply(session, ministry_be, rec.entry("BE-FED"), kind="final",
                         position="partly_agrees", text_fr="La Belgique soutient en partie.",
                         now=T3)
    dispatch.fire(session, secretariat, rec, "start_assessment", now=T4)
    transitions.close(session, secretariat, rec, closure_reason="implemented",
                      reason="Uitgevoerd volgens de commissie", now=T5)
    session.commit()
    return rec


@pytest.fixture
def case(session, secretariat, ministry_nl, ministry_be) -> Recommendation:
    return _case_with_history(session, secretariat, ministry_nl, ministry_be)


def _event(session, seq: int) -> Event:
    return session.scalars(select(Event).where(Event.seq == seq)).one()


def _count(session) -> int:
    return session.scalar(select(func.count(Event.id)))


def tamper(session, sql: str, **params) -> None:
    """Change the history behind the application's back, as someone with direct SQL
    access (and the right to switch the append-only triggers off) would."""
    if session.get_bind().dialect.name == "postgresql":
        # DDL is transactional here: the trigger is off only inside this transaction.
        session.execute(text("ALTER TABLE event DISABLE TRIGGER event_no_update_delete"))
        session.execute(text(sql), params)
        session.execute(text("ALTER TABLE event ENABLE TRIGGER event_no_update_delete"))
    else:
        for verb in SQLITE_TRIGGERS:
            session.execute(text(f"DROP TRIGGER event_no_{verb.lower()}"))
        session.execute(text(sql), params)
        for create in SQLITE_TRIGGERS.values():
            session.execute(text(create))
    session.commit()
    session.expire_all()


def verify_fresh(engine, expected_head: str | None = None) -> history.Verification:
    """Verify from a new session, as an auditor's separate process would."""
    s = db.make_session(engine)
    try:
        return history.verify_history(s, expected_head=expected_head)
    finally:
        s.close()


# --------------------------------------------------------------------------- the chain


def test_an_untouched_chain_verifies(session, engine, case):
    result = verify_fresh(engine)
    assert result.ok, result.describe()
    assert result.checked == _count(session) == 8
    last = _event(session, 8)
    assert result.head == last.hash
    assert result.describe() == f"history intact: 8 events, head {last.hash}"
    assert verify_fresh(engine, expected_head=last.hash).ok


def test_every_event_links_to_the_previous_one(session, case):
    events = list(history.iter_events(session, batch=5))  # several batches
    assert [e.seq for e in events] == list(range(1, 9))
    assert events[0].prev_hash == history.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for ev in events:
        assert ev.hash == history.chain_hash(ev.prev_hash, history.canonical(ev))


def test_an_event_records_who_did_what_and_why(session, case):
    close = _event(session, 8)
    assert (close.actor, close.actor_role, close.actor_org) == ("anna", "secretariat",
                                                                "BNL-PARL")
    assert (close.action, close.entity, close.from_state, close.to_state) == (
        "close", "recommendation", "under_assessment", "closed")
    assert close.reason == "Uitgevoerd volgens de commissie"
    assert close.data == {"closure_reason": "implemented"}
    assert close.recorded_at == T5 and close.doc_number == "750/2"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("payload", '{"kind":"final","position":"disagrees"}'),
        ("reason", "Besluit van de commissie (gewijzigd)"),
        ("actor", "someone-else"),
        ("recorded_at", datetime(2024, 4, 23, 9, 0)),
        ("effective_at", datetime(2024, 4, 20, 9, 0)),
        ("to_state", "declined"),
    ],
)
def test_a_changed_field_is_detected_at_its_event(session, engine, case, column, value):
    original = _event(session, 5)
    stored_hash = original.hash
    if isinstance(value, datetime) and session.get_bind().dialect.name == "postgresql":
        value = value.replace(tzinfo=UTC)
    tamper(session, f"UPDATE event SET {column} = :v WHERE seq = 5", v=value)

    result = verify_fresh(engine)
    assert not result.ok
    assert result.broken_seq == 5
    assert result.checked == 4
    assert result.problem == "the event's content does not match its hash"
    assert result.found == stored_hash
    tampered = _event(session, 5)
    assert result.expected == history.chain_hash(tampered.prev_hash,
                                                 history.canonical(tampered))
    assert result.expected != result.found
    assert result.describe().startswith("history BROKEN at event 5: the event's content")


def test_a_rehashed_forgery_breaks_the_next_link(session, engine, case):
    """An attacker who also recomputes the forged event's own hash is caught one event
    later: the next event still points to the original hash."""
    forged = _event(session, 5)
    original_hash = forged.hash
    forged.reason = "forged"
    new_hash = history.chain_hash(forged.prev_hash, history.canonical(forged))
    session.expire_all()
    tamper(session, "UPDATE event SET reason = 'forged', hash = :h WHERE seq = 5", h=new_hash)

    result = verify_fresh(engine)
    assert (result.ok, result.broken_seq, result.checked) == (False, 6, 5)
    assert result.problem == "the link to the previous event does not match"
    assert (result.expected, result.found) == (new_hash, original_hash)


def test_a_deleted_middle_event_is_missing(session, engine, case):
    tamper(session, "DELETE FROM event WHERE seq = 4")
    result = verify_fresh(engine)
    assert (result.ok, result.broken_seq, result.checked) == (False, 5, 3)
    assert result.problem == "an event is missing"
    assert (result.expected, result.found) == ("seq 4", "seq 5")


def test_removed_newest_events_are_seen_only_against_a_noted_head(session, engine, case):
    head = verify_fresh(engine).head
    tamper(session, "DELETE FROM event WHERE seq > 6")

    truncated = verify_fresh(engine)
    assert truncated.ok and truncated.checked == 6  # a shorter chain is still a chain

    result = verify_fresh(engine, expected_head=head)
    assert not result.ok
    assert result.problem == "the newest events differ from the head noted earlier"
    assert (result.expected, result.found) == (head, truncated.head)
    assert result.broken_seq == 6


def test_a_head_noted_earlier_still_verifies_after_new_events(session, engine, case,
                                                              secretariat):
    """An auditor notes the head today and checks again next month; meanwhile the
    secretariat keeps working. Appending is not tampering: the noted head is still in
    the chain, so the check must pass."""
    head = verify_fresh(engine).head
    registration.set_published(session, secretariat, case, True, now=T5 + timedelta(days=1))
    session.commit()
    result = verify_fresh(engine, expected_head=head)
    assert result.ok, result.describe()


def test_an_empty_history_verifies(engine, session):
    result = verify_fresh(engine)
    assert (result.ok, result.checked, result.head) == (True, 0, history.GENESIS)


def test_verify_events_works_on_any_sequence(session, case):
    events = list(history.iter_events(session))
    assert history.verify_events(events).ok
    assert history.verify_events(events[1:]).problem == "an event is missing"


# --------------------------------------------------------------------------- append-only: ORM


def test_the_orm_refuses_to_change_an_event(session, case):
    ev = _event(session, 3)
    ev.reason = "rewritten"
    with pytest.raises(errors.HistoryIsAppendOnly, match="cannot be changed"):
        session.flush()
    session.rollback()
    assert _event(session, 3).reason == ""


def test_the_orm_refuses_to_delete_an_event(session, case):
    session.delete(_event(session, 3))
    with pytest.raises(errors.HistoryIsAppendOnly, match="cannot be deleted"):
        session.flush()
    session.rollback()
    assert _count(session) == 8


@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(Event).values(reason="bulk"),
        lambda: update(Event).where(Event.seq == 2).values(actor="x"),
        lambda: delete(Event),
        lambda: delete(Event).where(Event.seq > 6),
    ],
    ids=["update-all", "update-one", "delete-all", "delete-newest"],
)
def test_the_orm_refuses_bulk_changes(session, case, statement):
    with pytest.raises(errors.HistoryIsAppendOnly):
        session.execute(statement())
    session.rollback()
    assert _count(session) == 8
    assert verify_fresh(session.get_bind()).ok


def test_the_orm_refuses_legacy_query_bulk_changes(session, case):
    with pytest.raises(errors.HistoryIsAppendOnly):
        session.query(Event).filter(Event.seq == 1).delete()
    session.rollback()
    with pytest.raises(errors.HistoryIsAppendOnly):
        session.query(Event).update({"reason": "x"})
    session.rollback()
    assert _count(session) == 8


def test_new_events_are_still_appended(session, case, secretariat):
    registration.set_published(session, secretariat, case, True, now=T5 + timedelta(days=1))
    session.commit()
    assert _count(session) == 9
    assert verify_fresh(session.get_bind()).ok


# --------------------------------------------------------------------------- append-only: DB


def _seed_one_event(engine) -> None:
    s = db.make_session(engine)
    try:
        history.record(s, actor=Actor("anna", "secretariat", "BNL-PARL"), action="note",
                       entity="calendar", now=T0, reason="first")
        s.commit()
    finally:
        s.close()


def _raw_refused(engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql))
    return str(caught.value.orig)


@pytest.fixture
def sqlite_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    db.upgrade(url)
    eng = db.make_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine(pg_url):
    eng = db.make_engine(pg_url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize("sql", ["UPDATE event SET reason = 'x'", "DELETE FROM event"])
def test_sqlite_trigger_refuses_raw_update_and_delete(sqlite_engine, sql):
    _seed_one_event(sqlite_engine)
    message = _raw_refused(sqlite_engine, sql)
    verb = sql.split()[0]
    assert message == f"event history is append-only: {verb} refused"
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT reason FROM event")).scalars().all() == ["first"]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "verb"),
    [("UPDATE event SET reason = 'x'", "UPDATE"), ("DELETE FROM event", "DELETE"),
     ("TRUNCATE event", "TRUNCATE"), ("TRUNCATE event CASCADE", "TRUNCATE")],
)
def test_postgres_trigger_refuses_raw_update_delete_and_truncate(pg_engine, sql, verb):
    _seed_one_event(pg_engine)
    message = _raw_refused(pg_engine, sql)
    assert f"event history is append-only: {verb} refused" in message
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT reason FROM event")).scalars().all() == ["first"]


@pytest.mark.postgres
def test_postgres_chain_stays_intact_under_tampering_detection(pg_engine):
    """The same tamper-and-detect cycle, explicitly on PostgreSQL."""
    s = db.make_session(pg_engine)
    try:
        catalogue.sync_addressees(s)
        _case_with_history(s, Actor("anna", "secretariat", "BNL-PARL"),
                           Actor("jan", "ministry", "NL"),
                           Actor("claire", "ministry", "BE-FED"))
        assert verify_fresh(pg_engine).ok
        stored = _event(s, 6).hash
        tamper(s, "UPDATE event SET actor = 'mallory' WHERE seq = 6")
        result = verify_fresh(pg_engine)
        assert (result.ok, result.broken_seq, result.found) == (False, 6, stored)
    finally:
        s.close()


@pytest.mark.postgres
def test_postgres_serialises_appends_from_two_connections(pg_engine):
    """The advisory lock makes a second writer wait for the first one's commit, so the
    two appends cannot both take the same sequence number."""
    actor = Actor("anna", "secretariat", "BNL-PARL")
    first = db.make_session(pg_engine)
    history.record(first, actor=actor, action="note", entity="calendar", now=T0)
    outcome: dict = {}

    def second_writer():
        s = db.make_session(pg_engine)
        try:
            ev = history.record(s, actor=actor, action="note", entity="calendar", now=T1)
            s.commit()
            outcome["seq"] = ev.seq
        except Exception as exc:  # reported to the main thread
            outcome["error"] = exc
        finally:
            s.close()

    worker = threading.Thread(target=second_writer)
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive(), "the second writer should wait for the chain lock"
    first.commit()
    first.close()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert outcome == {"seq": 2}
    assert verify_fresh(pg_engine).ok


# --------------------------------------------------------------------------- reconstruction


def test_state_as_of_rebuilds_the_case_at_past_moments(session, case):
    def at(moment):
        return history.state_as_of(session, case.id, moment)

    # Registration takes effect on the adoption date (2024-01-08, noon in Brussels).
    before = at(datetime(2024, 1, 8, 10, 59, tzinfo=UTC))
    assert (before.state, before.events, before.addressees) == (None, 0, {})
    adopted = at(datetime(2024, 1, 8, 11, 1, tzinfo=UTC))
    assert adopted.state == "adopted"

    registered = at(T0 + timedelta(hours=1))
    assert registered.state == "adopted" and registered.doc_number == "750/2"
    assert {c: a["state"] for c, a in registered.addressees.items()} == {
        "NL": "pending", "BE-FED": "pending"}
    assert all(a["due_at"] is None for a in registered.addressees.values())

    sent = at(T2 - timedelta(days=1))
    assert sent.state == "transmitted"
    assert sent.addressees["NL"]["due_at"] == "2024-07-15T15:00:00.000000Z"  # 6 months, 17:00

    half = at(T2 + timedelta(hours=1))
    assert half.state == "awaiting_answers"
    assert half.addressees["NL"] == {"state": "answered", "required": True,
                                     "due_at": "2024-07-15T15:00:00.000000Z",
                                     "position": "agrees"}
    assert half.addressees["BE-FED"]["state"] == "pending"

    assert at(T3 + timedelta(hours=1)).state == "answered"
    assert at(T4 + timedelta(hours=1)).state == "under_assessment"

    closed = at(T5 + timedelta(hours=1))
    assert (closed.state, closed.closure_reason, closed.events) == ("closed", "implemented", 8)
    assert closed.addressees["BE-FED"]["position"] == "partly_agrees"


def test_state_as_of_follows_effective_dates_of_backdated_events(session, secretariat):
    """A paper answer recorded late counts from the day it was received."""
    rec = registration.register_recommendation(
        session, secretariat, doc_number="751/1", adopted_on=date(2024, 1, 8),
        addressees=["LU"], title_nl="Energie", now=T0)
    transitions.transmit(session, secretariat, rec, now=T1)
    replies.submit_reply(session, secretariat, rec.entry("LU"), kind="final", position="agrees",
                         text_fr="Réponse par courrier.", received_on=date(2024, 2, 1), now=T2)
    session.commit()
    assert history.state_as_of(session, rec.id, datetime(2024, 2, 5, tzinfo=UTC)).state == (
        "answered")
    assert history.state_as_of(session, rec.id, datetime(2024, 1, 31, tzinfo=UTC)).state == (
        "transmitted")


def _rows_as_snapshot(rec: Recommendation) -> tuple:
    return (rec.doc_number, rec.state, rec.closure_reason,
            {a.addressee_code: {"state": a.state, "required": a.is_required,
                                "due_at": history.format_utc(a.due_at), "position": a.position}
             for a in rec.addressees})


def test_reconstructing_now_gives_the_rows_for_every_demo_case(session):
    now = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    load_demo(session, now=now)
    session.commit()
    recs = session.scalars(select(Recommendation).order_by(Recommendation.doc_number)).all()
    assert len(recs) >= 10
    for rec in recs:
        snap = history.state_as_of(session, rec.id, now)
        assert (snap.doc_number, snap.state, snap.closure_reason, snap.addressees) == (
            _rows_as_snapshot(rec)), rec.doc_number
        # and a year earlier the case had fewer (or no) events
        earlier = history.state_as_of(session, rec.id, now - timedelta(days=365))
        assert earlier.events <= snap.events
    assert verify_fresh(session.get_bind()).ok


# --------------------------------------------------------------------------- one transaction


@pytest.mark.parametrize("when", ["before_append", "after_append"])
def test_state_change_and_event_commit_together_or_not_at_all(
        session, engine, secretariat, monkeypatch, when):
    rec = registration.register_recommendation(
        session, secretariat, doc_number="752/3", adopted_on=date(2024, 1, 8),
        addressees=["NL"], title_nl="Water", now=T0)
    session.commit()
    events_before, version_before = _count(session), rec.version
    original = history.record

    def failing_record(*args, **kwargs):
        if when == "after_append":
            original(*args, **kwargs)  # the event row is flushed, then something fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(history, "record", failing_record)
    with pytest.raises(RuntimeError, match="disk full"):
        transitions.transmit(session, secretariat, rec, now=T1)
    session.rollback()
    monkeypatch.setattr(history, "record", original)

    fresh = db.make_session(engine)
    try:
        stored = fresh.get(Recommendation, rec.id)
        assert (stored.state, stored.transmitted_at, stored.version) == (
            "adopted", None, version_before)
        assert stored.entry("NL").due_at is None
        assert fresh.scalar(select(func.count(Event.id))) == events_before
    finally:
        fresh.close()

    # and the operation works once the failure is gone
    session.expire_all()
    transitions.transmit(session, secretariat, rec, now=T1)
    session.commit()
    assert rec.state == "transmitted" and _count(session) == events_before + 1
    assert verify_fresh(engine).ok


def test_verification_reads_rows_and_hashes_them_as_canonical_does(session):
    """The streamed verification (rows from the driver) computes exactly the hash that
    ``canonical`` gives the event, for varied content: unicode, None, nested payloads."""
    from datetime import UTC, datetime

    from workflow.actors import Actor
    from workflow.history.log import _row_canonical, iter_event_rows

    actor = Actor("zoë", "secretariat", "BNL-PARL")
    moment = datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC)
    payloads = [{}, {"a": None, "b": [1, 2.5, "é"], "c": {"z": True, "y": "\u2028\"\\"}},
                {"due_at": {"NL": "2024-07-01T15:00:00Z"}, "text": "ünïcødé ✓ 日本"}]
    for i, payload in enumerate(payloads):
        history.record(session, actor=actor, action="note", entity="calendar", now=moment,
                       addressee_code=None if i else "NL", reason="" if i else "ré\ton",
                       payload=payload)
    session.flush()
    events = {ev.seq: ev for ev in history.iter_events(session)}
    rows = list(iter_event_rows(session))
    assert len(rows) == len(events) == 3
    for row in rows:
        assert _row_canonical(row, row[14]) == history.canonical(events[row[0]])
    assert history.verify_history(session).ok


def test_a_payload_stored_in_another_json_form_still_verifies(session):
    """Rewritten with the same content in a non-canonical form (spaces, key order), the
    payload gives the same canonical text: as before, that is not a change of content."""
    from sqlalchemy import text

    from workflow.actors import Actor

    ev = history.record(session, actor=Actor("a", "secretariat", "BNL-PARL"), action="note",
                        entity="calendar", now=datetime(2024, 3, 1, tzinfo=UTC),
                        payload={"b": 1, "a": [1, 2]})
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER event_no_update"))
    else:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    session.execute(text("UPDATE event SET payload = :p WHERE seq = :s"),
                    {"p": '{ "a": [1, 2],  "b": 1 }', "s": ev.seq})
    assert history.verify_history(session).ok
    session.execute(text("UPDATE event SET payload = :p WHERE seq = :s"),
                    {"p": '{"a": [1, 2], "b": 2}', "s": ev.seq})
    result = history.verify_history(session)
    assert not result.ok and result.broken_seq == ev.seq
