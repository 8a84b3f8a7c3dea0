"""The search form of the case list: a GET form, so the filter lives in the URL."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional

from ..labels import RECOMMENDATION_STATES, choices, committee_label, theme_label

SORTS = {
    "adopted": _l("adoption date"),
    "doc": _l("document number"),
    "title": _l("title"),
    "state": _l("state"),
}


class SearchForm(Form):
    q = SearchField(_l("Search title and text"), validators=[Optional(), Length(max=200)])
    state = SelectField(_l("State"), validators=[Optional()])
    addressee = SelectField(_l("Addressee"), validators=[Optional()])
    committee = SelectField(_l("Committee"), validators=[Optional()])
    theme = SelectField(_l("Theme"), validators=[Optional()])
    year = IntegerField(_l("Year adopted"), validators=[Optional(), NumberRange(1950, 2200)])
    overdue = BooleanField(_l("Only with overdue answers"))
    sort = SelectField(_l("Sort by"), choices=choices(list(SORTS.items())), default="adopted",
                       validators=[Optional()])
    order = SelectField(_l("Order"), choices=choices([("desc", _l("descending")),
                                                      ("asc", _l("ascending"))]),
                        default="desc", validators=[Optional()])

    def set_choices(self, addressees, committees, themes, locale: str) -> None:
        anything = [("", _l("any"))]
        self.state.choices = choices(anything + list(RECOMMENDATION_STATES.items()))
        self.addressee.choices = choices(anything + [(a.code, a.name(locale)) for a in addressees])
        self.committee.choices = choices(anything + [(c, committee_label(c)) for c in committees])
        self.theme.choices = choices(anything + [(t, theme_label(t)) for t in themes])
