"""The e-mail outbox: which queued notifications are due to be sent, claimed so that two
senders never send the same one, and what became of each try.

A sender works in short transactions (the caller owns them): :func:`claim` locks a few
due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite), the caller
sends them and marks each with :func:`sent` or :func:`failed`, then commits. A crash
between sending and committing rolls the marks back, so such a message is sent again on
the next run, with the same Message-ID (receivers drop the copy); a message is never
sent twice while its first sending is recorded.

People who chose the daily digest get their notifications created before today's digest
hour (07:00 Brussels) in one message, the first run after that hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from workflow.cases.models import CaseAddressee
from workflow.checks import resolve_now
from workflow.deadlines import BRUSSELS
from workflow.notifications.models import Notification
from workflow.notifications.rules import DEADLINE_KINDS, QUESTION_DEADLINE_KINDS
from workflow.questions.models import WrittenQuestion

DIGEST_HOUR = time(7, 0)
MAX_TRIES = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 5 min, doubling, at most 6 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def digest_cutoff(now: datetime) -> datetime | None:
    """Digest rows created before this moment are due (None: today's hour not reached)."""
    local = now.astimezone(BRUSSELS)
    hour = datetime.combine(local.date(), DIGEST_HOUR, tzinfo=BRUSSELS)
    return hour if local >= hour else None


@dataclass
class Parcel:
    """One message to send: one notification, or a person's digest of several."""

    user_id: int
    notifications: list[Notification]

    @property
    def is_digest(self) -> bool:
        return len(self.notifications) > 1 or self.notifications[0].mail_digest


def _begin(session: Session) -> None:
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def cancel_stale(session: Session, now: datetime | None = None) -> int:
    """Queued deadline messages whose due moment is no longer the live one (an answer
    came first, the date moved, the clock stopped; a written question answered or
    withdrawn): cancelled, never sent. Flushes."""
    now = resolve_now(now)
    live = (select(CaseAddressee.id)
            .where(CaseAddressee.recommendation_id == Notification.recommendation_id,
                   CaseAddressee.addressee_code == Notification.addressee_code,
                   CaseAddressee.live_due_at == Notification.due_at))
    result = session.execute(
        update(Notification)
        .where(Notification.mail_status == "queued", Notification.kind.in_(DEADLINE_KINDS),
               ~live.exists())
        .values(mail_status="cancelled", mail_error="no longer due when its turn came",
                mail_next_at=None)
        .execution_options(synchronize_session=False))
    open_question = (select(WrittenQuestion.id)
                     .where(WrittenQuestion.id == Notification.question_id,
                            WrittenQuestion.is_open,
                            WrittenQuestion.due_at == Notification.due_at))
    questions = session.execute(
        update(Notification)
        .where(Notification.mail_status == "queued",
               Notification.kind.in_(QUESTION_DEADLINE_KINDS), ~open_question.exists())
        .values(mail_status="cancelled", mail_error="no longer due when its turn came",
                mail_next_at=None)
        .execution_options(synchronize_session=False))
    return (result.rowcount or 0) + (questions.rowcount or 0)


def claim(session: Session, *, now: datetime | None = None, limit: int = 20) -> list[Parcel]:
    """Lock and return up to ``limit`` parcels due now. Flushes."""
    now = resolve_now(now)
    _begin(session)
    due = and_(Notification.mail_status == "queued", Notification.mail_next_at <= now)
    cutoff = digest_cutoff(now)
    ready = or_(Notification.mail_digest.is_(False),
                Notification.created_at < cutoff) if cutoff else \
        Notification.mail_digest.is_(False)
    query = (select(Notification).where(due, ready)
             .order_by(Notification.user_id, Notification.id).limit(limit * 20))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Notification)
    parcels: list[Parcel] = []
    digests: dict[int, Parcel] = {}
    for n in session.scalars(query).unique():
        if n.mail_digest:
            if n.user_id not in digests:
                if len(parcels) >= limit:
                    continue
                digests[n.user_id] = Parcel(n.user_id, [])
                parcels.append(digests[n.user_id])
            digests[n.user_id].notifications.append(n)
        elif len(parcels) < limit:
            parcels.append(Parcel(n.user_id, [n]))
    return parcels


def sent(parcel: Parcel, now: datetime) -> None:
    for n in parcel.notifications:
        n.mail_status, n.mailed_at, n.mail_next_at = "sent", now, None
        n.mail_attempts += 1
        n.mail_error = ""


def failed(parcel: Parcel, now: datetime, error: str, *, permanent: bool = False,
           max_tries: int = MAX_TRIES) -> bool:
    """Note a failed try; returns True when the parcel was given up."""
    given_up = False
    for n in parcel.notifications:
        n.mail_attempts += 1
        n.mail_error = error[:2000]
        if permanent or n.mail_attempts >= max_tries:
            n.mail_status, n.mail_next_at = "failed", None
            given_up = True
        else:
            n.mail_next_at = now + retry_delay(n.mail_attempts)
    return given_up


@dataclass(frozen=True)
class OutboxState:
    queued: int
    retrying: int
    failed: int
    no_address: int


def state(session: Session) -> OutboxState:
    """Counts for the admin page (one query)."""
    row = session.execute(select(
        func.count().filter(Notification.mail_status == "queued"),
        func.count().filter(Notification.mail_status == "queued", Notification.mail_attempts > 0),
        func.count().filter(Notification.mail_status == "failed"),
        func.count().filter(Notification.mail_status == "no_address"),
    )).one()
    return OutboxState(*row)


def problems(session: Session, limit: int = 20) -> list[Notification]:
    """The latest messages that failed or wait for another try (admin page)."""
    return list(session.scalars(
        select(Notification)
        .where(or_(Notification.mail_status == "failed",
                   and_(Notification.mail_status == "queued", Notification.mail_attempts > 0)))
        .order_by(Notification.id.desc()).limit(limit)))
