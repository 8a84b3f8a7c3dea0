"""Configuration from the environment. Nothing secret lives in the repository:
the secret key comes from FOLLOWUP_SECRET_KEY, or is generated once into the
instance folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from workflow import db as wdb


def secret_key(instance: Path) -> str:
    if os.environ.get("FOLLOWUP_SECRET_KEY"):
        return os.environ["FOLLOWUP_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance: Path) -> dict:
    url = wdb.database_url()
    return {
        "SECRET_KEY": secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": wdb.engine_options(url),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # attachments are limited to 10 MiB
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("FOLLOWUP_SECURE_COOKIES", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "LANGUAGES": ["nl", "fr", "en"],
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
    }
