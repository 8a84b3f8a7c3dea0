"""Pages every logged-in user shares: the case list and search, the case page,
the lifecycle diagram and attachment downloads."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from . import corrections, routes  # noqa: E402,F401
