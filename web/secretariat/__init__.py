"""The secretariat's pages: dashboard, registering a recommendation, acting on a case, the
list of very overdue answers for the next plenary."""

from flask import Blueprint

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

from . import assessment, calendars, corrections, escalation, plenary, publishing, routes  # noqa: E402,F401
