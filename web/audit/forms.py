"""The "state on a date" form (GET: the date is in the URL)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form
from wtforms.validators import InputRequired


class AsOfForm(Form):
    date = DateField(_l("Date"), validators=[InputRequired(_l("Give a date."))])
