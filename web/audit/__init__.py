"""Read-only pages for auditors (and the secretariat): timeline, state on a date,
history verification and downloads of the hash-chained history."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from . import routes  # noqa: E402,F401
