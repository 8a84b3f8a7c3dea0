"""The list "for the next plenary / Permanent Committee": the very overdue answers by
addressee (``workflow.reminders.escalation``), marking the ticked ones as put on a
session's agenda, and the list to print or download as CSV."""

from __future__ import annotations

import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from workflow import clock
from workflow import errors as werr
from workflow.deadlines import BRUSSELS
from workflow.deadlines import policy as deadline_policy
from workflow.lifecycle import SECRETARIAT
from workflow.reminders import escalation as escalation_ops

from .. import csv_export, paging
from ..extensions import db
from ..labels import error_text, notice_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import AgendaForm

PER_PAGE = escalation_ops.PER_PAGE


def _page(form: AgendaForm, *, status: int = 200, now=None):
    now = now or clock.utcnow()
    page = escalation_ops.escalation_list(db.session, now, actor=current_actor(),
                                          page=paging.requested_page(), per_page=PER_PAGE)
    ticked = set(form.entries.data or ()) if form.is_submitted() else set()
    return render_template("secretariat/escalation.html", page=page, form=form, ticked=ticked,
                           very_days=deadline_policy.current().very_overdue_after_days,
                           locale=str(get_locale())), status


def _refused(exc: werr.WorkflowError):
    """A refused mark (nothing was written): the list as it is now, the reason next to
    the field it concerns."""
    if not isinstance(exc, werr.ValidationError):
        raise exc  # an answer not found: the error page (404)
    form = AgendaForm()
    target = form.session_label if exc.field == "session_label" else form.entries
    target.errors = [*target.errors, error_text(exc)]
    return _page(form, status=400)


@bp.route("/escalation", methods=["GET", "POST"])
@role_required(SECRETARIAT)
@shows_refusals(_refused)
def escalation():
    form = AgendaForm()
    if request.method != "POST":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    actor = current_actor()
    entries = escalation_ops.entries_by_id(db.session, actor, form.entries.data)
    label = form.session_label.data
    escalation_ops.put_on_agenda(db.session, actor, entries, session_label=label)
    flash(ngettext("%(num)d answer put on the agenda of %(session)s.",
                   "%(num)d answers put on the agenda of %(session)s.", len(entries),
                   session=" ".join(label.split())), "success")
    return redirect(url_for("secretariat.escalation", **paging.link_args()))


def _all(now):
    return list(escalation_ops.iter_escalated(db.session, now, actor=current_actor()))


@bp.route("/escalation/print")
@role_required(SECRETARIAT)
def escalation_print():
    """The whole list, grouped, on a page made for printing (no navigation, no form)."""
    now = clock.utcnow()
    entries = _all(now)
    return render_template("secretariat/escalation_print.html",
                           groups=escalation_ops.group(entries), total=len(entries), now=now,
                           very_days=deadline_policy.current().very_overdue_after_days,
                           locale=str(get_locale()))


@bp.route("/escalation.csv")
@role_required(SECRETARIAT)
def escalation_csv():
    """The whole list as CSV, one row per answer, in the user's language."""
    now = clock.utcnow()
    locale = str(get_locale())
    buffer = io.StringIO()
    writer = csv_export.Writer(buffer)
    writer.writerow([_("Addressee code"), _("Addressee"), _("Recommendation"), _("Title"),
                     _("Due"), _("Days overdue"), _("Reminders and notices"),
                     _("On the agenda of"), _("Put on the agenda on")])
    for item in _all(now):
        entry, mark = item.entry, item.on_agenda
        writer.writerow([
            entry.addressee_code, entry.addressee.name(locale),
            entry.recommendation.doc_number, entry.recommendation.title(locale),
            item.due_at.astimezone(BRUSSELS).date().isoformat(), item.days_overdue,
            "; ".join(notice_text(n) for n in item.notices),
            "; ".join(m.session_label for m in item.agendas),
            mark.at.astimezone(BRUSSELS).date().isoformat() if mark else ""])
    day = now.astimezone(BRUSSELS).date().isoformat()
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="very-overdue-{day}.csv"'})

