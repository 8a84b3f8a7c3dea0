"""Inbox and answer pages. A ministry user acts for its own government only:
another government's entry, or a case not addressed to it, is "not found"."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from workflow import clock, dispatch
from workflow import errors as werr
from workflow.answers import correspondence, replies
from workflow.cases import due_dates, scope
from workflow.cases import queries as domain_queries
from workflow.lifecycle import MINISTRY, REPLY_TRIGGERS
from workflow.models import CaseAddressee, Recommendation
from workflow.questions import operations as question_ops
from workflow.questions import queries as question_queries

from .. import paging
from ..cases import queries as case_queries
from ..cases.view import check_version, load_case, submitted_version
from ..errors import status_of
from ..extensions import db
from ..labels import choice_value, error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import AnswerForm, ExtensionRequestForm, InboxFilterForm

INBOX_PER_PAGE = 50


def _days_left(entry: CaseAddressee, now) -> int | None:
    """Working days left, as the inbox shows them (none left once the due moment is past:
    counting the working days of years overdue one by one would cost the page)."""
    if entry.due_at is not None and entry.due_at < now:
        return 0
    return due_dates.working_days_left(entry, now)
OTHERS_ROWS = 10  # the inbox shows the latest of the other cases, with a link to all
OTHERS_PER_PAGE = 50
QUESTION_ROWS = 10  # the inbox shows the written questions due first, with a link to all


@bp.route("/")
@role_required(MINISTRY)
def inbox():
    """The entries that await this government's answer, a page at a time (with the
    drafts in one more statement), and the first of the others."""
    actor = current_actor()
    now = clock.utcnow()
    filters = InboxFilterForm(request.args)
    filters.set_choices(case_queries.distinct_values(db.session, Recommendation.session_label))
    valid = filters.validate()
    status = filters.status.data if valid else ""
    stmt = domain_queries.awaited_entries(
        actor, actor.organisation, statuses=(status,) if status else None,
        cutoffs=due_dates.status_cutoffs(now) if status else None)
    if valid and filters.session.data:
        stmt = stmt.where(Recommendation.session_label == filters.session.data)
    if valid and filters.q.data:
        stmt = stmt.where(case_queries.text_matches(filters.q.data))
    page = paging.paginate(
        db.session, stmt, INBOX_PER_PAGE,
        options=(contains_eager(CaseAddressee.recommendation),
                 selectinload(CaseAddressee.answers)))
    waiting = [{"entry": entry, "status": due_dates.deadline_status(entry, now),
                "days_left": _days_left(entry, now),
                "draft": replies.draft_of(entry)} for entry in page.items]
    others, more = paging.first_rows(
        db.session, domain_queries.other_entries(actor, actor.organisation), OTHERS_ROWS,
        options=(contains_eager(CaseAddressee.recommendation),))
    asked, more_asked = paging.first_rows(
        db.session, question_queries.open_questions(actor, actor.organisation), QUESTION_ROWS)
    questions = [{"question": x, "status": question_ops.deadline_status(x, now)}
                 for x in asked]
    return render_template("ministry/inbox.html", waiting=waiting, page=page, others=others,
                           more_others=more, questions=questions, more_questions=more_asked,
                           filters=filters, args=paging.link_args(),
                           locale=str(get_locale())), 200 if valid else 400


@bp.route("/others")
@role_required(MINISTRY)
def others():
    """The other recommendations addressed to this government (answered, waived, closed),
    a page at a time."""
    actor = current_actor()
    page = paging.paginate(
        db.session, domain_queries.other_entries(actor, actor.organisation), OTHERS_PER_PAGE,
        options=(contains_eager(CaseAddressee.recommendation),))
    return render_template("ministry/others.html", page=page, locale=str(get_locale()))


def _entry(case_id: int):
    rec = load_case(case_id)
    actor = current_actor()
    entry = rec.entry(actor.organisation)
    if entry is None:
        raise werr.NotInScope(_("This recommendation is not addressed to your government."))
    scope.check_entry_scope(actor, entry)
    return rec, entry


def _offered(rec, entry) -> set[str]:
    """The answer triggers the lifecycle offers this ministry on its entry now."""
    return {a.name for a in scope.available_triggers(rec, current_actor())
            if a.addressee_code == entry.addressee_code}


def _kinds(rec, entry) -> list[str]:
    names = _offered(rec, entry)
    return [kind for kind, trig in REPLY_TRIGGERS.items() if trig in names]


def _page(rec, entry, form=None, more_time=None, status=200, conflict=None):
    kinds = _kinds(rec, entry)
    draft = replies.draft_of(entry)
    if form is None:
        form = AnswerForm(formdata=None, obj=draft) if draft else AnswerForm(formdata=None)
        form.version.data = str(rec.version)
        form.draft_version.data = str(draft.version) if draft else ""
        if draft is None and kinds:
            form.kind.data = kinds[0] if "final" not in kinds else "final"
    form.kind.choices = [c for c in form.kind.choices if choice_value(c) in kinds]
    can_ask = "request_extension" in _offered(rec, entry)
    if more_time is None and can_ask:
        more_time = ExtensionRequestForm(prefix="more", formdata=None)
        more_time.version.data = str(rec.version)
    return render_template(
        "ministry/answer.html", rec=rec, entry=entry, form=form if kinds else None,
        draft=draft, more_time=more_time if can_ask else None, conflict=conflict,
        status=due_dates.deadline_status(entry), days_left=due_dates.working_days_left(entry),
        explain=due_dates.explain_due(entry),
        letters=correspondence.thread(db.session, entry, str(get_locale())),
        submitted=[a for a in entry.answers if a.status == "submitted"]), status


def _answer_form(rec, entry) -> AnswerForm:
    """The answer form as sent, offering the kinds of reply possible now."""
    form = AnswerForm()
    kinds = _kinds(rec, entry)
    form.kind.choices = [c for c in form.kind.choices if choice_value(c) in kinds]
    return form


def _answer_refused(exc: werr.WorkflowError, case_id: int):
    """After a refused reply (nothing was written): the page as it is now, with the
    error next to its field or a conflict banner."""
    rec, entry = _entry(case_id)
    if isinstance(exc, werr.ValidationError):
        form = _answer_form(rec, entry)
        name = {"attachment": "attachment", "letter_date": "letter_date",
                "position": "position", "text_nl": "text_nl", "text_fr": "text_fr",
                "received_on": "letter_date", "kind": "kind"}.get(exc.field or "")
        if name:
            form[name].errors = [*form[name].errors, error_text(exc)]
        else:
            flash(error_text(exc), "error")
        return _page(rec, entry, form=form, status=400)
    return _page(rec, entry, status=status_of(exc), conflict=error_text(exc))


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
@role_required(MINISTRY)
@shows_refusals(_answer_refused)
def answer(case_id: int):
    rec, entry = _entry(case_id)
    if request.method == "GET":
        return _page(rec, entry)
    form = _answer_form(rec, entry)
    submitting = "submit" in request.form
    actor = current_actor()
    if not _kinds(rec, entry):
        raise werr.TransitionRefused(_("No answer is expected from your government on this "
                                       "recommendation now."), rule="case_accepts_answers")
    if submitting:
        check_version(rec, form.version.data)
    valid = form.validate_on_submit()
    if valid and submitting:
        valid = form.check_for_submission()
    if not valid:
        return _page(rec, entry, form=form, status=400)
    draft = replies.save_draft(
        db.session, actor, entry, kind=form.kind.data, position=form.position.data or None,
        text_nl=form.text_nl.data or "", text_fr=form.text_fr.data or "",
        letter_date=form.letter_date.data,
        draft_version=submitted_version(form.draft_version.data))
    upload = form.attachment.data
    if upload and getattr(upload, "filename", ""):
        # the form checked the PDF signature; browsers differ in the type they send
        replies.add_attachment(db.session, actor, draft, filename=upload.filename,
                               content_type="application/pdf", content=upload.read())
    if submitting:
        texts = (form.text_nl.data or "") or (form.text_fr.data or "")
        dispatch.fire(db.session, actor, rec, REPLY_TRIGGERS[form.kind.data],
                      addressee=entry.addressee_code, position=form.position.data or None,
                      text_nl=form.text_nl.data or "", text_fr=form.text_fr.data or "",
                      letter_date=form.letter_date.data,
                      reason=texts if form.kind.data == "declined" else "",
                      expected_version=rec.version)
    if submitting:
        flash(_("Your reply on %(doc)s is submitted.", doc=rec.doc_number), "success")
        return redirect(url_for("ministry.inbox"))
    flash(_("Draft saved. It is visible only to your organisation until you submit it."),
          "success")
    return redirect(url_for("ministry.answer", case_id=case_id))


def _more_time_refused(exc: werr.WorkflowError, case_id: int):
    rec, entry = _entry(case_id)  # as it is now: the refused request was rolled back
    if isinstance(exc, werr.ValidationError) and exc.field in ("requested_date", "reason"):
        form = ExtensionRequestForm(prefix="more")
        form[exc.field].errors = [*form[exc.field].errors, error_text(exc)]
        return _page(rec, entry, more_time=form, status=400)
    return _page(rec, entry, status=status_of(exc), conflict=error_text(exc))


@bp.route("/cases/<int:case_id>/more-time", methods=["POST"])
@role_required(MINISTRY)
@shows_refusals(_more_time_refused)
def more_time(case_id: int):
    rec, entry = _entry(case_id)
    form = ExtensionRequestForm(prefix="more")
    check_version(rec, form.version.data)
    if not form.validate_on_submit():
        return _page(rec, entry, more_time=form, status=400)
    dispatch.fire(db.session, current_actor(), rec, "request_extension",
                  addressee=entry.addressee_code, requested_date=form.requested_date.data,
                  reason=form.reason.data, expected_version=rec.version)
    flash(_("Your request for more time is sent to the secretariat."), "success")
    return redirect(url_for("ministry.answer", case_id=case_id))
