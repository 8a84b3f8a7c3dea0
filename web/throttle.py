"""Login throttling and lock-out (Flask-Limiter).

Only failed attempts count. After ``LOGIN_FAILURES_PER_NAME`` failures for one user name,
or ``LOGIN_FAILURES_PER_ADDRESS`` from one client address, within the window, further
attempts are refused with 429 and a message saying how long to wait, even with the right
password: guessing a password costs hours instead of seconds. The counters live in
``FOLLOWUP_RATELIMIT_STORAGE`` (``memory://`` by default, fine for one server;
``redis://host:6379/0`` so that several app servers share them).
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from .extensions import limiter

LOGIN_WINDOW_MINUTES = 15
LOGIN_FAILURES_PER_NAME = f"5 per {LOGIN_WINDOW_MINUTES} minutes"
LOGIN_FAILURES_PER_ADDRESS = f"30 per {LOGIN_WINDOW_MINUTES} minutes"


def _failed(response) -> bool:
    # the login answers 302 when it succeeds, 400 when the name or password is wrong
    return response.status_code == 400


# The keys carry the installation's prefix (FOLLOWUP_RATELIMIT_PREFIX) themselves: the
# limiter is one object for the process, and its own key prefix is fixed by the first app.
def _key(kind: str, value: str) -> str:
    return f"{current_app.config['FOLLOWUP_RATELIMIT_PREFIX']}:{kind}:{value}"


def _submitted_name() -> str:
    return _key("login-name", (request.form.get("username") or "").strip().lower())


def _client_address() -> str:
    return _key("login-address", get_remote_address())


def login_limits(view):
    """The lock-out limits of the login form's POST."""
    per_address = limiter.limit(LOGIN_FAILURES_PER_ADDRESS, key_func=_client_address,
                                methods=["POST"],
                                deduct_when=_failed, scope="login-address")
    per_name = limiter.limit(LOGIN_FAILURES_PER_NAME, key_func=_submitted_name,
                             methods=["POST"], deduct_when=_failed, scope="login-name")
    return per_address(per_name(view))


def _locked_out(exc: RateLimitExceeded):
    from .auth import LoginForm

    message = _("Too many failed log-in attempts. For your security, logging in is blocked "
                "for %(minutes)s minutes. Wait and try again, or ask the secretariat to set a "
                "new password.", minutes=LOGIN_WINDOW_MINUTES)
    if request.endpoint == "auth.login":
        form = LoginForm()
        form.password.errors = [message]
        response = render_template("auth/login.html", form=form), 429
    else:
        from .errors import render_error

        response = render_error(429, message, "too_many_requests")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _locked_out)
