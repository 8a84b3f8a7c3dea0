"""Who the current user is, as the workflow sees it, and role checks for routes."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from workflow.actors import Actor


def current_actor() -> Actor:
    return Actor.of(current_user)


def role_required(*roles: str):
    """Log in first, then allow only these roles (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
