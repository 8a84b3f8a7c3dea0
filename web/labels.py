"""Every label of the domain shown to a person, translated, in one place.

The lifecycle declares states and triggers in English; the pages show them
through these mappings (a test checks that every state and trigger has one).
Also the workflow's refusals and input checks worded from their rule and values
(:func:`error_text`), the due-date explanation worded from its steps
(:func:`explain_step`), and the Jinja filters for dates in the user's language
(Europe/Brussels). Everything is looked up when a page is rendered, never when
a module is imported or a template compiled (see :func:`per_render`).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import format_datetime, format_time, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context

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
    "grant_extension": _l("Grant an extension"),
    "request_extension": _l("Ask for more time"),
    "refuse_extension": _l("Refuse the request for more time"),
    "stop_clock": _l("Stop the clock"),
    "resume_clock": _l("Resume the clock"),
}

# The states of a written question (workflow.questions.models.QUESTION_STATES).
QUESTION_STATES = {
    "asked": _l("awaiting the answer"),
    "answered": _l("answered"),
    "withdrawn": _l("withdrawn"),
}

# The committee's judgement of an answer (workflow.answers.models.JUDGEMENTS).
JUDGEMENTS = {
    "satisfactory": _l("satisfactory"),
    "partly_satisfactory": _l("partly satisfactory"),
    "unsatisfactory": _l("unsatisfactory"),
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
    "remind": _l("reminder sent"),
    "mark_overdue": _l("overdue"),
    "mark_very_overdue": _l("very overdue"),
    "put_on_agenda": _l("put on a session's agenda"),
    "ask_question": _l("written question asked"),
    "answer_question": _l("written question answered"),
    "withdraw_question": _l("written question withdrawn"),
    "correct_texts": _l("texts corrected"),
    "withdraw_reply": _l("reply withdrawn (recorded by mistake)"),
    "remove_attachment": _l("attachment removed from a draft"),
    "remind_question": _l("reminder sent about a written question"),
    "mark_question_overdue": _l("written question overdue"),
    "mark_question_very_overdue": _l("written question very overdue"),
    "assess_answer": _l("answer assessed"),
    "post_comment": _l("comment published"),
    "hide_comment": _l("comment hidden"),
    "publish_answer": _l("answer published"),
    "unpublish_answer": _l("answer withdrawn from publication"),
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

# The letters of a correspondence thread (workflow.answers.correspondence.KINDS).
LETTER_KINDS = {
    "transmitted": _l("Recommendation sent"),
    "follow_up_question": _l("Follow-up question"),
    "interim_reply": _l("Interim reply"),
    "final_answer": _l("Final answer"),
    "declined": _l("Declined to answer"),
    "waived": _l("Covered by the collective answer"),
    "more_time_requested": _l("More time requested"),
    "more_time_granted": _l("More time granted"),
    "more_time_refused": _l("More time refused"),
    "clock_stopped": _l("Clock stopped"),
    "clock_resumed": _l("Clock resumed"),
    "reply_withdrawn": _l("Reply withdrawn (recorded by mistake)"),
    "answer_assessed": _l("Assessed by the committee"),
}

# The days of an addressee's calendar page (workflow.cases.calendars.CalendarDay.kind).
CALENDAR_DAY_KINDS = {
    "holiday": _l("public holiday"),
    "annual_closing_day": _l("closing day, every year"),
    "closing_day": _l("closing day"),
    "declared_working": _l("declared a working day"),
}

# What a change of the calendar does (the secretariat's calendar page).
CALENDAR_CHANGES = {
    "close": _l("declare a closing day"),
    "open": _l("declare a public holiday or closing day a working day"),
    "remove": _l("remove a declared closing day or working day"),
}

# The parts of a year's requests on the charts (workflow.publishing.figures.OUTCOMES).
ANSWER_OUTCOMES = {
    "on_time": _l("answered on time"),
    "late": _l("answered late"),
    "pending": _l("pending"),
}

# Why a bulk publication leaves an answer out (workflow.publishing.publication.SKIP_REASONS).
PUBLICATION_SKIPS = {
    "draft": _l("a draft, not submitted: drafts are never published"),
    "withdrawn": _l("withdrawn (recorded by mistake)"),
    "already_published": _l("already published"),
    "case_not_published": _l("the recommendation is not published: publish it first"),
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
    "checkpoint_format": _l("This file is not a checkpoint of this application, or it is "
                            "damaged."),
    "checkpoint_key": _l("The checkpoint signing key is missing or cannot be read."),
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
    "fired_by": _l("This follows from another action of the case; it is not chosen alone."),
    "declared_params": _l("This action does not take that detail."),
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


# Input checks and scope refusals of the workflow, by rule name; the values the
# workflow gives with the error (``exc.params``) fill the placeholders, dates and
# numbers in the user's format. Worded here in all three languages.
MESSAGES = {
    "filter_year": _l("Give the year as four digits, between %(first_year)s and "
                      "%(last_year)s."),
    "session_to_transmit": _l("No recommendation of the session “%(session)s” waits to be "
                              "transmitted: choose a session from the list."),
    "session_too_large": _l("The session “%(session)s” has more than %(limit)s "
                            "recommendations to transmit: transmit them from their own pages."),
    "session_changed": _l("The recommendations of the session “%(session)s” to transmit "
                          "changed since they were shown: look at the new list and confirm "
                          "again."),
    "session_none_ready": _l("None of the recommendations of the session “%(session)s” can be "
                             "transmitted now."),
    "report_year": _l("There is no review for %(year)s: choose a year from %(first_year)s to "
                      "%(last_year)s."),
    "required": _l("This field is required."),
    "too_long": _l("Too long: %(length)s characters, at most %(limit)s."),
    "unstorable_text": _l("This text contains the character %(character)s, which cannot be "
                          "stored. Remove it and try again."),
    "deadline_rule": _l("The deadline rule “%(text)s” cannot be read: write for example 6 "
                        "months, 30 calendar days, 20 working days or a date such as "
                        "2027-03-01."),
    "case_in_scope": _l("Recommendation %(doc_number)s is not found within your "
                        "organisation's scope."),
    "answer_in_scope": _l("The answer of %(addressee)s on recommendation %(doc_number)s is not "
                          "found within your organisation's scope."),
    "attachment_in_scope": _l("Attachment %(id)s is not found within your organisation's "
                              "scope."),
    "draft_in_scope": _l("This draft is not found within your organisation's scope."),
    "case_exists": _l("There is no recommendation with document number %(doc_number)s."),
    "published_case": _l("There is no published recommendation %(doc_number)s."),
    "addressee_of_case": _l("%(addressee)s is not an addressee of recommendation "
                            "%(doc_number)s (its addressees: %(addressees)s)."),
    "doc_number_format": _l("Write NUMBER/PART as the Parliament does, e.g. 743/5 or "
                            "743/5Bis."),
    "doc_number_unique": _l("Recommendation %(doc_number)s is already registered; open it "
                            "instead."),
    "adopted_not_in_future": _l("The adoption date %(date)s is in the future; give the date "
                                "of the plenary."),
    "not_in_future": _l("This date is in the future."),
    "fixed_after_adoption": _l("The fixed due date %(date)s is not after the adoption date "
                               "%(adopted_on)s."),
    "some_addressee": _l("Choose at least one addressee."),
    "title_required": _l("Give the title in Dutch, French or both."),
    "has_due_date": _l("This addressee has no due date yet: the recommendation has not been "
                       "transmitted."),
    "date_or_days": _l("Give either a new due date or a number of extra days."),
    "days_range": _l("The number of extra days must be between %(low)s and %(high)s."),
    "later_than_due": _l("The date %(date)s is not later than the current due date %(due)s."),
    "stop_after_start": _l("The clock cannot stop before it started (%(start)s)."),
    "stop_before_due": _l("The clock cannot stop after the due date %(due)s; grant an "
                          "extension instead."),
    "resume_after_stop": _l("The clock cannot resume before it stopped (%(start)s)."),
    "transmitted_after_adoption": _l("The transmission date %(date)s is before the adoption "
                                     "date %(adopted_on)s."),
    "closure_reason": _l("Unknown reason for closing; choose one of: %(allowed)s."),
    "reply_kind": _l("Unknown kind of reply; choose an interim reply, a final answer or "
                     "declining to answer."),
    "position_known": _l("Unknown position; choose agrees, partly agrees, disagrees or takes "
                         "note."),
    "letter_after_adoption": _l("The date on the letter (%(date)s) is before the "
                                "recommendation was adopted (%(adopted_on)s)."),
    "received_after_sending": _l("The date received (%(date)s) is before the recommendation "
                                 "was sent (%(sent_on)s)."),
    "letter_before_receipt": _l("The date on the letter is after the date it was received."),
    "final_has_position": _l("A final answer needs a position."),
    "reply_text": _l("Give the text of the reply in Dutch, French or both."),
    "text_not_on_record": _l("A reply whose text is not on record has no text."),
    "pdf_only": _l("%(name)s is not a PDF file; attach answers as PDF."),
    "attachment_size": _l("%(name)s is larger than 10 MiB."),
    "pdf_name": _l("%(name)s does not have a plain PDF name: give the file a name ending in "
                   ".pdf."),
    "pdf_unreadable": _l("%(name)s cannot be read as a PDF (it may be damaged, or only pretend "
                         "to be one). Save it again as PDF and attach it."),
    # deadline rules as typed (workflow.deadlines.DeadlineError)
    "rule_empty": _l("The deadline rule is empty: write for example 6 months, 30 calendar "
                     "days, 20 working days or a date such as 2027-03-01."),
    "rule_not_a_date": _l("%(text)s is not a real date: write a fixed due date as "
                          "YYYY-MM-DD, for example 2027-03-01."),
    "rule_ambiguous": _l("“%(text)s” is ambiguous: write %(num)s calendar days or %(num)s "
                         "working days."),
    "rule_at_least_one": _l("The deadline rule “%(text)s” must count at least 1."),
    "rule_too_many_months": _l("“%(text)s” is too long a deadline: at most %(high)s months."),
    "rule_too_many_days": _l("“%(text)s” is too long a deadline: at most %(high)s days."),
    "fixed_before_start": _l("The fixed due date %(date)s is not after the start date "
                             "%(start)s: give a later date or another rule."),
    "due_out_of_range": _l("The due date for the start date %(start)s falls outside the "
                           "calendar: check the start date and the rule."),
    # changes of an addressee's calendar (workflow.cases.due_dates)
    "calendar_day": _l("Give the day as a date."),
    "calendar_day_range": _l("%(day)s is too far from today: change days from %(low)s to "
                             "%(high)s."),
    "calendar_year": _l("Give a year from %(low)s to %(high)s."),
    "annual_closing_day": _l("%(day)s is an annual closing day of %(addressee)s (from the "
                             "catalogue): it cannot be removed, but it can be declared a "
                             "working day."),
    "not_declared": _l("%(day)s is not a declared closing day or working day of "
                       "%(addressee)s: there is nothing to remove."),
    "already_closing_day": _l("%(day)s is already a closing day of %(addressee)s."),
    "already_declared_open": _l("%(day)s is already declared a working day of %(addressee)s; "
                                "remove that declaration first."),
    "weekend_day": _l("%(day)s is a Saturday or Sunday, never a working day: choose a "
                      "weekday."),
    "already_holiday": _l("%(day)s is already a public holiday of %(addressee)s."),
    "already_working_day": _l("%(day)s is already a working day of %(addressee)s: only a "
                              "public holiday or a closing day can be declared a working day."),
    "calendar_preview_changed": _l("The due dates this change of %(addressee)s's calendar "
                                   "moves have changed since the preview (someone acted "
                                   "meanwhile). Nothing was saved: check the new preview and "
                                   "confirm again."),
    "entry_in_scope": _l("Answer %(id)s is not found within your organisation's scope; "
                         "reload the list."),
    "agenda_entries_chosen": _l("Tick at least one very overdue answer to put on the agenda."),
    "agenda_very_overdue_only": _l("The answer of %(addressee)s on recommendation "
                                   "%(doc_number)s is not very overdue any more (answered, "
                                   "waived, extended or its clock stopped); reload the list "
                                   "and choose again."),
    "agenda_already_on_it": _l("The answer of %(addressee)s on recommendation %(doc_number)s "
                               "is already on the agenda of %(session)s; untick it or give "
                               "another session."),
    "version": _l("Recommendation %(doc_number)s was changed meanwhile (it is now at version "
                  "%(version)s, you had version %(expected)s); reload it and try again."),
    # written questions
    "question_in_scope": _l("Written question %(number)s is not found within your "
                            "organisation's scope."),
    "question_exists": _l("There is no written question %(number)s."),
    "addressee_known": _l("Unknown addressee “%(addressee)s”; choose one of: %(known)s."),
    "question_number_format": _l("Write the number as Q-YEAR-NUMBER, e.g. Q-2027-001, or "
                                 "leave it empty to get the next one."),
    "question_number_unique": _l("Written question %(number)s is already recorded; give "
                                 "another number or leave it empty."),
    "fixed_after_asked": _l("The fixed due date %(date)s is not after the day the question "
                            "was asked (%(asked_on)s)."),
    "asked_after_adoption": _l("The question is dated %(date)s, before recommendation "
                               "%(doc_number)s was adopted (%(adopted_on)s)."),
    "answered_after_asked": _l("The answer is dated %(date)s, before the question was asked "
                               "(%(asked_on)s)."),
    "question_open": _l("Written question %(number)s is %(state)s: only a question awaiting "
                        "its answer can be answered or withdrawn."),
    "question_version": _l("Written question %(number)s was changed meanwhile; reload it and "
                           "try again."),
    "date_format": _l("Give a date (YYYY-MM-DD)."),
    # the committee's assessment of an answer
    "assessable_answer": _l("Only a submitted final answer, or a refusal to answer, is "
                            "assessed."),
    "judgement_known": _l("Choose satisfactory, partly satisfactory or unsatisfactory."),
    "answer_version": _l("The answer of %(addressee)s on recommendation %(doc_number)s was "
                         "changed meanwhile (assessed by someone else?); reload the page and "
                         "try again."),
    # the governments' comments (right of reply)
    "comment_on_published_case": _l("Recommendation %(doc_number)s is not published: a "
                                    "comment is shown beside a published recommendation "
                                    "only."),
    "comment_version": _l("Comment %(id)s was changed meanwhile; reload the list and try "
                          "again."),
    "comment_hidden": _l("Comment %(id)s is already hidden."),
    "comment_in_scope": _l("Comment %(id)s is not found within your organisation's scope."),
    "due_date": _l("No due date can be computed with the rule “%(text)s” from this day; give "
                   "another rule or date."),
    # publishing answers (workflow.publishing.publication)
    "publication_session": _l("Choose the plenary session."),
    "publication_session_known": _l("No recommendation was adopted in the session "
                                    "“%(session)s”; choose one from the list."),
    "publication_preview_changed": _l("What publishing the answers of %(label)s does has "
                                      "changed since the preview (someone acted meanwhile). "
                                      "Nothing was published: check the new list and confirm "
                                      "again."),
    "publication_empty": _l("%(label)s has no answer to publish."),
    # corrections (workflow.cases.corrections, workflow.answers.corrections)
    "correction_changes_nothing": _l("Nothing to correct: the texts of %(doc_number)s are "
                                     "already as given. Change a title or a text."),
    "correctable_field": _l("A correction changes the titles and texts only."),
    "withdraw_submitted_only": _l("A draft is not a recorded reply: only a submitted reply "
                                  "can be withdrawn."),
    "reply_already_withdrawn": _l("This reply is already withdrawn."),
    "withdraw_paper_only": _l("%(addressee)s sent this reply itself: only a reply the "
                              "secretariat recorded on paper can be withdrawn."),
    "withdraw_before_assessment": _l("Recommendation %(doc_number)s is %(state)s: a reply can "
                                     "be withdrawn only until the committee starts assessing "
                                     "the answers."),
    "reply_superseded": _l("A later step on the answer of %(addressee)s followed this reply: "
                           "only the latest reply, while it is still in force, can be "
                           "withdrawn."),
    "remove_from_draft_only": _l("The reply is submitted: its attachments stay as they were "
                                 "sent."),
    "draft_version": _l("Your draft was changed meanwhile (in another window, or by a "
                        "colleague). Nothing was removed: check the draft below and try "
                        "again."),
}


def _value(name: str, value, rule: str) -> str:
    """One value of an error, formatted for the user's language."""
    from flask_babel import format_number

    if rule == "closure_reason" and name == "allowed":
        return ", ".join(_lookup(CLOSURE_REASONS, v) for v in value)
    if rule == "question_open" and name == "state":
        return _lookup(QUESTION_STATES, value)
    if rule == "withdraw_before_assessment" and name == "state":
        return state_label(value)
    if isinstance(value, date | datetime):
        return fmt_date(value)
    if isinstance(value, bool) or value is None or name in ("id", "version", "expected") \
            or name.endswith("year") or rule == "calendar_year":
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)


def error_text(exc) -> str:
    """A workflow error in the user's language: worded from its rule and values
    (the workflow's own English message when the rule has no wording here)."""
    from flask_babel import get_locale

    if exc.rule in MESSAGES:
        values = {k: _value(k, v, exc.rule) for k, v in exc.params.items()}
        try:
            return str(MESSAGES[exc.rule]) % values
        except (KeyError, TypeError, ValueError):
            return exc.message
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
    """An event of the history: what happened ("extension granted"), else the trigger."""
    if name in ACTIONS:
        return _lookup(ACTIONS, name)
    return trigger_label(name)


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
        return f"{RULE_KINDS['fixed_date']} {fmt_date(rule.fixed_date, 'medium')}"
    return f"{rule.amount} {RULE_KINDS[rule.kind]}"


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


def committee_label(stored: str | None) -> str:
    """A committee as a recommendation stores it (its name in any language), named in
    the page's language when the catalogue declares it (``workflow/data/bodies.json``)."""
    from workflow.cases.catalogue import body_names

    names = body_names("committees", stored or "")
    return names.get(_locale(), stored) if names else (stored or "")


def theme_label(stored: str | None) -> str:
    from workflow.cases.catalogue import body_names

    names = body_names("themes", stored or "")
    return names.get(_locale(), stored) if names else (stored or "")


def session_name(stored: str | None) -> str:
    """"Plenaire zitting 2026-03" -> "Session plénière mars 2026" on a French page: the
    kind of session in the page's language, a year-month as the month's name."""
    from workflow.cases.catalogue import session_parts

    parts = session_parts(stored or "")
    if parts is None:
        return stored or ""
    names, rest = parts
    month = re.fullmatch(r"(\d{4})-(\d{2})", rest)
    if month and 1 <= int(month.group(2)) <= 12:
        rest = fmt_date(date(int(month.group(1)), int(month.group(2)), 1), "MMMM y")
    return f"{names.get(_locale(), stored)} {rest}".strip()


def parse_utc(text: str | None) -> datetime | None:
    """A moment as the history writes it ("2026-04-20T15:00:00.000000Z")."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def fmt_number(value: float | int | None) -> str:
    """A number in the user's language (``210`` rather than ``210.0``, ``12,5`` in NL/FR)."""
    if value is None:
        return ""
    return _number_in(str(get_locale()), value)


@functools.lru_cache(maxsize=4096)
def _number_in(locale: str, value: float | int) -> str:
    # Babel parses the pattern and looks the locale up at every call: a chart formats
    # hundreds of numbers, mostly the same small ones
    return babel_numbers.format_decimal(value, format="#,##0.#", locale=locale)


def fmt_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        from workflow.deadlines import BRUSSELS

        value = value.astimezone(BRUSSELS).date()
    return _formatted_date(value, fmt, str(get_locale()))


# Babel formats each date anew (about 0.1 ms), and a page shows the same few hundred due
# and sent dates over and over: a date's words depend only on the date, the format and the
# language, so they are kept.
@functools.lru_cache(maxsize=8192)
def _formatted_date(value: date, fmt: str, locale: str) -> str:
    return babel_dates.format_date(value, fmt, locale=locale)


def fmt_datetime(value: datetime | None, fmt: str | None = None) -> str:
    """Date and time in Brussels; by default the medium date with a short time."""
    if value is None:
        return ""
    if fmt is not None:
        return format_datetime(value, fmt)
    return f"{fmt_date(value)} {format_time(value, 'short')}"


def notice_text(notice) -> str:
    """A notice the sweep sent (``workflow.reminders.escalation.Notice``), in words."""
    when = fmt_date(notice.at)
    if notice.action == "remind":
        return ngettext("reminder sent on %(date)s (%(num)d day before the due date)",
                        "reminder sent on %(date)s (%(num)d days before the due date)",
                        notice.days or 0, date=when)
    if notice.action == "mark_overdue":
        return _("overdue since %(date)s", date=when)
    if notice.action == "mark_very_overdue":
        return ngettext("very overdue since %(date)s (%(num)d day after the due date)",
                        "very overdue since %(date)s (%(num)d days after the due date)",
                        notice.days or 0, date=when)
    return f"{action_label(notice.action)} {when}"


def agenda_text(mark) -> str:
    """An agenda mark (``workflow.reminders.escalation.AgendaMark``), in words."""
    return _("on the agenda of %(session)s on %(date)s", session=session_name(mark.session_label),
             date=fmt_date(mark.at))


# ---------------------------------------------------------------------------
# Due-date explanations: the workflow's steps (kind and values) worded here.


def holiday_label(step_values) -> str:
    """The holiday of a skipped day in the user's language where the ``holidays``
    package names it in that language (else in English)."""
    from babel.lists import format_list
    from flask_babel import get_locale

    from workflow.deadlines import holiday_names

    locale = get_locale()
    names = holiday_names(step_values["country"], step_values["subdivision"],
                          step_values["date"], str(locale))
    if not names:
        return str(step_values["holiday"] or "")
    return format_list(list(names), locale=locale)


def calendar_day_holiday(day) -> str:
    """The public holiday of a day of a calendar page (``CalendarDay``) in the user's
    language, worded as in the due-date explanations; empty if none."""
    if not day.holiday:
        return ""
    return holiday_label({"country": day.country, "subdivision": day.subdivision,
                          "date": day.day, "holiday": day.holiday})


def _rule_phrase(rule) -> str:
    if rule.kind == "fixed_date":
        return _("fixed date %(date)s", date=_day(rule.fixed_date))
    if rule.kind == "months":
        return ngettext("%(num)d calendar month", "%(num)d calendar months", rule.amount)
    if rule.kind == "calendar_days":
        return ngettext("%(num)d calendar day", "%(num)d calendar days", rule.amount)
    return ngettext("%(num)d working day", "%(num)d working days", rule.amount)


def _calendar_phrase(v) -> str:
    from flask_babel import get_locale

    if v["country"] is None:
        text = _("%(code)s: no public holidays, closing days only", code=v["calendar"])
    else:
        country = get_locale().territories.get(v["country"], v["country"])
        if v["subdivision"]:
            text = _("%(code)s: public holidays of %(country)s (%(subdivision)s)",
                     code=v["calendar"], country=country, subdivision=v["subdivision"])
        else:
            text = _("%(code)s: public holidays of %(country)s", code=v["calendar"],
                     country=country)
    extras = []
    if v["closing_days"]:
        extras.append(ngettext("%(num)d extra closing day", "%(num)d extra closing days",
                               v["closing_days"]))
    if v["declared_working"]:
        extras.append(ngettext("%(num)d holiday declared a working day",
                               "%(num)d holidays declared working days",
                               v["declared_working"]))
    return "; ".join([text, *extras])


def calendar_label(calendar) -> str:
    """An addressee's calendar of the scoreboard's method (``method.CalendarOf``): its
    public holidays and the days the secretariat declared, worded as in the due-date
    explanations."""
    return _calendar_phrase({"calendar": calendar.addressee.code, "country": calendar.country,
                             "subdivision": calendar.subdivision,
                             "closing_days": calendar.declared_closing_days,
                             "declared_working": calendar.declared_working_days})


def _day(value) -> str:
    """A day of an explanation, with its weekday (weekends and holidays matter)."""
    return fmt_date(value, "full")


def _with_reason(sentence: str, reason) -> str:
    reason = str(reason or "").strip()
    if not reason:
        return sentence
    return " ".join((sentence, _("Reason: %(reason)s.", reason=reason)))


def explain_step(step) -> str:
    """One step of a due-date explanation in the user's language."""
    from babel.dates import get_month_names
    from flask_babel import get_locale

    v, kind = step.values, step.kind
    if kind == "start":
        return _("Start: %(date)s (day zero).", date=_day(v["date"]))
    if kind == "rule":
        return _("Rule: %(rule)s; calendar %(calendar)s.", rule=_rule_phrase(v["rule"]),
                 calendar=_calendar_phrase(v))
    if kind == "skipped":
        if v["until"] is not None:
            return _("Skipped %(first)s and %(second)s: weekend.", first=_day(v["date"]),
                     second=_day(v["until"]))
        if v["reason"] == "weekend":
            return _("Skipped %(date)s: weekend.", date=_day(v["date"]))
        if v["reason"] == "closing_day":
            return _("Skipped %(date)s: closing day.", date=_day(v["date"]))
        return _("Skipped %(date)s: %(holiday)s (public holiday).", date=_day(v["date"]),
                 holiday=holiday_label(v))
    if kind == "counted":
        return _("Counted %(rule)s: %(date)s.", rule=_rule_phrase(v["rule"]),
                 date=_day(v["date"]))
    if kind == "added":
        if v["missing_day"] is not None:
            month = get_month_names("wide", "stand-alone", locale=get_locale())[v["month"]]
            return _("Added %(rule)s: %(date)s (day %(day)s does not exist in %(month)s).",
                     rule=_rule_phrase(v["rule"]), date=_day(v["date"]),
                     day=v["missing_day"], month=month)
        return _("Added %(rule)s: %(date)s.", rule=_rule_phrase(v["rule"]),
                 date=_day(v["date"]))
    if kind == "fixed":
        return _("Fixed due date: %(date)s.", date=_day(v["date"]))
    if kind == "moved":
        return _("Moved to the next working day: %(date)s.", date=_day(v["date"]))
    if kind == "extension_date":
        return _with_reason(_("Extension: new due date %(date)s.", date=_day(v["date"])),
                            v["reason"])
    if kind == "extension_working_days":
        return _with_reason(ngettext("Extension: %(num)d more working day.",
                                     "Extension: %(num)d more working days.", v["days"]),
                            v["reason"])
    if kind == "extended":
        return _("Extended to %(date)s.", date=_day(v["date"]))
    if kind == "extension_calendar_days":
        return _with_reason(ngettext("Extension: %(num)d more calendar day, to %(date)s.",
                                     "Extension: %(num)d more calendar days, to %(date)s.",
                                     v["days"], date=_day(v["date"])), v["reason"])
    if kind == "clock_stop":
        if v["unit"] == "working_days":
            sentence = ngettext(
                "Clock stopped from %(start)s to %(end)s: %(num)d more working day.",
                "Clock stopped from %(start)s to %(end)s: %(num)d more working days.",
                v["days"], start=fmt_date(v["start"]), end=fmt_date(v["end"]))
        else:
            sentence = ngettext(
                "Clock stopped from %(start)s to %(end)s: %(num)d more calendar day, to "
                "%(date)s.",
                "Clock stopped from %(start)s to %(end)s: %(num)d more calendar days, to "
                "%(date)s.",
                v["days"], start=fmt_date(v["start"]), end=fmt_date(v["end"]),
                date=_day(v["date"]))
        return _with_reason(sentence, v["reason"])
    if kind == "moved_to":
        return _("Moved to %(date)s.", date=_day(v["date"]))
    if kind == "due":
        return _("Due: %(date)s at %(time)s, Brussels time.", date=_day(v["date"]),
                 time=format_time(v["due_at"], "short"))
    if kind == "not_transmitted":
        return _("No due date yet: recommendation %(number)s has not been transmitted.",
                 number=v["doc_number"])
    if kind == "clock_stopped":
        return _with_reason(_("The clock is stopped since %(date)s; the due date moves when "
                              "it resumes.", date=fmt_date(v["start"])), v["reason"])
    if kind == "calendar_changed":
        return _("Note: the calendar changed since this due date was stored; the stored date "
                 "stands until the secretariat recomputes it.")
    return step.text()


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
    "calendar_day_label": lambda v: _lookup(CALENDAR_DAY_KINDS, v),
    "calendar_holiday": calendar_day_holiday,
    "question_state_label": lambda v: _lookup(QUESTION_STATES, v),
    "judgement_label": lambda v: _lookup(JUDGEMENTS, v),
    "calendar_label": calendar_label,
    "explain_step": explain_step,
    "date": fmt_date,
    "datetime": fmt_datetime,
    "number": fmt_number,
    "kib": lambda size: fmt_number(round((size or 0) / 1024, 1)),
    "committee_label": committee_label,
    "theme_label": theme_label,
    "session_name": session_name,
    "letter_label": lambda v: _lookup(LETTER_KINDS, v),
    "history_moment": lambda text: fmt_datetime(parse_utc(text)),
    "notice_text": notice_text,
    "agenda_text": agenda_text,
    "publication_skip_label": lambda v: _lookup(PUBLICATION_SKIPS, v),
}


def per_render(func):
    """A filter Jinja may not evaluate while compiling the template.

    Jinja folds a filter applied to a literal (``"close"|trigger_label``) into a
    constant when it compiles the template, once per process: the label would
    keep the language of the first page rendered. A filter that takes the
    render context cannot be folded, so it runs, and translates, on every render.
    """

    @pass_context
    def render(_context, *args, **kwargs):
        return func(*args, **kwargs)

    render.__name__ = getattr(func, "__name__", "filter")
    render.__doc__ = func.__doc__
    return render


def init_app(app) -> None:
    app.jinja_env.filters.update({name: per_render(f) for name, f in FILTERS.items()})
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
