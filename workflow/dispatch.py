"""The one dispatcher: any declared trigger a person fires, by name, for the pages, the API,
the CLI and the importer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from workflow import errors
from workflow.actors import Actor
from workflow.answers.replies import submit_reply, waive
from workflow.cases.due_dates import (
    grant_extension,
    refuse_extension,
    request_extension,
    resume_clock,
    stop_clock,
)
from workflow.cases.models import CaseAddressee, ExtensionRequest, Recommendation
from workflow.cases.scope import check_visible, entry_of
from workflow.cases.transitions import close, reopen, request_follow_up, step, transmit
from workflow.checks import resolve_now
from workflow.clock import brussels_date
from workflow.lifecycle import (
    ANSWER,
    RECOMMENDATION,
    REPLY_TRIGGERS,
)


def _reply(trigger: str):
    kind = next(k for k, t in REPLY_TRIGGERS.items() if t == trigger)

    def send(session, actor, entry, **params):
        return submit_reply(session, actor, entry, kind=kind, **params)
    return send


def _refuse(session, actor, entry, *, request=None, **params):
    return refuse_extension(session, actor, _request_of(entry, request), **params)


def _request_of(entry: CaseAddressee, request) -> ExtensionRequest:
    """The request for more time meant (an id, the request, or the open one)."""
    if isinstance(request, ExtensionRequest) and request.entry is entry:
        return request
    for candidate in entry.extension_requests:
        wanted = candidate.status == "open" if request is None else \
            str(candidate.id) == str(request)
        if wanted:
            return candidate
    raise errors.NotInScope(f"no such request for more time of {entry.addressee_code}",
                            field="request")


# The operation that carries out each trigger; system triggers are fired by these.
OPERATIONS: dict[str, Callable] = {
    "transmit": transmit, "start_assessment": step, "start_monitoring": step,
    "request_follow_up": request_follow_up, "close": close, "reopen": reopen,
    **{name: _reply(name) for name in REPLY_TRIGGERS.values()},
    "waive": waive, "grant_extension": grant_extension, "request_extension": request_extension,
    "refuse_extension": _refuse, "stop_clock": stop_clock, "resume_clock": resume_clock,
}


# Where each trigger takes the day it happened, for a historic record (``effective_on``).
HISTORIC_DAY = {"transmit": "transmitted_on", "close": "closed_on", "reopen": "reopened_on",
                "start_assessment": "effective_on", "start_monitoring": "effective_on",
                "waive": "waived_on",
                **{name: "received_on" for name in REPLY_TRIGGERS.values()}}

# What only a historic record says (``effective_on`` given), beyond the declared
# parameters: a reply known only by the date it was received, a closure whose
# assessment is not on record.
HISTORIC_OPTIONS = {**{name: ("text_on_record",) for name in REPLY_TRIGGERS.values()},
                    "close": ("without_assessment",)}


def fire(session: Session, actor: Actor, rec: Recommendation, trigger: str, *,
         addressee: str | None = None, expected_version: int | None = None,
         effective_on: date | None = None, now: datetime | None = None, **params):
    """Fire any trigger by name: a recommendation trigger, or with ``addressee`` an answer
    trigger of that addressee. The one entry point of the web pages, the API, the CLI and
    the importer; ``params`` are the trigger's declared parameters (``Trigger.params``);
    ``effective_on`` is the day it happened when that is not today (a historic record)."""
    lifecycle = RECOMMENDATION if addressee is None else ANSWER
    trig = lifecycle.trigger(trigger)
    operation = OPERATIONS.get(trig.name)
    if operation is None:  # a system action: the lifecycle names why a person cannot
        target = rec if addressee is None else entry_of(rec, addressee)
        check_visible(actor, rec)
        raise lifecycle.refusal(target, trig, actor.role, {}) or errors.TransitionRefused(
            f"cannot {trig.label}: the system does this", rule="role")
    historic = HISTORIC_OPTIONS.get(trig.name, ()) if effective_on is not None else ()
    unknown = sorted(set(params) - set(trig.params) - set(historic))
    if unknown:
        raise errors.ValidationError(
            f"{trigger} takes {', '.join(trig.params) or 'no details'}, not "
            f"{', '.join(unknown)}", field=unknown[0], rule="declared_params",
            params={"trigger": trig.name, "takes": list(trig.params)})
    kwargs = {"now": now, "expected_version": expected_version, **params}
    if effective_on is not None and effective_on != brussels_date(resolve_now(now)):
        if trig.name not in HISTORIC_DAY:
            raise errors.ValidationError(
                f"{trig.label} cannot be recorded with an earlier date: it takes effect "
                "today", field="effective_on", rule="happens_today",
                params={"trigger": trig.name})
        kwargs.setdefault(HISTORIC_DAY[trig.name], effective_on)
    if operation is step:
        return step(session, actor, rec, trigger, **kwargs)
    if addressee is None:
        return operation(session, actor, rec, **kwargs)
    return operation(session, actor, entry_of(rec, addressee), **kwargs)
