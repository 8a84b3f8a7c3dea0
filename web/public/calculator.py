"""The public due-date calculator: when is an answer due for this addressee, from this
start date, under this rule, and how is that counted (no login; it changes nothing)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from workflow import clock, deadlines
from workflow.cases import calendars, catalogue

from ..cases import queries
from ..extensions import db
from ..labels import error_text
from . import bp
from .forms import DueDateForm


@bp.route("/public/due-date")
def due_date():
    addressees = queries.addressees(db.session)
    locale = str(get_locale())
    asked = "rule" in request.args
    form = DueDateForm(formdata=request.args if asked else None)
    form.addressee.choices = [(a.code, a.name(locale)) for a in addressees]
    if not asked:
        form.addressee.data = addressees[0].code if addressees else ""
        form.start.data = clock.brussels_date(clock.utcnow())
        form.rule.data = deadlines.DEFAULT_RULE.to_text()
        return render_template("public/due_date.html", form=form, due=None)
    ok = form.validate()
    if form.addressee.data not in {a.code for a in addressees}:
        form.addressee.errors = [*form.addressee.errors,
                                 _("Unknown addressee: choose one from the list.")]
        ok = False
    rule = None
    if not form.rule.errors:
        try:
            rule = deadlines.DeadlineRule.parse(form.rule.data or "")
        except deadlines.DeadlineError as exc:
            form.rule.errors = [*form.rule.errors, error_text(exc)]
            ok = False
    due = None
    if ok:
        addressee = catalogue.get_addressee(db.session, form.addressee.data)
        try:
            due = deadlines.compute_due(form.start.data, rule, calendars.calendar_for(addressee))
        except deadlines.DeadlineError as exc:
            form.rule.errors = [*form.rule.errors, error_text(exc)]
    status = 200 if due is not None else 400
    return render_template("public/due_date.html", form=form, due=due), status
