"""The list filter (a GET form), recording a question, its answer and its withdrawal. The
answer and withdrawal forms carry the question's ``version``: a stale form is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workflow.checks import MAX_REASON, MAX_TEXT, MAX_TITLE

from ..labels import QUESTION_STATES, choices
from ..secretariat.forms import not_in_future


def _addressee_choices(addressees, locale: str, empty):
    return choices([("", empty)] + [(a.code, a.name(locale)) for a in addressees])


class FilterForm(Form):
    addressee = SelectField(_l("Addressee"), validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()])

    def set_choices(self, addressees, locale: str) -> None:
        self.addressee.choices = _addressee_choices(addressees, locale, _l("any"))
        self.state.choices = choices([("", _l("any")), *QUESTION_STATES.items()])


class AskForm(FlaskForm):
    addressee_code = SelectField(_l("Addressee"),
                                 validators=[DataRequired(_l("Choose the addressee."))])
    asker = StringField(_l("Asked by (member)"),
                        validators=[DataRequired(_l("Give the member's name.")),
                                    Length(max=200)])
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Give the subject.")),
                                                     Length(max=MAX_TITLE)])
    text = TextAreaField(_l("Text of the question"),
                         validators=[DataRequired(_l("Give the text of the question.")),
                                     Length(max=MAX_TEXT)])
    asked_on = DateField(_l("Asked on"), validators=[DataRequired(_l("Give the date.")),
                                                      not_in_future])
    doc_number = StringField(_l("On recommendation (document number, optional)"),
                             validators=[Optional(), Length(max=32)])
    number = StringField(_l("Number (empty: the next of the year)"),
                         validators=[Optional(), Length(max=20)])
    rule = StringField(_l("Answer deadline (empty: the default)"),
                       validators=[Optional(), Length(max=40)])

    def set_choices(self, addressees, locale: str) -> None:
        self.addressee_code.choices = _addressee_choices(addressees, locale, _l("(choose)"))


class AnswerForm(FlaskForm):
    version = HiddenField()
    answer_text = TextAreaField(_l("Answer"),
                                validators=[DataRequired(_l("Give the text of the answer.")),
                                            Length(max=MAX_TEXT)])
    # the secretariat gives the day the letter was received; a ministry answers today
    answered_on = DateField(_l("Received on"), validators=[Optional(), not_in_future])


class WithdrawForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON)])
