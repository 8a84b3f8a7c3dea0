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
    ColumnElement,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    event,
    exists,
    false,
    inspect,
    or_,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    aliased,
    mapped_column,
    relationship,
)

from .deadlines import StatusCutoffs, classify
from .lifecycle import (
    ANSWER,
    AUDITOR,
    CLOSURE_REASONS,
    MINISTRY,
    POSITIONS,
    RECOMMENDATION,
    ROLES,
    SECRETARIAT,
    answer_awaited,
)

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

    # -- who may see it: the one scope rule, in Python and in SQL -------------------
    @hybrid_method
    def visible_to(self, actor) -> bool:
        """The secretariat and auditors see every case; a ministry the cases transmitted
        to its government; the public (``actor`` None) the published ones."""
        if actor is None:
            return bool(self.is_published)
        if actor.role in (SECRETARIAT, AUDITOR):
            return True
        if actor.role == MINISTRY:
            return self.transmitted_at is not None and self.entry(actor.organisation) is not None
        return False

    @visible_to.expression
    def visible_to(cls, actor) -> ColumnElement[bool]:
        if actor is None:
            return cls.is_published.is_(True)
        if actor.role in (SECRETARIAT, AUDITOR):
            return true()
        if actor.role == MINISTRY:
            # Aliased so that the subquery never correlates with an outer query's entries.
            own = aliased(CaseAddressee)
            return and_(cls.transmitted_at.is_not(None),
                        exists().where(own.recommendation_id == cls.id,
                                       own.addressee_code == actor.organisation))
        return false()


class CaseAddressee(Base):
    """One addressee on one recommendation: its answer state and its deadline."""

    __tablename__ = "case_addressee"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "addressee_code"),
        CheckConstraint("state <> 'answered' OR position IS NOT NULL",
                        name="answered_has_position"),
        CheckConstraint("due_at IS NULL OR clock_start IS NOT NULL", name="due_has_start"),
        CheckConstraint(
            "live_due_at IS NULL OR (is_awaited AND is_required AND clock_stopped_on IS NULL "
            "AND live_due_at = due_at)", name="live_due_counts"),
        Index("ix_case_addressee_org_awaited", "addressee_code", "is_awaited", "due_at"),
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
    # Stored deadline state, kept current at every flush (see _keep_deadline_state) so that
    # lists filter and sort by it with indexed WHERE clauses:
    # - is_awaited: the rule "an answer is still expected" (lifecycle.answer_awaited);
    # - clock_stopped_on: first day of the running clock stop (set by stop/resume_clock);
    # - live_due_at: the due moment that makes the answer late: due_at while a required
    #   answer is awaited and its clock runs, NULL otherwise. An optional addressee, a
    #   stopped clock, a final reply or a closed case is never overdue.
    is_awaited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    clock_stopped_on: Mapped[date | None] = mapped_column(Date)
    live_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
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

    @hybrid_property
    def is_clock_stopped(self) -> bool:
        return self.clock_stopped_on is not None

    @is_clock_stopped.expression
    def is_clock_stopped(cls) -> ColumnElement[bool]:
        return cls.clock_stopped_on.is_not(None)

    def refresh_deadline_state(self) -> None:
        """Recompute the stored deadline state from the answer and case states."""
        self.is_awaited = answer_awaited(self.state, self.recommendation.state)
        counting = self.is_awaited and self.is_required and self.clock_stopped_on is None
        self.live_due_at = self.due_at if counting else None

    # -- deadline status at a moment: one rule, in Python and in SQL ---------------
    def deadline_status_name(self, cutoffs: StatusCutoffs) -> str:
        """no_deadline, paused, on_time, reminder (due soon), overdue or very_overdue."""
        paused = (self.is_awaited and self.is_required and self.is_clock_stopped
                  and self.due_at is not None)
        return classify(self.due_at if paused else self.live_due_at, cutoffs, paused=paused)

    @hybrid_method
    def deadline_in(self, statuses, cutoffs: StatusCutoffs) -> bool:
        """Whether the deadline status at ``cutoffs.now`` is one of ``statuses``."""
        return self.deadline_status_name(cutoffs) in statuses

    @deadline_in.expression
    def deadline_in(cls, statuses, cutoffs: StatusCutoffs) -> ColumnElement[bool]:
        due = cls.live_due_at
        clauses = {
            "very_overdue": due < cutoffs.very_overdue_before,
            "overdue": and_(due < cutoffs.now, due >= cutoffs.very_overdue_before),
            "reminder": and_(due >= cutoffs.now, due < cutoffs.due_soon_before)
            if cutoffs.due_soon_before is not None else false(),
            "on_time": due >= (cutoffs.due_soon_before or cutoffs.now),
            "paused": and_(cls.is_awaited, cls.is_required, cls.clock_stopped_on.is_not(None),
                           cls.due_at.is_not(None)),
        }
        chosen = [clauses[s] for s in statuses if s in clauses]
        if "no_deadline" in statuses:
            chosen.append(and_(due.is_(None), ~clauses["paused"]))
        unknown = set(statuses) - set(clauses) - {"no_deadline"}
        if unknown:
            raise ValueError(f"unknown deadline status {sorted(unknown)}")
        return or_(*chosen) if chosen else false()

    @hybrid_method
    def visible_to(self, actor) -> bool:
        """A ministry sees only its own government's entry on a case it sees."""
        if actor is not None and actor.role == MINISTRY \
                and self.addressee_code != actor.organisation:
            return False
        return self.recommendation.visible_to(actor)

    @visible_to.expression
    def visible_to(cls, actor) -> ColumnElement[bool]:
        # The entry itself answers "the case has an entry of this ministry".
        case = aliased(Recommendation)
        if actor is None:
            return exists().where(case.id == cls.recommendation_id, case.is_published.is_(True))
        if actor.role in (SECRETARIAT, AUDITOR):
            return true()
        if actor.role == MINISTRY:
            return and_(cls.addressee_code == actor.organisation,
                        exists().where(case.id == cls.recommendation_id,
                                       case.transmitted_at.is_not(None)))
        return false()


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


@event.listens_for(Session, "before_flush")
def _keep_deadline_state(session: Session, _context, _instances) -> None:
    """Keep ``CaseAddressee``'s stored deadline state current in the flush that changes
    what it depends on: an entry's own state, requirement, due date or clock, or its
    case's state. Done here, not in each operation, so no write path can forget it."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, CaseAddressee):
            obj.refresh_deadline_state()
        elif isinstance(obj, Recommendation) and obj in session.dirty \
                and inspect(obj).attrs.state.history.has_changes():
            for entry in obj.addressees:
                entry.refresh_deadline_state()
