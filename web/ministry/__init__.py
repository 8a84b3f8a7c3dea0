"""A ministry's pages: its inbox and the answer form of its own government."""

from flask import Blueprint

bp = Blueprint("ministry", __name__, url_prefix="/ministry")

from . import routes  # noqa: E402,F401
