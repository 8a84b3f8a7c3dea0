"""The list of comments (a ministry: its own, with the form to publish one; the
secretariat and auditors: all, hidden ones with the reason; the secretariat hides), 50 a
page, newest first."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import errors as werr
from workflow.cases import scope
from workflow.comments import operations
from workflow.comments.models import Comment
from workflow.lifecycle import AUDITOR, MINISTRY, SECRETARIAT
from workflow.models import Recommendation

from .. import paging
from ..errors import status_of
from ..extensions import db
from ..labels import error_text
from ..security import current_actor, role_required
from ..transaction import shows_refusals
from . import bp
from .forms import CommentForm, HideForm

PER_PAGE = 50
READERS = (SECRETARIAT, AUDITOR, MINISTRY)


def _list_page(form: CommentForm | None = None, hide_forms: dict | None = None,
               status: int = 200, conflict: str | None = None):
    actor = current_actor()
    stmt = operations.comments_for(actor)
    if actor.role == MINISTRY:
        stmt = stmt.where(Comment.author_org == actor.organisation)  # its own
        if form is None:
            form = CommentForm(formdata=None)
            form.doc_number.data = request.args.get("case", "")[:32]
    page = paging.paginate(db.session, stmt, PER_PAGE,
                           options=(joinedload(Comment.recommendation),))
    hides = {}
    if actor.role == SECRETARIAT:
        for comment in page.items:
            if comment.is_hidden:
                continue
            hide = (hide_forms or {}).get(comment.id)
            if hide is None:
                hide = HideForm(formdata=None, prefix=f"hide-{comment.id}")
                hide.version.data = str(comment.version)
            hides[comment.id] = hide
    return render_template("comments/index.html", page=page, form=form, hides=hides,
                           conflict=conflict, args=paging.link_args(),
                           locale=str(get_locale())), status


def _post_refused(exc: werr.WorkflowError):
    form = CommentForm()
    if isinstance(exc, werr.ValidationError) and exc.field in ("doc_number", "text",
                                                                "addressee"):
        name = "text" if exc.field == "text" else "doc_number"
        form[name].errors = [*form[name].errors, error_text(exc)]
        return _list_page(form, status=400)
    return _list_page(form, status=status_of(exc), conflict=error_text(exc))


@bp.route("/", methods=["GET", "POST"])
@role_required(*READERS)
@shows_refusals(_post_refused)
def index():
    actor = current_actor()
    if request.method == "GET":
        return _list_page()
    if actor.role != MINISTRY:
        abort(403)
    form = CommentForm()
    if not form.validate_on_submit():
        return _list_page(form, status=400)
    rec = None
    doc = (form.doc_number.data or "").strip()
    if doc:
        rec = db.session.scalar(select(Recommendation).where(Recommendation.doc_number == doc))
        if rec is None or not scope.can_see(actor, rec):
            form.doc_number.errors = [*form.doc_number.errors, _(
                "Your government has no recommendation with this document number; leave it "
                "empty for a comment on your row of the scoreboard.")]
            return _list_page(form, status=400)
    comment = operations.post_comment(db.session, actor, text=form.text.data,
                                      recommendation=rec)
    if rec is None:
        flash(_("Your comment is published beside your government's figures on the "
                "scoreboard."), "success")
    else:
        flash(_("Your comment is published on recommendation %(doc)s.",
                doc=rec.doc_number), "success")
    return redirect(url_for("comments.index", _anchor=f"comment-{comment.id}"))


def _load(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    operations.check_comment_visible(current_actor(), comment)
    return comment


def _version(raw: str | None) -> int:
    raw = raw or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else -1


def _hide_refused(exc: werr.WorkflowError, comment_id: int):
    if isinstance(exc, werr.ValidationError) and exc.field == "reason":
        form = HideForm(prefix=f"hide-{comment_id}")
        form.reason.errors = [*form.reason.errors, error_text(exc)]
        return _list_page(hide_forms={comment_id: form}, status=400)
    return _list_page(status=status_of(exc), conflict=error_text(exc))


@bp.route("/<int:comment_id>/hide", methods=["POST"])
@role_required(SECRETARIAT)
@shows_refusals(_hide_refused)
def hide(comment_id: int):
    comment = _load(comment_id)
    form = HideForm(prefix=f"hide-{comment_id}")
    version = _version(form.version.data)
    if version != comment.version:
        raise werr.ConflictError("the comment was changed meanwhile", rule="comment_version",
                                 params={"id": comment.id})
    if not form.validate_on_submit():
        return _list_page(hide_forms={comment_id: form}, status=400)
    operations.hide_comment(db.session, current_actor(), comment, reason=form.reason.data,
                            expected_version=version)
    flash(_("The comment is hidden from the public pages."), "success")
    return redirect(url_for("comments.index"))
