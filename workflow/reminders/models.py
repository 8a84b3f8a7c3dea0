"""What the sweep keeps: one row per notice recorded (the guarantee of "exactly once per
entry or written question, due moment and step", by a unique constraint) and one row per
run (its summary)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workflow.base import Base, UTCDateTime


class DeadlineNotice(Base):
    """A reminder, "overdue" or "very overdue" notice recorded for one due moment of one
    entry. A second sweep racing the first fails on the unique constraint, never records
    the notice twice."""

    __tablename__ = "deadline_notice"
    __table_args__ = (
        UniqueConstraint("case_addressee_id", "due_at", "kind", "days"),
        CheckConstraint("kind IN ('reminder', 'overdue', 'very_overdue')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_addressee_id: Mapped[int] = mapped_column(ForeignKey("case_addressee.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionNotice(Base):
    """The same for a written question: once per question, due moment and step."""

    __tablename__ = "question_notice"
    __table_args__ = (
        UniqueConstraint("question_id", "due_at", "kind", "days"),
        CheckConstraint("kind IN ('reminder', 'overdue', 'very_overdue')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("written_question.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SweepRun(Base):
    """One run of the sweep: when, where, with which policy, and what it did."""

    __tablename__ = "sweep_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)  # the "now" it swept at
    host: Mapped[str] = mapped_column(String(120), default="")
    policy: Mapped[str] = mapped_column(String(60), default="")
    examined: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[str] = mapped_column(Text, default="")  # one per line
