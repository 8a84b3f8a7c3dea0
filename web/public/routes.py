"""Public pages, open-data exports and feeds. Nothing here needs a login, and
nothing here shows what is not published: see :mod:`workflow.opendata`."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow import clock
from workflow import errors as werr
from workflow.answers.models import JUDGEMENTS
from workflow.cases import corrections as text_corrections
from workflow.cases import due_dates
from workflow.comments import operations as comments
from workflow.history import dump_payload
from workflow.models import Addressee, Answer, Attachment, CaseAddressee, Recommendation
from workflow.publishing import figures, opendata, scoreboard

from .. import csv_export, paging
from ..cases import queries as case_queries
from ..extensions import db
from ..labels import fmt_number
from ..reports.chart import answers_chart
from . import bp, feeds
from .forms import FIRST_YEAR, LAST_YEAR, PublicSearchForm

EXPORTS = ("recommendations", "answers", "events")
ADDRESSEE_COLUMNS = ("addressee", "addressee_name", "required", "answer_state", "position",
                     "clock_start", "due_at", "due_date", "answered_on", "deadline_status",
                     "days_overdue")
REC_COLUMNS = ("doc_number", "title_nl", "title_fr", "title_en", "text_nl", "text_fr",
               "committee", "theme", "session_label", "adopted_on", "deadline_rule", "state",
               "closure_reason", "transmitted_on", "transmitted_at", "closed_on", "closed_at")
ANSWER_COLUMNS = ("id", "doc_number", "addressee", "kind", "position", "letter_date",
                  "received_on", "text_nl", "text_fr", "attachments", "withdrawn_at",
                  "withdrawal_reason")
EVENT_COLUMNS = ("seq", "recorded_at", "effective_at", "doc_number", "recommendation_id",
                 "addressee_code", "actor", "actor_role", "actor_org", "action", "entity",
                 "from_state", "to_state", "reason", "payload", "prev_hash", "hash", "redacted")


def _filters() -> dict:
    """year and committee, as the scoreboard and the exports take them; a year that is
    not one is refused (400, worded), not ignored."""
    year = request.args.get("year", "").strip()
    committee = request.args.get("committee", "").strip()
    if year and not (year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        raise werr.ValidationError(
            f"year {year!r}: give the year as four digits, between {FIRST_YEAR} and "
            f"{LAST_YEAR}", field="year", rule="filter_year",
            params={"first_year": FIRST_YEAR, "last_year": LAST_YEAR})
    return {"year": int(year) if year else None, "committee": committee[:120] or None}


def _published(filters: dict):
    return opendata.published_recommendations(db.session, **filters)


# ---------------------------------------------------------------------------
# Pages


PER_PAGE = 50
LATEST = 5  # rows of each "latest" list on the home page


def _published_page(filters: dict) -> paging.Page:
    """One page of the published recommendations matching ``filters`` (the case list's
    search with the public's scope), newest first, with their addressees."""
    stmt = case_queries.search(None, cutoffs=due_dates.status_cutoffs(clock.utcnow()),
                               **filters)
    stmt = stmt.order_by(None).order_by(Recommendation.adopted_on.desc(),
                                        Recommendation.doc_number)
    return paging.paginate(db.session, stmt, PER_PAGE,
                           options=(selectinload(Recommendation.addressees),))


def _names() -> dict[str, Addressee]:
    return {a.code: a for a in db.session.scalars(select(Addressee))}


@bp.route("/public/")
def index():
    locale = str(get_locale())
    form = PublicSearchForm(formdata=request.args)
    names = _names()
    form.set_choices(sorted(names.values(), key=lambda a: a.code),
                     opendata.public_committees(db.session), locale)
    valid = form.validate() & form.check_choices()
    filters = form.filters() if valid else {}
    page = _published_page(filters) if valid else None
    # the exports take the year and the committee
    query = {k: v for k, v in filters.items() if k in ("year", "committee")}
    return render_template("public/index.html", recs=page.items if page else [], page=page,
                           form=form, valid=valid, query=query, args=paging.link_args(),
                           years=opendata.public_years(db.session)), 200 if valid else 400


@bp.route("/public/home")
def home():
    """The visitors' first page (also ``/`` when not logged in): what the Parliament
    asked, who answered, who is late, and the latest recommendations and answers."""
    scores = _scores({"year": None, "committee": None})
    totals = {key: sum(getattr(s, key) for s in scores)
              for key in ("received", "answered", "answered_on_time", "pending_now",
                          "overdue_now")}
    late = sorted((s for s in scores if s.overdue_now),
                  key=lambda s: (-s.overdue_now, s.addressee))
    return render_template(
        "public/home.html", scores=scores, totals=totals, late=late, names=_names(),
        published=opendata.published_count(db.session),
        latest=opendata.latest_published(db.session, LATEST),
        answers=opendata.latest_public_answers(db.session, LATEST))


@bp.route("/public/recommendations/<doc:doc_number>")
def recommendation(doc_number: str):
    rec = opendata.public_recommendation(db.session, doc_number)
    db.session.scalars(select(Recommendation).where(Recommendation.id == rec.id).options(
        selectinload(Recommendation.addressees).selectinload(CaseAddressee.answers)
        .selectinload(Answer.attachments).defer(Attachment.content))).one()  # what it shows
    now = clock.utcnow()
    entries = [(e, opendata.entry_record(e, now)) for e in rec.addressees]
    return render_template("public/recommendation.html", rec=rec, entries=entries,
                           answers=opendata.public_answers(rec),
                           transmitted_on=opendata.transmitted_on(rec),
                           closed_on=opendata.closed_on(db.session, [rec]).get(rec.id),
                           corrections=text_corrections.corrections(db.session, rec),
                           comments=comments.public_case_comments(db.session, rec))


@bp.route("/public/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    att = db.session.get(Attachment, attachment_id)
    if att is None or not opendata.is_public_answer(att.answer):
        abort(404)
    return send_file(io.BytesIO(att.content), mimetype=att.content_type, as_attachment=True,
                     download_name=att.filename, etag=att.sha256)


def _scores(filters: dict) -> list[scoreboard.Score]:
    return figures.scores(db.session, clock.utcnow(), **filters)


def _charts(rows: list[figures.YearFigures], names: dict[str, Addressee]) -> dict:
    """One chart per addressee (by code, in the scoreboard's order): its requests per
    year of transmission, answered on time, answered late, pending now; all on one
    scale, so that bars compare across addressees."""
    locale = str(get_locale())
    charts = {}
    largest = max((r.on_time + r.late + r.pending for r in rows), default=1)
    for code in dict.fromkeys(r.addressee for r in rows):
        name = names[code].name(locale) if code in names else code
        charts[code] = answers_chart(
            [r for r in rows if r.addressee == code], names={code: name}, number=fmt_number,
            largest=largest,
            title=_("Answers of %(addressee)s per year of the request", addressee=name))
    return charts


@bp.route("/public/scoreboard")
def scoreboard_page():
    filters = _filters()
    names = {a.code: a for a in db.session.query(Addressee)}
    return render_template("public/scoreboard.html", scores=_scores(filters), names=names,
                           judgements=JUDGEMENTS,
                           comments=comments.public_scoreboard_comments(db.session),
                           charts=_charts(figures.per_year(db.session, **filters), names),
                           filters=filters, query={k: v for k, v in filters.items() if v},
                           years=opendata.public_years(db.session),
                           committees=opendata.public_committees(db.session))


@bp.route("/public/scoreboard.json")
def scoreboard_json():
    filters = _filters()
    return jsonify({"generated_at": opendata._iso(clock.utcnow()), "filters": filters,
                    "definitions": url_for("public.scoreboard_page", _external=False),
                    "addressees": [s.as_dict() for s in _scores(filters)]})


# ---------------------------------------------------------------------------
# Exports


def _rows(kind: str, filters: dict) -> Iterator[dict]:
    """The export's records, streamed: a batch of recommendations at a time."""
    now = clock.utcnow()
    if kind == "events":
        yield from opendata.stream_public_event_records(db.session, **filters)
        return
    for recs in opendata.stream_published(db.session, **filters):
        if kind == "recommendations":
            closed = opendata.closed_on(db.session, recs)
            for r in recs:
                yield opendata.recommendation_record(r, now, closed.get(r.id))
        else:
            for r in recs:
                for a in opendata.public_answers(r):
                    yield opendata.answer_record(a)


def _csv_lines(kind: str, rows: Iterable[dict]) -> Iterator[dict]:
    """The CSV lines of the records: one per recommendation and addressee, one per
    answer, one per event."""
    for row in rows:
        if kind == "recommendations":
            base = {k: row[k] for k in REC_COLUMNS}
            for entry in row["addressees"]:
                entry = {**entry, "answer_state": entry["state"]}
                yield {**base, **{k: entry[k] for k in ADDRESSEE_COLUMNS}}
        elif kind == "answers":
            yield {**row, "attachments": " ".join(
                f"{a['sha256']}:{a['filename']}" for a in row["attachments"])}
        else:
            # The payload as the hash covers it: canonical JSON (sorted keys, compact).
            yield {**row, "payload": dump_payload(row["payload"])}


CSV_FIELDS = {"recommendations": REC_COLUMNS + ADDRESSEE_COLUMNS, "answers": ANSWER_COLUMNS,
              "events": EVENT_COLUMNS}
CHUNK_ROWS = 200


def _csv(kind: str, rows: Iterable[dict]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv_export.DictWriter(out, fieldnames=CSV_FIELDS[kind], lineterminator="\n")
    writer.writeheader()
    for n, line in enumerate(_csv_lines(kind, rows), 1):
        writer.writerow(line)
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _json(kind: str, filters: dict, rows: Iterable[dict]) -> Iterator[str]:
    """The same text as ``json.dumps({generated_at, filters, kind: [rows]}, indent=1)``,
    written one record at a time."""
    head = json.dumps({"generated_at": opendata._iso(clock.utcnow()), "filters": filters,
                       kind: []}, ensure_ascii=False, indent=1)
    yield head[:-len("]\n}")]
    sep, empty = "\n  ", True
    for row in rows:
        yield ("" if empty else ",") + sep + json.dumps(row, ensure_ascii=False,
                                                        indent=1).replace("\n", sep)
        empty = False
    yield "]\n}" if empty else "\n ]\n}"


@bp.route("/public/export/<any(recommendations, answers, events):kind>.<any(csv, json):fmt>")
def export(kind: str, fmt: str):
    """Streamed (constant memory): the records are read in batches from a server-side
    cursor while the response is written. The request's transaction was committed
    before the body starts; reading the body opens a read-only one, rolled back when
    the stream ends (the request context lives until then)."""
    filters = _filters()
    rows = _rows(kind, filters)
    filename = f"benelux-{kind}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "json":
        body, mimetype = _json(kind, filters, rows), "application/json"
    else:
        body, mimetype = _csv(kind, rows), "text/csv"
    return Response(stream_with_context(body), mimetype=mimetype, headers=headers)


# ---------------------------------------------------------------------------
# Feeds


def _feed_language() -> str:
    """``?lang=nl|fr|en`` (a feed reader sends no language), else the request's."""
    from flask_babel import get_locale

    lang = request.args.get("lang", "")
    return lang if lang in current_app.config["LANGUAGES"] else str(get_locale())


@bp.route("/public/calendar/<string:code>.ics")
def calendar(code: str):
    addressee = db.session.get(Addressee, code)
    if addressee is None:
        abort(404)
    entries = opendata.public_entries_of(db.session, code)
    with force_locale(_feed_language()):
        body = feeds.due_calendar(addressee, entries, clock.utcnow(),
                                  lambda doc: url_for("public.recommendation", doc_number=doc,
                                                      _external=True))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="due-dates-{code}.ics"'})


@bp.route("/public/feed.atom")
def feed():
    events = opendata.latest_public_changes(db.session, feeds.FEED_SIZE)
    published = opendata.public_answer_ids(db.session, events)
    with force_locale(_feed_language()):
        body = feeds.atom(events, published, request.url_root.rstrip("/"),
                          lambda doc: url_for("public.recommendation", doc_number=doc,
                                              _external=True),
                          url_for("public.feed", _external=True))
    return Response(body, mimetype="application/atom+xml")
