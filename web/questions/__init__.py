"""Written questions: the secretariat's list and records, a ministry's own questions and
its answers online."""

from flask import Blueprint

bp = Blueprint("questions", __name__, url_prefix="/questions")

from . import routes  # noqa: E402,F401
