"""The governments' right of reply: a ministry publishes comments on its scoreboard row or
on its recommendations; the secretariat reads them all and hides an abusive one."""

from flask import Blueprint

bp = Blueprint("comments", __name__, url_prefix="/comments")

from . import routes  # noqa: E402,F401
