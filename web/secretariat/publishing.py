"""Publishing answers on the public side: one answer from the case page (publish, or
withdraw with a reason), or every submitted answer of a case or of a plenary session at
once, after a preview of what is published and what is left out and why. The rules are
in :mod:`workflow.publishing.publication`."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from workflow import errors as werr
from workflow.lifecycle import SECRETARIAT
from workflow.models import Answer
from workflow.publishing import publication

from ..cases.view import check_version, load_case, render_case
from ..errors import status_of
from ..extensions import db
from ..labels import error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import PublishPlanForm, SessionChoiceForm, answer_form, answer_form_key


@bp.app_context_processor
def _answer_publication():
    """For the case page: ``answer_publication(rec, answer)`` gives the secretariat's
    publish or withdraw form of a submitted answer (None for a draft)."""

    def answer_publication(rec, answer):
        if answer.status != publication.SUBMITTED:
            return None
        shown = getattr(g, "answer_forms", {}).get(answer_form_key(answer.id))
        return {"form": shown or answer_form(rec, answer), "published": answer.is_published,
                "public": answer.is_public, "case_published": rec.is_published}

    return {"answer_publication": answer_publication}


def _case_with_form(rec, answer, form, status: int, conflict: str | None = None):
    """The case page with ``form`` (the answer's, as sent) shown with its errors."""
    g.answer_forms = {answer_form_key(answer.id): form}
    return render_case(rec, status=status, conflict=conflict)


def _answer(answer_id: int) -> tuple[Answer, object]:
    answer = db.session.get(Answer, answer_id)
    if answer is None or not answer.visible_to(current_actor()):
        abort(404)
    return answer, load_case(answer.entry.recommendation_id)


def _answer_refused(exc: werr.WorkflowError, answer_id: int):
    """After a refused publication (nothing was written): the case page as it is now,
    the error next to the reason or above the case."""
    answer, rec = _answer(answer_id)
    form = answer_form(rec, answer, formdata=None)
    if isinstance(exc, werr.ValidationError) and "reason" in form:
        form.reason.errors = [*form.reason.errors, error_text(exc)]
        return _case_with_form(rec, answer, form, 400)
    return _case_with_form(rec, answer, form, status_of(exc), conflict=error_text(exc))


def _who(answer: Answer) -> str:
    return answer.entry.addressee.name(str(get_locale()))


@bp.route("/answers/<int(min=1, max=2147483647):answer_id>/publish", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_answer_refused)
def publish_answer(answer_id: int):
    answer, rec = _answer(answer_id)
    form = answer_form(rec, answer, formdata=None)
    check_version(rec, form.version.data)
    if answer.is_published:
        raise werr.ConflictError(_("This answer is already published."))
    if not form.validate_on_submit():
        return _case_with_form(rec, answer, form, 400)
    publication.publish_answer(db.session, current_actor(), answer, True,
                               expected_version=rec.version)
    message = _("The answer of %(who)s is published.", who=_who(answer))
    if not rec.is_published:
        message += " " + _("It shows on the public pages once the recommendation is "
                           "published.")
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=rec.id, _anchor=f"answer-{answer.id}"))


@bp.route("/answers/<int(min=1, max=2147483647):answer_id>/unpublish", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_answer_refused)
def unpublish_answer(answer_id: int):
    answer, rec = _answer(answer_id)
    form = answer_form(rec, answer, formdata=None)
    check_version(rec, form.version.data)
    if not answer.is_published:
        raise werr.ConflictError(_("This answer is not published."))
    if not form.validate_on_submit():
        return _case_with_form(rec, answer, form, 400)
    publication.unpublish_answer(db.session, current_actor(), answer, form.reason.data,
                                 expected_version=rec.version)
    flash(_("The answer of %(who)s is no longer published.", who=_who(answer)), "success")
    return redirect(url_for("cases.show", case_id=rec.id, _anchor=f"answer-{answer.id}"))


# ---------------------------------------------------------------------------
# Every answer of a case, or of a plenary session: preview, then confirm


def _plan_page(plan, *, rec=None, choice=None, form=None, conflict=None, error=None,
               status=200):
    if plan is not None and form is None:
        form = PublishPlanForm(formdata=None)
        form.digest.data = plan.digest
        form.session_label.data = plan.label if plan.kind == publication.SESSION else ""
    return render_template("secretariat/publish_answers.html", plan=plan, rec=rec,
                           choice=choice, form=form, conflict=conflict, error=error,
                           locale=str(get_locale())), status


def _published_message(answers) -> str:
    return ngettext("%(num)d answer published.", "%(num)d answers published.", len(answers))


def _case_plan_refused(exc: werr.WorkflowError, case_id: int):
    rec = load_case(case_id)
    plan = publication.plan_case(db.session, current_actor(), rec)
    if isinstance(exc, werr.ConflictError):
        return _plan_page(plan, rec=rec, conflict=error_text(exc), status=409)
    return _plan_page(plan, rec=rec, error=error_text(exc), status=status_of(exc))


@bp.route("/cases/<int:case_id>/publish-answers", methods=["GET", "POST"])
@role_required(SECRETARIAT)
@shows_refusals(_case_plan_refused)
def publish_case_answers(case_id: int):
    rec = load_case(case_id)
    plan = publication.plan_case(db.session, current_actor(), rec)
    if request.method != "POST":
        return _plan_page(plan, rec=rec)
    form = PublishPlanForm()
    if not form.validate_on_submit():
        return _plan_page(plan, rec=rec, status=400)
    done = publication.publish_planned(db.session, current_actor(), plan,
                                       expected_digest=form.digest.data or "")
    flash(_published_message(done), "success")
    return redirect(url_for("cases.show", case_id=rec.id))


def _session_choice(label: str) -> SessionChoiceForm:
    form = SessionChoiceForm(formdata=None)
    labels = publication.session_labels(db.session)
    form.session.choices = [("", _("Choose a session"))] + [(x, x) for x in labels]
    form.session.data = label
    return form


def _session_refused(exc: werr.WorkflowError):
    label = (request.form.get("session_label") or "").strip()
    choice = _session_choice(label)
    if isinstance(exc, werr.ValidationError) and exc.field == "session_label":
        choice.session.errors = [error_text(exc)]
        return _plan_page(None, choice=choice, status=400)
    plan = publication.plan_session(db.session, current_actor(), label)
    if isinstance(exc, werr.ConflictError):
        return _plan_page(plan, choice=choice, conflict=error_text(exc), status=409)
    return _plan_page(plan, choice=choice, error=error_text(exc), status=status_of(exc))


@bp.route("/publish-answers", methods=["GET"])
@role_required(SECRETARIAT)
def publish_session_answers():
    """Choose a plenary session; with one chosen, the preview of its publication."""
    label = (request.args.get("session") or "").strip()
    choice = _session_choice(label)
    if not label:
        return _plan_page(None, choice=choice)
    try:
        plan = publication.plan_session(db.session, current_actor(), label)
    except werr.ValidationError as exc:
        choice.session.errors = [error_text(exc)]
        return _plan_page(None, choice=choice, status=400)
    return _plan_page(plan, choice=choice)


@bp.route("/publish-answers", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_session_refused)
def publish_session_confirm():
    form = PublishPlanForm()
    label = (form.session_label.data or "").strip()
    plan = publication.plan_session(db.session, current_actor(), label)
    if not form.validate_on_submit():
        return _plan_page(plan, choice=_session_choice(label), status=400)
    done = publication.publish_planned(db.session, current_actor(), plan,
                                       expected_digest=form.digest.data or "")
    flash(_published_message(done), "success")
    return redirect(url_for("secretariat.publish_session_answers", session=label))
