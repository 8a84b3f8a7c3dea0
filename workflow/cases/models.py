"""Recommendations, the addressees and their entry on each case (with the stored deadline
state), closing days, and the adjustments and requests that move due dates."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
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
    Mapped,
    Session,
    aliased,
    mapped_column,
    relationship,
)

from workflow.base import (
    AnswerState,
    Base,
    ClosureReason,
    Position,
    RecommendationState,
    UTCDateTime,
)
from workflow.deadlines import StatusCutoffs, classify, notice_schedule
from workflow.deadlines import policy as deadline_policy
from workflow.lifecycle import (
    ANSWER,
    AUDITOR,
    MINISTRY,
    RECOMMENDATION,
    SECRETARIAT,
    answer_awaited,
    case_change_moves_awaited,
)

if TYPE_CHECKING:
    from workflow.answers.models import Answer


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
        return self.parse_annual_days(self.annual_closing_days)

    @staticmethod
    def parse_annual_days(text: str | None) -> list[str]:
        return json.loads(text or "[]")


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


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (
        CheckConstraint(
            "(state = 'closed' AND closure_reason IS NOT NULL) OR "
            "(state <> 'closed' AND closure_reason IS NULL)",
            name="closed_has_reason",
        ),
        # The lists' filters and sort orders (migration 0004): state (counts, filter,
        # answers to assess by last change), adoption date, committee, theme, published.
        Index("ix_recommendation_state_adopted", "state", "adopted_on"),
        Index("ix_recommendation_state_updated", "state", "updated_at"),
        Index("ix_recommendation_adopted", "adopted_on", "id"),
        Index("ix_recommendation_committee", "committee", "adopted_on"),
        Index("ix_recommendation_theme", "theme", "adopted_on"),
        Index("ix_recommendation_published", "is_published", "adopted_on", "doc_number"),
        Index("ix_recommendation_published_committee", "is_published", "committee"),
        # the public index's state filter (migration 0009)
        Index("ix_recommendation_published_state", "is_published", "state", "adopted_on"),
        # a plenary session's recommendations to transmit (migration 0010)
        Index("ix_recommendation_session_state", "session_label", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_number: Mapped[str] = mapped_column(String(32), unique=True)
    title_nl: Mapped[str] = mapped_column(Text, default="")
    title_fr: Mapped[str] = mapped_column(Text, default="")
    # Optional: the Parliament works in Dutch and French; an English title is given when
    # one is on record (English pages show it, else the Dutch title).
    title_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_nl: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    committee: Mapped[str] = mapped_column(String(120), default="", active_history=True)
    theme: Mapped[str] = mapped_column(String(120), default="")
    session_label: Mapped[str] = mapped_column(String(120), default="")
    adopted_on: Mapped[date] = mapped_column(Date, active_history=True)
    deadline_rule: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(RecommendationState, default=RECOMMENDATION.initial)
    closure_reason: Mapped[str | None] = mapped_column(ClosureReason)
    transmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    addressees: Mapped[list[CaseAddressee]] = relationship(
        back_populates="recommendation",
        cascade="all, delete-orphan",
        order_by="CaseAddressee.id",
    )

    __mapper_args__ = {"version_id_col": version}

    # The Parliament works in Dutch and French; English readers get the English title
    # when there is one, else the Dutch, and the Dutch text.
    def title(self, locale: str = "en") -> str:
        if locale == "fr":
            return self.title_fr or self.title_nl
        if locale == "en" and self.title_en:
            return self.title_en
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


def first_notice_at(due_at: datetime | None, policy) -> datetime | None:
    """When the first notice for a live due moment falls due (None: no due moment)."""
    if due_at is None:
        return None
    return notice_schedule(due_at, reminder_days=policy.reminder_days,
                           very_overdue_after_days=policy.very_overdue_after_days)[0].at


class CaseAddressee(Base):
    """One addressee on one recommendation: its answer state and its deadline."""

    __tablename__ = "case_addressee"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "addressee_code"),
        CheckConstraint("due_at IS NULL OR clock_start IS NOT NULL", name="due_has_start"),
        CheckConstraint(
            "live_due_at IS NULL OR (is_awaited AND is_required AND clock_stopped_on IS NULL "
            "AND live_due_at = due_at)", name="live_due_counts"),
        Index("ix_case_addressee_org_awaited", "addressee_code", "is_awaited", "due_at"),
        Index("ix_case_addressee_org_live", "addressee_code", "live_due_at"),
        Index("ix_case_addressee_org_days", "addressee_code", "days_to_answer"),
        # the scoreboard's oldest pending request: the entries awaited since a day
        # (migration 0014)
        Index("ix_case_addressee_org_since", "addressee_code", "clock_start"),
        CheckConstraint("first_final_at IS NULL OR (transmitted_on IS NOT NULL AND "
                        "days_to_answer IS NOT NULL AND NOT is_waived)",
                        name="first_final_counts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    addressee_code: Mapped[str] = mapped_column(ForeignKey("addressee.code"), index=True)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(AnswerState, default=ANSWER.initial)
    position: Mapped[str | None] = mapped_column(Position)
    deadline_rule: Mapped[str] = mapped_column(String(40))
    clock_start: Mapped[date | None] = mapped_column(Date, active_history=True)
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
    # (the columns with active_history=True load their old value when set: the scoreboard's
    # summary, workflow.publishing.models, moves the entry out of its old cell at the flush)
    is_awaited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                             active_history=True)
    clock_stopped_on: Mapped[date | None] = mapped_column(Date)
    live_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True,
                                                         active_history=True)
    # The scoreboard's figures (workflow.publishing.figures), written by the operations
    # that record the events they follow from: the transmission date, when the due time
    # in force took effect, the first final reply (its moment, the calendar days from
    # the transmission, whether it was on time) and a waiver before any final reply.
    transmitted_on: Mapped[date | None] = mapped_column(Date, active_history=True)
    due_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_final_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    days_to_answer: Mapped[int | None] = mapped_column(Integer, active_history=True)
    is_on_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                             active_history=True)
    is_waived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                            active_history=True)
    # How many of the entry's submitted answers the committee judged so, by their latest
    # judgement (``answers.models.JUDGEMENTS``; written with each ``assess_answer`` event).
    judged_satisfactory: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                                     active_history=True)
    judged_partly_satisfactory: Mapped[int] = mapped_column(Integer, default=0,
                                                            server_default="0", active_history=True)
    judged_unsatisfactory: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                                       active_history=True)
    # The sweep's progress on the live due moment (workflow.reminders): the notices up to
    # ``notices_until`` are handled, the next falls due at ``next_notice_at`` (indexed, so a
    # sweep reads only the entries with a notice due). Reset whenever live_due_at changes:
    # a moved due date gets its own reminders; an answer, a stop or a closure cancels them.
    # The sweep writes these two without bumping the version (nobody's form goes stale).
    notices_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
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
        live = self.due_at if counting else None
        if live != self.live_due_at or (live is not None and self.next_notice_at is None
                                        and self.notices_until is None):
            self.notices_until = None
            self.next_notice_at = first_notice_at(live, deadline_policy.current())
        self.live_due_at = live

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
        Index("ix_extension_request_status", "status", "created_at"),
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


@event.listens_for(Session, "before_flush")
def _keep_deadline_state(session: Session, _context, _instances) -> None:
    """Keep ``CaseAddressee``'s stored deadline state current in the flush that changes
    what it depends on: an entry's own state, requirement, due date or clock, or its
    case's state. Done here, not in each operation, so no write path can forget it."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, CaseAddressee):
            obj.refresh_deadline_state()
        elif isinstance(obj, Recommendation) and obj in session.dirty:
            changed = inspect(obj).attrs.state.history
            if not changed.has_changes():
                continue
            # A change between two states in which the same answers are awaited (e.g.
            # reopened -> under assessment) leaves every entry as it is: not even loaded.
            if changed.deleted and changed.added and not case_change_moves_awaited(
                    changed.deleted[0], changed.added[0]):
                continue
            for entry in obj.addressees:
                entry.refresh_deadline_state()
