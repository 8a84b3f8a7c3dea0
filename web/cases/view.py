"""Loading a case within the user's scope and rendering the case page, also
after a refused action (with the error next to the field, or a conflict banner
showing the case as it is now)."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from workflow import errors as werr
from workflow.answers import correspondence
from workflow.cases import corrections, due_dates, scope
from workflow.lifecycle import ANSWER, RECOMMENDATION, SECRETARIAT
from workflow.models import Recommendation
from workflow.questions import operations as question_ops
from workflow.questions import queries as question_queries

from ..extensions import db
from ..labels import error_text
from ..security import current_actor


def load_case(case_id: int) -> Recommendation:
    """The case, or 404 when it does not exist or is outside the user's scope."""
    rec = db.session.get(Recommendation, case_id)
    if rec is None:
        abort(404)
    scope.check_visible(current_actor(), rec)
    return rec


def _changed_meanwhile() -> werr.ConflictError:
    return werr.ConflictError(
        _("This case was changed meanwhile (by someone else, or by an earlier click on "
          "the same button). Nothing was saved. Check its current state below and try "
          "again if it is still needed."))


def check_version(rec: Recommendation, submitted) -> None:
    """A form carries the version of the case it was made from; a stale one is refused."""
    try:
        version = int(submitted)
    except (TypeError, ValueError):
        version = -1
    if version != rec.version:
        raise _changed_meanwhile()


def submitted_version(submitted: str | None) -> int | None:
    """A version a form carried back (of a draft, say): none, or a number. Anything else
    was not made by our page, so it is refused as a stale form is."""
    if not submitted:
        return None
    if not submitted.isascii() or not submitted.isdigit() or len(submitted) > 9:
        raise _changed_meanwhile()
    return int(submitted)


def visible_entries(rec: Recommendation):
    actor = current_actor()
    return [e for e in rec.addressees if e.visible_to(actor)]


def visible_answers(entry):
    """Submitted replies, plus the draft only for the organisation that wrote it."""
    actor = current_actor()
    return [a for a in entry.answers if a.visible_to(actor)]


def deadline_rows(rec: Recommendation):
    rows = []
    for entry in visible_entries(rec):
        rows.append({
            "entry": entry,
            "status": due_dates.deadline_status(entry),
            "days_left": due_dates.working_days_left(entry) if entry.is_awaited else None,
            "explain": due_dates.explain_due(entry),
        })
    return rows


def refusals(rec: Recommendation):
    """For the secretariat: the actions not possible now, with the rule that says why."""
    actor = current_actor()
    if actor.role != SECRETARIAT:
        return []
    out = []
    for trig in RECOMMENDATION.triggers:
        if SECRETARIAT not in trig.roles:
            continue
        refused = RECOMMENDATION.refusal(rec, trig, actor.role, {})
        if refused is not None:
            out.append((trig.name, error_text(refused)))
    return out


def render_case(rec: Recommendation, *, status: int = 200, conflict: str | None = None,
                forms: dict | None = None, assessments: dict | None = None):
    actor = current_actor()
    available = scope.available_triggers(rec, actor)
    context = {
        "rec": rec,
        "rows": deadline_rows(rec),
        "available": available,
        "refusals": refusals(rec),
        "conflict": conflict,
        "visible_answers": visible_answers,
        "answer_lifecycle": ANSWER,
        "letters": correspondence.threads(db.session, visible_entries(rec),
                                          str(get_locale())),
        "questions": [{"question": x, "status": question_ops.deadline_status(x)}
                      for x in db.session.scalars(question_queries.questions_of_case(
                          actor, rec.id))],
        "corrections": corrections.corrections(db.session, rec),
    }
    if actor.role == SECRETARIAT:
        from ..secretariat.assessment import case_context
        from ..secretariat.corrections import correction_forms
        from ..secretariat.forms import case_forms

        context["forms"] = case_forms(rec, available, overrides=forms or {})
        context["correction_forms"] = correction_forms(rec, overrides=forms or {})
        context.update(case_context(rec, available, assessments or {}, context["forms"]))
    return render_template("cases/show.html", **context), status
