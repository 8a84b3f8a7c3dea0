"""Personal API tokens: created for a user, shown once, stored hashed, revocable.

A token is ``bfu_`` followed by ``secrets.token_urlsafe(32)`` (256 random bits).
Only its SHA-256 digest is stored. A fast, unsalted hash is enough here, unlike
for passwords: the secret is machine-generated with 256 bits of entropy, so
there is nothing to guess and no dictionary to precompute; the digest cannot be
turned back into a usable token, and a plain digest can be looked up by an index
(a salted, slow hash would need one check per stored token on every request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import clock, errors
from workflow.accounts.models import ApiToken, User

PREFIX = "bfu_"
MAX_NAME = 80
# last_used_at is written at most this often per token, so reading the API does
# not turn every request into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the only time the full secret is available


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return clock.ensure_aware(now) if now is not None else clock.utcnow()


def create_token(session: Session, user: User, name: str, *,
                 now: datetime | None = None) -> NewToken:
    """Create a token for ``user`` (flushes; the caller commits and shows the secret once)."""
    name = (name or "").strip()
    if not name:
        raise errors.ValidationError("give the token a name, e.g. the script that will use it",
                                     field="name")
    if len(name) > MAX_NAME:
        raise errors.ValidationError(f"the token name is too long (at most {MAX_NAME} "
                                     "characters)", field="name")
    if not user.is_active:
        raise errors.ValidationError(f"user {user.username} is deactivated", field="user")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12], token_hash=digest(secret),
                     created_at=_now(now))
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def all_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke(session: Session, token: ApiToken, *, now: datetime | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = _now(now)
        session.flush()
    return token


def get_token(session: Session, token_id: int, user: User | None = None) -> ApiToken:
    """A token by id; with ``user``, only one of that user's (another's reads as not found)."""
    token = session.get(ApiToken, token_id)
    if token is None or (user is not None and token.user_id != user.id):
        raise errors.NotInScope(f"no API token {token_id}")
    return token


def authenticate(session: Session, secret: str, *, now: datetime | None = None) -> User | None:
    """The active user owning this active token, or None. Notes the time of use."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    wanted = digest(secret)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    # compare_digest: the lookup is by an index, this keeps the final check constant-time.
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = _now(now)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return token.user
