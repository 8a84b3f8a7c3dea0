"""The public side (no login): published recommendations, the scoreboard, open-data
exports (CSV, JSON), due-date calendars (iCalendar) and an Atom feed of state
changes. Also the page where a logged-in user manages personal API tokens."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.record_once
def _converters(state) -> None:
    # Must run before this blueprint's URL rules are added (they use <doc:...>).
    from ..api.setup import DocNumberConverter

    state.app.url_map.converters.setdefault("doc", DocNumberConverter)


from . import account, calculator, checkpoints, corrections, method, routes  # noqa: E402,F401  (they register on bp)
