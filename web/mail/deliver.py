"""The sender: empties the outbox through SMTP, a few messages per transaction.

What can go wrong, and what becomes of the message:

* the server cannot be reached, refuses the credentials or the sender address: this try
  counts for the message in hand, the run stops (the rest stays queued, untouched) and
  says why;
* the server refuses a recipient or the message for good (5xx): that message fails at once,
  the run goes on;
* any other refusal (4xx, a dropped connection): the message is tried again later, after
  5 minutes, then 10, 20, ... (at most 6 hours apart), and fails after the last try.
Failed messages are listed on the administrator's page."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from workflow.checks import resolve_now
from workflow.notifications import outbox

from .compose import compose
from .settings import MailSettings

log = logging.getLogger("followup.mail")


class StopSending(Exception):
    """The server is unusable for every message: stop this run."""


class Refused(Exception):
    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class DeliverySummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    stopped: str = ""  # why the run stopped early ("" when it did not)

    def line(self) -> str:
        text = (f"e-mail: {self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.cancelled} cancelled")
        return f"{text}; stopped: {self.stopped}" if self.stopped else text


class SmtpLink:
    """One SMTP connection for the run, opened at the first message."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.tls == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise StopSending(f"the SMTP server at {s.where} refused the user name or password "
                              f"(FOLLOWUP_SMTP_USER / FOLLOWUP_SMTP_PASSWORD): "
                              f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise StopSending(f"the SMTP server at {s.where} does not offer STARTTLS: set "
                              "FOLLOWUP_SMTP_TLS=tls or none to match it") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise StopSending(f"cannot reach the SMTP server at {s.where} ({exc}); check "
                              "FOLLOWUP_SMTP_HOST and FOLLOWUP_SMTP_PORT") from exc
        return smtp

    def send(self, message, recipient: str) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(message, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise Refused(f"the server refused {recipient}: {code} {_text(text)}",
                          permanent=code >= 500) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise StopSending(f"the SMTP server refused the sender {exc.sender} "
                              f"(FOLLOWUP_MAIL_FROM): {exc.smtp_code} {_text(exc.smtp_error)}"
                              ) from exc
        except smtplib.SMTPResponseException as exc:
            raise Refused(f"the server refused the message: {exc.smtp_code} "
                          f"{_text(exc.smtp_error)}", permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise StopSending(f"lost the connection to the SMTP server at "
                              f"{self.settings.where} ({exc})") from exc

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def deliver(session: Session, settings: MailSettings, *, commit: Callable[[], None],
            now: datetime | None = None, batch: int = 20) -> DeliverySummary:
    """Send what is due (needs an application context for the words). ``commit`` is the
    caller's: it runs after every batch."""
    now = resolve_now(now)
    summary = DeliverySummary()
    summary.cancelled = outbox.cancel_stale(session, now)
    commit()
    if not settings.enabled:
        summary.stopped = ("e-mail is off: FOLLOWUP_SMTP_HOST is not set (notifications are "
                           "kept in the application)")
        return summary
    link = SmtpLink(settings)
    try:
        while not summary.stopped:
            parcels = outbox.claim(session, now=now, limit=batch)
            if not parcels:
                break
            for parcel in parcels:
                try:
                    link.send(compose(parcel, settings, now), parcel.notifications[0].user.email)
                except StopSending as exc:
                    summary.stopped = str(exc)
                    _failed(parcel, now, str(exc), False, settings, summary)
                    break
                except Refused as exc:
                    _failed(parcel, now, str(exc), exc.permanent, settings, summary)
                else:
                    outbox.sent(parcel, now)
                    summary.sent += len(parcel.notifications)
            session.flush()
            commit()
    finally:
        link.close()
    if summary.stopped:
        log.error("e-mail delivery stopped: %s", summary.stopped)
    return summary


def _failed(parcel, now, error, permanent, settings, summary) -> None:
    if outbox.failed(parcel, now, error, permanent=permanent, max_tries=settings.max_tries):
        summary.failed += len(parcel.notifications)
        log.error("e-mail to %s failed for good: %s", parcel.notifications[0].user.email, error)
    else:
        summary.retrying += len(parcel.notifications)
        log.warning("e-mail to %s will be tried again: %s",
                    parcel.notifications[0].user.email, error)
