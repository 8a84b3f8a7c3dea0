"""Cases and people for the sweep's tests: built through the operations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflow import accounts, clock, dispatch
from workflow.cases import registration

TRANSMITTED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday

PEOPLE = (  # username, role, organisation, locale, e-mail
    ("anna", "secretariat", "BNL-PARL", "en", "anna@example.org"),
    ("jan", "ministry", "NL", "nl", "jan@example.org"),
    ("claire", "ministry", "BE-FED", "fr", "claire@example.org"),
    ("marc", "ministry", "LU", "fr", ""),  # no e-mail address: told in the app only
)


def make_people(session, now=TRANSMITTED):
    for username, role, org, locale, email in PEOPLE:
        accounts.create_user(session, username=username, password="a-long-password-1",
                             role=role, organisation=org, locale=locale, email=email, now=now)


def make_case(session, actor, doc: str, addressees=("NL", "BE-FED", "LU"),
              at: datetime = TRANSMITTED, rule: str = "60 calendar days"):
    with clock.frozen(at):
        rec = registration.register_recommendation(
            session, actor, doc_number=doc, adopted_on=at.date(),
            addressees={code: True for code in addressees}, title_nl=f"Aanbeveling {doc}",
            title_fr=f"Recommandation {doc}", deadline_rule=rule)
        dispatch.fire(session, actor, rec, "transmit")
    return rec


@pytest.fixture
def people(session):
    make_people(session)
    session.commit()


@pytest.fixture
def case(session, secretariat, people):
    rec = make_case(session, secretariat, "801/1")
    session.commit()
    return rec


def due_of(rec, code: str) -> datetime:
    return rec.entry(code).due_at


__all__ = ["TRANSMITTED", "date", "due_of", "make_case", "make_people"]


class Inbox:
    """What a real SMTP server on loopback received (aiosmtpd, started by the test)."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()  # addresses answered 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append((envelope.rcpt_tos[:],
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
