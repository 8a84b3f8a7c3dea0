"""The words of each kind of notification, in the request's (or the forced) language:
one line for the subject and the in-app list, and a few sentences for the message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from workflow.notifications.models import Notification

from ..labels import JUDGEMENTS, fmt_date

SUBJECTS = {
    "transmitted": _l("Recommendation %(doc)s: your answer is asked for"),
    "reminder": _l("Reminder: the answer to recommendation %(doc)s is due on %(due)s"),
    "overdue": _l("Overdue: the answer of %(addressee)s to recommendation %(doc)s"),
    "very_overdue": _l("Very overdue: the answer of %(addressee)s to recommendation %(doc)s"),
    "answer_received": _l("Answer received from %(addressee)s on recommendation %(doc)s"),
    "answer_declined": _l("%(addressee)s declined to answer recommendation %(doc)s"),
    "interim_received": _l("Interim reply from %(addressee)s on recommendation %(doc)s"),
    "more_time_requested": _l("%(addressee)s asks for more time on recommendation %(doc)s"),
    "more_time_granted": _l("More time granted for recommendation %(doc)s"),
    "more_time_refused": _l("Request for more time refused for recommendation %(doc)s"),
    "follow_up_question": _l("Follow-up question on recommendation %(doc)s"),
    "case_closed": _l("Recommendation %(doc)s is closed"),
    "reply_withdrawn": _l("Recommendation %(doc)s: the reply recorded for %(addressee)s is "
                          "withdrawn"),
    "answer_judged": _l("Recommendation %(doc)s: the committee judged the answer of "
                        "%(addressee)s %(judgement)s"),
    "comment_posted": _l("%(addressee)s published a comment"),
    "question_asked": _l("Written question %(number)s: your answer is asked for"),
    "question_reminder": _l("Reminder: the answer to written question %(number)s is due on "
                            "%(due)s"),
    "question_overdue": _l("Overdue: the answer of %(addressee)s to written question "
                           "%(number)s"),
    "question_very_overdue": _l("Very overdue: the answer of %(addressee)s to written "
                                "question %(number)s"),
    "question_answered": _l("Answer received from %(addressee)s to written question "
                            "%(number)s"),
    "question_withdrawn": _l("Written question %(number)s is withdrawn"),
}

SENTENCES = {
    "transmitted": _l("Recommendation %(doc)s (%(title)s) was transmitted to %(addressee)s. "
                      "The answer is due on %(due)s."),
    "reminder": _l("The answer of %(addressee)s to recommendation %(doc)s (%(title)s) is due "
                   "on %(due)s."),
    "overdue": _l("The answer of %(addressee)s to recommendation %(doc)s (%(title)s) was due "
                  "on %(due)s and has not been received."),
    "very_overdue": _l("The answer of %(addressee)s to recommendation %(doc)s (%(title)s) was "
                       "due on %(due)s, more than %(days)s days ago, and has not been "
                       "received. It goes on the list for the next plenary session."),
    "answer_received": _l("%(addressee)s sent its final answer to recommendation %(doc)s "
                          "(%(title)s)."),
    "answer_declined": _l("%(addressee)s declined to answer recommendation %(doc)s "
                          "(%(title)s): %(reason)s"),
    "interim_received": _l("%(addressee)s sent an interim reply on recommendation %(doc)s "
                           "(%(title)s)."),
    "more_time_requested": _l("%(addressee)s asks for more time to answer recommendation "
                              "%(doc)s (%(title)s): %(reason)s"),
    "more_time_granted": _l("The answer of %(addressee)s to recommendation %(doc)s "
                            "(%(title)s) is now due on %(due)s."),
    "more_time_refused": _l("The request of %(addressee)s for more time on recommendation "
                            "%(doc)s (%(title)s) was refused: %(reason)s"),
    "follow_up_question": _l("The committee asks %(addressee)s a follow-up question on "
                             "recommendation %(doc)s (%(title)s): %(reason)s. The answer is "
                             "due on %(due)s."),
    "case_closed": _l("Recommendation %(doc)s (%(title)s) is closed."),
    "reply_withdrawn": _l("The reply of %(addressee)s to recommendation %(doc)s (%(title)s) "
                          "that the secretariat recorded on paper is withdrawn, because it "
                          "was recorded by mistake: %(reason)s. Your answer is awaited "
                          "again."),
    "answer_judged": _l("The committee judged the answer of %(addressee)s to recommendation "
                        "%(doc)s (%(title)s) %(judgement)s. Its note: %(reason)s"),
    "comment_posted": _l("%(addressee)s published a comment on the public side. Read it on "
                         "the comments page, where an abusive one can be hidden with a "
                         "reason."),
    "question_asked": _l("The Benelux Parliament puts written question %(number)s "
                         "(%(subject)s) to %(addressee)s. The answer is due on %(due)s."),
    "question_reminder": _l("The answer of %(addressee)s to written question %(number)s "
                            "(%(subject)s) is due on %(due)s."),
    "question_overdue": _l("The answer of %(addressee)s to written question %(number)s "
                           "(%(subject)s) was due on %(due)s and has not been received."),
    "question_very_overdue": _l("The answer of %(addressee)s to written question %(number)s "
                                "(%(subject)s) was due on %(due)s, more than %(days)s days "
                                "ago, and has not been received."),
    "question_answered": _l("%(addressee)s answered written question %(number)s "
                            "(%(subject)s)."),
    "question_withdrawn": _l("Written question %(number)s (%(subject)s) to %(addressee)s is "
                             "withdrawn: no answer is expected any more. %(reason)s"),
}


@dataclass(frozen=True)
class Worded:
    subject: str
    sentence: str


def _moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def values(n: Notification, locale: str) -> dict[str, str]:
    """The values the words name, in ``locale`` (dates formatted by the caller's Babel)."""
    params = json.loads(n.params or "{}")
    rec = n.recommendation
    code = n.addressee_code
    addressee = n.addressee
    due = _moment(params.get("due_at"))
    if due is None and isinstance(params.get("due_at_by"), dict) and code:
        due = _moment(params["due_at_by"].get(code))
    return {
        "doc": params.get("doc_number") or (rec.doc_number if rec else ""),
        "title": rec.title(locale) if rec is not None else "",
        "addressee": addressee.name(locale) if addressee is not None else (code or ""),
        "due": fmt_date(due) if due else "—",
        "days": str(params.get("days") or ""),
        "reason": (params.get("reason") or "").strip() or "—",
        "number": params.get("number") or (n.question.number if n.question else ""),
        "subject": n.question.subject if n.question is not None else "",
        "judgement": str(JUDGEMENTS.get(params.get("judgement"), "")),
    }


def word(n: Notification, locale: str) -> Worded:
    v = values(n, locale)
    subject = SUBJECTS.get(n.kind)
    sentence = SENTENCES.get(n.kind)
    if subject is None:  # a kind this version does not know (written by a newer one)
        return Worded(n.kind.replace("_", " "), "")
    return Worded(str(subject) % v, str(sentence) % v)
