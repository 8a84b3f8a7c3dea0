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
