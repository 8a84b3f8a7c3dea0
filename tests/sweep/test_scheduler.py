"""The in-process scheduler of ``followup serve --sweep-every``: the same sweep, run
repeatedly in a background thread, records each notice once; a failing run is logged
and the next one still runs."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from followup import scheduler, sweep_cmd
from web.commands import serve
from workflow.demo import load_demo
from workflow.models import Event
from workflow.reminders.models import DeadlineNotice, SweepRun

NOTICE_ACTIONS = ("remind", "mark_overdue", "mark_very_overdue")


def _wait_for(predicate, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the scheduler did not run in time"
        time.sleep(0.1)


def test_the_scheduler_sweeps_again_and_again_and_records_each_notice_once(
        session, db_url, monkeypatch):
    load_demo(session)  # overdue and due-soon answers as of now
    session.commit()
    monkeypatch.setenv("DATABASE_URL", db_url)

    def runs() -> int:
        session.rollback()
        return session.scalar(select(func.count()).select_from(SweepRun).where(
            SweepRun.finished_at.is_not(None)))

    running = scheduler.start(timedelta(seconds=0.2), send=False)
    try:
        _wait_for(lambda: runs() >= 3)
    finally:
        running.shutdown(wait=True)
    session.rollback()
    notices = session.scalar(select(func.count()).select_from(DeadlineNotice))
    events = session.execute(select(Event.doc_number, Event.addressee_code, Event.action,
                                    Event.payload)
                             .where(Event.action.in_(NOTICE_ACTIONS))).all()
    assert notices > 0
    assert len(events) == notices == len(set(events))  # each once, however many runs


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_failing_run_is_logged_and_the_next_still_runs(monkeypatch):
    calls = []

    def flaky(**_kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return [], "sweep at ...: 0 entries examined"

    monkeypatch.setattr(sweep_cmd, "run", flaky)
    kept = _Kept()
    level = scheduler.log.level
    scheduler.log.setLevel(logging.INFO)  # setLevel, not the attribute: it clears the cache
    scheduler.log.addHandler(kept)
    try:
        running = scheduler.start(timedelta(seconds=0.1), send=False)
        try:
            _wait_for(lambda: any("0 entries examined" in m for m in kept.messages))
        finally:
            running.shutdown(wait=True)
    finally:
        scheduler.log.removeHandler(kept)
        scheduler.log.setLevel(level)
    messages = kept.messages
    assert any("sweep failed" in m for m in messages)
    assert any("0 entries examined" in m for m in messages)


def test_serve_refuses_a_nonsense_interval():
    result = CliRunner().invoke(serve, ["--sweep-every", "0"])
    assert result.exit_code != 0 and "--sweep-every" in result.output
