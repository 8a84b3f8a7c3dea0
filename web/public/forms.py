"""Forms of the public side: GET forms (they change nothing), so what was asked lives in
the address and can be shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length


class DueDateForm(FlaskForm):
    """The due-date calculator: an addressee, a start date (day zero) and a rule."""

    class Meta:
        csrf = False

    addressee = SelectField(_l("Addressee"), validate_choice=False)
    start = DateField(_l("Start date (day zero, usually the day the recommendation is sent)"),
                      validators=[InputRequired(_l("Give the start date."))])
    rule = StringField(_l("Deadline rule"), validators=[Length(max=40)])
