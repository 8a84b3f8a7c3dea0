"""Answers (drafts and submitted versions) and their attachments, with who may see them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    exists,
    or_,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import (
    Mapped,
    aliased,
    mapped_column,
    relationship,
)

from workflow.base import Base, Position, UTCDateTime
from workflow.cases.models import CaseAddressee, Recommendation

# The committee's judgement of a submitted answer (recorded by the secretariat), declared
# once: the column's CHECK, the operation, the scoreboard's counts and the labels use it.
JUDGEMENTS = ("satisfactory", "partly_satisfactory", "unsatisfactory")
# The judgement that offers a follow-up question to the addressee.
UNSATISFACTORY = "unsatisfactory"
# The replies the committee judges: the final ones (an answer, or declining to answer).
ASSESSABLE_KINDS = ("final", "declined")
_JUDGEMENT_CHECK = "judgement IS NULL OR judgement IN ({})".format(
    ", ".join(f"'{j}'" for j in JUDGEMENTS))


class Answer(Base):
    """One reply (or a draft of it) from an addressee; submitted replies are kept as versions."""

    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("letter_date IS NULL OR received_on IS NULL OR letter_date <= received_on",
                        name="letter_not_after_receipt"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("kind IN ('interim', 'final', 'declined')", name="kind"),
        CheckConstraint(_JUDGEMENT_CHECK, name="judgement"),
        CheckConstraint("judgement IS NULL OR (status = 'submitted' AND judged_at IS NOT NULL)",
                        name="judged_when_submitted"),
        # the latest published answers (migration 0009)
        Index("ix_answer_published_received", "is_published", "received_on"),
        # A final answer has a position, unless it is known only by the date it was
        # received (its text, and so its position, not on record).
        CheckConstraint("status <> 'submitted' OR kind <> 'final' OR position IS NOT NULL "
                        "OR NOT is_text_on_record", name="final_has_position"),
        # Only a submitted reply can be withdrawn, and a withdrawal says who and why.
        CheckConstraint("withdrawn_at IS NULL OR (status = 'submitted' AND withdrawn_by IS "
                        "NOT NULL AND withdrawal_reason IS NOT NULL)",
                        name="withdrawn_was_submitted"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_addressee_id: Mapped[int] = mapped_column(ForeignKey("case_addressee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    position: Mapped[str | None] = mapped_column(Position)
    text_nl: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    letter_date: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    # False for a reply known only by the date it was received (a historic record):
    # received on that day, its text not on record.
    is_text_on_record: Mapped[bool] = mapped_column(Boolean, default=True,
                                                    server_default=true())
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(80))
    author_org: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # A reply recorded by mistake and withdrawn (workflow.answers.corrections): kept, shown
    # as withdrawn, no longer counted.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # The committee's latest judgement (workflow.answers.assessment); every judgement is
    # also an ``assess_answer`` event, the latest counts.
    judgement: Mapped[str | None] = mapped_column(String(24))
    judgement_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    judged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    judged_by: Mapped[str | None] = mapped_column(String(80))

    entry: Mapped[CaseAddressee] = relationship(back_populates="answers")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @is_withdrawn.expression
    def is_withdrawn(cls) -> ColumnElement[bool]:
        return cls.withdrawn_at.is_not(None)

    @hybrid_property
    def is_public(self) -> bool:
        """The rule "published": a submitted answer the secretariat published, on a
        published recommendation. Drafts are never public."""
        return (self.status == "submitted" and bool(self.is_published)
                and bool(self.entry.recommendation.is_published))

    @is_public.expression
    def is_public(cls) -> ColumnElement[bool]:
        entry, case = aliased(CaseAddressee), aliased(Recommendation)
        return and_(cls.status == "submitted", cls.is_published.is_(True),
                    exists().where(entry.id == cls.case_addressee_id,
                                   case.id == entry.recommendation_id,
                                   case.is_published.is_(True)))

    @property
    def is_assessable(self) -> bool:
        """The rule "the committee may judge this reply": a submitted final reply that
        was not withdrawn (a withdrawn reply no longer counts)."""
        return (self.status == "submitted" and self.kind in ASSESSABLE_KINDS
                and self.withdrawn_at is None)

    @hybrid_method
    def visible_to(self, actor) -> bool:
        """Submitted replies to whoever sees the addressee's entry; a draft only to the
        organisation that wrote it; the public only what is published."""
        if actor is None:
            return self.is_public
        if not self.entry.visible_to(actor):
            return False
        return self.status == "submitted" or self.author_org == actor.organisation

    @visible_to.expression
    def visible_to(cls, actor) -> ColumnElement[bool]:
        if actor is None:
            return cls.is_public
        entry = aliased(CaseAddressee)
        return and_(exists().where(entry.id == cls.case_addressee_id, entry.visible_to(actor)),
                    or_(cls.status == "submitted", cls.author_org == actor.organisation))


class Attachment(Base):
    """A file sent with an answer. Stored in the database so that several app
    servers share it without a shared disk."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    answer: Mapped[Answer] = relationship(back_populates="attachments")

    @hybrid_method
    def visible_to(self, actor) -> bool:
        """An attachment is seen by whoever sees its answer."""
        return self.answer.visible_to(actor)

    @visible_to.expression
    def visible_to(cls, actor) -> ColumnElement[bool]:
        answer = aliased(Answer)
        return exists().where(answer.id == cls.answer_id, answer.visible_to(actor))
