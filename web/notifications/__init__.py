"""A logged-in person's notifications: the list (marked read when seen), the unread count
in the navigation, and the choice between one e-mail each and a daily digest."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from . import routes  # noqa: E402,F401  (the routes register on bp)
