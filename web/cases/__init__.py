"""Pages every logged-in user shares: the case list and search, the case page,
the lifecycle diagram, attachment downloads and the locally served mermaid.js."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from . import routes  # noqa: E402,F401
