"""Forms of the secretariat. Every action form carries the case's ``version``:
a form made from an older state of the case is refused (409), never applied."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from workflow import clock
from workflow import errors as werr
from workflow.answers import pdf_files
from workflow.cases import transitions
from workflow.cases.registration import DOC_NUMBER
from workflow.checks import MAX_REASON, MAX_TEXT, MAX_TITLE
from workflow.lifecycle import RECOMMENDATION, REPLY_TRIGGERS, closure_reasons_for
from workflow.reminders.escalation import MAX_SESSION_LABEL

from ..labels import (
    CALENDAR_CHANGES,
    CLOSURE_REASONS,
    POSITIONS,
    REPLY_KINDS,
    RULE_KINDS,
    choice_value,
    choices,
    error_text,
)


def today() -> date:

    return clock.brussels_date(clock.utcnow())


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def not_in_future(form, field):
    if field.data and field.data > today():
        raise ValidationError(_("This date is in the future."))


def pdf_upload(form, field):
    """An optional upload must be a real PDF of at most 10 MiB (the workflow's own check,
    ``pdf_files.check_pdf``, shown next to the field)."""
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return
    content = upload.stream.read(pdf_files.MAX_ATTACHMENT_BYTES + 1)
    upload.stream.seek(0)
    try:
        pdf_files.check_pdf(upload.filename, content)
    except werr.ValidationError as exc:
        raise ValidationError(error_text(exc)) from exc


REASON = [Length(max=MAX_REASON)]


class CheckedForm(FlaskForm):
    """A form whose rules across fields run in ``check()``, also when a field is empty
    (an inline validator after ``Optional()`` would not run)."""

    def check(self) -> None:
        pass

    def error(self, field, message: str) -> None:
        field.errors = [*field.errors, message]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.check()
        return ok and not self.errors


class CaseForm(CheckedForm):
    version = HiddenField()


class TransmitForm(CaseForm):
    transmitted_on = DateField(_l("Date of transmission"), validators=[Optional(),
                                                                       not_in_future])


class StepForm(CaseForm):
    reason = TextAreaField(_l("Note (optional)"), validators=[Optional(), *REASON])


class FollowUpForm(CaseForm):
    addressees = MultiCheckboxField(_l("Ask these addressees again"),
                                    validators=[DataRequired(_l("Choose at least one "
                                                                "addressee."))])
    reason = TextAreaField(_l("Follow-up question"),
                           validators=[DataRequired(_l("Write the follow-up question.")),
                                       *REASON])


class CloseForm(CaseForm):
    closure_reason = SelectField(_l("Reason for closing"),
                                 choices=choices(list(CLOSURE_REASONS.items())))
    reason = TextAreaField(_l("Explanation (optional)"), validators=[Optional(), *REASON])
    # Closing ends every answer still awaited: asked for explicitly, also without JavaScript.
    confirm = BooleanField(_l("I confirm: close this case now. Answers still awaited are no "
                              "longer expected."),
                           validators=[DataRequired(_l("Tick the box to confirm that the case "
                                                       "is to be closed."))])


class ReopenForm(CaseForm):
    reason = TextAreaField(_l("Why is the case reopened?"),
                           validators=[DataRequired(_l("Give the reason.")), *REASON])


class AddresseeForm(CaseForm):
    addressee = SelectField(_l("Addressee"), validators=[DataRequired()])


class PaperReplyForm(AddresseeForm):
    kind = SelectField(_l("Kind of reply"), choices=choices(list(REPLY_KINDS.items())))
    position = SelectField(_l("Position"),
                           choices=choices([("", _l("(none)")), *POSITIONS.items()]),
                           validators=[Optional()])
    text_nl = TextAreaField(_l("Text in Dutch"), validators=[Optional(),
                                                             Length(max=MAX_TEXT)])
    text_fr = TextAreaField(_l("Text in French"), validators=[Optional(),
                                                              Length(max=MAX_TEXT)])
    letter_date = DateField(_l("Date on the letter"), validators=[Optional(), not_in_future])
    received_on = DateField(_l("Date received"),
                            validators=[InputRequired(_l("Give the date the letter was "
                                                         "received.")), not_in_future])
    attachment = FileField(_l("Attach the scanned letter as PDF (optional, at most 10 MiB)"),
                           validators=[pdf_upload])

    def check(self) -> None:
        letter, received = self.letter_date.data, self.received_on.data
        if letter and received and letter > received:
            self.error(self.letter_date, _("The date on the letter is after the date it was "
                                           "received."))
        if self.kind.data == "final" and not self.position.data:
            self.error(self.position, _("A final answer needs a position."))
        if not (self.text_nl.data or "").strip() and not (self.text_fr.data or "").strip():
            self.error(self.text_nl,
                       _("Give the reason for declining, in Dutch or French.")
                       if self.kind.data == "declined" else
                       _("Give the text of the reply in Dutch, French or both."))


class WaiveForm(AddresseeForm):
    reason = TextAreaField(_l("Why is the answer waived?"),
                           validators=[DataRequired(_l("Give the reason.")), *REASON])


class ExtensionForm(AddresseeForm):
    new_date = DateField(_l("New due date"), validators=[Optional()])
    days = IntegerField(_l("or extra days"), validators=[Optional(), NumberRange(1, 3650)])
    reason = TextAreaField(_l("Reason for the extension"),
                           validators=[DataRequired(_l("Give the reason.")), *REASON])

    def check(self) -> None:
        if not self.new_date.errors and not self.days.errors and \
                (self.new_date.data is None) == (self.days.data is None):
            self.error(self.new_date, _("Give either a new due date or a number of extra "
                                        "days."))
        if self.new_date.data and self.new_date.data <= today():
            self.error(self.new_date, _("The new due date must be in the future."))


class StopClockForm(AddresseeForm):
    start = DateField(_l("Clock stopped from"),
                      validators=[InputRequired(_l("Give the date."))])
    reason = TextAreaField(_l("Why is the clock stopped?"),
                           validators=[DataRequired(_l("Give the reason.")), *REASON])


class ResumeClockForm(AddresseeForm):
    end = DateField(_l("Last stopped day"), validators=[InputRequired(_l("Give the date."))])
    reason = TextAreaField(_l("Note (optional)"), validators=[Optional(), *REASON])


class PublishForm(CaseForm):
    pass


class DecideRequestForm(CaseForm):
    decision = RadioField(_l("Decision"), choices=choices([("grant", _l("grant")),
                                                           ("refuse", _l("refuse"))]),
                          validators=[InputRequired(_l("Choose grant or refuse."))])
    new_date = DateField(_l("New due date"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")),
                                                     *REASON])

    def check(self) -> None:
        if self.decision.data == "grant" and self.new_date.data is None \
                and not self.new_date.errors:
            self.error(self.new_date, _("Give the new due date."))


# The forms of the case page, by action name; each posts to secretariat.act.
ACTION_FORMS = {
    "transmit": TransmitForm,
    "start_assessment": StepForm,
    "start_monitoring": StepForm,
    "request_follow_up": FollowUpForm,
    "reopen": ReopenForm,
    "paper_reply": PaperReplyForm,
    "waive": WaiveForm,
    "grant_extension": ExtensionForm,
    "stop_clock": StopClockForm,
    "resume_clock": ResumeClockForm,
    "publish": PublishForm,
    # last on the page: the one action that ends the case
    "close": CloseForm,
}

# Page actions that are not one declared trigger: a paper reply fires the trigger of
# its kind; publishing is not a lifecycle action. Every other action is a trigger.
PAPER_REPLY = "paper_reply"
PUBLISH = "publish"


def action_triggers(action: str) -> tuple[str, ...]:
    """The lifecycle triggers behind a page action."""
    if action == PAPER_REPLY:
        return tuple(REPLY_TRIGGERS.values())
    return () if action == PUBLISH else (action,)


def addressee_choices(rec, action: str, available) -> list[tuple[str, str]]:
    """Which addressees an action can concern now: those the lifecycle offers it for."""
    from flask_babel import get_locale

    locale = str(get_locale())
    entries = rec.addressees
    if action == "request_follow_up":
        codes = {e.addressee_code for e in entries if transitions.may_ask_again(e)}
    else:
        triggers = action_triggers(action)
        codes = {a.addressee_code for a in available
                 if a.addressee_code and a.name in triggers}
    return [(e.addressee_code, e.addressee.name(locale)) for e in entries
            if e.addressee_code in codes]


def offered(rec, action: str, available) -> bool:
    if action == PUBLISH:
        return True
    if action in RECOMMENDATION.by_trigger:
        return action in {a.name for a in available if a.addressee_code is None}
    return bool(addressee_choices(rec, action, available))


def make_form(rec, action: str, available, formdata=None):
    """The form of ``action`` bound to the request (``formdata=None``: from the request)."""
    cls = ACTION_FORMS[action]
    kwargs = {"prefix": action}
    if formdata is False:
        kwargs["formdata"] = None
    form = cls(**kwargs)
    if formdata is False:
        form.version.data = str(rec.version)
    if hasattr(form, "addressee"):
        form.addressee.choices = choices(addressee_choices(rec, action, available))
    if hasattr(form, "addressees"):
        form.addressees.choices = choices(addressee_choices(rec, action, available))
    if action == "close":
        allowed = closure_reasons_for(rec.state)
        form.closure_reason.choices = [c for c in form.closure_reason.choices
                                       if choice_value(c) in allowed]
    return form


def case_forms(rec, available, overrides: dict) -> dict:
    forms = {}
    for action in ACTION_FORMS:
        if action in overrides:
            forms[action] = overrides[action]
        elif offered(rec, action, available):
            forms[action] = make_form(rec, action, available, formdata=False)
    for req in open_requests(rec):
        key = f"decide-{req.id}"
        if key in overrides:
            forms[key] = overrides[key]
        else:
            form = DecideRequestForm(prefix=key, formdata=None)
            form.version.data = str(rec.version)
            form.new_date.data = req.requested_date
            forms[key] = form
    return forms


def open_requests(rec):
    return [r for e in rec.addressees for r in e.extension_requests if r.status == "open"]


# ---------------------------------------------------------------------------
# Registering a recommendation


class RegisterForm(CheckedForm):
    doc_number = StringField(
        _l("Document number"),
        validators=[DataRequired(_l("Give the document number.")), Length(max=32),
                    Regexp(DOC_NUMBER.pattern, message=_l("Write NUMBER/PART as the "
                                                          "Parliament does, e.g. 743/5 or "
                                                          "743/5Bis."))])
    title_nl = StringField(_l("Title in Dutch"), validators=[Optional(),
                                                             Length(max=MAX_TITLE)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(),
                                                              Length(max=MAX_TITLE)])
    title_en = StringField(_l("Title in English (optional)"),
                           validators=[Optional(), Length(max=MAX_TITLE)])
    text_nl = TextAreaField(_l("Text in Dutch"), validators=[Optional(), Length(max=MAX_TEXT)])
    text_fr = TextAreaField(_l("Text in French"), validators=[Optional(),
                                                              Length(max=MAX_TEXT)])
    committee = StringField(_l("Committee"), validators=[Optional(), Length(max=120)])
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=120)])
    session_label = StringField(_l("Session"), validators=[Optional(), Length(max=120)])
    adopted_on = DateField(_l("Date of the plenary (adoption)"),
                           validators=[InputRequired(_l("Give the date of adoption.")),
                                       not_in_future])
    deadline_kind = SelectField(_l("Answer deadline counted in"),
                                choices=choices(list(RULE_KINDS.items())), default="months")
    deadline_amount = IntegerField(_l("Number of months or days"), default=6,
                                   validators=[Optional(), NumberRange(1, 3650)])
    deadline_date = DateField(_l("Fixed due date"), validators=[Optional()])

    def check(self) -> None:
        if not (self.title_nl.data or "").strip() and not (self.title_fr.data or "").strip():
            self.error(self.title_nl, _("Give the title in Dutch, French or both."))
        kind, amount, fixed = (self.deadline_kind.data, self.deadline_amount.data,
                               self.deadline_date.data)
        if kind != "fixed_date" and not self.deadline_amount.errors:
            if not amount:
                self.error(self.deadline_amount, _("Give the number of months or days."))
            elif kind == "months" and amount > 120:
                self.error(self.deadline_amount, _("At most 120 months."))
        if kind == "fixed_date" and not self.deadline_date.errors:
            if fixed is None:
                self.error(self.deadline_date, _("Give the fixed due date."))
            elif self.adopted_on.data and fixed <= self.adopted_on.data:
                self.error(self.deadline_date, _("The due date must be after the adoption "
                                                 "date."))
        chosen = self.chosen_addressees()
        if not chosen:
            self.addressees_error = _("Choose at least one addressee.")
        elif not any(chosen.values()):
            self.addressees_error = _("At least one addressee must be required to answer.")

    def rule_text(self) -> str:
        from workflow.deadlines import DeadlineRule

        if self.deadline_kind.data == "fixed_date":
            return DeadlineRule("fixed_date", fixed_date=self.deadline_date.data).to_text()
        return DeadlineRule(self.deadline_kind.data, self.deadline_amount.data).to_text()

    def chosen_addressees(self) -> dict[str, bool]:
        return {code: value == "required" for code, value in
                ((code, self[field_name(code)].data) for code in self.addressee_codes)
                if value}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return ok and self.addressees_error is None

    addressees_error = None
    addressee_codes: tuple[str, ...] = ()


def field_name(code: str) -> str:
    return "to_" + code.replace("-", "_")


ADDRESSEE_CHOICES = [("", _l("not addressed")), ("required", _l("answer required")),
                     ("optional", _l("answer welcome, not required"))]


def register_form(addressees, locale: str) -> RegisterForm:
    """The registration form with one choice per addressee of the catalogue."""

    class Form(RegisterForm):
        pass

    for a in addressees:
        setattr(Form, field_name(a.code),
                SelectField(a.name(locale), choices=choices(ADDRESSEE_CHOICES), default="",
                            validators=[Optional()]))
    Form.addressee_codes = tuple(a.code for a in addressees)
    return Form()


# ---------------------------------------------------------------------------
# An addressee's working-day calendar


class CalendarChoiceForm(FlaskForm):
    """Which addressee and year the calendar page shows: a GET form (it changes nothing),
    so the choice lives in the address."""

    class Meta:
        csrf = False

    addressee = SelectField(_l("Addressee"), validate_choice=False)
    year = StringField(_l("Year"), validators=[Regexp(r"^\d{4}$", message=_l(
        "Give a year such as 2026."))])

    def check(self, codes) -> None:
        if self.addressee.data not in codes:
            self.addressee.errors = [*self.addressee.errors,
                                     _("Unknown addressee: choose one from the list.")]


CALENDAR_CHANGE_KINDS = ("close", "open", "remove")


class CalendarChangeForm(CheckedForm):
    """A change of one addressee's calendar; first previewed, then applied with the
    fingerprint (``digest``) of the preview that was confirmed."""

    addressee = HiddenField()
    day = DateField(_l("Day"), validators=[InputRequired(_l("Give the day."))])
    change = RadioField(_l("Change"), default="close",
                        validators=[InputRequired(_l("Choose what to change."))])
    reason = TextAreaField(_l("Reason (kept with the day and with each recomputed due date)"),
                           validators=[DataRequired(_l("Give the reason.")), Length(max=200)])
    digest = HiddenField()

    def set_choices(self) -> None:
        self.change.choices = choices([(k, CALENDAR_CHANGES[k]) for k in
                                       CALENDAR_CHANGE_KINDS])


# The list "for the next plenary": very overdue answers put on a session's agenda


class AgendaForm(FlaskForm):
    """The ticked answers of the list (checkboxes in its tables, by entry id) and the
    session whose agenda they are put on."""

    entries = SelectMultipleField(
        _l("Answers"), coerce=int, validate_choice=False,
        validators=[DataRequired(_l("Tick at least one very overdue answer to put on the "
                                    "agenda."))])
    session_label = StringField(
        _l("Session"),
        validators=[DataRequired(_l("Give the session, e.g. plenary of 12-13 March 2027.")),
                    Length(max=MAX_SESSION_LABEL)])


# ---------------------------------------------------------------------------
# Transmitting all recommendations of one plenary session


class SessionTransmitForm(CheckedForm):
    """A plenary session's recommendations to transmit: first previewed, then transmitted
    with the fingerprint (``digest``) of the list that was confirmed."""

    session_label = SelectField(_l("Plenary session"),
                                validators=[InputRequired(_l("Choose the session."))])
    transmitted_on = DateField(_l("Date of transmission"), validators=[Optional(),
                                                                       not_in_future])
    digest = HiddenField()

    def set_choices(self, sessions) -> None:
        self.session_label.choices = choices([("", _l("(choose)"))]
                                             + [(s, s) for s in sessions])


# ---------------------------------------------------------------------------
# Publishing answers (workflow.publishing.publication)


class PublishAnswerForm(CaseForm):
    """Publish one submitted answer (from the case page)."""


class UnpublishAnswerForm(CaseForm):
    """Withdraw a published answer from the public side, saying why."""

    reason = TextAreaField(
        _l("Why it is withdrawn (kept in the history)"),
        validators=[DataRequired(_l("Give the reason for withdrawing this answer.")), *REASON])


def answer_form(rec, answer, formdata=False):
    """The publish (or withdraw) form of one answer of the case page, prefixed by its id;
    ``formdata=None``: bound to the request."""
    cls = UnpublishAnswerForm if answer.is_published else PublishAnswerForm
    kwargs = {"prefix": answer_form_key(answer.id)}
    if formdata is False:
        kwargs["formdata"] = None
    form = cls(**kwargs)
    if formdata is False:
        form.version.data = str(rec.version)
    return form


def answer_form_key(answer_id: int) -> str:
    return f"answer-{answer_id}"


class PublishPlanForm(FlaskForm):
    """Confirm a previewed publication: the fingerprint of the preview (and the session)."""

    session_label = HiddenField()
    digest = HiddenField()


class SessionChoiceForm(FlaskForm):
    """Which plenary session's answers to preview: a GET form (it changes nothing)."""

    class Meta:
        csrf = False

    session = SelectField(_l("Plenary session"), validate_choice=False)
