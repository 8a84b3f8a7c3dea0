"""Reports for the secretariat and the auditors: the yearly review of pending
recommendations (page, HTML and PDF documents)."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import routes  # noqa: E402,F401
