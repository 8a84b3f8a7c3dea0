"""The scoreboard's method in words: what counts as on time, which dates, which calendar,
from the deadline policy and rules in force (``workflow.publishing.method``)."""

from __future__ import annotations

from flask import render_template

from workflow import clock
from workflow.answers.models import JUDGEMENTS
from workflow.publishing.method import method

from ..extensions import db
from . import bp


@bp.route("/public/scoreboard/method")
def scoreboard_method():
    return render_template("public/scoreboard_method.html",
                           method=method(db.session, clock.utcnow()), judgements=JUDGEMENTS)
