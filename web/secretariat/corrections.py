"""Corrections on the case page: the texts corrected with a reason, a paper reply recorded
by mistake withdrawn with a reason. Both are events in the history; nothing is edited
away (workflow.cases.corrections, workflow.answers.corrections)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workflow import errors as werr
from workflow.answers import corrections as reply_corrections
from workflow.cases import corrections as text_corrections
from workflow.checks import MAX_TEXT, MAX_TITLE
from workflow.lifecycle import SECRETARIAT
from workflow.models import Answer, Recommendation

from ..cases.view import check_version, load_case, render_case
from ..errors import status_of
from ..extensions import db
from ..labels import error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import REASON, CaseForm

CORRECT = "correct"


class CorrectTextsForm(CaseForm):
    title_nl = StringField(_l("Title in Dutch"), validators=[Optional(), Length(max=MAX_TITLE)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title in English (optional)"),
                           validators=[Optional(), Length(max=MAX_TITLE)])
    text_nl = TextAreaField(_l("Text in Dutch"), validators=[Optional(), Length(max=MAX_TEXT)])
    text_fr = TextAreaField(_l("Text in French"), validators=[Optional(), Length(max=MAX_TEXT)])
    reason = TextAreaField(_l("Why are the texts corrected?"),
                           validators=[DataRequired(_l("Give the reason.")), *REASON])

    def check(self) -> None:
        if not (self.title_nl.data or "").strip() and not (self.title_fr.data or "").strip():
            self.error(self.title_nl, _("Give the title in Dutch, French or both."))


class WithdrawReplyForm(CaseForm):
    reason = TextAreaField(_l("Why is this reply withdrawn?"),
                           validators=[DataRequired(_l("Give the reason.")), *REASON])


def withdraw_key(answer_id: int) -> str:
    return f"withdraw-{answer_id}"


def correction_forms(rec: Recommendation, overrides: dict) -> dict:
    """The correction forms of the case page: the texts (``correct``) and one withdrawal
    form per reply that may be withdrawn now (``withdraw`` by answer id)."""
    correct = overrides.get(CORRECT)
    if correct is None:
        correct = CorrectTextsForm(prefix=CORRECT, formdata=None, obj=rec)
        correct.version.data = str(rec.version)
    withdraw = {}
    for answer_id in reply_corrections.withdrawable(db.session, current_actor(), rec):
        key = withdraw_key(answer_id)
        form = overrides.get(key)
        if form is None:
            form = WithdrawReplyForm(prefix=key, formdata=None)
            form.version.data = str(rec.version)
        withdraw[answer_id] = form
    return {"correct": correct, "withdraw": withdraw}


def _refused(rec: Recommendation, key: str, form, exc: werr.WorkflowError):
    """After a refused correction (nothing was written): the error next to its field, or
    the conflict over the case as it is now."""
    if isinstance(exc, werr.ValidationError):
        if exc.field and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, error_text(exc)]
        else:
            flash(error_text(exc), "error")
        return render_case(rec, status=400, forms={key: form})
    return render_case(rec, status=status_of(exc), conflict=error_text(exc))


def _correct_refused(exc: werr.WorkflowError, case_id: int):
    return _refused(load_case(case_id), CORRECT, CorrectTextsForm(prefix=CORRECT), exc)


@bp.route("/cases/<int:case_id>/correct", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_correct_refused)
def correct_texts(case_id: int):
    rec = load_case(case_id)
    form = CorrectTextsForm(prefix=CORRECT)
    check_version(rec, form.version.data)
    if not form.validate_on_submit():
        return render_case(rec, status=400, forms={CORRECT: form})
    text_corrections.correct_texts(
        db.session, current_actor(), rec, reason=form.reason.data,
        expected_version=rec.version,
        **{name: form[name].data or "" for name in text_corrections.TEXT_FIELDS})
    flash(_("The texts are corrected. The previous version is kept in the history."),
          "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _answer_of(rec: Recommendation, answer_id: int) -> Answer:
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.entry.recommendation_id != rec.id \
            or not answer.visible_to(current_actor()):
        abort(404)
    return answer


def _withdraw_refused(exc: werr.WorkflowError, case_id: int, answer_id: int):
    key = withdraw_key(answer_id)
    return _refused(load_case(case_id), key, WithdrawReplyForm(prefix=key), exc)


@bp.route("/cases/<int:case_id>/replies/<int:answer_id>/withdraw", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_withdraw_refused)
def withdraw_reply(case_id: int, answer_id: int):
    rec = load_case(case_id)
    answer = _answer_of(rec, answer_id)
    key = withdraw_key(answer_id)
    form = WithdrawReplyForm(prefix=key)
    check_version(rec, form.version.data)
    refused = reply_corrections.withdrawal_refusal(db.session, current_actor(), answer)
    if refused is not None:
        raise refused
    if not form.validate_on_submit():
        return render_case(rec, status=400, forms={key: form})
    reply_corrections.withdraw_reply(db.session, current_actor(), answer,
                                     reason=form.reason.data, expected_version=rec.version)
    flash(_("The reply of %(who)s is withdrawn: it no longer counts.",
            who=answer.entry.addressee.name(str(get_locale()))), "success")
    return redirect(url_for("cases.show", case_id=case_id))
