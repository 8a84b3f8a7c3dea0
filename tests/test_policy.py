"""The deadline policy is configuration, not code."""

from datetime import UTC, date, datetime

import pytest

from workflow import errors, operations, policy


def test_defaults_follow_the_council_of_europe_target(monkeypatch):
    for name in ("FOLLOWUP_DEFAULT_DEADLINE", "FOLLOWUP_REMINDER_DAYS",
                 "FOLLOWUP_VERY_OVERDUE_DAYS"):
        monkeypatch.delenv(name, raising=False)
    assert policy.current() == policy.Policy("6 months", (30, 7), 90)


def test_environment_sets_the_default_rule_used_at_registration(monkeypatch, session,
                                                                secretariat):
    monkeypatch.setenv("FOLLOWUP_DEFAULT_DEADLINE", "3 months")
    rec = operations.register_recommendation(
        session, secretariat, doc_number="750/1", adopted_on=date(2024, 3, 1),
        addressees=["NL"], title_nl="Test", now=datetime(2024, 3, 2, 9, tzinfo=UTC))
    assert rec.deadline_rule == "3 months"
    assert rec.addressees[0].deadline_rule == "3 months"


def test_very_overdue_threshold_is_configurable(monkeypatch, session, secretariat):
    rec = operations.register_recommendation(
        session, secretariat, doc_number="750/2", adopted_on=date(2024, 3, 1),
        addressees=["NL"], title_nl="Test", deadline_rule="30 calendar days",
        now=datetime(2024, 3, 2, 9, tzinfo=UTC))
    operations.transmit(session, secretariat, rec, now=datetime(2024, 3, 4, 9, tzinfo=UTC))
    later = datetime(2024, 5, 20, 12, tzinfo=UTC)  # about 46 days after the due date
    monkeypatch.setenv("FOLLOWUP_VERY_OVERDUE_DAYS", "90")
    assert operations.deadline_status(rec.addressees[0], later).status == "overdue"
    monkeypatch.setenv("FOLLOWUP_VERY_OVERDUE_DAYS", "30")
    assert operations.deadline_status(rec.addressees[0], later).status == "very_overdue"


@pytest.mark.parametrize("name,value", [("FOLLOWUP_REMINDER_DAYS", "thirty"),
                                        ("FOLLOWUP_DEFAULT_DEADLINE", "soon")])
def test_invalid_policy_is_a_clear_error(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(errors.ValidationError, match="deadline policy"):
        policy.current()
