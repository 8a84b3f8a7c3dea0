"""Login, logout and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflow import accounts
from workflow.models import User

from .extensions import db, login_manager
from .throttle import login_limits

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str):
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: never redirect a user to another host after login.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Unknown user name or wrong password."))
        else:
            login_user(user)
            if session.get("login_lang"):  # chosen on the pages before logging in: it counts
                user.locale = session.pop("login_lang")
            flash(_("Welcome, %(name)s.", name=user.full_name or user.username), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("home"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    from flask import current_app

    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
        else:  # a choice made before logging in becomes the account's at login
            session["login_lang"] = lang
    return redirect(_safe_next(request.form.get("next")) or url_for("home"))
