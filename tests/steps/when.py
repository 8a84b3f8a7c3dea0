"""When steps of the specs (pytest-bdd).

Each When step is one request: it goes through ``context.attempt``, which commits
it when it works and rolls it back, remembering the refusal, when it does not.
"""

from __future__ import annotations

from pytest_bdd import when
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.steps.given import (
    at,
    close,
    fire,
    follow_up,
    key,
    register,
    reply,
    step,
    transmit,
    waive,
)
from workflow import dispatch, history
from workflow.cases import catalogue, due_dates, transitions
from workflow.models import Event

SEC = "the secretariat"

# ---------------------------------------------------------------------------
# Registering and transmitting


@when(step('the secretariat registers recommendation "{doc}" adopted on {adopted:Date} '
           'for {codes:Codes} with the deadline rule "{rule}" on {day:Date}'))
def register_recommendation(context, doc, adopted, codes, rule, day):
    context.attempt(lambda: register(context, doc, adopted, dict.fromkeys(codes, True),
                                     rule=rule, day=day))


@when(step("{who:Who} transmits the recommendation on {day:Date}"))
def transmit_recommendation(context, who, day):
    context.attempt(lambda: transmit(context, who, day))


@when(step("the secretariat transmits the recommendation on {day:Date}, sent on {sent:Date}"))
def transmit_backdated(context, day, sent):
    context.attempt(lambda: transmit(context, SEC, day, sent))


# ---------------------------------------------------------------------------
# Answers


@when(step("{who:Who} sends an interim reply for {code:Code} on {day:Date}"))
def send_interim(context, who, code, day):
    context.attempt(lambda: reply(context, who, code, "interim", day))


@when(step('{who:Who} sends the final answer for {code:Code} on {day:Date} '
           'with the position "{position}"'))
def send_final(context, who, code, day, position):
    context.attempt(lambda: reply(context, who, code, "final", day, position=position))


@when(step("{who:Who} sends the final answer for {code:Code} on {day:Date} without a position"))
def send_final_without_position(context, who, code, day):
    context.attempt(lambda: reply(context, who, code, "final", day))


@when(step('{who:Who} declines to answer for {code:Code} on {day:Date} because "{reason}"'))
def decline(context, who, code, day, reason):
    context.attempt(lambda: reply(context, who, code, "declined", day, reason=reason))


@when(step("{who:Who} declines to answer for {code:Code} on {day:Date} without giving a reason"))
def decline_without_reason(context, who, code, day):
    context.attempt(lambda: reply(context, who, code, "declined", day))


@when(step('the secretariat records the paper answer of {code:Code} on {day:Date}: received on '
           '{received:Date}, letter dated {letter:Date}, position "{position}"'))
def record_paper_answer(context, code, day, received, letter, position):
    context.attempt(lambda: reply(context, SEC, code, "final", day, position=position,
                                  received=received, letter=letter))


@when(step('{who:Who} waives the answer of {code:Code} on {day:Date} because "{reason}"'))
def waive_answer(context, who, code, day, reason):
    context.attempt(lambda: waive(context, who, code, day, reason))


@when(step('{who:Who} chooses the action "{action:Action}" for the answer of {code:Code} '
           'on {day:Date}'))
def choose_answer_action(context, who, action, code, day):
    context.attempt(lambda: dispatch.fire(
        context.session, context.actor(who), context.rec, action, addressee=code, now=at(day),
        reason="Gevraagd door de commissie"))


# ---------------------------------------------------------------------------
# Moving the case


@when(step('{who:Who} chooses the action "{action:Action}" on {day:Date}'))
def choose_action(context, who, action, day):
    context.attempt(lambda: fire(context, who, action, day))


@when(step("{who:Who} starts the assessment on {day:Date}"))
def start_assessment(context, who, day):
    context.attempt(lambda: fire(context, who, "start_assessment", day))


@when(step("{who:Who} starts monitoring the implementation on {day:Date}"))
def start_monitoring(context, who, day):
    context.attempt(lambda: fire(context, who, "start_monitoring", day))


@when(step('{who:Who} requests a follow-up from {codes:Codes} on {day:Date}: "{question}"'))
def request_follow_up(context, who, codes, day, question):
    context.attempt(lambda: follow_up(context, who, codes, day, question))


@when(step('{who:Who} requests a follow-up from {codes:Codes} on {day:Date}: ""'))
def request_follow_up_without_question(context, who, codes, day):
    context.attempt(lambda: follow_up(context, who, codes, day, ""))


@when(step('{who:Who} requests a follow-up from nobody on {day:Date}: "{question}"'))
def request_follow_up_from_nobody(context, who, day, question):
    context.attempt(lambda: follow_up(context, who, [], day, question))


@when(step('{who:Who} closes the recommendation as "{reason}" on {day:Date}'))
def close_recommendation(context, who, reason, day):
    context.attempt(lambda: close(context, who, reason, day))


@when(step('{who:Who} closes the recommendation as "{reason}" on {day:Date} because "{why}"'))
def close_recommendation_because(context, who, reason, day, why):
    context.attempt(lambda: close(context, who, reason, day, why))


@when(step('the secretariat closes the recommendation as "{reason}" on {day:Date} '
           'from the version it has open'))
def close_from_open_version(context, reason, day):
    context.attempt(lambda: dispatch.fire(
        context.session, context.actor(SEC), context.rec, "close", closure_reason=key(reason),
        expected_version=context.noted_version, now=at(day)))


@when(step('{who:Who} reopens the recommendation on {day:Date} because "{why}"'))
def reopen(context, who, day, why):
    context.attempt(lambda: transitions.reopen(context.session, context.actor(who), context.rec,
                                               reason=why, now=at(day)))


@when(step("{who:Who} reopens the recommendation on {day:Date} without a reason"))
def reopen_without_reason(context, who, day):
    context.attempt(lambda: transitions.reopen(context.session, context.actor(who), context.rec,
                                               reason="", now=at(day)))


# ---------------------------------------------------------------------------
# Deadlines


@when(step('{who:Who} grants {code:Code} an extension of {days:d} days on {day:Date} '
           'because "{why}"'))
def extend_by_days(context, who, code, days, day, why):
    context.attempt(lambda: due_dates.grant_extension(
        context.session, context.actor(who), context.entry(code), reason=why, days=days,
        now=at(day)))


@when(step('{who:Who} grants {code:Code} an extension to {new:Date} on {day:Date} '
           'because "{why}"'))
def extend_to_date(context, who, code, new, day, why):
    context.attempt(lambda: due_dates.grant_extension(
        context.session, context.actor(who), context.entry(code), reason=why, new_date=new,
        now=at(day)))


@when(step('{who:Who} stops the clock of {code:Code} as from {start:Date} on {day:Date} '
           'because "{why}"'))
def stop_clock_from(context, who, code, start, day, why):
    context.attempt(lambda: due_dates.stop_clock(
        context.session, context.actor(who), context.entry(code), start=start, reason=why,
        now=at(day)))


@when(step('{who:Who} stops the clock of {code:Code} on {day:Date} because "{why}"'))
def stop_clock(context, who, code, day, why):
    stop_clock_from(context, who, code, day, day, why)


@when(step("{who:Who} resumes the clock of {code:Code} on {day:Date}, the last stopped day "
           'being {end:Date}, because "{why}"'))
def resume_clock(context, who, code, day, end, why):
    context.attempt(lambda: due_dates.resume_clock(
        context.session, context.actor(who), context.entry(code), end=end, reason=why,
        now=at(day)))


@when(step('{who:Who} asks for more time for {code:Code} until {until:Date} on {day:Date} '
           'because "{why}"'))
def ask_for_more_time(context, who, code, until, day, why):
    context.attempt(lambda: due_dates.request_extension(
        context.session, context.actor(who), context.entry(code), requested_date=until,
        reason=why, now=at(day)))


@when(step('the secretariat refuses the request for more time of {code:Code} on {day:Date} '
           'because "{why}"'))
def refuse_more_time(context, code, day, why):
    request = context.entry(code).extension_requests[-1]  # the latest request
    context.attempt(lambda: due_dates.refuse_extension(
        context.session, context.actor(SEC), request, reason=why, now=at(day)))


@when(step('{who:Who} declares {closed:Date} a closing day of {code:Code} on {day:Date} '
           'because "{note}"'))
def declare_closing_day(context, who, closed, code, day, note):
    context.attempt(lambda: catalogue.set_closing_day(
        context.session, context.actor(who), code, closed, note=note, now=at(day)))


@when(step('the secretariat recomputes the due date of {code:Code} on {day:Date} '
           'because "{why}"'))
def recompute_due_date(context, code, day, why):
    context.attempt(lambda: due_dates.recompute_due_date(
        context.session, context.actor(SEC), context.entry(code), reason=why, now=at(day)))


# ---------------------------------------------------------------------------
# The addressee catalogue


@when(step('the addressee catalogue is loaded with {code:Code} on the holiday calendar of '
           'country "{country}" subdivision "{subdivision}"'))
def load_catalogue(context, code, country, subdivision):
    entry = next(item for item in catalogue.load_catalogue() if item["code"] == code)
    entry = {**entry, "calendar": {"country": country, "subdivision": subdivision or None}}
    context.attempt(lambda: catalogue.sync_addressees(context.session, [entry]))


@when(step('the addressee catalogue is loaded with {code:Code} on the holiday calendar of '
           'country "{country}" without subdivision'))
def load_catalogue_country(context, code, country):
    load_catalogue(context, code, country, "")


# ---------------------------------------------------------------------------
# History: verification, tampering, looking back


@when(step("the auditor verifies the history"))
def verify(context):
    context.settled()
    context.verification = history.verify_history(context.session)


@when(step("the auditor verifies the history against the head noted earlier"))
def verify_against_head(context):
    context.settled()
    context.verification = history.verify_history(context.session, context.noted_head)


@when(step("the auditor looks at the recommendation as it stood on {day:Date} at {clock:Time}"))
def look_back(context, day, clock):
    context.settled()
    context.snapshot = history.state_as_of(context.session, context.rec.id, at(day, clock))


def _load_event(context, seq: int) -> Event:
    return context.session.scalars(select(Event).where(Event.seq == seq)).one()


@when(step('someone changes the reason of event {seq:d} to "{reason}" through the application'))
def change_event_in_app(context, seq, reason):
    def change():
        _load_event(context, seq).reason = reason
        context.session.flush()

    context.attempt(change)


@when(step("someone deletes event {seq:d} through the application"))
def delete_event_in_app(context, seq):
    def delete():
        context.session.delete(_load_event(context, seq))
        context.session.flush()

    context.attempt(delete)


def _raw(context, sql: str) -> None:
    """Plain SQL on the database, as someone bypassing the application would run it."""
    context.settled()
    try:
        context.session.execute(text(sql))
        context.session.commit()
        context.database_error = None
    except DBAPIError as exc:
        context.session.rollback()
        context.database_error = str(exc.orig)


@when(step('someone runs a plain database update of the reason of event {seq:d} to "{reason}"'))
def raw_update(context, seq, reason):
    _raw(context, f"UPDATE event SET reason = '{reason}' WHERE seq = {seq:d}")


@when(step("someone runs a plain database delete of event {seq:d}"))
def raw_delete(context, seq):
    _raw(context, f"DELETE FROM event WHERE seq = {seq:d}")


def _tamper(context, sql: str, sqlite_trigger: str) -> None:
    """An attacker with direct database access: switch the append-only trigger off, change
    the table, (PostgreSQL: switch the trigger back on in the same transaction)."""
    context.settled()
    session = context.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE event DISABLE TRIGGER event_no_update_delete"))
        session.execute(text(sql))
        session.execute(text("ALTER TABLE event ENABLE TRIGGER event_no_update_delete"))
    else:
        session.execute(text(f"DROP TRIGGER {sqlite_trigger}"))
        session.execute(text(sql))
    session.commit()
    session.expire_all()


@when(step('an attacker with direct database access changes the reason of event {seq:d} '
           'to "{reason}"'))
def tamper_update(context, seq, reason):
    _tamper(context, f"UPDATE event SET reason = '{reason}' WHERE seq = {seq:d}",
            "event_no_update")


@when(step("an attacker with direct database access deletes event {seq:d}"))
def tamper_delete(context, seq):
    _tamper(context, f"DELETE FROM event WHERE seq = {seq:d}", "event_no_delete")


@when(step("an attacker with direct database access deletes the newest event"))
def tamper_delete_newest(context):
    newest = context.session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1))
    tamper_delete(context, newest)
