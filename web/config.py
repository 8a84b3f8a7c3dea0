"""Configuration from the environment. Nothing secret lives in the repository.

``FOLLOWUP_ENV`` is ``production`` (the default) or ``development``. In production the
secret key must be given (``FOLLOWUP_SECRET_KEY``, the same on every server) and cookies
are sent over HTTPS only; the application refuses to start otherwise. In development
(``followup serve --demo`` sets it when unset) a key is generated once into the instance
folder and cookies also travel over plain HTTP on localhost."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from workflow import db as wdb
from workflow import errors

from .mail import settings as mail_settings

ENVIRONMENTS = ("production", "development")


class ConfigurationError(errors.ValidationError):
    """A setting in the environment is missing or invalid; the application does not start."""

    code = "configuration"


def environment() -> str:
    value = os.environ.get("FOLLOWUP_ENV", "production").strip() or "production"
    if value not in ENVIRONMENTS:
        raise ConfigurationError(
            f"FOLLOWUP_ENV={value!r} is invalid: give {' or '.join(ENVIRONMENTS)}",
            field="FOLLOWUP_ENV")
    return value


def secret_key(instance: Path, env: str) -> str:
    if os.environ.get("FOLLOWUP_SECRET_KEY"):
        return os.environ["FOLLOWUP_SECRET_KEY"]
    if env == "production":
        raise ConfigurationError(
            "FOLLOWUP_SECRET_KEY is not set: in production give the session signing key "
            "(a long random value, the same on every server, e.g. from `python3 -c "
            "\"import secrets; print(secrets.token_hex(32))\"`), or set "
            "FOLLOWUP_ENV=development to try the application locally",
            field="FOLLOWUP_SECRET_KEY")
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _secure_cookies(env: str) -> bool:
    value = os.environ.get("FOLLOWUP_SECURE_COOKIES", "")
    if value not in ("", "0", "1"):
        raise ConfigurationError(f"FOLLOWUP_SECURE_COOKIES={value!r} is invalid: give 1 or 0",
                                 field="FOLLOWUP_SECURE_COOKIES")
    return value == "1" if value else env == "production"


def trusted_proxies() -> int:
    """How many reverse proxies in front set X-Forwarded-For/-Proto (0: none)."""
    value = os.environ.get("FOLLOWUP_TRUSTED_PROXIES", "0").strip() or "0"
    if not value.isdigit() or int(value) > 5:
        raise ConfigurationError(
            f"FOLLOWUP_TRUSTED_PROXIES={value!r} is invalid: give how many proxies (0 to 5) "
            "stand in front of the application", field="FOLLOWUP_TRUSTED_PROXIES")
    return int(value)


def _mail() -> mail_settings.MailSettings:
    try:
        return mail_settings.load()
    except mail_settings.MailConfigurationError as exc:
        raise ConfigurationError(exc.message, field=exc.field) from exc


def from_environment(instance: Path, *, serving: bool = True) -> dict:
    """The settings; ``serving=False`` for a command that only renders pages or messages
    (the sweep's e-mail, reports): it signs no session, so it needs no secret key."""
    url = wdb.database_url()
    env = environment()
    secure = _secure_cookies(env)
    return {
        "FOLLOWUP_ENV": env,
        "FOLLOWUP_TRUSTED_PROXIES": trusted_proxies(),
        "FOLLOWUP_MAIL": _mail(),
        "SECRET_KEY": secret_key(instance, env) if serving else secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": wdb.engine_options(url),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # attachments are limited to 10 MiB
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
        "RATELIMIT_STORAGE_URI": os.environ.get("FOLLOWUP_RATELIMIT_STORAGE", "memory://"),
        "FOLLOWUP_RATELIMIT_PREFIX": os.environ.get("FOLLOWUP_RATELIMIT_PREFIX", "followup"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "LANGUAGES": ["nl", "fr", "en"],
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
    }
