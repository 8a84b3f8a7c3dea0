"""Transmitting all recommendations of one plenary session at once: choose the session,
see which of its recommendations go and which cannot (and why), then confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext

from workflow import errors as werr
from workflow.cases import plenary
from workflow.lifecycle import SECRETARIAT

from ..extensions import db
from ..labels import error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import SessionTransmitForm


def _form(formdata=None) -> SessionTransmitForm:
    form = SessionTransmitForm(prefix="plenary", formdata=formdata)
    form.set_choices(plenary.sessions_to_transmit(db.session, current_actor()))
    return form


def _page(form, *, preview=None, conflict=None, status=200):
    refused = [(rec, error_text(exc)) for rec, exc in preview.refused] if preview else []
    return render_template("secretariat/transmit_session.html", form=form, preview=preview,
                           refused=refused, conflict=conflict,
                           locale=str(get_locale())), status


def _preview_of(form):
    preview = plenary.transmit_preview(db.session, current_actor(), form.session_label.data)
    form.digest.data = preview.digest
    return preview


@bp.route("/transmit-session")
@role_required(SECRETARIAT)
def transmit_session():
    return _page(_form())


def _refused(exc: werr.WorkflowError):
    """After a refusal (nothing was written): the form as sent with the reason next to
    its field, or the new list when it changed since it was shown."""
    form = _form(request.form)
    form.validate()
    if isinstance(exc, werr.ConflictError):
        try:
            preview = _preview_of(form)
        except werr.ValidationError as again:
            return _refused(again)
        return _page(form, preview=preview, conflict=error_text(exc), status=409)
    if not isinstance(exc, werr.ValidationError):
        raise exc
    target = form.transmitted_on if exc.field == "transmitted_on" else form.session_label
    target.errors = [*target.errors, error_text(exc)]
    return _page(form, status=400)


@bp.route("/transmit-session", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_refused)
def transmit_session_post():
    form = _form(request.form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    if "plenary-apply" not in request.form or not form.digest.data:
        return _page(form, preview=_preview_of(form))
    done = plenary.transmit_session(db.session, current_actor(), form.session_label.data,
                                    transmitted_on=form.transmitted_on.data,
                                    expected_digest=form.digest.data)
    flash(ngettext("%(num)d recommendation of session %(session)s transmitted: the answer "
                   "clocks run.",
                   "%(num)d recommendations of session %(session)s transmitted: the answer "
                   "clocks run.", len(done.ready), session=done.session_label), "success")
    return redirect(url_for("secretariat.dashboard"))
