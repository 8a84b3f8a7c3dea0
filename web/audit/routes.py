"""Timeline, state on a date, verification and downloads. Nothing here writes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, time, timedelta

from flask import Response, render_template, request
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow import deadlines, history
from workflow.lifecycle import AUDITOR, SECRETARIAT
from workflow.models import Answer, Attachment, CaseAddressee, Event, Recommendation

from .. import csv_export, paging
from ..cases.view import load_case
from ..extensions import db
from ..security import role_required
from . import bp
from .forms import AsOfForm

READERS = (AUDITOR, SECRETARIAT)

ALGORITHM = ("hash = sha256(prev_hash + '\\n' + canonical) as lower-case hex, where canonical "
             "is the JSON of the event's fields (seq, recorded_at, effective_at, "
             "recommendation_id, doc_number, addressee_code, actor, actor_role, actor_org, "
             "action, entity, from_state, to_state, reason, payload) with sorted keys, "
             "separators (',', ':') and UTF-8 characters kept; the first event's prev_hash is "
             "64 zeros. One chain covers all cases: a case's events link to the events before "
             "them, so the full chain verifies the links, and each event's own hash can be "
             "checked from its prev_hash and canonical text alone.")


PER_PAGE = 50
EVENTS_PER_PAGE = 100


@bp.route("/")
@role_required(*READERS)
def index():
    page = paging.paginate(db.session, select(Recommendation).order_by(
        Recommendation.adopted_on.desc(), Recommendation.id.desc()), PER_PAGE)
    return render_template("audit/index.html", recs=page.items, page=page,
                           locale=str(get_locale()))


def _answer_versions(rec):
    """Per addressee, the submitted replies in order (drafts are never part of the record),
    loaded in three statements whatever the number of addressees and replies."""
    db.session.scalars(select(Recommendation).where(Recommendation.id == rec.id).options(
        selectinload(Recommendation.addressees).selectinload(CaseAddressee.answers)
        .selectinload(Answer.attachments).defer(Attachment.content))).one()
    out = []
    for entry in rec.addressees:
        versions = [a for a in entry.answers if a.status == "submitted"]
        if versions:
            out.append((entry, versions))
    return out


@bp.route("/cases/<int:case_id>/timeline")
@role_required(*READERS)
def timeline(case_id: int):
    rec = load_case(case_id)
    # the case's events in effective order (history.case_events), a page at a time over
    # the (recommendation_id, effective_at, seq) index
    page = paging.paginate(db.session, select(Event).where(Event.recommendation_id == rec.id)
                           .order_by(Event.effective_at, Event.seq), EVENTS_PER_PAGE)
    return render_template("audit/timeline.html", rec=rec, events=page.items, page=page,
                           versions=_answer_versions(rec))


@bp.route("/cases/<int:case_id>/as-of")
@role_required(*READERS)
def as_of(case_id: int):
    rec = load_case(case_id)
    form = AsOfForm(request.args)
    snapshot = None
    moment = None
    status = 200
    if request.args:
        if form.validate():
            local_end = datetime.combine(form.date.data + timedelta(days=1), time(0),
                                         tzinfo=deadlines.BRUSSELS) - timedelta(microseconds=1)
            moment = local_end.astimezone(UTC)
            snapshot = history.state_as_of(db.session, rec.id, moment)
        else:
            status = 400
    names = {e.addressee_code: e.addressee for e in rec.addressees}
    return render_template("audit/as_of.html", rec=rec, form=form, snapshot=snapshot,
                           moment=moment, addressees=names), status


@bp.route("/verify")
@role_required(*READERS)
def verify():
    result = history.verify_history(db.session, expected_head=request.args.get("head") or None)
    return render_template("audit/verify.html", result=result,
                           head=request.args.get("head", ""))


def _event_dict(ev) -> dict:
    return {**history.event_fields(ev), "canonical": history.canonical(ev),
            "prev_hash": ev.prev_hash, "hash": ev.hash}


def _json(data: dict, filename: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


CSV_COLUMNS = ("seq", "recorded_at", "effective_at", "recommendation_id", "doc_number",
               "addressee_code", "actor", "actor_role", "actor_org", "action", "entity",
               "from_state", "to_state", "reason", "payload", "canonical", "prev_hash", "hash")


def _csv(events, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv_export.Writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for ev in events:
        row = _event_dict(ev)
        row["payload"] = history.dump_payload(row["payload"])
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _slug(doc_number: str) -> str:
    return doc_number.replace("/", "-")


@bp.route("/cases/<int:case_id>/history.json")
@role_required(*READERS)
def case_json(case_id: int):
    rec = load_case(case_id)
    events = sorted(history.case_events(db.session, rec.id), key=lambda e: e.seq)
    return _json({"doc_number": rec.doc_number, "recommendation_id": rec.id,
                  "algorithm": ALGORITHM, "events": [_event_dict(e) for e in events]},
                 f"history-{_slug(rec.doc_number)}.json")


@bp.route("/cases/<int:case_id>/history.csv")
@role_required(*READERS)
def case_csv(case_id: int):
    rec = load_case(case_id)
    events = sorted(history.case_events(db.session, rec.id), key=lambda e: e.seq)
    return _csv(events, f"history-{_slug(rec.doc_number)}.csv")


@bp.route("/history.json")
@role_required(*READERS)
def chain_json():
    events = list(history.iter_events(db.session))
    result = history.verify_events(events)
    return _json({"algorithm": ALGORITHM, "genesis": history.GENESIS, "head": result.head,
                  "count": len(events), "events": [_event_dict(e) for e in events]},
                 "history-chain.json")


@bp.route("/history.csv")
@role_required(*READERS)
def chain_csv():
    return _csv(history.iter_events(db.session), "history-chain.csv")
