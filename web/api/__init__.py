"""The JSON API under /api/v1: flask-smorest views with marshmallow 4 schemas; the
OpenAPI document is served at /api/v1/openapi.json.

``bp`` is what the app factory registers; registering it sets up the API (its own
error handling, the document-number URL converter, the OpenAPI document) on the app.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_setup", __name__)


@bp.record_once
def _setup(state) -> None:
    from .setup import init_api

    init_api(state.app)
