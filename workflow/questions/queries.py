"""The lists of written questions, scoped to the actor (``WrittenQuestion.visible_to``),
newest first over an indexed order."""

from __future__ import annotations

from sqlalchemy import Select, select

from workflow.actors import Actor
from workflow.questions.models import QUESTION_STATES, WrittenQuestion


def visible_questions(actor: Actor, *, addressee: str | None = None,
                      state: str | None = None) -> Select:
    """The questions the actor sees, filtered by addressee and state (an unknown state
    filters nothing out: the form offers only the known ones)."""
    stmt = select(WrittenQuestion).where(WrittenQuestion.visible_to(actor))
    if addressee:
        stmt = stmt.where(WrittenQuestion.addressee_code == addressee)
    if state in QUESTION_STATES:
        stmt = stmt.where(WrittenQuestion.state == state)
    return stmt.order_by(WrittenQuestion.asked_on.desc(), WrittenQuestion.id.desc())


def open_questions(actor: Actor, addressee: str) -> Select:
    """The questions to ``addressee`` still awaiting their answer, the oldest due first
    (a ministry's inbox)."""
    return (select(WrittenQuestion)
            .where(WrittenQuestion.visible_to(actor), WrittenQuestion.is_open,
                   WrittenQuestion.addressee_code == addressee)
            .order_by(WrittenQuestion.due_at, WrittenQuestion.id))


def questions_of_case(actor: Actor, recommendation_id: int) -> Select:
    """The written questions recorded against a case that the actor sees."""
    return (select(WrittenQuestion)
            .where(WrittenQuestion.recommendation_id == recommendation_id,
                   WrittenQuestion.visible_to(actor))
            .order_by(WrittenQuestion.asked_on, WrittenQuestion.id))
