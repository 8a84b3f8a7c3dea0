"""What the public may see, and the records of the open-data exports.

Only recommendations the secretariat published are public. Of their answers,
only submitted answers the secretariat published; drafts never. The history of
a published recommendation is public too, with one exception: the events that
carry the content of an answer not (yet) published (its position, the hash of
its text, a declining reason) are exported *redacted*: their timing and state
change stay (the scoreboard needs them), the content does not. A redacted event
keeps its hash, but without the full content its hash cannot be recomputed. The same
holds for the committee's assessment of an answer not published: its judgement stays (the
scoreboard counts it), its note does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from workflow import clock, errors, history
from workflow import clock as clock_ops
from workflow.actors import Actor
from workflow.answers.models import Answer
from workflow.cases import due_dates
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.cases.queries import distinct_values, distinct_years
from workflow.history.models import Event
from workflow.lifecycle import REPLY_TRIGGERS
from workflow.publishing import publication

# The events that carry what an answer said (redacted until the answer is published).
ANSWER_CONTENT_ACTIONS = tuple(REPLY_TRIGGERS.values())
# What a redacted answer event keeps of its payload: when and what kind, not what it said.
REDACTED_KEEP = ("answer_id", "kind", "received_on", "on_behalf")
# The committee's assessment of an answer: its note is redacted until the answer is public.
ASSESSMENT = ("assessment", "assess_answer")
# Rows per round trip of a streamed export (a server-side cursor on PostgreSQL).
EXPORT_BATCH = 500


def _now(now: datetime | None) -> datetime:
    return clock.ensure_aware(now) if now is not None else clock.utcnow()


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return history.format_utc(value)
    return value.isoformat()


# ---------------------------------------------------------------------------
# Publishing answers (the secretariat decides what is public)


def publish_answer(session: Session, actor: Actor, answer: Answer, published: bool = True, *,
                   reason: str = "", now: datetime | None = None) -> Answer:
    """Publish (or withdraw, with a reason) a submitted answer; logged in the history
    (the rules: :mod:`workflow.publishing.publication`)."""
    return publication.publish_answer(session, actor, answer, published, reason=reason,
                                      now=now)


# ---------------------------------------------------------------------------
# Public reading


def published_query(*, year: int | None = None, committee: str | None = None):
    """The published recommendations matching the filters, newest adoption first."""
    query = (select(Recommendation).where(Recommendation.visible_to(None))
             .order_by(Recommendation.adopted_on.desc(), Recommendation.doc_number))
    if year:
        query = query.where(Recommendation.adopted_on >= date(year, 1, 1),
                            Recommendation.adopted_on <= date(year, 12, 31))
    if committee:
        query = query.where(Recommendation.committee == committee)
    return query


def _with_answers(query):
    return query.options(selectinload(Recommendation.addressees)
                         .selectinload(CaseAddressee.answers).selectinload(Answer.attachments))


def published_recommendations(session: Session, *, year: int | None = None,
                              committee: str | None = None) -> list[Recommendation]:
    return list(session.scalars(_with_answers(published_query(year=year,
                                                              committee=committee))))


def stream_published(session: Session, *, year: int | None = None,
                     committee: str | None = None,
                     batch: int = EXPORT_BATCH) -> Iterator[list[Recommendation]]:
    """The published recommendations (with their entries, answers and attachments) in
    batches of ``batch``, from a server-side cursor: constant memory for an export."""
    result = session.execute(_with_answers(published_query(year=year, committee=committee))
                             .execution_options(yield_per=batch, stream_results=True))
    try:
        for part in result.scalars().partitions():
            yield list(part)
    finally:
        result.close()


def public_recommendation(session: Session, doc_number: str) -> Recommendation:
    rec = session.scalar(select(Recommendation).where(Recommendation.doc_number == doc_number,
                                                      Recommendation.is_published.is_(True)))
    if rec is None:
        raise errors.NotInScope(f"no published recommendation {doc_number!r}",
                                rule="published_case", params={"doc_number": doc_number})
    return rec


def is_public_answer(answer: Answer) -> bool:
    return answer.is_public


def public_answers(rec: Recommendation) -> list[Answer]:
    return [a for entry in rec.addressees for a in entry.answers if is_public_answer(a)]


def public_committees(session: Session) -> list[str]:
    return distinct_values(session, Recommendation.committee,
                           Recommendation.is_published.is_(True))


def public_years(session: Session) -> list[int]:
    # one probe of the (is_published, adopted_on) index per year, not a row per case
    return distinct_years(session, Recommendation.adopted_on,
                          Recommendation.is_published.is_(True))


# ---------------------------------------------------------------------------
# Export records (the same dicts feed the JSON and the CSV exports)


def entry_record(entry: CaseAddressee, now: datetime) -> dict:
    final = next((a for a in reversed(entry.answers)
                  if a.status == "submitted" and a.kind == "final"), None)
    status = due_dates.deadline_status(entry, now)
    return {
        "doc_number": entry.recommendation.doc_number,
        "addressee": entry.addressee_code,
        "addressee_name": entry.addressee.name_en,
        "required": entry.is_required,
        "state": entry.state,
        # The position is part of the answer: public only once that answer is.
        "position": entry.position if final is not None and is_public_answer(final) else None,
        "clock_start": _iso(entry.clock_start),
        "due_at": _iso(entry.due_at),
        "due_date": _iso(clock_ops.brussels_date(entry.due_at)) if entry.due_at else None,
        "answered_on": _iso(entry.answered_on),
        "deadline_status": status.status,
        "days_overdue": status.days_overdue,
    }


def transmitted_on(rec: Recommendation) -> date | None:
    """The date it was sent (the clocks' day zero); ``transmitted_at`` is when that was
    recorded, which for imported cases is the import."""
    starts = [e.clock_start for e in rec.addressees if e.clock_start is not None]
    return min(starts) if starts else None


def closed_on(session: Session, recs: Iterable[Recommendation]) -> dict[int, date]:
    """The effective date of each closed case's latest closure, by recommendation id."""
    ids = [r.id for r in recs if r.state == "closed"]
    out: dict[int, date] = {}
    if ids:
        for ev in session.scalars(select(Event).where(Event.recommendation_id.in_(ids),
                                                      Event.action == "close")
                                  .order_by(Event.seq)):
            out[ev.recommendation_id] = clock_ops.brussels_date(ev.effective_at)
    return out


def recommendation_record(rec: Recommendation, now: datetime,
                          closed: date | None = None) -> dict:
    return {
        "doc_number": rec.doc_number,
        "title_nl": rec.title_nl,
        "title_fr": rec.title_fr,
        "title_en": rec.title_en,  # optional: empty when the Parliament gave none
        "text_nl": rec.text_nl,
        "text_fr": rec.text_fr,
        "committee": rec.committee,
        "theme": rec.theme,
        "session_label": rec.session_label,
        "adopted_on": _iso(rec.adopted_on),
        "deadline_rule": rec.deadline_rule,
        "state": rec.state,
        "closure_reason": rec.closure_reason,
        "transmitted_on": _iso(transmitted_on(rec)),
        "transmitted_at": _iso(rec.transmitted_at),
        "closed_on": _iso(closed),
        "closed_at": _iso(rec.closed_at),
        "addressees": [entry_record(e, now) for e in rec.addressees],
    }


def answer_record(answer: Answer) -> dict:
    return {
        "id": answer.id,
        "doc_number": answer.entry.recommendation.doc_number,
        "addressee": answer.entry.addressee_code,
        "kind": answer.kind,
        "position": answer.position,
        "letter_date": _iso(answer.letter_date),
        "received_on": _iso(answer.received_on),
        "text_nl": answer.text_nl,
        "text_fr": answer.text_fr,
        "attachments": [{"id": a.id, "filename": a.filename, "size": a.size,
                         "sha256": a.sha256} for a in answer.attachments],
        # a reply recorded by mistake and withdrawn: shown, but it no longer counts
        "withdrawn_at": _iso(answer.withdrawn_at),
        "withdrawal_reason": answer.withdrawal_reason,
    }


def event_record(ev: Event) -> dict:
    """Every field the event's hash covers, plus the hashes."""
    return {**history.event_fields(ev), "prev_hash": ev.prev_hash, "hash": ev.hash}


def public_event_record(ev: Event, published_answer_ids: set[int]) -> dict:
    record = event_record(ev)
    record["redacted"] = False
    payload = record["payload"]
    if ev.entity == "answer" and ev.action in ANSWER_CONTENT_ACTIONS and \
            payload.get("answer_id") not in published_answer_ids:
        record["payload"] = {k: payload[k] for k in REDACTED_KEEP if k in payload}
        record["reason"] = ""
        record["redacted"] = True
    elif (ev.entity, ev.action) == ASSESSMENT and \
            payload.get("answer_id") not in published_answer_ids:
        record["reason"] = ""
        record["redacted"] = True
    return record


def public_events_query(*, year: int | None = None, committee: str | None = None):
    """The history of the published recommendations matching the filters, in chain
    order (a join, not a list of ids)."""
    cases = published_query(year=year, committee=committee).order_by(None) \
        .with_only_columns(Recommendation.id).subquery()
    return select(Event).join(cases, Event.recommendation_id == cases.c.id) \
        .order_by(Event.seq)


def public_answer_ids(session: Session, events: Iterable[Event]) -> set[int]:
    """Which of the answers these events name are public (one query for a batch)."""
    ids = {ev.data.get("answer_id") for ev in events
           if (ev.entity == "answer" and ev.action in ANSWER_CONTENT_ACTIONS)
           or (ev.entity, ev.action) == ASSESSMENT}
    ids.discard(None)
    if not ids:
        return set()
    return set(session.scalars(select(Answer.id).where(Answer.id.in_(ids), Answer.is_public)))


def stream_public_event_records(session: Session, *, year: int | None = None,
                                committee: str | None = None,
                                batch: int = EXPORT_BATCH) -> Iterator[dict]:
    """The public records of the history (redacted where :func:`public_event_record`
    says), streamed from a server-side cursor in batches."""
    result = session.execute(public_events_query(year=year, committee=committee)
                             .execution_options(yield_per=batch, stream_results=True))
    try:
        for part in result.scalars().partitions():
            published = public_answer_ids(session, part)
            for ev in part:
                yield public_event_record(ev, published)
    finally:
        result.close()


def latest_public_changes(session: Session, limit: int) -> list[Event]:
    """The latest state changes of published recommendations, newest first."""
    return list(session.scalars(public_events_query().where(Event.to_state.is_not(None))
                                .order_by(None).order_by(Event.seq.desc()).limit(limit)))


def published_answer_ids(recs: Iterable[Recommendation]) -> set[int]:
    return {a.id for rec in recs for a in public_answers(rec)}


def public_entries_of(session: Session, code: str) -> list[CaseAddressee]:
    """An addressee's entries with a due date on published recommendations, in the
    order of the public index."""
    return list(session.scalars(
        select(CaseAddressee).join(Recommendation)
        .where(Recommendation.visible_to(None), CaseAddressee.addressee_code == code,
               CaseAddressee.due_at.is_not(None))
        .options(contains_eager(CaseAddressee.recommendation))
        .order_by(Recommendation.adopted_on.desc(), Recommendation.doc_number)))


def latest_public_answers(session: Session, limit: int) -> list[Answer]:
    """The latest published answers, newest received first, with their addressee entry,
    addressee and recommendation loaded in the same statement."""
    return list(session.scalars(
        select(Answer).join(Answer.entry).join(CaseAddressee.recommendation)
        .where(Answer.is_public)
        .options(contains_eager(Answer.entry).contains_eager(CaseAddressee.recommendation),
                 contains_eager(Answer.entry).joinedload(CaseAddressee.addressee))
        .order_by(Answer.received_on.desc(), Answer.id.desc()).limit(limit)))


def latest_published(session: Session, limit: int) -> list[Recommendation]:
    """The latest published recommendations, newest adoption first."""
    return list(session.scalars(published_query().limit(limit)))


def published_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Recommendation)
                          .where(Recommendation.visible_to(None)))
