"""Then steps of the specs (pytest-bdd). Each asserts concrete values."""

from __future__ import annotations

import json
from datetime import date, time

from pytest_bdd import then
from sqlalchemy import select

from tests.steps.given import (
    answer_state,
    at,
    count_events,
    database_contents,
    key,
    recommendation_state,
    step,
    table,
)
from workflow import deadlines, history
from workflow.actors import SYSTEM_ACTOR
from workflow.cases import due_dates as due_dates_ops
from workflow.cases import scope
from workflow.lifecycle import RECOMMENDATION
from workflow.models import Addressee, Event, Recommendation

# ---------------------------------------------------------------------------
# States


@then(step('the recommendation is "{label}"'))
def recommendation_is(context, label):
    context.settled()
    assert context.rec.state == recommendation_state(label)


@then(step('the recommendation is closed as "{reason}"'))
def recommendation_closed_as(context, reason):
    context.settled()
    assert (context.rec.state, context.rec.closure_reason) == ("closed", key(reason))


@then(step("the recommendation has no closure reason"))
def no_closure_reason(context):
    context.settled()
    assert (context.rec.closure_reason, context.rec.closed_at) == (None, None)


@then(step('the answer of {code:Code} is "{label}"'))
def answer_is(context, code, label):
    context.settled()
    assert context.entry(code).state == answer_state(label)


@then(step('the answer of {code:Code} is "{label}" with the position "{position}"'))
def answer_with_position(context, code, label, position):
    context.settled()
    entry = context.entry(code)
    assert (entry.state, entry.position) == (answer_state(label), key(position))


@then(step("the answers stand as follows:"))
def answers_stand(context, datatable):
    context.settled()
    expected = [(row["addressee"], answer_state(row["answer"]), key(row["position"]) or None)
                for row in table(datatable)]
    found = [(e.addressee_code, e.state, e.position) for e in context.rec.addressees]
    assert found == expected


@then(step("{who:Who} may now choose:"))
def may_choose(context, who, datatable):
    context.settled()
    expected = [(row["action"], row["addressee"] or None) for row in table(datatable)]
    found = [(a.name, a.addressee_code)
             for a in scope.available_triggers(context.rec, context.actor(who))]
    assert found == expected


@then(step("{who:Who} may now choose nothing"))
def may_choose_nothing(context, who):
    context.settled()
    assert scope.available_triggers(context.rec, context.actor(who)) == []


@then(step('the system may not "{trigger:Action}" because of the rule "{rule}"'))
def system_may_not(context, trigger, rule):
    context.settled()
    refused = RECOMMENDATION.refusal(context.rec, RECOMMENDATION.trigger(trigger),
                                     SYSTEM_ACTOR.role, {})
    assert refused is not None, f"the system may {trigger} now"
    assert refused.rule == rule


# ---------------------------------------------------------------------------
# Refusals


def _refused(context, code: str):
    error = context.refusal()
    assert error.code == code, f"refused as {error.code} ({error.message}), not as {code}"
    return error


@then(step('it is refused as "{code}" with the message "{message}"'))
def refused_with(context, code, message):
    assert _refused(context, code).message == message


@then(step('it is refused as "{code}" with the message:'))
def refused_with_docstring(context, code, docstring):
    assert _refused(context, code).message == docstring.strip()


@then(step('it is refused as "{code}" with a message starting "{prefix}"'))
def refused_starting(context, code, prefix):
    message = _refused(context, code).message
    assert message.startswith(prefix), message


@then(step('the message ends with "{suffix}"'))
def message_ends(context, suffix):
    message = context.refusal().message
    assert message.endswith(suffix), message


@then(step('the refusal names the rule "{rule}"'))
def refusal_rule(context, rule):
    assert context.refusal().rule == rule


@then(step('the refusal points at the field "{field}"'))
def refusal_field(context, field):
    assert context.refusal().field == field


@then(step("nothing is written"))
def nothing_written(context):
    context.refusal()
    before = context.before
    assert context.events_in_refused_request == before["events"], (
        f"the refused request had written {context.events_in_refused_request - before['events']}"
        " history event(s) before it was refused"
    )
    assert database_contents(context.session) == before


@then(step("no recommendation {doc:Doc} is registered"))
def not_registered(context, doc):
    found = context.session.scalar(select(Recommendation.id)
                                   .where(Recommendation.doc_number == doc))
    assert found is None


@then(step('{code:Code} still counts its working days on the holiday calendar of country '
           '"{country}" subdivision "{subdivision}"'))
def calendar_kept(context, code, country, subdivision):
    row = context.session.get(Addressee, code)
    context.session.refresh(row)
    assert (row.holiday_country, row.holiday_subdivision) == (country, subdivision or None)


@then(step('{code:Code} still counts its working days on the holiday calendar of country '
           '"{country}" without subdivision'))
def calendar_kept_country(context, code, country):
    calendar_kept(context, code, country, "")


# ---------------------------------------------------------------------------
# Deadlines


def _due_words(entry) -> str:
    local = entry.due_at.astimezone(deadlines.BRUSSELS)
    return f"{deadlines.format_date(local.date())} at {local:%H:%M}"


@then(step("the answer of {code:Code} is due on {due}"))
def due_on(context, code, due):
    context.settled()
    assert _due_words(context.entry(code)) == due


@then(step("the answer of {code:Code} is due at {clock:Time} UTC"))
def due_utc(context, code, clock):
    context.settled()
    due = context.entry(code).due_at
    assert (due.utcoffset().total_seconds(), due.hour, due.minute) == (0, clock.hour,
                                                                       clock.minute)


@then(step("the due dates are:"))
def due_dates(context, datatable):
    context.settled()
    expected = [(row["addressee"], row["due"]) for row in table(datatable)]
    found = [(code, _due_words(context.entry(code))) for code, _ in expected]
    assert found == expected


@then(step("the answer of {code:Code} has no due date"))
def no_due_date(context, code):
    context.settled()
    assert context.entry(code).due_at is None


def _explained(entry) -> list[str]:
    """The explanation's steps in the workflow's English (the pages word them per language)."""
    return [step.text() for step in due_dates_ops.explain_due(entry)]


@then(step("the due date of {code:Code} is explained as:"))
def explained_as(context, code, docstring):
    context.settled()
    assert _explained(context.entry(code)) == docstring.strip().splitlines()


@then(step("the explanation of the due date of {code:Code} ends with:"))
def explanation_ends(context, code, docstring):
    context.settled()
    expected = docstring.strip().splitlines()
    assert _explained(context.entry(code))[-len(expected):] == expected


@then(step('the explanation of the due date of {code:Code} includes "{line}"'))
def explanation_includes(context, code, line):
    context.settled()
    assert line in _explained(context.entry(code))


@then(step("the deadline of {code:Code} stands as follows:"))
def deadline_stands(context, code, datatable):
    context.settled()
    entry = context.entry(code)
    expected, found = [], []
    for row in table(datatable):
        day, clock = row["on"].split(" at ")
        moment = at(date.fromisoformat(day), time.fromisoformat(clock))
        status = due_dates_ops.deadline_status(entry, moment)
        expected.append((row["on"], key(row["status"]), int(row["days overdue"]),
                         row["next reminder"] or None))
        found.append((row["on"], status.status, status.days_overdue,
                      status.next_reminder.isoformat() if status.next_reminder else None))
    assert found == expected


@then(step('on {day:Date} at {clock:Time} the deadline of {code:Code} is "{status}"'))
def deadline_is(context, day, clock, code, status):
    context.settled()
    assert due_dates_ops.deadline_status(context.entry(code), at(day, clock)).status == key(status)


@then(step("the stored due dates waiting to be recomputed are:"))
def stale(context, datatable):
    context.settled()
    expected = [(row["recommendation"], row["addressee"], row["stored"], row["recomputed"])
                for row in table(datatable)]
    found = []
    for entry, fresh in due_dates_ops.stale_due_dates(context.session):
        found.append((entry.recommendation.doc_number, entry.addressee_code, _due_words(entry),
                      f"{deadlines.format_date(fresh.due_date)} at 17:00"))
    assert found == expected


@then(step("no stored due date is waiting to be recomputed"))
def nothing_stale(context):
    context.settled()
    assert due_dates_ops.stale_due_dates(context.session) == []


@then(step('the request for more time of {code:Code} is "{status}"'))
def request_status(context, code, status):
    context.settled()
    assert [r.status for r in context.entry(code).extension_requests][-1] == status


@then(step("the answer of {code:Code} was received on {received:Date} in a letter dated "
           "{letter:Date}"))
def received(context, code, received, letter):
    context.settled()
    entry = context.entry(code)
    answer = entry.answers[-1]
    assert (answer.status, answer.received_on, answer.letter_date, entry.answered_on) == (
        "submitted", received, letter, received)


@then(step("the answer of {code:Code} was received on {received:Date}, the day it was sent, "
           "without a letter date"))
def received_online(context, code, received):
    context.settled()
    entry = context.entry(code)
    answer = entry.answers[-1]
    assert (answer.status, answer.received_on, answer.submitted_at.date(), answer.letter_date,
            entry.answered_on) == ("submitted", received, received, None, received)


# ---------------------------------------------------------------------------
# History

COLUMNS = {
    "actor": lambda ev: ev.actor,
    "role": lambda ev: ev.actor_role,
    "organisation": lambda ev: ev.actor_org,
    "action": lambda ev: ev.action,
    "addressee": lambda ev: ev.addressee_code or "",
    "from": lambda ev: ev.from_state or "",
    "to": lambda ev: ev.to_state or "",
    "reason": lambda ev: ev.reason,
    "effective": lambda ev: f"{ev.effective_at.astimezone(deadlines.BRUSSELS):%Y-%m-%d %H:%M}",
    "recorded": lambda ev: f"{ev.recorded_at.astimezone(deadlines.BRUSSELS):%Y-%m-%d %H:%M}",
}


def _case_events(context) -> list[Event]:
    return list(context.session.scalars(
        select(Event).where(Event.recommendation_id == context.rec.id).order_by(Event.seq)))


def _rows(events, header):
    return [tuple(COLUMNS[column](ev) for column in header) for ev in events]


@then(step("the history of the recommendation is:"))
def history_is(context, datatable):
    context.settled()
    header, *rows = datatable
    assert _rows(_case_events(context), header) == [tuple(r) for r in rows]


@then(step("the history of the recommendation ends with:"))
def history_ends(context, datatable):
    context.settled()
    header, *rows = datatable
    assert _rows(_case_events(context)[-len(rows):], header) == [tuple(r) for r in rows]


@then(step("the last event names {user} as its cause"))
def caused_by(context, user):
    context.settled()
    last = _case_events(context)[-1]
    assert (last.actor, last.data) == ("system", {"caused_by": user})


@then(step("the last event moved the due date of {code:Code} from {old} to {new}"))
def event_moved_due(context, code, old, new):
    context.settled()
    data = _case_events(context)[-1].data
    assert (data["old_due_at"], data["due_at"]) == (old, {code: new})


@then(step("{n:d} events are recorded"))
def events_recorded(context, n):
    context.settled()
    assert count_events(context.session) == n


@then(step("the history is intact with {n:d} events"))
def intact(context, n):
    v = context.verification
    assert (v.ok, v.checked, v.broken_seq, v.problem) == (True, n, None, "")
    assert v.describe() == f"history intact: {n} events, head {v.head}"


@then(step('the history is broken at event {seq:d}: "{problem}"'))
def broken(context, seq, problem):
    v = context.verification
    assert (v.ok, v.broken_seq, v.problem) == (False, seq, problem)


@then(step("{n:d} events were checked before the break"))
def checked_before_break(context, n):
    assert context.verification.checked == n


@then(step('the verification expected "{expected}" and found "{found}"'))
def expected_found(context, expected, found):
    assert (context.verification.expected, context.verification.found) == (expected, found)


@then(step("the stored hash of event {seq:d} no longer matches its content"))
def hash_mismatch(context, seq):
    ev = context.session.scalars(select(Event).where(Event.seq == seq)).one()
    v = context.verification
    assert (v.found, v.expected) == (ev.hash, history.chain_hash(ev.prev_hash,
                                                                 history.canonical(ev)))
    assert v.expected != v.found


@then(step('the database refuses with "{message}"'))
def database_refuses(context, message):
    assert context.database_error is not None, "the database accepted the change"
    assert message in context.database_error


@then(step("event {seq:d} still has no reason"))
def event_without_reason(context, seq):
    context.session.expire_all()
    ev = context.session.scalars(select(Event).where(Event.seq == seq)).one()
    assert ev.reason == ""


@then(step('it stood at "{label}"'))
def stood_at(context, label):
    assert context.snapshot.state == recommendation_state(label)


@then(step('the answer of {code:Code} stood at "{label}"'))
def answer_stood_at(context, code, label):
    assert context.snapshot.addressees[code]["state"] == answer_state(label)


@then(step("the snapshot was rebuilt from {n:d} events"))
def snapshot_events(context, n):
    assert context.snapshot.events == n


def _payload_has(ev: Event, docstring: str) -> None:
    expected = json.loads(docstring)
    assert {k: ev.data.get(k) for k in expected} == expected


@then(step("the history payload of event {seq:d} records:"))
def payload_records(context, seq, docstring):
    context.settled()
    _payload_has(context.session.scalars(select(Event).where(Event.seq == seq)).one(), docstring)


@then(step("the history payload of the last event records:"))
def last_payload_records(context, docstring):
    context.settled()
    _payload_has(_case_events(context)[-1], docstring)
