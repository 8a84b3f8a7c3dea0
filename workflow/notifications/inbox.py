"""A person's notifications in the app: the list, the unread count (an index-only count
on (user_id, read_at)), marking as read, and the e-mail choice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from workflow.accounts.models import User
from workflow.notifications.models import Notification


def of_user(user_id: int) -> Select:
    return (select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.id.desc()))


def unread(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id,
                                 Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user_id: int, ids: list[int], now: datetime) -> None:
    """Mark these of the person's notifications read (flushes)."""
    if ids:
        session.execute(update(Notification)
                        .where(Notification.user_id == user_id, Notification.id.in_(ids),
                               Notification.read_at.is_(None))
                        .values(read_at=now).execution_options(synchronize_session=False))


def choose_digest(session: Session, user: User, digest: bool) -> None:
    """One e-mail per notification, or a daily digest (also for what is still queued)."""
    user.mail_digest = digest
    session.execute(update(Notification)
                    .where(Notification.user_id == user.id,
                           Notification.mail_status == "queued")
                    .values(mail_digest=digest).execution_options(synchronize_session=False))
    session.flush()
