"""The sweep: records, exactly once per entry (or written question), due moment and step,
the notices a due date implies ("reminder sent", "overdue", "very overdue"), each an event
in the history whose notifications are queued with it (``workflow.notifications``).
Written questions follow the same schedule, with their own notice table and actions.

Work is found through the indexed ``next_notice_at`` (only entries with a notice due are
read) and done in batches, one transaction each (the caller owns them: ``sweep_batch``
flushes and never commits). Several sweeps may run at once on one PostgreSQL:

* a batch first takes the history's append lock, then the entries with
  ``SELECT … FOR UPDATE SKIP LOCKED``, so two sweeps never hold the same entry, and a
  sweep never waits for a row a person's transaction holds (that transaction may be
  waiting for the append lock: taking the rows first could deadlock);
* each notice is inserted under a unique constraint (``ON CONFLICT DO NOTHING``) before
  its event is recorded: whatever happens, a notice and its event exist once or not at all.

On SQLite the batch takes the database's write lock first (``BEGIN IMMEDIATE``). A crash
rolls back the batch in progress; the next run does it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from workflow import history
from workflow.actors import Actor
from workflow.cases.models import CaseAddressee
from workflow.checks import resolve_now
from workflow.deadlines import notice_schedule
from workflow.deadlines import policy as deadline_policy
from workflow.deadlines.notices import due_notices, next_step_after
from workflow.history.log import _lock_chain
from workflow.lifecycle import SYSTEM
from workflow.notifications.queue import QUEUED, queue_written
from workflow.questions.models import WrittenQuestion
from workflow.reminders.models import DeadlineNotice, QuestionNotice, SweepRun

SWEEP_ACTOR = Actor("sweep", SYSTEM, "BNL-PARL")
ACTIONS = {"reminder": "remind", "overdue": "mark_overdue", "very_overdue": "mark_very_overdue"}
QUESTION_ACTIONS = {"reminder": "remind_question", "overdue": "mark_question_overdue",
                    "very_overdue": "mark_question_very_overdue"}
BATCH = 200
# A clock more than this much earlier than the last run's is reported.
CLOCK_TOLERANCE = timedelta(minutes=1)


@dataclass
class SweepSummary:
    examined: int = 0
    events: int = 0
    messages: int = 0
    warnings: list[str] = field(default_factory=list)


def policy_text(policy: deadline_policy.Policy) -> str:
    return f"reminders {','.join(map(str, policy.reminder_days))}; very overdue " \
           f"{policy.very_overdue_after_days}"


def _schedule(entry_due: datetime, policy: deadline_policy.Policy):
    return notice_schedule(entry_due, reminder_days=policy.reminder_days,
                           very_overdue_after_days=policy.very_overdue_after_days)


def start_run(session: Session, *, now: datetime | None = None,
              policy: deadline_policy.Policy | None = None) -> SweepRun:
    """Open a run: note it, warn of a clock set back, and re-plan every entry's next notice
    if the policy changed since the last run. Flushes."""
    now, policy = resolve_now(now), policy or deadline_policy.current()
    last = session.scalars(select(SweepRun).order_by(SweepRun.id.desc()).limit(1)).first()
    run = SweepRun(started_at=now, as_of=now, host=socket.gethostname()[:120],
                   policy=policy_text(policy), warnings="")
    warnings = []
    if last is not None and now < last.as_of - CLOCK_TOLERANCE:
        warnings.append(f"clock_behind: this run's time {history.format_utc(now)} is earlier "
                        f"than the last run's {history.format_utc(last.as_of)}; nothing is "
                        "recorded twice, and what falls due in between waits for the clock")
    if last is not None and last.policy != run.policy:
        count = replan(session, policy)
        warnings.append(f"replanned: the policy changed from '{last.policy}' to "
                        f"'{run.policy}'; the next notice of {count} entries was recomputed")
    run.warnings = "\n".join(warnings)
    session.add(run)
    session.flush()
    return run


def replan(session: Session, policy: deadline_policy.Policy, batch: int = 5000) -> int:
    """Recompute ``next_notice_at`` of every entry with a live due moment and of every
    written question awaiting its answer (after a policy change). Flushes; returns how
    many."""
    table = CaseAddressee.__table__
    stmt = (update(table).where(table.c.id == bindparam("eid"))
            .values(next_notice_at=bindparam("at")))
    rows = session.execute(select(table.c.id, table.c.live_due_at, table.c.notices_until)
                           .where(table.c.live_due_at.is_not(None)))
    done, chunk = 0, []
    for row in rows:
        chunk.append({"eid": row.id,
                      "at": next_step_after(_schedule(row.live_due_at, policy),
                                            row.notices_until)})
        if len(chunk) >= batch:
            session.execute(stmt, chunk)
            done, chunk = done + len(chunk), []
    if chunk:
        session.execute(stmt, chunk)
    done += len(chunk)
    questions = WrittenQuestion.__table__
    stmt = (update(questions).where(questions.c.id == bindparam("qid"))
            .values(next_notice_at=bindparam("at")))
    chunk = []
    for row in session.execute(select(questions.c.id, questions.c.due_at,
                                      questions.c.notices_until)
                               .where(questions.c.next_notice_at.is_not(None))):
        chunk.append({"qid": row.id,
                      "at": next_step_after(_schedule(row.due_at, policy), row.notices_until)})
        if len(chunk) >= batch:
            session.execute(stmt, chunk)
            done, chunk = done + len(chunk), []
    if chunk:
        session.execute(stmt, chunk)
    return done + len(chunk)


def _begin(session: Session) -> None:
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        _lock_chain(session)


def _insert_notices(session: Session, model, owner: str, rows: list[dict]) -> set[tuple]:
    """Insert the batch's notices in one statement, each under the unique constraint
    (``ON CONFLICT DO NOTHING``); the (owner id, kind, days) of those inserted (the others
    another sweep recorded)."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = (getattr(model, owner), model.kind, model.days)
    stmt = insert(model).on_conflict_do_nothing().returning(*key)
    return {tuple(r) for r in session.execute(stmt, rows)}


def _record_notices(session: Session, summary: SweepSummary, model, owner: str,
                    planned: list[tuple[dict, dict]], now: datetime) -> None:
    """Insert the planned notices (their rows, and the event of each), then record the
    events of those inserted in chain order with one INSERT, and their notifications
    with another."""
    recorded = _insert_notices(session, model, owner, [notice for notice, _ev in planned])
    specs = [ev for notice, ev in planned
             if (notice[owner], notice["kind"], notice["days"]) in recorded]
    events = history.record_many(session, actor=SWEEP_ACTOR, now=now, events=specs)
    queue_written(session, events)
    summary.events += len(events)


def sweep_batch(session: Session, summary: SweepSummary, *, now: datetime | None = None,
                policy: deadline_policy.Policy | None = None, batch: int = BATCH) -> int:
    """Handle up to ``batch`` entries and up to ``batch`` written questions with a notice
    due at ``now``; returns how many were examined (0: nothing left). Flushes; the caller
    commits after each batch."""
    now, policy = resolve_now(now), policy or deadline_policy.current()
    _begin(session)
    query = (select(CaseAddressee).where(CaseAddressee.next_notice_at < now)
             .order_by(CaseAddressee.next_notice_at, CaseAddressee.id).limit(batch)
             .options(selectinload(CaseAddressee.recommendation)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=CaseAddressee)
    entries = session.scalars(query).unique().all()
    queued_before = session.info.get(QUEUED, 0)
    progress, planned = [], []
    for entry in entries:
        due = entry.live_due_at
        if due is None:  # not live any more (kept current by the flush listener; belt)
            progress.append({"eid": entry.id, "until": entry.notices_until, "at": None})
            continue
        plan = due_notices(_schedule(due, policy), entry.notices_until, now)
        planned += [(
            {"case_addressee_id": entry.id, "due_at": due, "kind": step.kind,
             "days": step.days, "recorded_at": now},
            {"action": ACTIONS[step.kind], "entity": "deadline",
             "effective_at": now if step.kind == "reminder" else step.at,
             "recommendation": entry.recommendation, "addressee_code": entry.addressee_code,
             "payload": {"due_at": history.format_utc(due), "days": step.days}})
            for step in plan.record]
        progress.append({"eid": entry.id, "until": plan.handled_until, "at": plan.next_at})
    _record_notices(session, summary, DeadlineNotice, "case_addressee_id", planned, now)
    if progress:
        # Core UPDATE: no version bump, so nobody's open form becomes stale because of it.
        table = CaseAddressee.__table__
        session.execute(update(table).where(table.c.id == bindparam("eid"))
                        .values(notices_until=bindparam("until"),
                                next_notice_at=bindparam("at")), progress)
    questions = _sweep_questions(session, summary, now, policy, batch)
    session.flush()
    summary.examined += len(entries) + questions
    summary.messages += session.info.get(QUEUED, 0) - queued_before
    return len(entries) + questions


def _sweep_questions(session: Session, summary: SweepSummary, now: datetime,
                     policy: deadline_policy.Policy, batch: int) -> int:
    """The same for written questions awaiting their answer, in the batch's transaction
    (after its lock): up to ``batch`` with a notice due, locked with SKIP LOCKED."""
    query = (select(WrittenQuestion).where(WrittenQuestion.next_notice_at < now)
             .order_by(WrittenQuestion.next_notice_at, WrittenQuestion.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WrittenQuestion)
    found = session.scalars(query).unique().all()
    progress, planned = [], []
    for question in found:
        due = question.live_due_at
        if due is None:  # answered or withdrawn (the operations clear it; belt)
            progress.append({"qid": question.id, "until": question.notices_until, "at": None})
            continue
        plan = due_notices(_schedule(due, policy), question.notices_until, now)
        planned += [(
            {"question_id": question.id, "due_at": due, "kind": step.kind,
             "days": step.days, "recorded_at": now},
            {"action": QUESTION_ACTIONS[step.kind], "entity": "question",
             "effective_at": now if step.kind == "reminder" else step.at,
             "recommendation": question.recommendation,
             "addressee_code": question.addressee_code,
             "payload": {"question_id": question.id, "number": question.number,
                         "due_at": history.format_utc(due), "days": step.days}})
            for step in plan.record]
        progress.append({"qid": question.id, "until": plan.handled_until, "at": plan.next_at})
    _record_notices(session, summary, QuestionNotice, "question_id", planned, now)
    if progress:
        # Core UPDATE: no version bump (nobody's open form becomes stale because of it).
        table = WrittenQuestion.__table__
        session.execute(update(table).where(table.c.id == bindparam("qid"))
                        .values(notices_until=bindparam("until"),
                                next_notice_at=bindparam("at")), progress)
    return len(found)


def finish_run(session: Session, run: SweepRun, summary: SweepSummary,
               now: datetime | None = None) -> None:
    run.finished_at = resolve_now(now)
    run.examined, run.events, run.messages = summary.examined, summary.events, summary.messages
    session.flush()


def sweep(session: Session, *, now: datetime | None = None, batch: int = BATCH,
          commit: Callable[[], None] | None = None,
          progress: Callable[[SweepSummary], None] | None = None) -> SweepSummary:
    """The whole sweep in one call; ``commit`` (the caller's) runs after every batch, so a
    long sweep is many short transactions. Without it everything is one transaction."""
    now = resolve_now(now)
    policy = deadline_policy.current()
    run = start_run(session, now=now, policy=policy)
    summary = SweepSummary(warnings=[w for w in run.warnings.splitlines() if w])
    if commit:
        commit()
    while sweep_batch(session, summary, now=now, policy=policy, batch=batch):
        if commit:
            commit()
        if progress:
            progress(summary)
    finish_run(session, run, summary, now)
    if commit:
        commit()
    return summary


def note_delivery_problem(session: Session, problem: str) -> None:
    """Add an e-mail problem to the last run's warnings (shown to administrators)."""
    run = session.scalars(select(SweepRun).order_by(SweepRun.id.desc()).limit(1)).first()
    if run is not None:
        run.warnings = "\n".join(w for w in (run.warnings, f"mail: {problem}") if w)
        session.flush()


def recent_runs(session: Session, limit: int = 20) -> list[SweepRun]:
    return list(session.scalars(select(SweepRun).order_by(SweepRun.id.desc()).limit(limit)))


def without_focal_point(session: Session) -> list[str]:
    """Addressees with an answer (to a recommendation or a written question) awaited but no
    active ministry user with an e-mail address to remind (their reminders reach nobody by
    e-mail)."""
    from sqlalchemy import exists

    from workflow.accounts.models import User
    from workflow.lifecycle import MINISTRY

    def focal(code):
        return exists().where(User.organisation == code, User.role == MINISTRY,
                              User.is_active.is_(True), User.email != "")

    answers = select(CaseAddressee.addressee_code.label("code")).where(
        CaseAddressee.live_due_at.is_not(None), ~focal(CaseAddressee.addressee_code))
    questions = select(WrittenQuestion.addressee_code.label("code")).where(
        WrittenQuestion.is_open, ~focal(WrittenQuestion.addressee_code))
    both = answers.union(questions).subquery()
    return list(session.scalars(select(both.c.code).order_by(both.c.code)))
