"""Messages in each person's language: the words of the notification, a link to the page
where the person acts, plain text and HTML parts."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from workflow.lifecycle import MINISTRY
from workflow.notifications.models import Notification
from workflow.notifications.outbox import Parcel

from .settings import MailSettings
from .words import word


def link_for(n: Notification) -> str:
    """The page where the person acts on it (relative to the application's address)."""
    if n.question_id is not None:
        return url_for("questions.show", question_id=n.question_id)
    if n.kind == "comment_posted":  # read it where it can be hidden
        return url_for("comments.index")
    if n.recommendation_id is None:
        return url_for("notifications.index")
    if n.user.role == MINISTRY:
        return url_for("ministry.answer", case_id=n.recommendation_id)
    return url_for("cases.show", case_id=n.recommendation_id)


def _locale(parcel: Parcel) -> str:
    user = parcel.notifications[0].user
    return user.locale if user.locale in ("nl", "fr", "en") else "nl"


def message_id(parcel: Parcel, settings: MailSettings) -> str:
    """The same for every try of the same parcel, so a receiver can drop a copy."""
    first = parcel.notifications[0]
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"
    return f"<followup.{first.id}.{first.event_seq}.{len(parcel.notifications)}@{domain}>"


def compose(parcel: Parcel, settings: MailSettings, now) -> EmailMessage:
    locale = _locale(parcel)
    user = parcel.notifications[0].user
    with force_locale(locale):
        items = [{"worded": word(n, locale), "link": settings.base_url + link_for(n),
                  "at": n.created_at} for n in parcel.notifications]
        if parcel.is_digest:
            subject = _("Follow-up of recommendations: %(count)s notifications",
                        count=len(items))
        else:
            subject = items[0]["worded"].subject
        context = {"user": user, "items": items, "digest": parcel.is_digest,
                   "settings_link": settings.base_url + url_for("notifications.index")}
        text = render_template("mail/message.txt", **context)
        html = render_template("mail/message.html", **context, locale=locale)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = user.email
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(parcel, settings)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg["Content-Language"] = locale  # after the parts: they take the Content-* headers
    return msg


__all__ = ["compose", "link_for", "message_id"]
