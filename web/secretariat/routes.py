"""Dashboard, registration (with a preview of the due dates) and the case actions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from workflow import clock, deadlines, dispatch
from workflow import clock as clock_ops
from workflow import errors as werr
from workflow.answers import replies
from workflow.cases import catalogue, due_dates, registration, scope
from workflow.cases import queries as domain_queries
from workflow.cases.calendars import calendar_for
from workflow.lifecycle import ANSWER, RECOMMENDATION, REPLY_TRIGGERS, SECRETARIAT
from workflow.models import CaseAddressee, ExtensionRequest, Recommendation

from .. import paging
from ..cases import queries
from ..cases.view import check_version, load_case, render_case
from ..errors import status_of
from ..extensions import db
from ..labels import error_text, trigger_label
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import (
    ACTION_FORMS,
    PAPER_REPLY,
    PUBLISH,
    DecideRequestForm,
    field_name,
    make_form,
    offered,
    register_form,
)

PANEL_ROWS = 50  # the dashboard shows the first rows of each list, with a link to all
PANEL_PER_PAGE = 50


def _panels(actor, cutoffs) -> dict:
    """Each list of the dashboard: its query (in its indexed order), the loader options
    that bring what a row shows in the same statement, and a cheaper statement to count
    its rows if any."""
    with_case = (contains_eager(CaseAddressee.recommendation),)
    soon = ("reminder",)
    return {
        "overdue": (domain_queries.late_entries(actor, cutoffs), with_case,
                    domain_queries.late_entry_ids(actor, cutoffs)),
        "due-soon": (domain_queries.late_entries(actor, cutoffs, statuses=soon), with_case,
                     domain_queries.late_entry_ids(actor, cutoffs, statuses=soon)),
        "to-assess": (select(Recommendation).where(Recommendation.state == "answered")
                      .order_by(Recommendation.updated_at.desc(), Recommendation.id.desc()),
                      (), None),
        "requests": (select(ExtensionRequest).where(ExtensionRequest.status == "open")
                     .order_by(ExtensionRequest.created_at, ExtensionRequest.id),
                     (joinedload(ExtensionRequest.entry)
                      .joinedload(CaseAddressee.recommendation),), None),
    }


PANEL_TITLES = {
    "overdue": _l("Overdue answers"),
    "due-soon": _l("Due in the next 30 days"),
    "to-assess": _l("Answered: to assess"),
    "requests": _l("Requests for more time"),
}


def _with_status(panel: str, items, now) -> list:
    if panel in ("overdue", "due-soon"):
        return [(e, due_dates.deadline_status(e, now)) for e in items]
    return list(items)


@bp.route("/")
@role_required(SECRETARIAT)
def dashboard():
    now = clock.utcnow()
    actor, cutoffs = current_actor(), due_dates.status_cutoffs(now)
    counts = domain_queries.state_counts(db.session)
    lists, more = {}, {}
    for panel, (stmt, options, _count) in _panels(actor, cutoffs).items():
        items, more[panel] = paging.first_rows(db.session, stmt, PANEL_ROWS, options=options)
        lists[panel] = _with_status(panel, items, now)
    addressees = {a.code: a for a in queries.addressees(db.session)}
    summary = [(addressees[code], n, due_dates.due_status(oldest, now).days_overdue)
               for code, n, oldest in domain_queries.late_per_addressee(db.session, actor,
                                                                        cutoffs)]
    return render_template("secretariat/dashboard.html", states=RECOMMENDATION.state_names,
                           counts=counts, overdue=lists["overdue"], summary=summary,
                           due_soon=lists["due-soon"], to_assess=lists["to-assess"],
                           requests=lists["requests"], more=more, locale=str(get_locale()),
                           cap=domain_queries.COUNT_CAP)


@bp.route("/lists/<any(overdue, 'due-soon', 'to-assess', requests):panel>")
@role_required(SECRETARIAT)
def panel(panel: str):
    """A dashboard list in full, one page at a time."""
    now = clock.utcnow()
    stmt, options, count = _panels(current_actor(), due_dates.status_cutoffs(now))[panel]
    page = paging.paginate(db.session, stmt, PANEL_PER_PAGE, options=options,
                           count_stmt=count)
    return render_template("secretariat/panel.html", panel=panel, page=page,
                           rows=_with_status(panel, page.items, now),
                           title=PANEL_TITLES[panel], locale=str(get_locale()))


def _preview(form, addressees: dict) -> list[dict]:
    """Due dates as they would be if the case were transmitted today."""
    start = clock_ops.brussels_date(clock.utcnow())
    rule = deadlines.DeadlineRule.parse(form.rule_text())
    out = []
    for code, required in addressees.items():
        addressee = catalogue.get_addressee(db.session, code)
        due = deadlines.compute_due(start, rule, calendar_for(addressee))
        out.append({"addressee": addressee, "required": required, "due": due})
    return out


def _register_page(form, addressees, preview=None, status=200):
    committees = queries.distinct_values(db.session, Recommendation.committee)
    themes = queries.distinct_values(db.session, Recommendation.theme)
    groups = [(a, form[field_name(a.code)]) for a in addressees]
    return render_template("secretariat/register.html", form=form, groups=groups,
                           preview=preview, committees=committees, themes=themes), status


def _register_error(form, exc) -> None:
    """Put a refusal of the registration next to its field."""
    message = error_text(exc) if isinstance(exc, werr.WorkflowError) else str(exc)
    name = getattr(exc, "field", None) or "doc_number"
    name = {"deadline_rule": "deadline_amount"}.get(name, name)
    if name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        form.addressees_error = message


def _register_refused(exc: werr.WorkflowError):
    """After a refused registration (nothing was written): the form as sent, the
    error next to its field."""
    if not isinstance(exc, werr.ValidationError):
        raise exc
    addressees = queries.addressees(db.session)
    form = register_form(addressees, str(get_locale()))
    _register_error(form, exc)
    return _register_page(form, addressees, status=400)


@bp.route("/cases/new", methods=["GET", "POST"])
@role_required(SECRETARIAT)
@shows_refusals(_register_refused)
def register():
    addressees = queries.addressees(db.session)
    form = register_form(addressees, str(get_locale()))
    if request.method != "POST":
        return _register_page(form, addressees)
    if not form.validate_on_submit():
        return _register_page(form, addressees, status=400)
    chosen = form.chosen_addressees()
    if "preview" in request.form:
        try:
            preview = _preview(form, chosen)
        except (werr.ValidationError, deadlines.DeadlineError) as exc:
            _register_error(form, exc)
            return _register_page(form, addressees, status=400)
        return _register_page(form, addressees, preview=preview)
    rec = registration.register_recommendation(
        db.session, current_actor(), doc_number=form.doc_number.data,
        adopted_on=form.adopted_on.data, addressees=chosen,
        title_nl=form.title_nl.data, title_fr=form.title_fr.data,
        title_en=form.title_en.data or "", text_nl=form.text_nl.data, text_fr=form.text_fr.data,
        committee=form.committee.data, theme=form.theme.data,
        session_label=form.session_label.data, deadline_rule=form.rule_text())
    flash(_("Recommendation %(doc)s registered. Transmit it when it is sent to its "
            "addressees.", doc=rec.doc_number), "success")
    return redirect(url_for("cases.show", case_id=rec.id))


# What the page says after each action went through.
DONE = {
    "transmit": _l("Transmitted: the answer clocks run."),
    "request_follow_up": _l("Follow-up question sent; new answers are due."),
    "close": _l("The case is closed."),
    "reopen": _l("The case is reopened."),
    "waive": _l("The answer is waived."),
    "grant_extension": _l("Extension granted."),
    "stop_clock": _l("The clock is stopped."),
    "resume_clock": _l("The clock runs again."),
}


def _run(action: str, rec: Recommendation, form) -> str:
    """Carry out one case action through the one dispatcher; returns the message to flash."""
    actor = current_actor()
    s = db.session
    if action == PUBLISH:
        registration.set_published(s, actor, rec, not rec.is_published)
        return _("Published.") if rec.is_published else _("No longer published.")
    addressee = form.addressee.data if "addressee" in form else None
    if action == PAPER_REPLY:
        trigger = REPLY_TRIGGERS[form.kind.data]
        entry = scope.entry_of(rec, addressee)
        upload = form.attachment.data
        if upload and getattr(upload, "filename", ""):
            draft = replies.save_draft(s, actor, entry, kind=form.kind.data,
                                       text_nl=form.text_nl.data or "",
                                       text_fr=form.text_fr.data or "")
            # the form checked the PDF signature; browsers differ in the type they send
            replies.add_attachment(s, actor, draft, filename=upload.filename,
                                   content_type="application/pdf", content=upload.read())
    else:
        trigger = action
    lifecycle = ANSWER if addressee else RECOMMENDATION
    params = {name: form[name].data for name in lifecycle.trigger(trigger).params
              if name in form}
    if action == PAPER_REPLY:
        params["text_nl"], params["text_fr"] = params["text_nl"] or "", params["text_fr"] or ""
        params["reason"] = (params["text_nl"] or params["text_fr"]) \
            if form.kind.data == "declined" else ""
    dispatch.fire(s, actor, rec, trigger, addressee=addressee, expected_version=rec.version,
                  **params)
    if action == PAPER_REPLY:
        return _("The reply of %(who)s is recorded.",
                 who=scope.entry_of(rec, addressee).addressee.name(str(get_locale())))
    if trigger in DONE:
        return str(DONE[trigger])
    return _("Done: %(action)s.", action=trigger_label(action))


def _attach_error(form, exc: werr.WorkflowError) -> bool:
    """Put a validation error next to its field; False when the form has no such field."""
    aliases = {"reason": "reason", "received_on": "received_on", "letter_date": "letter_date",
               "position": "position", "text_nl": "text_nl", "new_date": "new_date",
               "days": "days", "start": "start", "end": "end", "transmitted_on":
               "transmitted_on", "closure_reason": "closure_reason", "addressees": "addressees",
               "addressee": "addressee", "attachment": "attachment"}
    name = aliases.get(exc.field or "")
    if name and name in form:
        form[name].errors = [*form[name].errors, error_text(exc)]
        return True
    return False


def _refused(rec: Recommendation, action_forms: dict, exc: werr.WorkflowError):
    """After a refused action: nothing was written; show why, with the case as it is now."""
    if isinstance(exc, werr.ValidationError):
        form = next(iter(action_forms.values()))
        if not _attach_error(form, exc):
            flash(error_text(exc), "error")
        return render_case(rec, status=400, forms=action_forms)
    return render_case(rec, status=status_of(exc), conflict=error_text(exc))


def _act_refused(exc: werr.WorkflowError, case_id: int, action: str):
    rec = load_case(case_id)  # as it is now: the refused action was rolled back
    form = make_form(rec, action, scope.available_triggers(rec, current_actor()))
    return _refused(rec, {action: form}, exc)


@bp.route("/cases/<int:case_id>/act/<action>", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_act_refused)
def act(case_id: int, action: str):
    if action not in ACTION_FORMS:
        abort(404)
    rec = load_case(case_id)
    available = scope.available_triggers(rec, current_actor())
    form = make_form(rec, action, available)
    check_version(rec, form.version.data)
    if not offered(rec, action, available):
        trig = RECOMMENDATION.by_trigger.get(action)
        refused = trig and RECOMMENDATION.refusal(rec, trig, current_actor().role, {})
        raise refused or werr.TransitionRefused(
            _("This action is not possible in the case's current state."), rule="state")
    if not form.validate_on_submit():
        return render_case(rec, status=400, forms={action: form})
    flash(_run(action, rec, form), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _decide_refused(exc: werr.WorkflowError, case_id: int, request_id: int):
    key = f"decide-{request_id}"
    return _refused(load_case(case_id), {key: DecideRequestForm(prefix=key)}, exc)


@bp.route("/cases/<int:case_id>/requests/<int:request_id>", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_decide_refused)
def decide_request(case_id: int, request_id: int):
    rec = load_case(case_id)
    req = db.session.get(ExtensionRequest, request_id)
    if req is None or req.entry.recommendation_id != rec.id:
        abort(404)
    key = f"decide-{request_id}"
    form = DecideRequestForm(prefix=key)
    check_version(rec, form.version.data)
    refused = ANSWER.refusal(req.entry, ANSWER.trigger("refuse_extension"),
                             current_actor().role, {"request": req})
    if refused is not None:
        raise refused
    if not form.validate_on_submit():
        return render_case(rec, status=400, forms={key: form})
    code = req.entry.addressee_code
    if form.decision.data == "grant":
        dispatch.fire(db.session, current_actor(), rec, "grant_extension", addressee=code,
                      reason=form.reason.data, new_date=form.new_date.data,
                      expected_version=rec.version)
        message = _("Extension granted.")
    else:
        dispatch.fire(db.session, current_actor(), rec, "refuse_extension", addressee=code,
                      request=req, reason=form.reason.data, expected_version=rec.version)
        message = _("The request for more time is refused.")
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=case_id))

