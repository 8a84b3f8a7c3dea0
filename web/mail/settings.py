"""SMTP settings from the environment, read and checked once when a program starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr

from workflow import errors

TLS_MODES = ("starttls", "tls", "none")


class MailConfigurationError(errors.ValidationError):
    code = "configuration"


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    tls: str = "starttls"
    sender: str = "followup@localhost"
    base_url: str = "http://localhost:5000"
    max_tries: int = 8
    timeout: float = 20.0

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _bad(name: str, value: str, expected: str) -> MailConfigurationError:
    return MailConfigurationError(f"{name}={value!r} is invalid: give {expected}", field=name)


def load(env: Mapping[str, str] | None = None) -> MailSettings:
    """FOLLOWUP_SMTP_HOST (none: e-mail off, notifications stay in the app), _PORT
    (default 587 with starttls, 465 with tls, 25 with none), _USER, _PASSWORD, _TLS,
    FOLLOWUP_MAIL_FROM, FOLLOWUP_BASE_URL (the address links in messages point to) and
    FOLLOWUP_MAIL_MAX_TRIES."""
    env = os.environ if env is None else env
    tls = env.get("FOLLOWUP_SMTP_TLS", "starttls").strip().lower() or "starttls"
    if tls not in TLS_MODES:
        raise _bad("FOLLOWUP_SMTP_TLS", tls, " or ".join(TLS_MODES))
    default_port = {"starttls": 587, "tls": 465, "none": 25}[tls]
    raw_port = env.get("FOLLOWUP_SMTP_PORT", "").strip() or str(default_port)
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        raise _bad("FOLLOWUP_SMTP_PORT", raw_port, "a port number between 1 and 65535")
    user, password = env.get("FOLLOWUP_SMTP_USER", ""), env.get("FOLLOWUP_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        raise MailConfigurationError(
            "give both FOLLOWUP_SMTP_USER and FOLLOWUP_SMTP_PASSWORD, or neither",
            field="FOLLOWUP_SMTP_USER")
    sender = env.get("FOLLOWUP_MAIL_FROM", MailSettings.sender).strip()
    if "@" not in parseaddr(sender)[1]:
        raise _bad("FOLLOWUP_MAIL_FROM", sender, "an e-mail address, e.g. "
                   "'Benelux Parliament follow-up <followup@example.org>'")
    base = env.get("FOLLOWUP_BASE_URL", MailSettings.base_url).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise _bad("FOLLOWUP_BASE_URL", base, "the address people open the application at, "
                   "e.g. https://followup.example.org")
    raw_tries = env.get("FOLLOWUP_MAIL_MAX_TRIES", "8").strip()
    if not raw_tries.isdigit() or not 1 <= int(raw_tries) <= 50:
        raise _bad("FOLLOWUP_MAIL_MAX_TRIES", raw_tries, "a number of tries between 1 and 50")
    return MailSettings(env.get("FOLLOWUP_SMTP_HOST", "").strip(), int(raw_port), user,
                        password, tls, sender, base, int(raw_tries))
