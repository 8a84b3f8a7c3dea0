"""The history's signed checkpoints, published: the latest as a download, the recent ones
as JSON and as an Atom feed, so that anyone can keep them and verify the history later
(``followup verify-history --checkpoint FILE``)."""

from __future__ import annotations

import json

from feedgen.feed import FeedGenerator
from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from workflow.history import checkpoints
from workflow.models import Checkpoint

from ..extensions import db
from . import bp

RECENT = 100


def _recent() -> list[Checkpoint]:
    return list(db.session.scalars(select(Checkpoint).order_by(Checkpoint.id.desc())
                                   .limit(RECENT)))


@bp.route("/public/checkpoints/latest.json")
def latest_checkpoint():
    row = checkpoints.latest(db.session)
    if row is None:
        abort(404)
    body = json.dumps(checkpoints.SignedHead.of(row).as_dict(), indent=2) + "\n"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="checkpoint-{row.seq}.json"'})


@bp.route("/public/checkpoints.json")
def checkpoint_list():
    rows = [checkpoints.SignedHead.of(row).as_dict() for row in _recent()]
    return Response(json.dumps({"checkpoints": rows}, indent=2) + "\n",
                    mimetype="application/json")


@bp.route("/public/checkpoints.atom")
def checkpoint_feed():
    base = request.url_root.rstrip("/")
    fg = FeedGenerator()
    fg.id(f"{base}/public/checkpoints.atom")
    fg.title(_("Benelux Parliament recommendations: signed checkpoints of the history"))
    fg.author({"name": _("Benelux Parliament secretariat")})
    fg.link(href=url_for("public.checkpoint_feed", _external=True), rel="self")
    rows = _recent()
    if not rows:
        fg.updated("2000-01-01T00:00:00Z")
    else:
        fg.updated(rows[0].signed_at)
    for row in reversed(rows):  # feedgen puts the entry added last first
        signed = checkpoints.SignedHead.of(row)
        entry = fg.add_entry()
        entry.id(f"urn:followup-checkpoint:{row.seq}:{row.hash}")
        entry.title(_("History head at event %(seq)s", seq=row.seq))
        entry.updated(row.signed_at)
        entry.content(json.dumps(signed.as_dict(), indent=2), type="text")
        entry.link(href=url_for("public.checkpoint_list", _external=True))
    return Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")
