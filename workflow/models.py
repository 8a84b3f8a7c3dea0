"""SQLAlchemy 2 models on a plain DeclarativeBase (the web app binds it with
Flask-SQLAlchemy's ``model_class=``).

Conventions: ``*_at`` columns are UTC-aware datetimes, ``*_on`` are dates,
``is_*`` are booleans. State columns are CHECK-constrained to the states the
lifecycle declares; rows that change state carry a ``version`` for optimistic
locking.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .lifecycle import ANSWER, CLOSURE_REASONS, POSITIONS, RECOMMENDATION, ROLES

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum(values, name: str) -> Enum:
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


RecommendationState = _enum(RECOMMENDATION.state_names, "recommendation_state")
AnswerState = _enum(ANSWER.state_names, "answer_state")
ClosureReason = _enum(CLOSURE_REASONS, "closure_reason")
Position = _enum(POSITIONS, "position")
Role = _enum(ROLES, "role")


class Addressee(Base):
    """A body a recommendation can be addressed to (catalogue: data/addressees.json)."""

    __tablename__ = "addressee"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    is_collective: Mapped[bool] = mapped_column(Boolean, default=False)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(8))
    annual_closing_days: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of MM-DD

    closing_days: Mapped[list[ClosingDay]] = relationship(
        back_populates="addressee", cascade="all, delete-orphan", order_by="ClosingDay.day"
    )

    def name(self, locale: str = "en") -> str:
        return getattr(self, f"name_{locale}", None) or self.name_en

    @property
    def annual_days(self) -> list[str]:
        return json.loads(self.annual_closing_days or "[]")


class ClosingDay(Base):
    """A day the secretariat declared closed (or, with is_open, a holiday declared working)."""

    __tablename__ = "closing_day"
    __table_args__ = (UniqueConstraint("addressee_code", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    addressee_code: Mapped[str] = mapped_column(ForeignKey("addressee.code"), index=True)
    day: Mapped[date] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")

    addressee: Mapped[Addressee] = relationship(back_populates="closing_days")


class User(Base):
    """A person using the system: secretariat, ministry (of one addressee) or auditor."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(Role)
    organisation: Mapped[str] = mapped_column(String(32))  # addressee code for ministries
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Flask-Login's protocol, written out so that workflow/ needs no Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (
        CheckConstraint(
            "(state = 'closed' AND closure_reason IS NOT NULL) OR "
            "(state <> 'closed' AND closure_reason IS NULL)",
            name="closed_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_number: Mapped[str] = mapped_column(String(32), unique=True)
    title_nl: Mapped[str] = mapped_column(Text, default="")
    title_fr: Mapped[str] = mapped_column(Text, default="")
    text_nl: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    committee: Mapped[str] = mapped_column(String(120), default="")
    theme: Mapped[str] = mapped_column(String(120), default="")
    session_label: Mapped[str] = mapped_column(String(120), default="")
    adopted_on: Mapped[date] = mapped_column(Date)
    deadline_rule: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(RecommendationState, default=RECOMMENDATION.initial)
    closure_reason: Mapped[str | None] = mapped_column(ClosureReason)
    transmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    addressees: Mapped[list[CaseAddressee]] = relationship(
        back_populates="recommendation",
        cascade="all, delete-orphan",
        order_by="CaseAddressee.id",
    )

    __mapper_args__ = {"version_id_col": version}

    # The Parliament works in Dutch and French; English readers get the Dutch text.
    def title(self, locale: str = "en") -> str:
        if locale == "fr":
            return self.title_fr or self.title_nl
        return self.title_nl or self.title_fr

    def text(self, locale: str = "en") -> str:
        if locale == "fr":
            return self.text_fr or self.text_nl
        return self.text_nl or self.text_fr

    def entry(self, code: str) -> CaseAddressee | None:
        return next((a for a in self.addressees if a.addressee_code == code), None)


class CaseAddressee(Base):
    """One addressee on one recommendation: its answer state and its deadline."""

    __tablename__ = "case_addressee"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "addressee_code"),
        CheckConstraint("state <> 'answered' OR position IS NOT NULL",
                        name="answered_has_position"),
        CheckConstraint("due_at IS NULL OR clock_start IS NOT NULL", name="due_has_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    addressee_code: Mapped[str] = mapped_column(ForeignKey("addressee.code"), index=True)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(AnswerState, default=ANSWER.initial)
    position: Mapped[str | None] = mapped_column(Position)
    deadline_rule: Mapped[str] = mapped_column(String(40))
    clock_start: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    calendar_fingerprint: Mapped[str | None] = mapped_column(String(64))
    due_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_on: Mapped[date | None] = mapped_column(Date)  # received date of the final reply
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    recommendation: Mapped[Recommendation] = relationship(back_populates="addressees")
    addressee: Mapped[Addressee] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Answer.id"
    )
    adjustments: Mapped[list[DeadlineAdjustment]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="DeadlineAdjustment.id"
    )
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="ExtensionRequest.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_clock_stopped(self) -> bool:
        return any(a.kind == "clock_stop" and a.end_on is None for a in self.adjustments)


class Answer(Base):
    """One reply (or a draft of it) from an addressee; submitted replies are kept as versions."""

    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("letter_date IS NULL OR received_on IS NULL OR letter_date <= received_on",
                        name="letter_not_after_receipt"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("kind IN ('interim', 'final', 'declined')", name="kind"),
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
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(80))
    author_org: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    entry: Mapped[CaseAddressee] = relationship(back_populates="answers")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    __mapper_args__ = {"version_id_col": version}


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


class DeadlineAdjustment(Base):
    """An extension (new date or extra days) or a stop-the-clock period."""

    __tablename__ = "deadline_adjustment"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('extension_date', 'extension_days', 'clock_stop')", name="kind"
        ),
        CheckConstraint("end_on IS NULL OR start_on <= end_on", name="stop_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_addressee_id: Mapped[int] = mapped_column(ForeignKey("case_addressee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    new_date: Mapped[date | None] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    entry: Mapped[CaseAddressee] = relationship(back_populates="adjustments")


class ExtensionRequest(Base):
    """A ministry's request for more time, decided by the secretariat."""

    __tablename__ = "extension_request"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'granted', 'refused')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_addressee_id: Mapped[int] = mapped_column(ForeignKey("case_addressee.id"), index=True)
    requested_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    requested_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[CaseAddressee] = relationship(back_populates="extension_requests")


class Event(Base):
    """Append-only, hash-chained history. Never updated, never deleted (the ORM
    refuses, and a database trigger refuses too)."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendation.id"), index=True
    )
    doc_number: Mapped[str | None] = mapped_column(String(32))
    addressee_code: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_org: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


class ApiToken(Base):
    """A personal API token. Only a SHA-256 digest of the secret is stored (see
    :mod:`workflow.tokens`); the secret itself is shown once, when it is created."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to recognise a token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
