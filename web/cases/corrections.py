"""The versions of a recommendation's texts: each correction with who made it, when and
why, and the texts before and after it (from the history: workflow.cases.corrections)."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from workflow.cases import corrections as text_corrections

from ..extensions import db
from . import bp
from .view import load_case


def versions_context(rec) -> dict:
    """What the versions page shows, the internal one and the public one alike."""
    found = text_corrections.corrections(db.session, rec)
    texts = text_corrections.versions(rec, found)
    # newest first: each correction with the version before and after it
    steps = [{"correction": c, "before": texts[i], "after": texts[i + 1]}
             for i, c in enumerate(found)][::-1]
    return {"rec": rec, "steps": steps, "first": texts[0],
            "fields": text_corrections.TEXT_FIELDS}


@bp.route("/cases/<int:case_id>/corrections")
@login_required
def corrections(case_id: int):
    return render_template("cases/corrections.html",
                           **versions_context(load_case(case_id)), public=False)
