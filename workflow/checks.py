"""Input checks and small helpers every operation shares: text limits, the optimistic version
check, the injectable 'now', and the flush that turns a lost race into a conflict."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workflow import clock, deadlines, errors
from workflow.actors import Actor
from workflow.cases.models import Recommendation

MAX_TITLE = 1000


MAX_TEXT = 100_000


MAX_REASON = 5000


def resolve_now(now: datetime | None) -> datetime:
    return clock.ensure_aware(now) if now is not None else clock.utcnow()


def flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise errors.ConflictError(
            "someone else changed this case meanwhile; reload it and try again"
        ) from exc


def check_version(rec: Recommendation, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != rec.version:
        raise errors.ConflictError(
            f"recommendation {rec.doc_number} was changed meanwhile (it is now at version "
            f"{rec.version}, you had version {expected_version}); reload it and try again",
            rule="version", params={"doc_number": rec.doc_number, "version": rec.version,
                                    "expected": expected_version},
        )


def touch(rec: Recommendation, now: datetime) -> None:
    # Any change to a case, addressee rows included, gives the case a new version, also
    # when the clock shows the same moment as the last change (flag_modified forces the
    # versioned UPDATE, so a rival that read the same version loses instead of also winning).
    rec.updated_at = now
    flag_modified(rec, "updated_at")


# Characters no text column can hold: PostgreSQL refuses NUL in text, and lone UTF-16
# surrogates (possible in JSON "\ud800" escapes) cannot be encoded as UTF-8.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_storable(value: str, field: str) -> None:
    """Refuse text the database cannot store, naming the field and the character."""
    found = UNSTORABLE.search(value)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise errors.ValidationError(
            f"{field.replace('_', ' ')} contains the character {code}, which cannot be "
            "stored; remove it and try again", field=field, rule="unstorable_text",
            params={"character": code})


def clean_text(value: str | None, field: str, *, required: bool = False,
               limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    check_storable(value, field)
    if required and not value:
        raise errors.ValidationError(f"{field.replace('_', ' ')} is required", field=field,
                                     rule="required")
    if len(value) > limit:
        raise errors.ValidationError(
            f"{field.replace('_', ' ')} is too long ({len(value)} characters; at most {limit})",
            field=field, rule="too_long", params={"length": len(value), "limit": limit},
        )
    return value


def parse_rule(text: str, field: str = "deadline_rule") -> deadlines.DeadlineRule:
    try:
        return deadlines.DeadlineRule.parse(text)
    except deadlines.DeadlineError as exc:
        raise errors.ValidationError(str(exc), field=field, rule="deadline_rule",
                                     params={"text": text}) from exc


def require_role(actor: Actor, role: str, what: str) -> None:
    if actor.role != role:
        raise errors.PermissionDenied(f"only the {role} may {what} (you are {actor.role})",
                                      rule="role")
