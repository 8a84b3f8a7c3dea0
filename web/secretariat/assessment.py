"""The committee's assessment of each answer, recorded by the secretariat on the case page:
a judgement and a note per submitted final reply; an unsatisfactory one offers the
follow-up question to that addressee (the case page's request-follow-up action, with the
addressee ticked)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from workflow import errors as werr
from workflow.answers import assessment
from workflow.answers.models import JUDGEMENTS
from workflow.checks import MAX_REASON
from workflow.lifecycle import SECRETARIAT
from workflow.models import Answer

from ..cases.view import load_case, render_case
from ..errors import status_of
from ..extensions import db
from ..labels import JUDGEMENTS as JUDGEMENT_LABELS
from ..labels import choices, error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import addressee_choices, offered

FOLLOW_UP = "request_follow_up"


class AssessForm(FlaskForm):
    """The judgement of one answer; carries the answer's version (a form made before
    someone else judged it is refused, 409)."""

    version = HiddenField()
    judgement = RadioField(_l("Judgement of the committee"),
                           validators=[InputRequired(_l("Choose a judgement."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(),
                                                            Length(max=MAX_REASON)])

    def set_choices(self) -> None:
        self.judgement.choices = choices([(j, JUDGEMENT_LABELS[j]) for j in JUDGEMENTS])


def _form(answer: Answer, formdata=None) -> AssessForm:
    kwargs = {"prefix": f"assess-{answer.id}"}
    if formdata is False:
        kwargs["formdata"] = None
    form = AssessForm(**kwargs)
    form.set_choices()
    if formdata is False:
        form.version.data = str(answer.version)
        form.judgement.data = answer.judgement
    return form


def case_context(rec, available, overrides: dict, forms: dict) -> dict:
    """What the case page needs for the assessment: a form per assessable answer, for each
    unsatisfactory one the follow-up offer (or the rule that forbids it now), and the
    request-follow-up form opened with the addressee ticked (``?follow_up=CODE``)."""
    assess_forms, follow_up = {}, {}
    may_follow_up = offered(rec, FOLLOW_UP, available)
    codes = {code for code, _label in addressee_choices(rec, FOLLOW_UP, available)}
    actor = current_actor()
    for entry in rec.addressees:
        for answer in entry.answers:
            if not answer.is_assessable:
                continue
            assess_forms[answer.id] = overrides.get(answer.id) or _form(answer, False)
            if assessment.follow_up_offered(answer):
                refused = assessment.follow_up_refusal(answer, actor.role)
                follow_up[answer.id] = {
                    "offered": may_follow_up and entry.addressee_code in codes,
                    "why_not": error_text(refused) if refused is not None else ""}
    open_action = None
    wanted = request.args.get("follow_up", "")
    if wanted in codes and FOLLOW_UP in forms and not forms[FOLLOW_UP].errors \
            and not forms[FOLLOW_UP].addressees.data:
        forms[FOLLOW_UP].addressees.data = [wanted]
        open_action = FOLLOW_UP
    return {"assess_forms": assess_forms, "follow_up": follow_up, "open_action": open_action}


def _load_answer(answer_id: int) -> tuple:
    answer = db.session.get(Answer, answer_id)
    if answer is None or not answer.visible_to(current_actor()):
        abort(404)
    return load_case(answer.entry.recommendation_id), answer


def _assess_refused(exc: werr.WorkflowError, answer_id: int):
    rec, answer = _load_answer(answer_id)  # as it is now: nothing was saved
    if isinstance(exc, werr.ValidationError) and exc.field in ("judgement", "note"):
        form = _form(answer)
        form[exc.field].errors = [*form[exc.field].errors, error_text(exc)]
        return render_case(rec, status=400, assessments={answer.id: form})
    return render_case(rec, status=status_of(exc), conflict=error_text(exc))


def _version(raw: str | None) -> int:
    raw = raw or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else -1


@bp.route("/answers/<int:answer_id>/assess", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_assess_refused)
def assess(answer_id: int):
    rec, answer = _load_answer(answer_id)
    form = _form(answer)
    version = _version(form.version.data)
    if version != answer.version:
        raise werr.ConflictError(
            "the answer was changed meanwhile", rule="answer_version",
            params={"addressee": answer.entry.addressee_code, "doc_number": rec.doc_number})
    if not form.validate_on_submit():
        return render_case(rec, status=400, assessments={answer.id: form})
    assessment.assess_answer(db.session, current_actor(), answer,
                             judgement=form.judgement.data, note=form.note.data or "",
                             expected_version=version)
    flash(_("The assessment of the answer of %(who)s is recorded: %(judgement)s.",
            who=answer.entry.addressee.name(str(get_locale())),
            judgement=JUDGEMENT_LABELS[answer.judgement]), "success")
    return redirect(url_for("cases.show", case_id=rec.id, _anchor=f"answer-{answer.id}"))

