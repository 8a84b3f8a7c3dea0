"""The secretariat's pages: dashboard, registering a recommendation, acting on a case."""

from flask import Blueprint

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

from . import calendars, routes  # noqa: E402,F401
