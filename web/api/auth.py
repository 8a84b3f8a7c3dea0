"""Who calls the API: a personal token (``Authorization: Bearer bfu_...``) or the web
login session. Token calls are exempt from CSRF (a browser never adds that header
by itself); session calls that change something must send ``X-CSRFToken``.

A token's last use is written in the request's own transaction (web/transaction.py):
it is saved with a call that succeeds and undone with one that fails, so nothing is
committed before the view runs."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from workflow.accounts import tokens
from workflow.actors import Actor

from ..extensions import csrf, db
from .errors import ApiError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="followup"'}


def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "unauthenticated", "send your API token as "
                           "'Authorization: Bearer <token>'", headers=CHALLENGE)
        user = tokens.authenticate(db.session, secret.strip())
        if user is None:
            raise ApiError(401, "invalid_token", "this API token is unknown, revoked or belongs "
                           "to a deactivated user; create a new one", headers=CHALLENGE)
        g.api_user, g.api_via = user, "token"
        return
    if current_user.is_authenticated:
        g.api_user, g.api_via = current_user._get_current_object(), "session"
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return
    raise ApiError(401, "unauthenticated", "log in, or send an API token as "
                   "'Authorization: Bearer <token>'", headers=CHALLENGE)


def current_actor() -> Actor:
    return Actor.of(g.api_user)
