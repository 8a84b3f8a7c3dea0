"""User accounts: creation with validated role and organisation, hashed passwords."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workflow import clock, errors
from workflow.accounts.models import User
from workflow.cases.models import Addressee
from workflow.lifecycle import MINISTRY, ROLES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 8
LOCALES = ("nl", "fr", "en")


def create_user(session: Session, *, username: str, password: str, role: str,
                organisation: str, full_name: str = "", email: str = "",
                locale: str | None = None, is_admin: bool = False,
                now: datetime | None = None) -> User:
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise errors.ValidationError(
            "user name: 2 to 80 lower-case letters, digits, '.', '_' or '-'", field="username")
    if session.scalar(select(User.id).where(User.username == username)):
        raise errors.ValidationError(f"user name {username!r} is taken", field="username")
    if role not in ROLES:
        raise errors.ValidationError(f"unknown role {role!r}; choose {', '.join(ROLES)}",
                                     field="role")
    organisation = (organisation or "").strip()
    if not organisation:
        raise errors.ValidationError("organisation is required", field="organisation")
    if role == MINISTRY and session.get(Addressee, organisation) is None:
        known = ", ".join(session.scalars(select(Addressee.code).order_by(Addressee.code)))
        raise errors.ValidationError(
            f"a ministry user belongs to an addressee; {organisation!r} is none of {known}",
            field="organisation")
    if locale is not None and locale not in LOCALES:
        raise errors.ValidationError(f"language must be one of {', '.join(LOCALES)}",
                                     field="locale")
    user = User(username=username, full_name=full_name.strip(), email=email.strip(), role=role,
                organisation=organisation, locale=locale, is_admin=is_admin, is_active=True,
                created_at=clock.ensure_aware(now) if now else clock.utcnow())
    set_password(user, password)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise errors.ValidationError(f"password: at least {MIN_PASSWORD} characters",
                                     field="password")
    user.password_hash = generate_password_hash(password)


@cache
def _decoy_hash() -> str:
    # Hashed like a real password, so an unknown name costs the same time as a wrong
    # password: the answer's timing does not tell which user names exist.
    return generate_password_hash(secrets.token_hex(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    stored = user.password_hash if user is not None else _decoy_hash()
    matches = check_password_hash(stored, password or "")
    if user is None or not user.is_active or not matches:
        return None
    return user
