"""A written question: its addressee, due date (rule and calendar fingerprint stored with
it), state, answer and the sweep's progress on its reminders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.base import Base, UTCDateTime
from workflow.cases.models import Addressee, Recommendation
from workflow.lifecycle import AUDITOR, MINISTRY, SECRETARIAT

# asked: an answer is expected (reminders run); answered: the answer is recorded;
# withdrawn: the Parliament withdrew it (no answer expected any more).
ASKED, ANSWERED, WITHDRAWN = QUESTION_STATES = ("asked", "answered", "withdrawn")


class WrittenQuestion(Base):
    __tablename__ = "written_question"
    __table_args__ = (
        CheckConstraint("state IN ('asked', 'answered', 'withdrawn')", name="state"),
        CheckConstraint("state <> 'answered' OR (answered_on IS NOT NULL AND "
                        "answer_text <> '')", name="answered_has_answer"),
        CheckConstraint("next_notice_at IS NULL OR state = 'asked'",
                        name="notices_while_asked"),
        # The lists: by addressee (a ministry's own, the secretariat's filter) and state,
        # newest first.
        Index("ix_written_question_addressee_state", "addressee_code", "state", "asked_on"),
        Index("ix_written_question_state_asked", "state", "asked_on"),
        Index("ix_written_question_asked", "asked_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. Q-2027-001
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation.id"),
                                                          index=True)
    addressee_code: Mapped[str] = mapped_column(ForeignKey("addressee.code"))
    asker: Mapped[str] = mapped_column(String(200))  # the member who asks
    subject: Mapped[str] = mapped_column(String(1000))
    text: Mapped[str] = mapped_column(Text)
    asked_on: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(40))  # the deadline rule, canonical text
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    calendar_fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=ASKED)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The sweep's progress (as on an addressee entry): notices up to ``notices_until`` are
    # handled, the next falls due at ``next_notice_at`` (indexed; NULL once answered or
    # withdrawn, so a sweep reads only the questions with a notice due).
    notices_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    recommendation: Mapped[Recommendation | None] = relationship(lazy="joined")
    addressee: Mapped[Addressee] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def is_open(self) -> bool:
        """An answer is still expected."""
        return self.state == ASKED

    @is_open.expression
    def is_open(cls) -> ColumnElement[bool]:
        return cls.state == ASKED

    @property
    def live_due_at(self) -> datetime | None:
        """The due moment that makes it late: while it is open only."""
        return self.due_at if self.state == ASKED else None

    @hybrid_method
    def visible_to(self, actor) -> bool:
        """The secretariat and auditors see every question; a ministry those put to its
        own government; nobody else (the public) any."""
        if actor is None:
            return False
        if actor.role in (SECRETARIAT, AUDITOR):
            return True
        return actor.role == MINISTRY and self.addressee_code == actor.organisation

    @visible_to.expression
    def visible_to(cls, actor) -> ColumnElement[bool]:
        if actor is None:
            return false()
        if actor.role in (SECRETARIAT, AUDITOR):
            return true()
        if actor.role == MINISTRY:
            return cls.addressee_code == actor.organisation
        return false()
