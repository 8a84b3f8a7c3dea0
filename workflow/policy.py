"""The deadline policy. No treaty text fixes a deadline for answering Benelux
Parliament recommendations, so every number here is configurable (environment
variables, read when asked) and only defaults to comparable practice: six
months, the Council of Europe's target for its Committee of Ministers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import deadlines, errors


@dataclass(frozen=True)
class Policy:
    default_rule: str = "6 months"
    reminder_days: tuple[int, ...] = (30, 7)
    very_overdue_after_days: int = 90


def current() -> Policy:
    """The policy from FOLLOWUP_DEFAULT_DEADLINE, FOLLOWUP_REMINDER_DAYS (e.g. "30,7")
    and FOLLOWUP_VERY_OVERDUE_DAYS, with the defaults above."""
    env = os.environ
    try:
        rule = env.get("FOLLOWUP_DEFAULT_DEADLINE", Policy.default_rule)
        deadlines.DeadlineRule.parse(rule)
        reminders = tuple(int(x) for x in env.get("FOLLOWUP_REMINDER_DAYS", "30,7").split(",")
                          if x.strip())
        very = int(env.get("FOLLOWUP_VERY_OVERDUE_DAYS", Policy.very_overdue_after_days))
    except (ValueError, deadlines.DeadlineError) as exc:
        raise errors.ValidationError(f"deadline policy in the environment is invalid: {exc}",
                                     field="policy") from exc
    return Policy(rule, reminders, very)
