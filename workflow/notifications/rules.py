"""Who is told of what: the events that imply a notification, declared once as data.

``focal_points`` are the active ministry users of the addressee the event is about (of
every addressee of the case for an event about the whole case); ``secretariat`` is every
active secretariat user. The person who caused the event is never told of it."""

from __future__ import annotations

from dataclasses import dataclass

FOCAL_POINTS = "focal_points"
SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Rule:
    kind: str  # the notification's kind: the web layer words it
    audiences: tuple[str, ...]


# event action -> rule
RULES: dict[str, Rule] = {
    "transmit": Rule("transmitted", (FOCAL_POINTS,)),
    "remind": Rule("reminder", (FOCAL_POINTS,)),
    "mark_overdue": Rule("overdue", (FOCAL_POINTS, SECRETARIAT)),
    "mark_very_overdue": Rule("very_overdue", (FOCAL_POINTS, SECRETARIAT)),
    "submit_answer": Rule("answer_received", (SECRETARIAT,)),
    "decline": Rule("answer_declined", (SECRETARIAT,)),
    "submit_interim": Rule("interim_received", (SECRETARIAT,)),
    "request_extension": Rule("more_time_requested", (SECRETARIAT,)),
    "grant_extension": Rule("more_time_granted", (FOCAL_POINTS,)),
    "refuse_extension": Rule("more_time_refused", (FOCAL_POINTS,)),
    "ask_again": Rule("follow_up_question", (FOCAL_POINTS,)),
    "close": Rule("case_closed", (FOCAL_POINTS,)),
    # a reply recorded on paper on the addressee's behalf, withdrawn: it is awaited again
    "withdraw_reply": Rule("reply_withdrawn", (FOCAL_POINTS,)),
    # the committee's judgement of an answer, to that addressee; a government's published
    # comment, to the secretariat (which may hide an abusive one)
    "assess_answer": Rule("answer_judged", (FOCAL_POINTS,)),
    "post_comment": Rule("comment_posted", (SECRETARIAT,)),
    # written questions (the addressee's focal points; the secretariat of answers and delays)
    "ask_question": Rule("question_asked", (FOCAL_POINTS,)),
    "remind_question": Rule("question_reminder", (FOCAL_POINTS,)),
    "mark_question_overdue": Rule("question_overdue", (FOCAL_POINTS, SECRETARIAT)),
    "mark_question_very_overdue": Rule("question_very_overdue", (FOCAL_POINTS, SECRETARIAT)),
    "answer_question": Rule("question_answered", (SECRETARIAT,)),
    "withdraw_question": Rule("question_withdrawn", (FOCAL_POINTS,)),
}

KINDS = tuple(dict.fromkeys(rule.kind for rule in RULES.values()))
# The kinds about a due moment: cancelled when that moment is no longer the live one.
DEADLINE_KINDS = ("reminder", "overdue", "very_overdue")
# The same about a written question's due moment: cancelled once it is answered or withdrawn.
QUESTION_DEADLINE_KINDS = ("question_reminder", "question_overdue", "question_very_overdue")
