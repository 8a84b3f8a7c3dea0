"""The tamper-evident history.

Every change writes an :class:`~workflow.models.Event` in the same transaction.
Events form one global hash chain: ``hash = sha256(prev_hash + "\\n" + canonical)``
where ``canonical`` is a sorted-key JSON serialisation of the event's own fields.
Changing, removing or reordering an event breaks the chain at that point;
removing the newest events is detected by comparing the head hash with one
noted earlier (``verify_history(..., expected_head=...)``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, scoped_session

from workflow import errors
from workflow.actors import Actor
from workflow.history.models import Event
from workflow.lifecycle import SYSTEM, aggregate

GENESIS = "0" * 64
# Key for PostgreSQL's transaction-level advisory lock that serialises appends
# to the one chain across app servers (held until commit or rollback).
CHAIN_LOCK_KEY = 0x0B3E_1A7C


def format_utc(value: datetime | None) -> str | None:
    """Datetimes as the history writes them: UTC, microseconds, a trailing Z."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")



def event_fields(ev: Event) -> dict[str, Any]:
    """The fields of an event that its hash covers."""
    return {
        "seq": ev.seq,
        "recorded_at": format_utc(ev.recorded_at),
        "effective_at": format_utc(ev.effective_at),
        "recommendation_id": ev.recommendation_id,
        "doc_number": ev.doc_number,
        "addressee_code": ev.addressee_code,
        "actor": ev.actor,
        "actor_role": ev.actor_role,
        "actor_org": ev.actor_org,
        "action": ev.action,
        "entity": ev.entity,
        "from_state": ev.from_state,
        "to_state": ev.to_state,
        "reason": ev.reason,
        "payload": json.loads(ev.payload),
    }


def canonical(ev: Event) -> str:
    """The event's fields as canonical JSON: the text its hash covers."""
    return json.dumps(event_fields(ev), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def chain_hash(prev_hash: str, canonical_text: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_text}".encode()).hexdigest()


def dump_payload(payload: dict[str, Any] | None) -> str:
    return json.dumps(payload or {}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})


# The head this session's transaction appended last, noted on the session with the
# transaction it belongs to: once a transaction has appended, it holds the chain lock
# (PostgreSQL's advisory lock, SQLite's write lock) until it ends, so nobody else can have
# appended since and the head need not be read again. Any rollback (of the transaction or of
# a savepoint, which may have undone the append) forgets it, and a new transaction never
# trusts it.
_HEAD_KEY = "history_chain_head"


def _chain_head(session: Session) -> tuple[int, str]:
    """The (seq, hash) the next event follows, with the chain locked for this transaction.

    On PostgreSQL the lock and the head read are one call of ``followup_chain_head``
    (migration 0015), not one plain statement: in READ COMMITTED a statement reads from a
    snapshot taken when it starts, so a statement that first waits for the advisory lock
    and then reads the head would read it from before the lock was granted, and miss the
    event the previous holder (another app server) committed meanwhile: two events with
    the same seq. The function's query takes its own snapshot, after the lock. Within one
    transaction the lock is taken and the head read only at the first append."""
    cached = session.info.get(_HEAD_KEY)
    if cached is not None and cached[0] is _real(session).get_transaction():
        return cached[1] + 1, cached[2]
    if session.get_bind().dialect.name == "postgresql":
        head = func.followup_chain_head(CHAIN_LOCK_KEY).table_valued("seq", "hash")
        last = session.execute(select(head.c.seq, head.c.hash)).one()
        return (last.seq + 1, last.hash) if last.seq is not None else (1, GENESIS)
    last = session.execute(
        select(Event.seq, Event.hash).order_by(Event.seq.desc()).limit(1)
    ).first()
    return (last.seq + 1, last.hash) if last else (1, GENESIS)


def _remember_head(session: Session, seq: int, hash_: str) -> None:
    session.info[_HEAD_KEY] = (_real(session).get_transaction(), seq, hash_)


def _real(session):
    """The session itself, also when the caller passes a scoped session (the web's)."""
    return session.registry() if isinstance(session, scoped_session) else session


@event.listens_for(Session, "after_soft_rollback")
def _forget_head(session, _previous_transaction):
    session.info.pop(_HEAD_KEY, None)


@event.listens_for(Session, "after_commit")
def _forget_head_after_commit(session):
    session.info.pop(_HEAD_KEY, None)


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    now: datetime,
    recommendation=None,
    addressee_code: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    effective_at: datetime | None = None,
) -> Event:
    """Append one event to the chain (flushes; the caller commits)."""
    if recommendation is not None and recommendation.id is None:
        session.flush()
    seq, prev = _chain_head(session)
    ev = _new_event(seq, prev, actor=actor, action=action, entity=entity, now=now,
                    recommendation=recommendation, addressee_code=addressee_code,
                    from_state=from_state, to_state=to_state, reason=reason, payload=payload,
                    effective_at=effective_at)
    session.add(ev)
    session.flush()
    _remember_head(session, ev.seq, ev.hash)
    return ev


class WrittenEvent(SimpleNamespace):
    """An event :func:`record_many` wrote: its columns as attributes, without the ORM."""

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


def record_many(session: Session, *, actor: Actor, now: datetime,
                events: Iterable[dict[str, Any]]) -> list[WrittenEvent]:
    """Append several events of one actor at one moment to the chain, in order, written
    in one batch (one INSERT of many rows, not a statement per event): each of
    ``events`` gives the keyword arguments of :func:`record` other than ``actor`` and
    ``now``. The events returned are plain objects, not in the session (no ``id``);
    their notifications are the caller's (``notifications.queue.queue_written``)."""
    specs = list(events)
    if not specs:
        return []
    if any(s.get("recommendation") is not None and s["recommendation"].id is None
           for s in specs):
        session.flush()
    seq, prev = _chain_head(session)
    out = []
    for spec in specs:
        ev = WrittenEvent(**_event_columns(seq, prev, actor=actor, now=now, **spec))
        ev.hash = chain_hash(prev, canonical(ev))
        out.append(ev)
        seq, prev = seq + 1, ev.hash
    session.flush()
    session.execute(Event.__table__.insert(), [vars(ev) for ev in out])  # Core executemany
    _remember_head(session, out[-1].seq, out[-1].hash)
    return out


def _event_columns(seq: int, prev: str, *, actor: Actor, action: str, entity: str,
                   now: datetime, recommendation=None, addressee_code: str | None = None,
                   from_state: str | None = None, to_state: str | None = None,
                   reason: str = "", payload: dict[str, Any] | None = None,
                   effective_at: datetime | None = None) -> dict[str, Any]:
    """The columns of the event that follows ``(seq, prev)`` in the chain, but its hash."""
    return {
        "seq": seq,
        "recorded_at": now,
        "effective_at": effective_at or now,
        "recommendation_id": recommendation.id if recommendation is not None else None,
        "doc_number": recommendation.doc_number if recommendation is not None else None,
        "addressee_code": addressee_code,
        "actor": actor.username,
        "actor_role": actor.role,
        "actor_org": actor.organisation,
        "action": action,
        "entity": entity,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason or "",
        "payload": dump_payload(payload),
        "prev_hash": prev,
    }


def _new_event(seq: int, prev: str, **fields) -> Event:
    """The event that follows ``(seq, prev)`` in the chain, with its hash."""
    ev = Event(**_event_columns(seq, prev, **fields))
    ev.hash = chain_hash(prev, canonical(ev))
    return ev


# ---------------------------------------------------------------------------
# Append-only, on the ORM side (the database triggers are in the migrations)


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, Event):
            raise errors.HistoryIsAppendOnly("history events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, Event) and session.is_modified(obj):
            raise errors.HistoryIsAppendOnly("history events cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_event_changes(state):
    if (state.is_update or state.is_delete) and any(
        m.class_ is Event for m in state.all_mappers
    ):
        raise errors.HistoryIsAppendOnly("history events cannot be changed or deleted")



# ---------------------------------------------------------------------------
# Verification


@dataclass
class Verification:
    ok: bool
    checked: int
    head: str
    broken_seq: int | None = None
    problem: str = ""
    expected: str = ""
    found: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"history intact: {self.checked} events, head {self.head}"
        return (
            f"history BROKEN at event {self.broken_seq}: {self.problem} "
            f"(expected {self.expected}, found {self.found}); "
            f"{self.checked} events checked before the break"
        )


def iter_events(session: Session, batch: int = 2000) -> Iterator[Event]:
    last = 0
    while True:
        rows = session.scalars(
            select(Event).where(Event.seq > last).order_by(Event.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


# Verification reads rows straight from the driver, not ORM objects: the columns the hash
# covers, with both moments already written as the history writes them (UTC, microseconds,
# a trailing Z) by the database itself.
_MOMENT_SQL = {
    "postgresql": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    # SQLite holds them as UTC text "YYYY-MM-DD HH:MM:SS.ffffff" (workflow.base.UTCDateTime)
    "sqlite": "replace({0}, ' ', 'T') || 'Z'",
}
_ROWS_SQL = ("SELECT seq, {recorded}, {effective}, recommendation_id, doc_number, "
             "addressee_code, actor, actor_role, actor_org, action, entity, from_state, "
             "to_state, reason, payload, prev_hash, hash FROM event ORDER BY seq")
_encode = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _js(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encode(value)
    return str(value)  # integers


def _row_canonical(row, payload: str) -> str:
    """The canonical JSON of an event row, as :func:`canonical` writes it: the same keys
    in sorted order, the same separators and escapes; ``payload`` is already JSON."""
    (seq, recorded, effective, rec_id, doc, code, actor, role, org, action, entity,
     from_state, to_state, reason) = row[:14]
    return (f'{{"action":{_js(action)},"actor":{_js(actor)},"actor_org":{_js(org)},'
            f'"actor_role":{_js(role)},"addressee_code":{_js(code)},'
            f'"doc_number":{_js(doc)},"effective_at":{_js(effective)},'
            f'"entity":{_js(entity)},"from_state":{_js(from_state)},"payload":{payload},'
            f'"reason":{_js(reason)},"recommendation_id":{_js(rec_id)},'
            f'"recorded_at":{_js(recorded)},"seq":{_js(seq)},"to_state":{_js(to_state)}}}')


def _row_hash(row, prev: str, event_hash: Callable[[int, str], str] | None = None) -> str:
    """The hash of an event row as :func:`canonical` gives it for the event. Fast path:
    the stored payload is already the canonical JSON of its value (``dump_payload``
    writes it so) and the database wrote the moments; when that does not give the stored
    hash, ``event_hash(seq, prev)`` computes it from the event itself, exactly as
    :func:`canonical` does, so both paths accept exactly the same histories."""
    fast = chain_hash(prev, _row_canonical(row, row[14]))
    if fast == row[16] or event_hash is None:
        return fast
    return event_hash(row[0], prev)


def iter_event_rows(session: Session, batch: int = 5000) -> Iterator[tuple]:
    """Every event as a row (the hashed fields, payload, prev_hash, hash) in chain order,
    from the driver's cursor in batches (a server-side cursor on PostgreSQL): constant
    memory, no ORM objects."""
    conn = session.connection()
    moment = _MOMENT_SQL[conn.dialect.name]
    sql = _ROWS_SQL.format(recorded=moment.format("recorded_at"),
                           effective=moment.format("effective_at"))
    dbapi = conn.connection.dbapi_connection
    cursor = (dbapi.cursor(name="followup_verify") if conn.dialect.name == "postgresql"
              else dbapi.cursor())
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def _verify(links: Iterable[tuple[int, str, str, Callable[[str], str]]],
            expected_head: str | None) -> Verification:
    """The chain check over (seq, prev_hash, stored hash, hash-from-previous) links."""
    prev, expected_seq, checked = GENESIS, 1, 0
    head_seen = expected_head is None
    for seq, prev_hash, stored, rehash in links:
        if seq != expected_seq:
            return Verification(False, checked, prev, seq, "an event is missing",
                                f"seq {expected_seq}", f"seq {seq}")
        if prev_hash != prev:
            return Verification(False, checked, prev, seq,
                                "the link to the previous event does not match", prev,
                                prev_hash)
        recomputed = rehash(prev)
        if recomputed != stored:
            return Verification(False, checked, prev, seq,
                                "the event's content does not match its hash", recomputed,
                                stored)
        prev, expected_seq, checked = stored, expected_seq + 1, checked + 1
        head_seen = head_seen or stored == expected_head
    if not head_seen:
        return Verification(False, checked, prev, expected_seq - 1,
                            "the newest events differ from the head noted earlier",
                            expected_head, prev)
    return Verification(True, checked, prev)


def verify_rows(rows: Iterable[tuple], expected_head: str | None = None,
                event_hash: Callable[[int, str], str] | None = None) -> Verification:
    """:func:`verify_events` over rows of :func:`iter_event_rows`."""
    return _verify(((row[0], row[15], row[16], partial(_row_hash, row, event_hash=event_hash))
                    for row in rows), expected_head)


def verify_events(events: Iterable[Event], expected_head: str | None = None) -> Verification:
    """``expected_head``: a head hash noted earlier (e.g. printed in an audit report);
    it must still be in the chain, so removing the newest events is detected too."""
    return _verify(((ev.seq, ev.prev_hash, ev.hash,
                     lambda prev, ev=ev: chain_hash(prev, canonical(ev))) for ev in events),
                   expected_head)


def verify_history(session: Session, expected_head: str | None = None) -> Verification:
    """Recompute the whole chain, streamed through the driver (no ORM objects); report
    the first broken link."""
    session.flush()

    def event_hash(seq: int, prev: str) -> str:  # the slow, exact path (see _row_hash)
        ev = session.scalar(select(Event).where(Event.seq == seq)
                            .execution_options(populate_existing=True))
        return chain_hash(prev, canonical(ev))

    return verify_rows(iter_event_rows(session), expected_head, event_hash)


# ---------------------------------------------------------------------------
# Reconstruction


@dataclass
class Snapshot:
    """A case as it stood at a moment, rebuilt from its events alone."""

    as_of: datetime
    doc_number: str | None = None
    state: str | None = None
    closure_reason: str | None = None
    addressees: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: int = 0


def replay(events: Iterable[Event], as_of: datetime) -> Snapshot:
    """Rebuild a case from its events in effective-time order. The system's
    aggregation events are not taken as they were recorded: a reply registered
    late counts from the day it was received, so the declared aggregation rule is
    applied again after every answer event."""
    snap = Snapshot(as_of=as_of)
    for ev in events:
        if ev.effective_at > as_of:
            continue
        snap.events += 1
        snap.doc_number = ev.doc_number
        if ev.actor_role == SYSTEM or ev.entity == "question":
            continue  # a written question on the case does not change the case
        data = ev.data
        for entry in data.get("addressees", []):
            snap.addressees.setdefault(
                entry["code"],
                {"state": "pending", "required": entry.get("required", True), "due_at": None,
                 "position": None},
            )
        if ev.entity == "recommendation" and ev.to_state:
            snap.state = ev.to_state
            snap.closure_reason = data.get("closure_reason")
        elif ev.entity == "answer" and ev.addressee_code:
            entry = snap.addressees.setdefault(
                ev.addressee_code,
                {"state": "pending", "required": True, "due_at": None, "position": None},
            )
            if ev.to_state:
                entry["state"] = ev.to_state
            if "position" in data:
                entry["position"] = data["position"]
            if "case_state" in data:  # a withdrawn reply: the case's state after it
                snap.state = data["case_state"]
            elif snap.state is not None and ev.to_state != "pending":
                snap.state = aggregate(snap.state, [(a["state"], a["required"])
                                                    for a in snap.addressees.values()])
        for code, due in data.get("due_at", {}).items():
            snap.addressees.setdefault(code, {"state": "pending", "required": True,
                                              "position": None})["due_at"] = due
    return snap


def case_events(session: Session, recommendation_id: int) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.recommendation_id == recommendation_id)
            .order_by(Event.effective_at, Event.seq)
        )
    )


def state_as_of(session: Session, recommendation_id: int, as_of: datetime) -> Snapshot:
    return replay(case_events(session, recommendation_id), as_of)
