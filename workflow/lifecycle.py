"""The two lifecycles, declared once as data.

Everything else is derived from these declarations: the shared ``transitions``
machines, the guards and their refusal messages, who may fire what, the
``available_triggers`` list shown in the web app and the API, the database
CHECK constraints on the state columns, the diagrams (mermaid text for the CLI and
the docs, SVG for the diagram page: :mod:`workflow.lifecycle_svg`).

A recommendation ("case") goes through::

    adopted -> transmitted -> awaiting_answers -> answered -> under_assessment
      -> monitoring | follow_up_requested (back to awaiting) | closed (reason) -> reopened

Each addressee's answer goes through::

    pending -> interim_reply -> answered (position) | declined | waived
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from transitions import Machine

from workflow import errors

# ---------------------------------------------------------------------------
# Roles
SECRETARIAT = "secretariat"
MINISTRY = "ministry"
AUDITOR = "auditor"
SYSTEM = "system"  # the aggregation rule; never a person
ROLES = (SECRETARIAT, MINISTRY, AUDITOR)

# Closure reasons and answer positions
CLOSURE_REASONS = {
    "implemented": "implemented",
    "no_action_needed": "no action needed",
    "not_implemented": "not implemented / rejected",
    "superseded": "superseded by a later recommendation or a Committee of Ministers decision",
    "lapsed": "lapsed / no further action",
    "no_reply_possible": "no reply possible",
}
# Reasons that may close a case whose answers were never assessed (nothing to assess).
CLOSURE_WITHOUT_ASSESSMENT = ("superseded", "lapsed", "no_reply_possible")

POSITIONS = {
    "agrees": "agrees",
    "partly_agrees": "partly agrees",
    "disagrees": "disagrees",
    "takes_note": "takes note",
}


@dataclass(frozen=True)
class State:
    name: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Guard:
    """A rule that must hold for a trigger to fire.

    ``check(obj, params)`` gets the case (or addressee entry) and the trigger's
    parameters; ``params`` is empty when only asking what is available now, so
    a guard about a parameter must pass when the parameter is absent.
    """

    name: str
    message: str  # may name {action}, {doc} and {addressee}: filled in when it refuses
    check: Callable[[Any, Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Trigger:
    """One action of a lifecycle. ``dest=None`` declares an action that keeps the state
    (an internal transition): the deadline actions (extensions, clock stops) are such
    actions on an answer, with their roles and guards declared like every other."""

    name: str
    label: str
    sources: tuple[str, ...]
    dest: str | None
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False
    description: str = ""
    params: tuple[str, ...] = ()  # what the person gives when firing it (docs, API)
    # The rule named when the state is not among the sources (default: the generic
    # "not possible in this state").
    wrong_state: Guard | None = None
    reply_kind: str | None = None  # for the three kinds of reply an addressee can send
    # A system action that follows from another lifecycle's action (its name there).
    fired_by: str | None = None

    @property
    def changes_state(self) -> bool:
        return self.dest is not None


@dataclass(frozen=True)
class Lifecycle:
    name: str
    states: tuple[State, ...]
    initial: str
    triggers: tuple[Trigger, ...]
    terminal: tuple[str, ...] = field(default=())
    # The values a refusal message may name ({doc}, {addressee}) for one row.
    describe: Callable[[Any], dict[str, str]] = field(default=lambda obj: {}, repr=False)

    @cached_property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    @cached_property
    def by_trigger(self) -> dict[str, Trigger]:
        return {t.name: t for t in self.triggers}

    @property
    def article(self) -> str:
        return "an" if self.name[0] in "aeiou" else "a"

    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def trigger(self, name: str) -> Trigger:
        try:
            return self.by_trigger[name]
        except KeyError:
            known = ", ".join(t.name for t in self.triggers)
            raise errors.UnknownTrigger(
                f"unknown action {name!r} for {self.article} {self.name}; known actions: {known}",
                field="trigger",
            ) from None

    @cached_property
    def machine(self) -> Machine:
        """ONE shared machine for all rows: events are fired against a row with
        ``machine.events[name].trigger(row, params)``; rows are never added."""
        return Machine(
            model=None,
            states=list(self.state_names),
            initial=self.initial,
            transitions=[self._transition_spec(t) for t in self.triggers],
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )

    def _transition_spec(self, trig: Trigger) -> dict:
        def conditions_hold(event) -> bool:
            params = event.kwargs.get("params") or {}
            return all(g.check(event.model, params) for g in trig.guards)

        return {
            "trigger": trig.name,
            "source": list(trig.sources),
            "dest": trig.dest,
            "conditions": [conditions_hold],
        }

    # -- asking and refusing -------------------------------------------------
    def refusal(self, obj: Any, trig: Trigger, role: str, params: Mapping[str, Any]):
        """The first rule that forbids firing ``trig`` now, as an exception, or None."""
        if role not in trig.roles and trig.fired_by and role != SYSTEM:
            by = next(lc.by_trigger[trig.fired_by] for lc in LIFECYCLES.values()
                      if trig.fired_by in lc.by_trigger)
            return errors.TransitionRefused(
                f"cannot {trig.label}: this follows from the action '{by.label}'",
                rule="fired_by", params={"trigger": trig.name, "fired_by": by.name})
        if role not in trig.roles:
            allowed = " or ".join(sorted(trig.roles))
            return errors.PermissionDenied(
                f"cannot {trig.label}: only the {allowed} may do this (you are {role})",
                rule="role", params={"trigger": trig.name, "roles": sorted(trig.roles)},
            )
        if obj.state not in trig.sources:
            if trig.wrong_state is not None:
                return self._refused_by(trig.wrong_state, obj, trig)
            allowed = ", ".join(self.state(s).label for s in trig.sources)
            return errors.TransitionRefused(
                f"cannot {trig.label}: the {self.name} is {self.state(obj.state).label}; "
                f"this is possible only when it is {allowed}",
                rule="state",
                params={"lifecycle": self.name, "trigger": trig.name, "state": obj.state,
                        "allowed": list(trig.sources)},
            )
        for guard in trig.guards:
            if not guard.check(obj, params):
                return self._refused_by(guard, obj, trig)
        return None

    def _refused_by(self, guard: Guard, obj: Any, trig: Trigger) -> errors.TransitionRefused:
        values = {"action": trig.label, **self.describe(obj)}
        return errors.TransitionRefused(
            guard.message.format(**values), rule=guard.name,
            params={"trigger": trig.name, **{k: v for k, v in values.items() if k != "action"}})

    def fire(self, obj: Any, trigger_name: str, role: str, params: Mapping[str, Any]) -> str:
        """Move ``obj`` along ``trigger_name``; returns the previous state.

        Raises the refusal naming the rule when the lifecycle forbids it."""
        trig = self.trigger(trigger_name)
        refused = self.refusal(obj, trig, role, params)
        if refused is not None:
            raise refused
        before = obj.state
        if not self.machine.events[trig.name].trigger(obj, params=params):
            raise errors.TransitionRefused(
                f"cannot {trig.label}: a lifecycle condition does not hold", rule="condition"
            )
        return before

    def available(self, obj: Any, role: str) -> list[Trigger]:
        return [t for t in self.triggers if self.refusal(obj, t, role, {}) is None]

    # -- diagram ---------------------------------------------------------------
    def mermaid(self, current: str | None = None, path: tuple[str, ...] = ()) -> str:
        """The lifecycle as mermaid text (drawn by transitions' GraphMachine),
        with the current state and the states a case went through highlighted."""
        from transitions.extensions import GraphMachine

        class _Drawing:  # GraphMachine draws per model; this one is only drawn
            pass

        drawing = _Drawing()
        GraphMachine(
            model=drawing,
            states=[{"name": s.name} for s in self.states],
            transitions=[
                {"trigger": t.name, "source": list(t.sources), "dest": t.dest}
                for t in self.triggers
            ],
            initial=self.initial,
            auto_transitions=False,
            graph_engine="mermaid",
            title=f"{self.name} lifecycle",
        )
        lines = drawing.get_graph().draw(None).splitlines()
        visited = set(path)
        out = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("Class ") and len(stripped.split()) == 3:
                _, name, _ = stripped.split()
                style = (
                    "s_active"
                    if name == current
                    else "s_previous"
                    if name in visited
                    else "s_default"
                )
                line = f"  class {name} {style}"
            elif stripped == f"{self.name} lifecycle":
                line = f"title: {self.name} lifecycle"  # mermaid front matter wants a key
            elif stripped.startswith("state ") and " as " in stripped:
                name = stripped.rsplit(" as ", 1)[1]
                line = f'  state "{self.state(name).label}" as {name}'
            out.append(line)
        return "\n".join(out)


# ---------------------------------------------------------------------------
# Guards (rules with the message shown when they refuse)


def _has_required_addressee(rec, params) -> bool:
    return any(a.is_required for a in rec.addressees)


# The states in which the committee has assessed the answers: any closure reason fits.
ASSESSED_STATES = ("under_assessment", "monitoring", "reopened")


def closure_reasons_for(state: str) -> tuple[str, ...]:
    """The closure reasons the rule "assessed before closure" allows in ``state``."""
    return tuple(CLOSURE_REASONS) if state in ASSESSED_STATES else CLOSURE_WITHOUT_ASSESSMENT


def _close_reason_fits_state(rec, params) -> bool:
    reason = params.get("closure_reason")
    if params.get("without_assessment"):
        # A historic closure on record without an assessment: the record says how the
        # case ended, and no assessment is made up for it.
        return True
    return reason is None or reason in closure_reasons_for(rec.state)


def _all_required_done(rec, params) -> bool:
    return all_required_done((a.state, a.is_required) for a in rec.addressees)


def _some_reaction(rec, params) -> bool:
    return some_reaction([(a.state, a.is_required) for a in rec.addressees])


# The aggregation rule: the case follows its addressees. The guards above fire the
# system triggers on live rows; history.replay applies the same rule to rebuild a
# case from its events.
def all_required_done(entries) -> bool:
    """``entries``: (answer state, is required) pairs."""
    return all(state in ANSWER_DONE for state, required in entries if required)


def some_reaction(entries) -> bool:
    entries = list(entries)
    return any(state != "pending" for state, _ in entries) and not all_required_done(entries)


def aggregate(current: str, entries) -> str:
    """The recommendation state the aggregation rule gives after an answer changed."""
    entries = list(entries)
    if current in AGGREGATING and all_required_done(entries):
        return "answered"
    if current in ("transmitted", "follow_up_requested") and some_reaction(entries):
        return "awaiting_answers"
    return current


def _case_open_for_answers(entry, params) -> bool:
    return entry.recommendation.state in ACCEPTS_ANSWERS


def _collective_answer_given(entry, params) -> bool:
    return any(
        other.addressee.is_collective and other.state == "answered"
        for other in entry.recommendation.addressees
        if other is not entry
    )


def _someone_replied(rec, params) -> bool:
    return any(a.state in ANSWER_DONE for a in rec.addressees)


def _follow_up_case(entry, params) -> bool:
    return entry.recommendation.state == "follow_up_requested"


def _clock_started(entry, params) -> bool:
    return entry.clock_start is not None


def _clock_runs(entry, params) -> bool:
    return not entry.is_clock_stopped


def _clock_stopped(entry, params) -> bool:
    return entry.is_clock_stopped


def _no_open_request(entry, params) -> bool:
    return not any(r.status == "open" for r in entry.extension_requests)


def _request_open(entry, params) -> bool:
    request = params.get("request")
    if request is not None:
        return request.status == "open"
    return not _no_open_request(entry, params)


ANSWER_DONE = ("answered", "declined", "waived")
ACCEPTS_ANSWERS = ("transmitted", "awaiting_answers", "follow_up_requested")
AGGREGATING = ACCEPTS_ANSWERS


def answer_awaited(answer_state: str, case_state: str) -> bool:
    """The rule "an answer is still expected": the addressee has not given its final
    reply and the case accepts answers. Stored on each addressee row as
    ``CaseAddressee.is_awaited`` (kept current at every flush); the scoreboard applies it
    to states rebuilt from the events."""
    return answer_state in ANSWER_OPEN and case_state in ACCEPTS_ANSWERS


@cache
def case_change_moves_awaited(before: str, after: str) -> bool:
    """Whether a case going from ``before`` to ``after`` changes :func:`answer_awaited`
    for an answer in any state (if not, its addressee rows need no refresh)."""
    return any(answer_awaited(a, before) != answer_awaited(a, after) for a in ANSWER.state_names)

ASSESSED = Guard(
    "assessed_before_closure",
    "cannot close: the committee has not assessed the answers "
    f"(before assessment a case can only be closed as "
    f"{', '.join(CLOSURE_WITHOUT_ASSESSMENT)})",
    _close_reason_fits_state,
)
HAS_REQUIRED = Guard(
    "required_addressee",
    "cannot transmit: the recommendation has no required addressee; add one first",
    _has_required_addressee,
)
ALL_DONE = Guard(
    "all_required_answered",
    "not every required addressee has answered, declined or been waived yet",
    _all_required_done,
)
SOME_REACTION = Guard(
    "some_reaction",
    "no addressee has reacted yet, or all have already answered",
    _some_reaction,
)
OPEN_FOR_ANSWERS = Guard(
    "case_accepts_answers",
    "cannot {action}: the recommendation is not awaiting answers (it is not yet transmitted, "
    "or it is answered, under assessment or closed)",
    _case_open_for_answers,
)
TRANSMITTED = Guard(
    "transmitted",
    "cannot {action}: recommendation {doc} has not been transmitted yet",
    _clock_started,
)
ANSWER_OUTSTANDING = Guard(
    "answer_outstanding",
    "cannot {action}: {addressee} has already given its final reply",
    lambda entry, params: entry.state in ANSWER_OPEN,
)
CLOCK_RUNS = Guard("clock_running", "the clock is already stopped", _clock_runs)
CLOCK_STOPPED = Guard("clock_stopped", "the clock is not stopped", _clock_stopped)
ONE_OPEN_REQUEST = Guard(
    "one_open_request",
    "a request for more time is already waiting for a decision",
    _no_open_request,
)
REQUEST_OPEN = Guard("open_request", "this request was already decided", _request_open)
COLLECTIVE_ANSWERED = Guard(
    "collective_answer_covers",
    "cannot waive: the Committee of Ministers has not given a collective answer on this case",
    _collective_answer_given,
)
SOMEONE_REPLIED = Guard(
    "final_reply_given",
    "cannot request a follow-up: no addressee has given a final reply to follow up on",
    _someone_replied,
)
FOLLOW_UP_CASE = Guard(
    "follow_up_requested_by_committee",
    "cannot ask again: a follow-up question is put through the recommendation "
    "(request a follow-up while it is under assessment, monitored or reopened)",
    _follow_up_case,
)

# ---------------------------------------------------------------------------
# The recommendation lifecycle

SEC = frozenset({SECRETARIAT})
ANSWERERS = frozenset({MINISTRY, SECRETARIAT})  # the secretariat records paper answers

RECOMMENDATION = Lifecycle(
    name="recommendation",
    initial="adopted",
    states=(
        State("adopted", "adopted", "Adopted in plenary, not yet sent to its addressees."),
        State("transmitted", "transmitted", "Sent to its addressees; the answer clock runs; "
              "no addressee has reacted yet."),
        State("awaiting_answers", "awaiting answers", "Some addressees have reacted; "
              "required answers are still outstanding."),
        State("follow_up_requested", "follow-up requested", "The committee put a follow-up "
              "question; new answers are awaited."),
        State("answered", "answered", "Every required addressee has answered, declined or "
              "been waived; the committee has to assess."),
        State("under_assessment", "under assessment", "The committee is assessing the answers."),
        State("monitoring", "monitoring implementation", "The answers were satisfactory; "
              "the committee follows the implementation."),
        State("closed", "closed", "Closed with a reason."),
        State("reopened", "reopened", "A closed case opened again by the Parliament side."),
    ),
    triggers=(
        Trigger("transmit", "transmit to the addressees", ("adopted",), "transmitted", SEC,
                (HAS_REQUIRED,), params=("transmitted_on",),
                description="Starts every addressee's answer clock."),
        Trigger("receive_reaction", "register a first reaction",
                ("transmitted", "follow_up_requested"), "awaiting_answers",
                frozenset({SYSTEM}), (SOME_REACTION,),
                description="Aggregation: some, not all, required answers are in."),
        Trigger("complete_answers", "register that all answers are in",
                ("transmitted", "awaiting_answers", "follow_up_requested"), "answered",
                frozenset({SYSTEM}), (ALL_DONE,),
                description="Aggregation: every required addressee answered, declined or "
                            "was waived."),
        Trigger("start_assessment", "start the assessment", ("answered", "reopened"),
                "under_assessment", SEC, params=("reason",)),
        Trigger("request_follow_up", "request a follow-up",
                ("under_assessment", "monitoring", "reopened"), "follow_up_requested", SEC,
                (SOMEONE_REPLIED,), needs_reason=True,
                params=("reason", "addressees", "deadline_rule"),
                description="Unsatisfactory answers: a follow-up question goes to chosen "
                            "addressees and the case awaits their new answers."),
        Trigger("start_monitoring", "monitor the implementation",
                ("under_assessment", "reopened"), "monitoring", SEC, params=("reason",)),
        Trigger("close", "close the case",
                ("transmitted", "awaiting_answers", "follow_up_requested", "answered",
                 "under_assessment", "monitoring", "reopened"), "closed", SEC, (ASSESSED,),
                needs_reason=True, params=("closure_reason", "reason"),
                description="Closure is decided by the Parliament side, never by an addressee."),
        Trigger("reopen", "reopen the case", ("closed",), "reopened", SEC, needs_reason=True,
                params=("reason",)),
    ),
    terminal=("closed",),
    describe=lambda rec: {"doc": rec.doc_number},
)

# ---------------------------------------------------------------------------
# The answer lifecycle of one addressee on one case

_OPEN = ("pending", "interim_reply")  # no final reply yet
_ALL_ANSWER_STATES = ("pending", "interim_reply", "answered", "declined", "waived")
_REPLY = ("position", "text_nl", "text_fr", "letter_date", "received_on", "reason")

ANSWER = Lifecycle(
    name="answer",
    initial="pending",
    states=(
        State("pending", "pending", "No reply yet."),
        State("interim_reply", "interim reply received", "An interim reply; the final answer "
              "is still due."),
        State("answered", "answered", "A final answer with a position."),
        State("declined", "declined", "The addressee declined to answer."),
        State("waived", "waived", "Covered by a collective Committee of Ministers answer."),
    ),
    triggers=(
        Trigger("submit_interim", "submit an interim reply", _OPEN, "interim_reply", ANSWERERS,
                (OPEN_FOR_ANSWERS,), params=_REPLY, reply_kind="interim"),
        Trigger("submit_answer", "submit the final answer", _OPEN, "answered", ANSWERERS,
                (OPEN_FOR_ANSWERS,), params=_REPLY, reply_kind="final"),
        Trigger("decline", "decline to answer", _OPEN, "declined", ANSWERERS,
                (OPEN_FOR_ANSWERS,), needs_reason=True, params=_REPLY, reply_kind="declined"),
        Trigger("waive", "waive the answer", _OPEN, "waived", SEC,
                (OPEN_FOR_ANSWERS, COLLECTIVE_ANSWERED), needs_reason=True, params=("reason",)),
        Trigger("ask_again", "ask this addressee again", ("answered", "declined", "waived"),
                "pending", frozenset({SYSTEM}), (FOLLOW_UP_CASE,), needs_reason=True,
                fired_by="request_follow_up",
                description="Fired by the recommendation's follow-up request (by the "
                            "secretariat): a new answer becomes due."),
        # The deadline actions: the answer's state stays, its due date moves.
        Trigger("grant_extension", "grant an extension", _OPEN, None, SEC,
                (TRANSMITTED, OPEN_FOR_ANSWERS), needs_reason=True,
                params=("new_date", "days", "reason"), wrong_state=ANSWER_OUTSTANDING,
                description="A new due date, or extra days; grants an open request for more "
                            "time."),
        Trigger("request_extension", "ask for more time", _OPEN, None, ANSWERERS,
                (TRANSMITTED, OPEN_FOR_ANSWERS, ONE_OPEN_REQUEST), needs_reason=True,
                params=("requested_date", "reason"), wrong_state=ANSWER_OUTSTANDING,
                description="The addressee asks for more time; the secretariat decides."),
        Trigger("refuse_extension", "refuse the request for more time", _ALL_ANSWER_STATES,
                None, SEC, (REQUEST_OPEN,), needs_reason=True, params=("request", "reason"),
                description="The due date stays."),
        Trigger("stop_clock", "stop the clock", _OPEN, None, SEC,
                (TRANSMITTED, OPEN_FOR_ANSWERS, CLOCK_RUNS), needs_reason=True,
                params=("start", "reason"), wrong_state=ANSWER_OUTSTANDING,
                description="E.g. while a Committee of Ministers decision is awaited; the "
                            "answer is not overdue while stopped."),
        Trigger("resume_clock", "resume the clock", _ALL_ANSWER_STATES, None, SEC,
                (CLOCK_STOPPED,), params=("end", "reason"),
                description="The due date moves by the working days stopped."),
    ),
    describe=lambda entry: {"addressee": entry.addressee_code,
                            "doc": entry.recommendation.doc_number},
)

LIFECYCLES = {RECOMMENDATION.name: RECOMMENDATION, ANSWER.name: ANSWER}

# The answer states a final reply is still awaited from (pending, interim reply): where
# the final answer can still be submitted.
ANSWER_OPEN: tuple[str, ...] = ANSWER.trigger("submit_answer").sources

# The type of every parameter a trigger declares (``Trigger.params``): what the CLI parses,
# what the API's schemas validate; a test checks that each declared parameter has one.
PARAM_KINDS: dict[str, str] = {
    "reason": "text", "closure_reason": "text", "deadline_rule": "text", "position": "text",
    "text_nl": "text", "text_fr": "text", "addressees": "list",
    "transmitted_on": "date", "letter_date": "date", "received_on": "date",
    "new_date": "date", "requested_date": "date", "start": "date", "end": "date",
    "days": "int", "request": "int",
}

# The kinds of reply an addressee sends, and the trigger each fires.
REPLY_TRIGGERS: dict[str, str] = {t.reply_kind: t.name for t in ANSWER.triggers
                                  if t.reply_kind}
