"""Written questions. The secretariat lists them, records a question, its answer received
on paper, or its withdrawal; an auditor reads them; a ministry sees the questions put to
its own government and answers them online (another government's question is "not
found")."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from workflow import errors as werr
from workflow.cases import scope
from workflow.history.models import Event
from workflow.lifecycle import AUDITOR, MINISTRY, SECRETARIAT
from workflow.models import Recommendation, WrittenQuestion
from workflow.questions import operations, queries

from .. import paging
from ..cases import queries as case_queries
from ..errors import status_of
from ..extensions import db
from ..labels import error_text, fmt_date
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import AnswerForm, AskForm, FilterForm, WithdrawForm

PER_PAGE = 50
READERS = (SECRETARIAT, AUDITOR, MINISTRY)


def _locale() -> str:
    return str(get_locale())


def load_question(question_id: int) -> WrittenQuestion:
    """The question, or 404 when it does not exist or is outside the user's scope."""
    question = db.session.get(WrittenQuestion, question_id)
    if question is None:
        abort(404)
    operations.check_question_visible(current_actor(), question)
    return question


@bp.route("/")
@role_required(*READERS)
def index():
    actor = current_actor()
    form = FilterForm(request.args)
    form.set_choices(case_queries.addressees(db.session), _locale())
    valid = form.validate()
    addressee = form.addressee.data if valid else None
    if actor.role == MINISTRY:
        addressee = actor.organisation  # its own (the scope says so too)
    stmt = queries.visible_questions(actor, addressee=addressee or None,
                                     state=(form.state.data or None) if valid else None)
    page = paging.paginate(db.session, stmt, PER_PAGE)
    rows = [{"question": x, "status": operations.deadline_status(x)} for x in page.items]
    return render_template("questions/index.html", form=form, rows=rows, page=page,
                           args=paging.link_args(), valid=valid,
                           locale=_locale()), 200 if valid else 400


def _ask_page(form: AskForm, status: int = 200):
    return render_template("questions/new.html", form=form, locale=_locale()), status


# The workflow's fields that have a field of their own on the form.
ASK_FIELDS = {"addressee_code", "asker", "subject", "text", "asked_on", "number", "rule"}


def _ask_refused(exc: werr.WorkflowError):
    """After a refused question (rolled back: nothing was written): the form as sent, with
    the error next to its field."""
    form = AskForm()
    form.set_choices(case_queries.addressees(db.session), _locale())
    if exc.field in ASK_FIELDS:
        form[exc.field].errors = [*form[exc.field].errors, error_text(exc)]
    else:
        flash(error_text(exc), "error")
    return _ask_page(form, status_of(exc))


@bp.route("/new", methods=["GET", "POST"])
@role_required(SECRETARIAT)
@shows_refusals(_ask_refused)
def new():
    form = AskForm()
    form.set_choices(case_queries.addressees(db.session), _locale())
    if request.method == "GET":
        case_id = request.args.get("case", type=int)
        rec = db.session.get(Recommendation, case_id) if case_id else None
        if rec is not None:
            form.doc_number.data = rec.doc_number
        return _ask_page(form)
    if not form.validate_on_submit():
        return _ask_page(form, 400)
    rec = None
    if form.doc_number.data:
        rec = db.session.scalar(select(Recommendation).where(
            Recommendation.doc_number == form.doc_number.data.strip()))
        if rec is None:
            form.doc_number.errors = [*form.doc_number.errors, _(
                "There is no recommendation with this document number; leave it empty for "
                "a question on its own.")]
            return _ask_page(form, 400)
    question = operations.ask_question(
        db.session, current_actor(), addressee_code=form.addressee_code.data,
        asker=form.asker.data, subject=form.subject.data, text=form.text.data,
        asked_on=form.asked_on.data, recommendation=rec, number=form.number.data,
        rule=form.rule.data or None)
    flash(_("Written question %(number)s is recorded; the answer is due on %(due)s.",
            number=question.number, due=fmt_date(question.due_at)), "success")
    return redirect(url_for("questions.show", question_id=question.id))


def _forms(question: WrittenQuestion, answer: AnswerForm | None = None,
           withdraw: WithdrawForm | None = None) -> dict:
    """The forms the user may use on the question now."""
    actor = current_actor()
    forms = {}
    if not question.is_open:
        return forms
    if actor.role == SECRETARIAT or (actor.role == MINISTRY
                                     and actor.organisation == question.addressee_code):
        forms["answer"] = answer or AnswerForm(formdata=None)
        forms["answer"].version.data = str(question.version)
    if actor.role == SECRETARIAT:
        forms["withdraw"] = withdraw or WithdrawForm(formdata=None, prefix="withdraw")
        forms["withdraw"].version.data = str(question.version)
    return forms


def _show(question: WrittenQuestion, *, status: int = 200, conflict: str | None = None,
          **forms):
    actor = current_actor()
    events = _events(question) if actor.role in (SECRETARIAT, AUDITOR) else []
    return render_template(
        "questions/show.html", question=question, forms=_forms(question, **forms),
        status=operations.deadline_status(question),
        days_left=operations.working_days_left(question),
        explain=operations.explain_due(question), conflict=conflict, events=events,
        case_visible=question.recommendation is not None
        and scope.can_see(actor, question.recommendation),
        locale=_locale()), status


def _events(question: WrittenQuestion) -> list:
    """The question's own history: the events of its addressee since the day it was
    asked (the indexed effective moment) that name its number (written as the canonical
    payload writes it; the number is letters, digits and dashes only)."""
    from datetime import datetime, time

    from workflow.deadlines import BRUSSELS

    since = datetime.combine(question.asked_on, time(0), tzinfo=BRUSSELS)
    stmt = select(Event).where(Event.effective_at >= since, Event.entity == "question",
                               Event.addressee_code == question.addressee_code,
                               Event.payload.like(f'%"number":"{question.number}"%'))
    return list(db.session.scalars(stmt.order_by(Event.seq)))


@bp.route("/<int:question_id>")
@role_required(*READERS)
def show(question_id: int):
    return _show(load_question(question_id))


def _version(form) -> int:
    raw = form.version.data or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else -1


def _answer_refused(exc: werr.WorkflowError, question_id: int):
    question = load_question(question_id)  # as it is now: the refused answer rolled back
    if isinstance(exc, werr.ValidationError) and exc.field in ("answer_text", "answered_on"):
        form = AnswerForm()
        form[exc.field].errors = [*form[exc.field].errors, error_text(exc)]
        return _show(question, status=400, answer=form)
    return _show(question, status=status_of(exc), conflict=error_text(exc))


@bp.route("/<int:question_id>/answer", methods=["POST"])
@role_required(SECRETARIAT, MINISTRY)
@shows_refusals(_answer_refused)
def answer(question_id: int):
    question = load_question(question_id)
    actor = current_actor()
    form = AnswerForm()
    if not form.validate_on_submit():
        return _show(question, status=400, answer=form)
    operations.answer_question(
        db.session, actor, question, answer_text=form.answer_text.data,
        answered_on=form.answered_on.data if actor.role == SECRETARIAT else None,
        expected_version=_version(form))
    flash(_("The answer to %(number)s is recorded.", number=question.number), "success")
    return redirect(url_for("questions.show", question_id=question.id))


def _withdraw_refused(exc: werr.WorkflowError, question_id: int):
    question = load_question(question_id)
    return _show(question, status=status_of(exc), conflict=error_text(exc))


@bp.route("/<int:question_id>/withdraw", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_withdraw_refused)
def withdraw(question_id: int):
    question = load_question(question_id)
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        return _show(question, status=400, withdraw=form)
    operations.withdraw_question(db.session, current_actor(), question,
                                 reason=form.reason.data or "",
                                 expected_version=_version(form))
    flash(_("Written question %(number)s is withdrawn.", number=question.number), "success")
    return redirect(url_for("questions.show", question_id=question.id))
