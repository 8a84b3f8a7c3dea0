"""An addressee's working-day calendar for a year, and changing it: a closing day (or a
declared working day) is previewed with the open due dates it moves, then applied."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext

from workflow import clock, deadlines
from workflow import errors as werr
from workflow.cases import calendars, catalogue, due_dates
from workflow.lifecycle import SECRETARIAT

from ..cases import queries
from ..extensions import db
from ..labels import error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import CalendarChangeForm, CalendarChoiceForm

CHANGES = {"close": {}, "open": {"is_open": True}, "remove": {"remove": True}}


def _this_year() -> int:
    return clock.brussels_date(clock.utcnow()).year


def _page(choice, change, *, addressees, preview=None, conflict=None, status=200):
    """The page: the chosen calendar (when the choice is valid), the change form, and the
    preview of a change."""
    addressee, days, year = None, [], None
    if not choice.errors:
        addressee = catalogue.get_addressee(db.session, choice.addressee.data)
        year = int(choice.year.data)
        try:
            days = calendars.calendar_year(addressee, year)
        except deadlines.DeadlineError as exc:
            choice.year.errors = [*choice.year.errors, error_text(exc)]
            addressee, status = None, 400
    return render_template("secretariat/calendar.html", choice=choice, change=change,
                           addressee=addressee, year=year, days=days, preview=preview,
                           conflict=conflict, addressees=addressees,
                           locale=str(get_locale())), status


def _choice(addressees, code: str | None = None, year: int | None = None):
    """The addressee and year asked for in the address (or those given)."""
    args = request.args if code is None else {"addressee": code, "year": str(year)}
    form = CalendarChoiceForm(formdata=None)
    form.addressee.data = (args.get("addressee") or "").strip() or addressees[0].code
    form.year.data = (args.get("year") or "").strip() or str(_this_year())
    locale = str(get_locale())
    form.addressee.choices = [(a.code, a.name(locale)) for a in addressees]
    form.validate()
    form.check({a.code for a in addressees})
    return form


def _change_form(code: str, formdata=None):
    form = CalendarChangeForm(prefix="cal", formdata=formdata)
    form.set_choices()
    if formdata is None:
        form.addressee.data = code
    return form


@bp.route("/calendars")
@role_required(SECRETARIAT)
def calendar():
    addressees = queries.addressees(db.session)
    choice = _choice(addressees)
    status = 400 if choice.errors else 200
    return _page(choice, _change_form(choice.addressee.data), addressees=addressees,
                 status=status)


def _change_refused(exc: werr.WorkflowError):
    """After a refused change (nothing was written): the form as sent, with the reason
    next to the day, or the new preview when the moves changed meanwhile."""
    addressees = queries.addressees(db.session)
    form = _change_form("", request.form)
    form.validate()
    code = form.addressee.data or ""
    year = form.day.data.year if form.day.data else _this_year()
    choice = _choice(addressees, code, year)
    if isinstance(exc, werr.ConflictError):
        try:
            preview = due_dates.preview_calendar_change(db.session, code, form.day.data,
                                                        **CHANGES[form.change.data])
        except werr.ValidationError as again:
            return _change_refused(again)
        form.digest.data = preview.digest
        return _page(choice, form, addressees=addressees, preview=preview,
                     conflict=error_text(exc), status=409)
    if not isinstance(exc, werr.ValidationError):
        raise exc
    target = form.day if exc.field == "day" else form.reason if exc.field == "reason" \
        else form.day
    target.errors = [*target.errors, error_text(exc)]
    return _page(choice, form, addressees=addressees, status=400)


@bp.route("/calendars/change", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_change_refused)
def calendar_change():
    addressees = queries.addressees(db.session)
    form = _change_form("", request.form)
    codes = {a.code for a in addressees}
    code = form.addressee.data if form.addressee.data in codes else None
    ok = form.validate_on_submit()
    if code is None:
        choice = _choice(addressees, form.addressee.data or "", _this_year())
        return _page(choice, form, addressees=addressees, status=400)
    choice = _choice(addressees, code, form.day.data.year if form.day.data else _this_year())
    if not ok:
        return _page(choice, form, addressees=addressees, status=400)
    options = CHANGES[form.change.data]
    if "cal-apply" not in request.form or not form.digest.data:
        preview = due_dates.preview_calendar_change(db.session, code, form.day.data, **options)
        form.digest.data = preview.digest
        return _page(choice, form, addressees=addressees, preview=preview)
    applied = due_dates.apply_calendar_change(db.session, current_actor(), code, form.day.data,
                                              reason=form.reason.data,
                                              expected_digest=form.digest.data, **options)
    flash(ngettext("The calendar of %(who)s is changed; %(num)d due date recomputed.",
                   "The calendar of %(who)s is changed; %(num)d due dates recomputed.",
                   len(applied.moved), who=applied.addressee.name(str(get_locale()))),
          "success")
    return redirect(url_for("secretariat.calendar", addressee=code, year=form.day.data.year))
