"""Forms of the public side: GET forms (they change nothing), so what was asked lives in
the address and can be shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..labels import RECOMMENDATION_STATES, choice_value, choices, committee_label

FIRST_YEAR, LAST_YEAR = 1955, 2200


class DueDateForm(FlaskForm):
    """The due-date calculator: an addressee, a start date (day zero) and a rule."""

    class Meta:
        csrf = False

    addressee = SelectField(_l("Addressee"), validate_choice=False)
    start = DateField(_l("Start date (day zero, usually the day the recommendation is sent)"),
                      validators=[InputRequired(_l("Give the start date."))])
    rule = StringField(_l("Deadline rule"), validators=[Length(max=40)])


class PublicSearchForm(FlaskForm):
    """The public index's search and filters (GET; the filters a page link keeps). The
    choices are set by the page; a value not among them is refused next to its field."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search title, text or document number"),
                    validators=[Optional(), Length(max=200)])
    addressee = SelectField(_l("Addressee"), validate_choice=False)
    state = SelectField(_l("State"), validate_choice=False)
    year = StringField(_l("Year adopted"))
    committee = SelectField(_l("Committee"), validate_choice=False)

    def set_choices(self, addressees, committees, locale: str) -> None:
        anything = [("", _l("any"))]
        self.addressee.choices = choices(anything + [(a.code, a.name(locale))
                                                     for a in addressees])
        self.state.choices = choices(anything + list(RECOMMENDATION_STATES.items()))
        self.committee.choices = choices(anything + [(c, committee_label(c))
                                                     for c in committees])

    def check_choices(self) -> bool:
        """Each select's value is one of its choices (else a message next to it)."""
        ok = True
        messages = {"addressee": _l("Unknown addressee: choose one from the list."),
                    "state": _l("Unknown state: choose one from the list."),
                    "committee": _l("No published recommendation has this committee: "
                                    "choose one from the list.")}
        for name, message in messages.items():
            field = self[name]
            if field.data and field.data not in {choice_value(c) for c in field.choices}:
                field.errors = [*field.errors, message]
                ok = False
        year = (self.year.data or "").strip()
        if year and not (year.isascii() and year.isdigit()
                         and FIRST_YEAR <= int(year) <= LAST_YEAR):
            self.year.errors = [*self.year.errors, _l(
                "Give the year as four digits, between %(first)d and %(last)d.",
                first=FIRST_YEAR, last=LAST_YEAR)]
            ok = False
        return ok

    def filters(self) -> dict:
        """The filters asked for (only those given), as ``cases.queries.search`` takes
        them."""
        found = {name: (self[name].data or "").strip()
                 for name in ("q", "addressee", "state", "committee", "year")}
        found = {k: v for k, v in found.items() if v}
        if "year" in found:
            found["year"] = int(found["year"])
        return found
