"""Two `followup sweep` processes started at the same moment against one PostgreSQL over
750 due entries (3,000 e-mails), both sending to one real SMTP server on loopback: every
expected event and every e-mail exactly once, none lost, the chain intact."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.sweep.conftest import Inbox, free_port
from workflow import accounts, clock, db, dispatch, history
from workflow.actors import Actor
from workflow.cases import catalogue, registration
from workflow.models import Event, Notification
from workflow.reminders.models import DeadlineNotice

CASES = 150
CODES = ("NL", "BE-FED", "LU", "DE-NW", "CM")  # 5 entries a case: 750 due entries
TRANSMITTED = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
SWEEP_AT = "2026-01-15T12:00:00Z"  # every entry overdue and very overdue by then
FOLLOWUP = Path(sys.executable).with_name("followup")


def _fill(url: str) -> None:
    engine = db.make_engine(url)
    session = db.make_session(engine)
    sec = Actor("anna", "secretariat", "BNL-PARL")
    try:
        catalogue.sync_addressees(session)
        for org, role in [("BNL-PARL", "secretariat"), *[(c, "ministry") for c in CODES]]:
            accounts.create_user(session, username=f"u-{org.lower()}", password="long-enough-1",
                                 role=role, organisation=org, email=f"{org.lower()}@example.org",
                                 now=TRANSMITTED)
        with clock.frozen(TRANSMITTED):
            for i in range(CASES):
                rec = registration.register_recommendation(
                    session, sec, doc_number=f"900/{i + 1}", adopted_on=TRANSMITTED.date(),
                    addressees=dict.fromkeys(CODES, True), title_nl=f"Aanbeveling {i}",
                    deadline_rule="60 calendar days")
                dispatch.fire(session, sec, rec, "transmit")
        # the transmissions' notifications are not what this test counts
        session.query(Notification).delete()
        session.commit()
    finally:
        session.close()
        engine.dispose()


@pytest.mark.postgres
def test_two_sweeps_at_once_record_and_send_everything_exactly_once(pg_url, tmp_path):
    from aiosmtpd.controller import Controller

    _fill(pg_url)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "DATABASE_URL": pg_url, "FOLLOWUP_SMTP_HOST": "127.0.0.1",
           "FOLLOWUP_SMTP_PORT": str(port), "FOLLOWUP_SMTP_TLS": "none",
           "FOLLOWUP_BASE_URL": "https://followup.example.org", "FOLLOWUP_ENV": "production"}
    try:
        started = time.monotonic()
        procs = [subprocess.Popen([str(FOLLOWUP), "sweep", "--at", SWEEP_AT, "--batch", "100"],  # noqa: S603
                                  env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=600) for p in procs]
        elapsed = time.monotonic() - started
    finally:
        controller.stop()
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    engine = db.make_engine(pg_url)
    try:
        with db.make_session(engine) as s:
            entries = CASES * len(CODES)
            actions = Counter(s.scalars(select(Event.action).where(Event.actor == "sweep")))
            notices = s.scalar(select(func.count()).select_from(DeadlineNotice))
            sent = s.scalar(select(func.count()).select_from(Notification)
                            .where(Notification.mail_status == "sent"))
            total = s.scalar(select(func.count()).select_from(Notification))
            verified = history.verify_history(s)
    finally:
        engine.dispose()
    summary = " | ".join(out.strip() for out, _ in outputs)
    print(f"\n{entries} entries, 2 sweeps in {elapsed:.1f} s: {dict(actions)}; {notices} "
          f"notices; {total} notifications, {sent} sent, {len(inbox.messages)} received; "
          f"{summary}")
    # each entry: overdue and very overdue (both reminders long overtaken), once
    assert actions == {"mark_overdue": entries, "mark_very_overdue": entries}
    assert notices == 2 * entries
    # each event tells the focal point and the secretariat: one e-mail each, once
    assert total == sent == 4 * entries
    ids = Counter(m["Message-ID"] for _, m in inbox.messages)
    assert len(inbox.messages) == total and max(ids.values()) == 1
    assert verified.ok and verified.checked == s_count(pg_url)
    # both processes did part of the work
    examined = [int(out.split(" entries examined")[0].rsplit(" ", 1)[1]) for out, _ in outputs]
    assert sum(examined) == entries


def s_count(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Event))
    finally:
        engine.dispose()
