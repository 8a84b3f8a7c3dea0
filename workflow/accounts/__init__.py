"""User accounts (passwords hashed) and personal API tokens."""

from workflow.accounts.users import (
    LOCALES,
    MIN_PASSWORD,
    USERNAME,
    authenticate,
    create_user,
    set_password,
)

__all__ = [
    "LOCALES",
    "MIN_PASSWORD",
    "USERNAME",
    "authenticate",
    "create_user",
    "set_password",
]
