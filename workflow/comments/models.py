"""A government's published comment (its right of reply): on its own row of the
scoreboard, or on one of its recommendations; who may write one, and who sees it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    exists,
    false,
    or_,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from workflow.base import Base, UTCDateTime
from workflow.cases.models import Addressee, Recommendation
from workflow.lifecycle import AUDITOR, MINISTRY, SECRETARIAT

MAX_COMMENT = 2000  # characters


def may_comment_for(actor, addressee_code: str) -> bool:
    """The scope rule of the right of reply: a ministry comments for its own government
    only; nobody else writes a government's comment."""
    return (actor is not None and actor.role == MINISTRY
            and actor.organisation == addressee_code)


class Comment(Base):
    __tablename__ = "reply_comment"
    __table_args__ = (
        CheckConstraint("NOT is_hidden OR (hidden_at IS NOT NULL AND hidden_reason <> '')",
                        name="hidden_has_reason"),
        # The scoreboard's comments per addressee (recommendation NULL), a case's comments,
        # the lists newest first.
        Index("ix_reply_comment_addressee", "addressee_code", "recommendation_id",
              "posted_at"),
        Index("ix_reply_comment_posted", "posted_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    addressee_code: Mapped[str] = mapped_column(ForeignKey("addressee.code"))
    # None: a comment on the addressee's row of the scoreboard
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation.id"),
                                                          index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    author_org: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hidden_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    hidden_by: Mapped[str | None] = mapped_column(String(80))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    addressee: Mapped[Addressee] = relationship(lazy="joined")
    recommendation: Mapped[Recommendation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def on_scoreboard(self) -> bool:
        return self.recommendation_id is None

    @hybrid_property
    def is_public(self) -> bool:
        """Shown to the public: not hidden, and on the scoreboard or a published case."""
        return not self.is_hidden and (self.recommendation is None
                                       or bool(self.recommendation.is_published))

    @is_public.expression
    def is_public(cls) -> ColumnElement[bool]:
        case = aliased(Recommendation)
        return and_(cls.is_hidden.is_(False),
                    or_(cls.recommendation_id.is_(None),
                        exists().where(case.id == cls.recommendation_id,
                                       case.is_published.is_(True))))

    @hybrid_method
    def visible_to(self, actor) -> bool:
        """The public sees the public comments; the secretariat and auditors every comment
        (hidden ones with the reason); a ministry the public ones and all of its own."""
        if actor is None:
            return self.is_public
        if actor.role in (SECRETARIAT, AUDITOR):
            return True
        if actor.role == MINISTRY:
            return self.author_org == actor.organisation or self.is_public
        return False

    @visible_to.expression
    def visible_to(cls, actor) -> ColumnElement[bool]:
        if actor is None:
            return cls.is_public
        if actor.role in (SECRETARIAT, AUDITOR):
            return true()
        if actor.role == MINISTRY:
            return or_(cls.author_org == actor.organisation, cls.is_public)
        return false()
