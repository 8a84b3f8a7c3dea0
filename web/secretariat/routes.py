"""Dashboard, registration (with a preview of the due dates) and the case actions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow import clock, deadlines
from workflow import errors as werr
from workflow import operations as ops
from workflow import queries as domain_queries
from workflow.calendars import calendar_for
from workflow.lifecycle import RECOMMENDATION, SECRETARIAT
from workflow.models import ExtensionRequest, Recommendation

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
    DecideRequestForm,
    field_name,
    make_form,
    offered,
    register_form,
)

PANEL_ROWS = 50  # the dashboard's lists show the first rows; the case list has them all


@bp.route("/")
@role_required(SECRETARIAT)
def dashboard():
    now = clock.utcnow()
    actor, cutoffs = current_actor(), ops.status_cutoffs(now)
    counts = dict(db.session.execute(
        select(Recommendation.state, func.count()).group_by(Recommendation.state)).all())
    entries = db.session.scalars(
        domain_queries.late_entries(actor, cutoffs).limit(PANEL_ROWS)).all()
    overdue = [(e, ops.deadline_status(e, now)) for e in entries]
    addressees = {a.code: a for a in queries.addressees(db.session)}
    summary = [(addressees[code], n, ops.due_status(oldest, now).days_overdue)
               for code, n, oldest in domain_queries.late_per_addressee(db.session, actor,
                                                                        cutoffs)]
    soon = db.session.scalars(
        domain_queries.late_entries(actor, cutoffs, statuses=("reminder",))
        .limit(PANEL_ROWS)).all()
    due_soon = [(e, ops.deadline_status(e, now)) for e in soon]
    to_assess = db.session.scalars(
        select(Recommendation).where(Recommendation.state == "answered")
        .order_by(Recommendation.updated_at.desc()).limit(20)).all()
    requests = db.session.scalars(
        select(ExtensionRequest).where(ExtensionRequest.status == "open")
        .order_by(ExtensionRequest.created_at)).all()
    return render_template("secretariat/dashboard.html", counts=counts, overdue=overdue,
                           summary=summary, due_soon=due_soon, to_assess=to_assess,
                           requests=requests, locale=str(get_locale()))


def _preview(form, addressees: dict) -> list[dict]:
    """Due dates as they would be if the case were transmitted today."""
    start = ops.brussels_date(clock.utcnow())
    rule = deadlines.DeadlineRule.parse(form.rule_text())
    out = []
    for code, required in addressees.items():
        addressee = ops.get_addressee(db.session, code)
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
    message = getattr(exc, "message", str(exc))
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
    rec = ops.register_recommendation(
        db.session, current_actor(), doc_number=form.doc_number.data,
        adopted_on=form.adopted_on.data, addressees=chosen,
        title_nl=form.title_nl.data, title_fr=form.title_fr.data,
        text_nl=form.text_nl.data, text_fr=form.text_fr.data,
        committee=form.committee.data, theme=form.theme.data,
        session_label=form.session_label.data, deadline_rule=form.rule_text())
    flash(_("Recommendation %(doc)s registered. Transmit it when it is sent to its "
            "addressees.", doc=rec.doc_number), "success")
    return redirect(url_for("cases.show", case_id=rec.id))


def _entry(rec, code):
    return ops.entry_of(rec, code)


def _run(action: str, rec: Recommendation, form) -> str:
    """Carry out one case action; returns the message to flash."""
    actor = current_actor()
    s = db.session
    v = rec.version
    if action == "transmit":
        ops.transmit(s, actor, rec, transmitted_on=form.transmitted_on.data, expected_version=v)
        return _("Transmitted: the answer clocks run.")
    if action in ("start_assessment", "start_monitoring"):
        ops.fire(s, actor, rec, action, reason=form.reason.data or "", expected_version=v)
        return _("Done: %(action)s.", action=trigger_label(action))
    if action == "request_follow_up":
        ops.request_follow_up(s, actor, rec, question=form.reason.data,
                              addressee_codes=form.addressees.data)
        return _("Follow-up question sent; new answers are due.")
    if action == "close":
        ops.close(s, actor, rec, closure_reason=form.closure_reason.data,
                  reason=form.reason.data or "")
        return _("The case is closed.")
    if action == "reopen":
        ops.reopen(s, actor, rec, reason=form.reason.data)
        return _("The case is reopened.")
    if action == "publish":
        ops.set_published(s, actor, rec, not rec.is_published)
        return _("Published.") if rec.is_published else _("No longer published.")
    entry = _entry(rec, form.addressee.data)
    if action == "paper_reply":
        kind = form.kind.data
        text_nl, text_fr = form.text_nl.data or "", form.text_fr.data or ""
        upload = form.attachment.data
        if upload and getattr(upload, "filename", ""):
            draft = ops.save_draft(s, actor, entry, kind=kind, text_nl=text_nl, text_fr=text_fr)
            # the form checked the PDF signature; browsers differ in the type they send
            ops.add_attachment(s, actor, draft, filename=upload.filename,
                               content_type="application/pdf", content=upload.read())
        ops.submit_reply(s, actor, entry, kind=kind, position=form.position.data or None,
                         text_nl=text_nl, text_fr=text_fr, letter_date=form.letter_date.data,
                         received_on=form.received_on.data,
                         reason=(text_nl or text_fr) if kind == "declined" else "",
                         expected_version=v)
        return _("The reply of %(who)s is recorded.", who=entry.addressee.name(
            str(get_locale())))
    if action == "waive":
        ops.waive(s, actor, entry, reason=form.reason.data, expected_version=v)
        return _("The answer is waived.")
    if action == "extension":
        ops.grant_extension(s, actor, entry, reason=form.reason.data,
                            new_date=form.new_date.data, days=form.days.data,
                            expected_version=v)
        return _("Extension granted.")
    if action == "stop_clock":
        ops.stop_clock(s, actor, entry, start=form.start.data, reason=form.reason.data)
        return _("The clock is stopped.")
    if action == "resume_clock":
        ops.resume_clock(s, actor, entry, end=form.end.data, reason=form.reason.data or "")
        return _("The clock runs again.")
    abort(404)


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
    form = make_form(rec, action, ops.available_triggers(rec, current_actor()))
    return _refused(rec, {action: form}, exc)


@bp.route("/cases/<int:case_id>/act/<action>", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_act_refused)
def act(case_id: int, action: str):
    if action not in ACTION_FORMS:
        abort(404)
    rec = load_case(case_id)
    available = ops.available_triggers(rec, current_actor())
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
    if req.status != "open":
        raise werr.TransitionRefused(_("This request was already decided."),
                                     rule="open_request")
    if not form.validate_on_submit():
        return render_case(rec, status=400, forms={key: form})
    if form.decision.data == "grant":
        ops.grant_extension(db.session, current_actor(), req.entry, reason=form.reason.data,
                            new_date=form.new_date.data, expected_version=rec.version)
        message = _("Extension granted.")
    else:
        ops.refuse_extension(db.session, current_actor(), req, reason=form.reason.data)
        message = _("The request for more time is refused.")
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=case_id))

