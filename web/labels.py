"""Every label of the domain shown to a person, translated, in one place.

The lifecycle declares states and triggers in English; the pages show them
through these mappings (a test checks that every state and trigger has one).
Also the Jinja filters for dates in the user's language (Europe/Brussels).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

RECOMMENDATION_STATES = {
    "adopted": _l("adopted"),
    "transmitted": _l("transmitted"),
    "awaiting_answers": _l("awaiting answers"),
    "follow_up_requested": _l("follow-up requested"),
    "answered": _l("answered"),
    "under_assessment": _l("under assessment"),
    "monitoring": _l("monitoring implementation"),
    "closed": _l("closed"),
    "reopened": _l("reopened"),
}

ANSWER_STATES = {
    "pending": _l("pending"),
    "interim_reply": _l("interim reply received"),
    "answered": _l("answered"),
    "declined": _l("declined"),
    "waived": _l("waived"),
}

TRIGGERS = {
    # recommendation
    "transmit": _l("Transmit to the addressees"),
    "receive_reaction": _l("Register a first reaction"),
    "complete_answers": _l("Register that all answers are in"),
    "start_assessment": _l("Start the assessment"),
    "request_follow_up": _l("Request a follow-up"),
    "start_monitoring": _l("Monitor the implementation"),
    "close": _l("Close the case"),
    "reopen": _l("Reopen the case"),
    # answer
    "submit_interim": _l("Submit an interim reply"),
    "submit_answer": _l("Submit the final answer"),
    "decline": _l("Decline to answer"),
    "waive": _l("Waive the answer"),
    "ask_again": _l("Ask this addressee again"),
}

# Event actions that are not lifecycle triggers.
ACTIONS = {
    "register": _l("registered"),
    "edit": _l("edited"),
    "publish": _l("published"),
    "unpublish": _l("unpublished"),
    "grant_extension": _l("extension granted"),
    "refuse_extension": _l("extension refused"),
    "request_extension": _l("more time requested"),
    "stop_clock": _l("clock stopped"),
    "resume_clock": _l("clock resumed"),
    "recompute_due": _l("due date recomputed"),
    "set_closing_day": _l("closing day set"),
    "remove_closing_day": _l("closing day removed"),
}

POSITIONS = {
    "agrees": _l("agrees"),
    "partly_agrees": _l("partly agrees"),
    "disagrees": _l("disagrees"),
    "takes_note": _l("takes note"),
}

CLOSURE_REASONS = {
    "implemented": _l("implemented"),
    "no_action_needed": _l("no action needed"),
    "not_implemented": _l("not implemented / rejected"),
    "superseded": _l("superseded by a later recommendation or a Committee of Ministers "
                     "decision"),
    "lapsed": _l("lapsed / no further action"),
    "no_reply_possible": _l("no reply possible"),
}

REPLY_KINDS = {
    "final": _l("final answer"),
    "interim": _l("interim reply"),
    "declined": _l("declined to answer"),
}

DEADLINE_STATUS = {
    "no_deadline": _l("no deadline"),
    "on_time": _l("on time"),
    "reminder": _l("due soon"),
    "overdue": _l("overdue"),
    "very_overdue": _l("very overdue"),
    "paused": _l("clock stopped"),
}

ROLES = {
    "secretariat": _l("secretariat"),
    "ministry": _l("ministry"),
    "auditor": _l("auditor"),
    "system": _l("system"),
}

RULE_KINDS = {
    "months": _l("months"),
    "calendar_days": _l("calendar days"),
    "working_days": _l("working days"),
    "fixed_date": _l("fixed date"),
}

EXTENSION_STATUS = {
    "open": _l("waiting for a decision"),
    "granted": _l("granted"),
    "refused": _l("refused"),
}


# The lifecycle's and the operations' refusal rules, worded for the user. The
# workflow words its errors in English with the values filled in; the pages show
# these instead in Dutch and French (English keeps the workflow's own words).
RULES = {
    "assessed_before_closure": _l(
        "The committee has not assessed the answers: before assessment a case can only be "
        "closed as superseded, lapsed or no reply possible."),
    "required_addressee": _l("The recommendation has no required addressee; add one first."),
    "all_required_answered": _l(
        "Not every required addressee has answered, declined or been waived yet."),
    "some_reaction": _l("No addressee has reacted yet, or all have already answered."),
    "case_accepts_answers": _l(
        "The recommendation is not awaiting answers (not yet transmitted, or answered, under "
        "assessment or closed)."),
    "collective_answer_covers": _l(
        "The Committee of Ministers has not given a collective answer on this case."),
    "final_reply_given": _l("The addressee has not given a final reply to follow up on."),
    "follow_up_requested_by_committee": _l(
        "A follow-up question is put through the recommendation (request a follow-up)."),
    "transmitted": _l("The recommendation has not been transmitted yet."),
    "answer_outstanding": _l("This addressee has already given its final reply."),
    "clock_running": _l("The clock is already stopped."),
    "clock_stopped": _l("The clock is not stopped."),
    "one_open_request": _l("A request for more time is already waiting for a decision."),
    "open_request": _l("This request was already decided."),
    "draft_only": _l("Attachments are added to a draft, before it is submitted."),
    "date_in_future": _l("This date is in the future."),
    "date_before_latest_event": _l(
        "This date is before the latest event of the case; events are recorded in the order "
        "they happened."),
    "before_adoption": _l("This date is before the recommendation was adopted."),
    "before_transmission": _l("This date is before the recommendation was sent."),
    "letter_after_receipt": _l("The date on the letter is after the date it was received."),
    "position_required": _l("A final answer needs a position."),
    "text_required": _l("Give the text of the reply in Dutch, French or both."),
    "title_required": _l("Give the title in Dutch, French or both."),
    "due_after_adoption": _l("The due date is not after the adoption date."),
    "addressee_required": _l("Choose at least one addressee."),
    "closure_reason": _l("Unknown closure reason."),
    "required": _l("This field is required."),
    "too_long": _l("This text is too long."),
    "submitted_only": _l("Only submitted answers can be published, not drafts."),
    "not_in_import_format": _l(
        "This case's history holds what the import format does not carry (waivers, "
        "follow-up questions, reopening, extensions, stopped clocks, attachments)."),
    "happens_today": _l(
        "A follow-up request cannot be recorded with an earlier date: its answer clocks "
        "start today."),
}


def error_text(exc) -> str:
    """A workflow error in the user's language (the workflow's own words in English)."""
    from flask_babel import get_locale

    if str(get_locale()) == "en":
        return exc.message
    if exc.rule == "role" and "roles" in exc.params:
        roles = ", ".join(_lookup(ROLES, r) for r in exc.params["roles"])
        return _("Only the %(roles)s may do this.", roles=roles)
    if exc.rule == "state" and "allowed" in exc.params:
        label = answer_state_label if exc.params.get("lifecycle") == "answer" else state_label
        return _("Not possible while it is %(state)s; possible only when it is %(allowed)s.",
                 state=label(exc.params["state"]),
                 allowed=", ".join(label(s) for s in exc.params["allowed"]))
    if exc.rule in RULES:
        return str(RULES[exc.rule])
    return exc.message


def _lookup(mapping: dict, name: str | None) -> str:
    if name is None:
        return ""
    return str(mapping.get(name, name.replace("_", " ")))


def state_label(name: str | None) -> str:
    return _lookup(RECOMMENDATION_STATES, name)


def answer_state_label(name: str | None) -> str:
    return _lookup(ANSWER_STATES, name)


def trigger_label(name: str | None) -> str:
    return _lookup(TRIGGERS, name)


def action_label(name: str | None) -> str:
    if name in TRIGGERS:
        return trigger_label(name)
    return _lookup(ACTIONS, name)


def event_state_label(entity: str, name: str | None) -> str:
    return answer_state_label(name) if entity == "answer" else state_label(name)


def rule_label(text: str | None) -> str:
    """'6 months' -> '6 maanden' (the rule stored as canonical English text)."""
    from workflow.deadlines import DeadlineError, DeadlineRule

    if not text:
        return ""
    try:
        rule = DeadlineRule.parse(text)
    except DeadlineError:
        return text
    if rule.kind == "fixed_date":
        return f"{RULE_KINDS['fixed_date']} {format_date(rule.fixed_date, 'medium')}"
    return f"{rule.amount} {RULE_KINDS[rule.kind]}"


def fmt_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        from workflow.deadlines import BRUSSELS

        value = value.astimezone(BRUSSELS).date()
    return format_date(value, fmt)


def fmt_datetime(value: datetime | None, fmt: str | None = None) -> str:
    """Date and time in Brussels; by default the medium date with a short time."""
    if value is None:
        return ""
    if fmt is not None:
        return format_datetime(value, fmt)
    return f"{fmt_date(value)} {format_time(value, 'short')}"


FILTERS = {
    "state_label": state_label,
    "answer_state_label": answer_state_label,
    "trigger_label": trigger_label,
    "action_label": action_label,
    "rule_label": rule_label,
    "position_label": lambda v: _lookup(POSITIONS, v),
    "closure_label": lambda v: _lookup(CLOSURE_REASONS, v),
    "kind_label": lambda v: _lookup(REPLY_KINDS, v),
    "deadline_label": lambda v: _lookup(DEADLINE_STATUS, v),
    "role_label": lambda v: _lookup(ROLES, v),
    "extension_label": lambda v: _lookup(EXTENSION_STATUS, v),
    "date": fmt_date,
    "datetime": fmt_datetime,
}


def init_app(app) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["event_state_label"] = event_state_label


def choices(pairs) -> list:
    """(value, label) pairs as WTForms select choices (SelectChoice since WTForms 3.3)."""
    try:
        from wtforms import SelectChoice
    except ImportError:  # pragma: no cover - older WTForms
        return [(value, label) for value, label in pairs]
    return [SelectChoice(value, label) for value, label in pairs]


def choice_value(choice) -> str:
    return choice.value if hasattr(choice, "value") else choice[0]
