"""The deadline policy is configuration, not code: read once at start-up, validated then."""

from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from followup.cli import cli
from workflow.cases import due_dates, registration, transitions
from workflow.deadlines import policy


def test_defaults_follow_the_council_of_europe_target(monkeypatch):
    for name in policy.ENV.values():
        monkeypatch.delenv(name, raising=False)
    assert policy.current() == policy.Policy("6 months", (30, 7), 90)


def test_environment_sets_the_default_rule_used_at_registration(monkeypatch, session,
                                                                secretariat):
    monkeypatch.setenv("FOLLOWUP_DEFAULT_DEADLINE", "3 months")
    policy.configure()
    rec = registration.register_recommendation(
        session, secretariat, doc_number="750/1", adopted_on=date(2024, 3, 1),
        addressees=["NL"], title_nl="Test", now=datetime(2024, 3, 2, 9, tzinfo=UTC))
    assert rec.deadline_rule == "3 months"
    assert rec.addressees[0].deadline_rule == "3 months"


def test_very_overdue_threshold_is_configurable(session, secretariat):
    rec = registration.register_recommendation(
        session, secretariat, doc_number="750/2", adopted_on=date(2024, 3, 1),
        addressees=["NL"], title_nl="Test", deadline_rule="30 calendar days",
        now=datetime(2024, 3, 2, 9, tzinfo=UTC))
    transitions.transmit(session, secretariat, rec, now=datetime(2024, 3, 4, 9, tzinfo=UTC))
    later = datetime(2024, 5, 20, 12, tzinfo=UTC)  # about 46 days after the due date
    policy.configure(policy.load({"FOLLOWUP_VERY_OVERDUE_DAYS": "90"}))
    assert due_dates.deadline_status(rec.addressees[0], later).status == "overdue"
    policy.configure(policy.load({"FOLLOWUP_VERY_OVERDUE_DAYS": "30"}))
    assert due_dates.deadline_status(rec.addressees[0], later).status == "very_overdue"


def test_the_policy_is_read_once_not_on_every_question(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_REMINDER_DAYS", "14")
    policy.configure()
    monkeypatch.setenv("FOLLOWUP_REMINDER_DAYS", "60")
    assert policy.current().reminder_days == (14,)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("FOLLOWUP_REMINDER_DAYS", "thirty", "FOLLOWUP_REMINDER_DAYS='thirty' is invalid: give "
     "days before the due date between 1 and 365, separated by commas, e.g. '30,7'"),
    ("FOLLOWUP_REMINDER_DAYS", "30,-7", "FOLLOWUP_REMINDER_DAYS='30,-7' is invalid"),
    ("FOLLOWUP_DEFAULT_DEADLINE", "soon", "FOLLOWUP_DEFAULT_DEADLINE='soon' is invalid: give "
     "a rule such as '6 months'"),
    ("FOLLOWUP_VERY_OVERDUE_DAYS", "0", "FOLLOWUP_VERY_OVERDUE_DAYS='0' is invalid"),
])
def test_an_invalid_setting_stops_the_start_with_its_name(monkeypatch, name, value, message):
    from web import create_app

    monkeypatch.setenv(name, value)
    with pytest.raises(policy.ConfigurationError) as caught:
        create_app({"TESTING": True})
    assert caught.value.message.startswith(message)
    result = CliRunner().invoke(cli, ["lifecycle-doc"])
    assert result.exit_code == 1
    assert f"Error: cannot start: {message}" in result.output
