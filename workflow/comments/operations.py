"""Posting a government's comment (its ministry) and hiding an abusive one (the
secretariat). Each flushes and writes its history event; the caller commits.

The comment's text is kept on its row; the event carries its SHA-256 (as an answer's
event carries the hash of its text), so the history proves what was published without
repeating a text the secretariat hid."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import Actor
from workflow.cases.models import Recommendation
from workflow.cases.scope import check_visible, entry_of
from workflow.checks import MAX_REASON, clean_text, flush, resolve_now
from workflow.comments.models import MAX_COMMENT, Comment, may_comment_for
from workflow.lifecycle import SECRETARIAT

ENTITY = "comment"
SCOREBOARD_COMMENTS = 3  # the latest comments shown beside an addressee's figures


def post_comment(session: Session, actor: Actor, *, text: str,
                 recommendation: Recommendation | None = None,
                 now: datetime | None = None) -> Comment:
    """Publish a comment of the actor's government: on its scoreboard row, or with
    ``recommendation`` on one of its published recommendations."""
    now = resolve_now(now)
    code = actor.organisation
    if not may_comment_for(actor, code):
        raise errors.PermissionDenied(
            f"only a government's ministry comments for it (you are {actor.role})",
            rule="role", params={"roles": ["ministry"]})
    if recommendation is not None:
        check_visible(actor, recommendation)
        entry_of(recommendation, code)
        if not recommendation.is_published:
            raise errors.ValidationError(
                f"recommendation {recommendation.doc_number} is not published: a comment is "
                "shown beside a published recommendation only", field="doc_number",
                rule="comment_on_published_case",
                params={"doc_number": recommendation.doc_number})
    text = clean_text(text, "text", required=True, limit=MAX_COMMENT)
    comment = Comment(addressee_code=code, recommendation=recommendation, text=text,
                      author=actor.username, author_org=code, posted_at=now,
                      hidden_reason="")
    session.add(comment)
    flush(session)
    history.record(
        session, actor=actor, action="post_comment", entity=ENTITY, now=now,
        recommendation=recommendation, addressee_code=code,
        payload={"comment_id": comment.id,
                 "on": "scoreboard" if recommendation is None else "recommendation",
                 "text_sha256": hashlib.sha256(text.encode()).hexdigest()})
    return comment


def hide_comment(session: Session, actor: Actor, comment: Comment, *, reason: str,
                 expected_version: int | None = None, now: datetime | None = None) -> Comment:
    """Hide an abusive comment from the public pages, with the reason (the secretariat)."""
    now = resolve_now(now)
    if actor.role != SECRETARIAT:
        raise errors.PermissionDenied(
            f"only the secretariat hides a comment (you are {actor.role})", rule="role",
            params={"roles": [SECRETARIAT]})
    if expected_version is not None and int(expected_version) != comment.version:
        raise errors.ConflictError(
            f"comment {comment.id} was changed meanwhile; reload it and try again",
            rule="comment_version", params={"id": comment.id})
    if comment.is_hidden:
        raise errors.TransitionRefused(f"comment {comment.id} is already hidden",
                                       rule="comment_hidden", params={"id": comment.id})
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    comment.is_hidden, comment.hidden_reason = True, reason
    comment.hidden_by, comment.hidden_at = actor.username, now
    flush(session)
    history.record(
        session, actor=actor, action="hide_comment", entity=ENTITY, now=now,
        recommendation=comment.recommendation, addressee_code=comment.addressee_code,
        reason=reason, payload={"comment_id": comment.id})
    return comment


def check_comment_visible(actor: Actor | None, comment: Comment) -> None:
    if not comment.visible_to(actor):
        raise errors.NotInScope(f"no comment {comment.id} in your scope",
                                rule="comment_in_scope", params={"id": comment.id})


# ---------------------------------------------------------------------------
# The lists


def comments_for(actor: Actor | None) -> Select:
    """The comments ``actor`` sees, newest first (the secretariat's list, a ministry's
    own page: ``.where(Comment.author_org == ...)``)."""
    return select(Comment).where(Comment.visible_to(actor)) \
        .order_by(Comment.posted_at.desc(), Comment.id.desc())


def public_scoreboard_comments(session: Session, limit: int = SCOREBOARD_COMMENTS
                               ) -> dict[str, list[Comment]]:
    """The latest public comments on each addressee's scoreboard row, newest first: one
    statement whatever the number of comments."""
    ranked = (select(Comment.id.label("id"), func.row_number().over(
        partition_by=Comment.addressee_code,
        order_by=(Comment.posted_at.desc(), Comment.id.desc())).label("rank"))
        .where(Comment.recommendation_id.is_(None), Comment.is_public).subquery())
    rows = session.scalars(select(Comment).join(ranked, ranked.c.id == Comment.id)
                           .where(ranked.c.rank <= limit)
                           .order_by(Comment.addressee_code, Comment.posted_at.desc(),
                                     Comment.id.desc()))
    out: dict[str, list[Comment]] = {}
    for comment in rows:
        out.setdefault(comment.addressee_code, []).append(comment)
    return out


def public_case_comments(session: Session, rec: Recommendation) -> list[Comment]:
    """The public comments of the addressees on a recommendation, oldest first."""
    return list(session.scalars(
        select(Comment).where(Comment.recommendation_id == rec.id, Comment.is_public)
        .order_by(Comment.posted_at, Comment.id)))
