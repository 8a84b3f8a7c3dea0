"""The answer form (draft, then submit) and the request for more time."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    SearchField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from workflow.checks import MAX_REASON, MAX_TEXT
from workflow.deadlines import STATUSES

from ..labels import DEADLINE_STATUS, POSITIONS, REPLY_KINDS, choices
from ..secretariat.forms import not_in_future, pdf_upload, today


class AnswerForm(FlaskForm):
    version = HiddenField()
    draft_version = HiddenField()
    kind = SelectField(_l("Kind of reply"), choices=choices(list(REPLY_KINDS.items())))
    position = SelectField(_l("Position"),
                           choices=choices([("", _l("(none)")), *POSITIONS.items()]),
                           validators=[Optional()])
    text_nl = TextAreaField(_l("Answer in Dutch"),
                            validators=[Optional(), Length(max=MAX_TEXT)])
    text_fr = TextAreaField(_l("Answer in French"),
                            validators=[Optional(), Length(max=MAX_TEXT)])
    letter_date = DateField(_l("Date on the letter"), validators=[Optional(), not_in_future])
    attachment = FileField(_l("Attach a PDF (at most 10 MiB)"), validators=[pdf_upload])
    # Asked only when submitting: a submitted reply cannot be changed any more.
    confirm = BooleanField(_l("I confirm: send this reply to the Benelux Parliament now. It "
                              "cannot be changed afterwards."))

    def check_for_submission(self) -> bool:
        """The stricter rules of a submitted reply (a draft may be incomplete)."""
        ok = True
        if self.kind.data == "final" and not self.position.data:
            self.position.errors = [*self.position.errors,
                                    _("A final answer needs a position.")]
            ok = False
        if not (self.text_nl.data or "").strip() and not (self.text_fr.data or "").strip():
            message = (_("Give the reason for declining, in Dutch or French.")
                       if self.kind.data == "declined" else
                       _("Give the text of the answer in Dutch, French or both."))
            self.text_nl.errors = [*self.text_nl.errors, message]
            ok = False
        if self.letter_date.data and self.letter_date.data > today():
            ok = False
        if not self.confirm.data:
            self.confirm.errors = [*self.confirm.errors,
                                   _("Tick the box to confirm that the reply is to be sent, "
                                     "or save it as a draft.")]
            ok = False
        return ok


class ExtensionRequestForm(FlaskForm):
    version = HiddenField()
    requested_date = DateField(_l("Until (optional)"), validators=[Optional()])
    reason = TextAreaField(_l("Why do you need more time?"),
                           validators=[DataRequired(_l("Give the reason.")),
                                       Length(max=MAX_REASON)])

    def validate_requested_date(self, field):
        if field.data and field.data <= today():
            raise ValidationError(_("The date must be in the future."))


class InboxFilterForm(Form):
    """The inbox's filters: a GET form, so the filter lives in the URL."""

    q = SearchField(_l("Search number, title and text"),
                    validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Deadline"), validators=[Optional()])
    session = SelectField(_l("Plenary session"), validators=[Optional()])

    def set_choices(self, sessions) -> None:
        anything = [("", _l("any"))]
        self.status.choices = choices(anything + [(s, DEADLINE_STATUS[s]) for s in STATUSES])
        self.session.choices = choices(anything + [(s, s) for s in sessions])

    @property
    def active(self) -> bool:
        return any(self[name].data for name in ("q", "status", "session"))
