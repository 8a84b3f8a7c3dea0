"""Domain errors. Each carries a stable ``code`` (used by the API), the ``rule``
that refused (when it has a name) with the ``params`` of the refusal, and an English
message that says what is wrong and what to do about it (for logs and the command
line; the web and the API word ``rule`` and ``params`` in the user's language)."""

from __future__ import annotations

from datetime import date, datetime


def _plain(value):
    """A value of ``params`` as JSON: dates in ISO 8601, lists and mappings kept."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


class WorkflowError(Exception):
    code = "workflow_error"

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None,
                 params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule
        # The values in the message, for a user interface that words it in another language.
        self.params = params or {}

    def to_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.rule:
            data["rule"] = self.rule
        if self.params:
            data["values"] = _plain(self.params)
        return data


class ValidationError(WorkflowError):
    """Bad input: the message names the field and what a valid value looks like."""

    code = "invalid"


class UnknownTrigger(ValidationError):
    code = "unknown_trigger"


class UnknownAddressee(ValidationError):
    code = "unknown_addressee"


class TransitionRefused(WorkflowError):
    """The lifecycle does not allow this now; ``rule`` names the rule that refused."""

    code = "transition_refused"


class PermissionDenied(WorkflowError):
    """The user's role may not do this."""

    code = "forbidden"


class NotInScope(WorkflowError):
    """The case or answer is outside the user's organisation; shown as 'not found'."""

    code = "not_found"


class ConflictError(WorkflowError):
    """Someone else changed the case meanwhile (optimistic locking)."""

    code = "conflict"


class HistoryIsAppendOnly(WorkflowError):
    code = "history_append_only"
