"""Notifications: one row per event and person told of it. The same row is the entry in
the person's list in the app (``read_at``) and the e-mail outbox (``mail_*``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.accounts.models import User
from workflow.base import Base, UTCDateTime
from workflow.cases.models import Addressee, Recommendation
from workflow.questions.models import WrittenQuestion

# queued: to be e-mailed (at mail_next_at); sent; failed: given up after the last try or
# refused for good by the server; cancelled: no longer true when its turn came (an
# answer arrived first); no_address: the person has no e-mail address (listed in the
# app only).
MAIL_STATUSES = ("queued", "sent", "failed", "cancelled", "no_address")


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("event_seq", "user_id"),
        CheckConstraint("mail_status IN ('queued', 'sent', 'failed', 'cancelled', "
                        "'no_address')", name="mail_status"),
        Index("ix_notification_user_unread", "user_id", "read_at", "id"),
        Index("ix_notification_outbox", "mail_status", "mail_next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    event_seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation.id"))
    # evaluates_none: a None is sent as NULL rather than left out of the INSERT, so that
    # the notifications of one flush (with and without these) share one batched INSERT.
    addressee_code: Mapped[str | None] = mapped_column(String(16).evaluates_none())
    # The written question it is about, if any (its link, its words, whether a deadline
    # notice about it is still due).
    question_id: Mapped[int | None] = mapped_column(ForeignKey("written_question.id"))
    # For deadline notices: the due moment they are about (cancelled if it is no longer
    # the live one when the message's turn comes).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: values the text names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_status: Mapped[str] = mapped_column(String(12))
    mail_digest: Mapped[bool] = mapped_column(default=False)  # waits for the daily digest
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mail_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime().evaluates_none())
    mail_error: Mapped[str] = mapped_column(Text, default="")
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
    recommendation: Mapped[Recommendation | None] = relationship(lazy="joined")
    question: Mapped[WrittenQuestion | None] = relationship(lazy="joined")
    addressee: Mapped[Addressee | None] = relationship(
        primaryjoin="foreign(Notification.addressee_code) == Addressee.code", viewonly=True,
        lazy="joined")
