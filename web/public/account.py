"""/account/tokens: a logged-in user's personal API tokens (create, list, revoke).
A new token's secret is shown once, in the response to the form that created it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from workflow import errors
from workflow.accounts import tokens

from ..extensions import db
from ..labels import error_text
from . import bp


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=80)])


class RevokeForm(FlaskForm):
    pass


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens_page():
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            created = tokens.create_token(db.session, current_user, form.name.data)
        except errors.ValidationError as exc:  # refused before writing anything
            form.name.errors.append(error_text(exc))
        else:
            form = TokenForm(formdata=None)
    status = 201 if created else (400 if form.errors else 200)
    return render_template("public/tokens.html", form=form, created=created,
                           revoke_form=RevokeForm(),
                           tokens=tokens.tokens_of(db.session, current_user)), status


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    form = RevokeForm()
    if form.validate_on_submit():
        token = tokens.get_token(db.session, token_id, current_user)
        tokens.revoke(db.session, token)
        flash(_("Token “%(name)s” revoked; programs using it are refused from now on.",
                name=token.name), "success")
    return redirect(url_for("public.tokens_page"))
