"""`followup sweep` e-mails through a real SMTP server on loopback: each person in their
language with a link to their page, retried with back-off while the server is away, a
refused address given up at once, the daily digest, never a message twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from followup.cli import cli
from workflow import clock
from workflow.notifications.models import Notification

from .conftest import TRANSMITTED, due_of, free_port

BASE = "https://followup.example.org"


@pytest.fixture
def mail_env(monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FOLLOWUP_BASE_URL", BASE)
    monkeypatch.setenv("FOLLOWUP_SMTP_TLS", "none")
    monkeypatch.setenv("FOLLOWUP_MAIL_FROM", "Follow-up <followup@example.org>")
    monkeypatch.setenv("FOLLOWUP_SMTP_HOST", "127.0.0.1")

    def point_to(port: int):
        monkeypatch.setenv("FOLLOWUP_SMTP_PORT", str(port))
    return point_to


def sweep_at(moment, *args):
    with clock.frozen(moment):
        result = CliRunner().invoke(cli, ["sweep", *args])
    assert result.exit_code == 0, result.output
    return result.output


def transmission_sent(inbox):
    """The case's transmission told jan and claire already: send that first."""
    out = sweep_at(TRANSMITTED + timedelta(hours=1))
    assert "e-mail: 2 sent" in out
    assert {m["Subject"] for m in inbox.to("jan@example.org")} != set()
    inbox.messages.clear()


def statuses(session):
    session.expire_all()
    return sorted(session.execute(select(Notification.kind, Notification.mail_status,
                                         Notification.mail_attempts)).all())


def test_reminders_reach_each_person_in_their_language(session, case, smtp_server, mail_env):
    controller, inbox = smtp_server
    mail_env(controller.port)
    transmission_sent(inbox)
    out = sweep_at(due_of(case, "NL") - timedelta(days=29))
    assert "3 events recorded, 3 notifications queued" in out
    assert "e-mail: 2 sent, 0 to retry, 0 failed" in out
    (jan,), (claire,) = inbox.to("jan@example.org"), inbox.to("claire@example.org")
    assert "Herinnering" in jan["Subject"] and "801/1" in jan["Subject"]
    assert jan["Content-Language"] == "nl" and claire["Content-Language"] == "fr"
    assert "Rappel" in claire["Subject"]
    text = jan.get_body(("plain",)).get_content()
    html = jan.get_body(("html",)).get_content()
    link = f"{BASE}/ministry/cases/{case.id}"
    assert link in text and f'href="{link}"' in html
    assert "Aanbeveling 801/1" in text  # the title in the reader's language
    assert "Recommandation 801/1" in claire.get_body(("plain",)).get_content()
    assert jan["Message-ID"] and jan["Message-ID"] != claire["Message-ID"]
    # again: nothing new, nothing sent twice
    out = sweep_at(due_of(case, "NL") - timedelta(days=28))
    assert "0 events recorded" in out and "e-mail: 0 sent" in out
    assert len(inbox.messages) == 2


def test_the_server_away_means_retry_with_back_off_then_delivery(session, case, smtp_server,
                                                                  mail_env):
    controller, inbox = smtp_server
    mail_env(controller.port)
    transmission_sent(inbox)
    mail_env(free_port())  # nobody listens there
    late = due_of(case, "NL") + timedelta(hours=1)
    out = sweep_at(late)
    assert "stopped: cannot reach the SMTP server" in out
    tried = [s for s in statuses(session) if s[2] == 1 and s[1] == "queued"]
    assert len(tried) == 1 and tried[0][1] == "queued"  # the one in hand counts a try
    retry_at = session.scalar(select(Notification.mail_next_at)
                              .where(Notification.mail_attempts == 1,
                                     Notification.mail_status == "queued"))
    assert retry_at == late + timedelta(minutes=5)
    mail_env(controller.port)  # the server is back
    out = sweep_at(late + timedelta(minutes=1))
    assert "e-mail: 4 sent" in out  # not the one waiting for its retry moment
    out = sweep_at(late + timedelta(minutes=6))
    assert "e-mail: 1 sent" in out
    assert sorted(rcpt[0] for rcpt, _ in inbox.messages) == sorted(
        ["anna@example.org"] * 3 + ["jan@example.org", "claire@example.org"])
    assert all(s[1] in ("sent", "no_address") for s in statuses(session))


def test_a_refused_address_fails_at_once_the_rest_is_sent(session, case, smtp_server, mail_env):
    controller, inbox = smtp_server
    mail_env(controller.port)
    transmission_sent(inbox)
    inbox.refuse.add("claire@example.org")
    out = sweep_at(due_of(case, "NL") - timedelta(days=29))
    assert "e-mail: 1 sent, 0 to retry, 1 failed" in out
    failed = session.scalars(select(Notification).where(Notification.mail_status == "failed"))
    (one,) = failed.all()
    assert one.user.username == "claire" and "550" in one.mail_error


def test_the_daily_digest_waits_for_the_morning_and_comes_as_one(session, case, smtp_server,
                                                                  mail_env):
    from workflow.accounts.models import User
    from workflow.notifications import inbox as app_inbox

    controller, inbox = smtp_server
    mail_env(controller.port)
    transmission_sent(inbox)
    anna = session.scalar(select(User).where(User.username == "anna"))
    app_inbox.choose_digest(session, anna, True)
    session.commit()
    due = due_of(case, "NL")
    evening = due + timedelta(hours=3)  # 20:00 Brussels
    out = sweep_at(evening)
    assert "e-mail: 2 sent" in out  # jan and claire at once; anna's three wait
    assert inbox.to("anna@example.org") == []
    sweep_at(evening + timedelta(hours=10))  # 06:00 Brussels: not yet
    assert inbox.to("anna@example.org") == []
    sweep_at(evening + timedelta(hours=12))  # 08:00 Brussels
    (digest,) = inbox.to("anna@example.org")
    body = digest.get_body(("plain",)).get_content()
    assert "3" in digest["Subject"] and body.count(f"{BASE}/cases/{case.id}") == 3


def test_e_mail_off_keeps_notifications_in_the_app(session, case, monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("FOLLOWUP_SMTP_HOST", raising=False)
    out = sweep_at(due_of(case, "NL") - timedelta(days=29))
    assert "e-mail is off" in out
    assert "3 events recorded" in out
    assert {s[1] for s in statuses(session)} == {"queued", "no_address"}


def test_bad_mail_settings_stop_the_command_with_the_variable_named(monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FOLLOWUP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FOLLOWUP_SMTP_TLS", "sometimes")
    result = CliRunner().invoke(cli, ["sweep"])
    assert result.exit_code != 0 and "FOLLOWUP_SMTP_TLS" in result.output
