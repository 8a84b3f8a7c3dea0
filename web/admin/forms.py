"""Creating users, resetting passwords, deactivating accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from workflow.accounts import MIN_PASSWORD

from ..labels import ROLES, choices

LANGUAGE_CHOICES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=2, max=80)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"),
                       choices=choices([(k, v) for k, v in ROLES.items() if k != "system"]))
    organisation = StringField(_l("Organisation"),
                               validators=[DataRequired(), Length(max=32)])
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES))
    is_admin = BooleanField(_l("May manage users"))
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(),
                                        EqualTo("password", _l("The passwords differ."))])


class ActiveForm(FlaskForm):
    pass


__all__ = ["ActiveForm", "PasswordForm", "UserForm"]
