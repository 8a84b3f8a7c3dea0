"""List, create and deactivate users; reset passwords."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workflow import accounts
from workflow import errors as werr
from workflow.lifecycle import SECRETARIAT
from workflow.models import Addressee, User

from ..extensions import db
from ..labels import error_text
from ..security import role_required
from ..transaction import shows_refusals
from . import bp
from .forms import ActiveForm, PasswordForm, UserForm


def admin_required(view):
    @wraps(view)
    @role_required(SECRETARIAT)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _page(form, status=200):
    users = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    codes = db.session.scalars(select(Addressee.code).order_by(Addressee.code)).all()
    return render_template("admin/users.html", users=users, form=form, codes=codes), status


def _user_refused(exc: werr.WorkflowError):
    """A refused new user (nothing was written): the form as sent, the error at its field."""
    if not isinstance(exc, werr.ValidationError):
        raise exc
    form = UserForm()
    name = exc.field if exc.field in form else "username"
    form[name].errors = [*form[name].errors, error_text(exc)]
    return _page(form, 400)


@bp.route("/users", methods=["GET", "POST"])
@admin_required
@shows_refusals(_user_refused)
def users():
    form = UserForm()
    if form.validate_on_submit():
        user = accounts.create_user(
            db.session, username=form.username.data, password=form.password.data,
            role=form.role.data, organisation=form.organisation.data,
            full_name=form.full_name.data or "", email=form.email.data or "",
            locale=form.locale.data, is_admin=form.is_admin.data)
        flash(_("User %(name)s created.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return _page(form, 400 if form.errors else 200)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = _user(user_id)
    ActiveForm().validate_on_submit()
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    user.is_active = not user.is_active
    flash(_("%(name)s can log in again.", name=user.username) if user.is_active
          else _("%(name)s is deactivated and can no longer log in.", name=user.username),
          "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def password(user_id: int):
    user = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        flash(_("The password of %(name)s is changed.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/password.html", user=user, form=form), \
        400 if form.errors else 200


@bp.route("/reminders")
@admin_required
def reminders():
    """The sweep's last runs and their warnings, e-mail that failed or waits for another
    try, and addressees whose reminders reach nobody by e-mail."""
    from workflow.notifications import outbox
    from workflow.reminders import sweep

    return render_template(
        "admin/reminders.html", runs=sweep.recent_runs(db.session),
        outbox=outbox.state(db.session), problems=outbox.problems(db.session),
        unreached=sweep.without_focal_point(db.session),
        names={a.code: a for a in db.session.scalars(select(Addressee))},
        mail=current_app.config["FOLLOWUP_MAIL"])
