"""The declarative base and column types every feature's models share.

Conventions: ``*_at`` columns are UTC-aware datetimes, ``*_on`` are dates, ``is_*`` are
booleans. State columns are CHECK-constrained to the states the lifecycle declares; rows
that change state carry a ``version`` for optimistic locking."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import (
    DateTime,
    Enum,
    MetaData,
    TypeDecorator,
)
from sqlalchemy.orm import (
    DeclarativeBase,
)

from workflow.lifecycle import (
    ANSWER,
    CLOSURE_REASONS,
    POSITIONS,
    RECOMMENDATION,
    ROLES,
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
