"""The deadline policy. No treaty text fixes a deadline for answering Benelux
Parliament recommendations, so every number here is configurable and only defaults
to comparable practice: six months, the Council of Europe's target for its Committee
of Ministers.

The policy is read from the environment once, when the application or a command
starts (``configure``), and validated then: a wrong value stops the start with a
message naming the variable, instead of surfacing later on some page."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from workflow import deadlines, errors

ENV = {
    "default_rule": "FOLLOWUP_DEFAULT_DEADLINE",
    "reminder_days": "FOLLOWUP_REMINDER_DAYS",
    "very_overdue_after_days": "FOLLOWUP_VERY_OVERDUE_DAYS",
}


class ConfigurationError(errors.ValidationError):
    """A setting in the environment is invalid; the application does not start."""

    code = "configuration"


@dataclass(frozen=True)
class Policy:
    default_rule: str = "6 months"
    reminder_days: tuple[int, ...] = (30, 7)
    very_overdue_after_days: int = 90


def _invalid(name: str, value: str, expected: str) -> ConfigurationError:
    return ConfigurationError(f"{ENV[name]}={value!r} is invalid: give {expected}",
                              field=ENV[name])


def load(env: Mapping[str, str] | None = None) -> Policy:
    """The policy from FOLLOWUP_DEFAULT_DEADLINE, FOLLOWUP_REMINDER_DAYS (e.g. "30,7")
    and FOLLOWUP_VERY_OVERDUE_DAYS, with the defaults above; validated."""
    env = os.environ if env is None else env
    rule = env.get(ENV["default_rule"], Policy.default_rule)
    try:
        rule = deadlines.DeadlineRule.parse(rule).to_text()
    except deadlines.DeadlineError:
        raise _invalid("default_rule", rule, "a rule such as '6 months', '60 calendar days', "
                       "'40 working days' or a date") from None
    raw = env.get(ENV["reminder_days"], "30,7")
    try:
        reminders = tuple(int(x) for x in raw.split(",") if x.strip())
    except ValueError:
        reminders = ()
    if not reminders or any(not 1 <= d <= 365 for d in reminders):
        raise _invalid("reminder_days", raw, "days before the due date between 1 and 365, "
                       "separated by commas, e.g. '30,7'")
    raw = env.get(ENV["very_overdue_after_days"], str(Policy.very_overdue_after_days))
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 3650:
        raise _invalid("very_overdue_after_days", raw, "a number of days between 1 and 3650")
    return Policy(rule, tuple(sorted(set(reminders), reverse=True)), int(raw))


_active: Policy | None = None


def configure(policy: Policy | None = None) -> Policy:
    """Fix the policy for this process (default: read and validate the environment now)."""
    global _active
    _active = load() if policy is None else policy
    return _active


def reset() -> None:
    """Forget the configured policy (the next ``current()`` reads the environment)."""
    global _active
    _active = None


def current() -> Policy:
    """The configured policy; configured from the environment on first use by a program
    that did not call ``configure`` at its start."""
    return _active if _active is not None else configure()
