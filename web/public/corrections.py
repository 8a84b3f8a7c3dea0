"""The versions of a published recommendation's texts, for everyone (no login)."""

from __future__ import annotations

from flask import render_template

from workflow.publishing import opendata

from ..cases.corrections import versions_context
from ..extensions import db
from . import bp


@bp.route("/public/recommendations/<doc:doc_number>/corrections")
def corrections(doc_number: str):
    rec = opendata.public_recommendation(db.session, doc_number)
    return render_template("cases/corrections.html", **versions_context(rec), public=True)
