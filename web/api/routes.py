"""The API's endpoints. Each request is one transaction, owned by web/transaction.py:
committed once when the endpoint succeeded, rolled back on an error (a conflict at
commit is a 409 like any other)."""

from __future__ import annotations

import io

from flask import g, request, send_file
from flask_smorest import Blueprint

from workflow import clock, dispatch, errors, history
from workflow.answers import pdf_files, replies
from workflow.cases import due_dates, registration, scope
from workflow.cases import queries as domain_queries
from workflow.importing import importer
from workflow.lifecycle import ANSWER, RECOMMENDATION, SECRETARIAT
from workflow.models import Answer, Attachment, CaseAddressee, Recommendation
from workflow.publishing import opendata

from .. import paging
from ..cases import queries
from ..extensions import db
from . import errors as api_errors
from .auth import authenticate, current_actor
from .errors import ApiError
from .schemas import (
    AnswerSchema,
    AttachmentSchema,
    ConflictSchema,
    DraftSchema,
    ErrorSchema,
    FireAnswerSchema,
    FireRecommendationSchema,
    HistorySchema,
    ImportErrorSchema,
    ImportFileSchema,
    ImportReportSchema,
    ListArgsSchema,
    PageSchema,
    PublishSchema,
    RecommendationSchema,
    TriggerListSchema,
    UploadSchema,
)
from .views import (
    case_view,
    check_case_version,
    check_draft_version,
    etag,
    page_view,
    summary_view,
    triggers_view,
    visible_answer,
)

blp = Blueprint("api", __name__, url_prefix="/api/v1",
                description="Recommendations, answers, due dates and history")
blp.before_request(authenticate)
api_errors.register(blp)

IF_MATCH = {"in": "header", "name": "If-Match", "required": False,
            "schema": {"type": "string"},
            "description": 'The version you read, e.g. "3" (or send a version field)'}
READ_ERRORS = (401, 404)
CHANGE_ERRORS = (401, 403, 404, 428)


def _errors(*statuses: int):
    """Document the JSON error responses of an endpoint."""

    def decorator(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorSchema,
                                    description=api_errors.HTTP_CODES.get(status, "error")
                                    .replace("_", " "))(view)
        return view

    return decorator


def _conflict(view):
    return blp.alt_response(409, schema=ConflictSchema,
                            description="stale version (the current state is in 'current') "
                                        "or a lifecycle rule refused")(view)


def _case(doc_number: str) -> Recommendation:
    actor = current_actor()
    rec = scope.find_recommendation(db.session, doc_number)
    scope.check_visible(actor, rec)
    g.case_doc = rec.doc_number
    return rec


def _entry(rec: Recommendation, code: str) -> CaseAddressee:
    entry = rec.entry(code)
    if entry is None:
        raise errors.NotInScope(f"{code} is not an addressee of recommendation "
                                f"{rec.doc_number}")
    scope.check_entry_scope(current_actor(), entry)
    return entry


def _own_draft(entry: CaseAddressee) -> Answer | None:
    """The draft the caller's organisation is writing for this entry (each organisation
    keeps its own, as the operations do: a ministry's, or the secretariat's paper reply)."""
    return replies.draft_of(entry, current_actor().organisation)


def _case_response(rec: Recommendation, status: int = 200):
    return case_view(rec, current_actor()), status, etag(rec.version)


# ---------------------------------------------------------------------------
# Reading


@blp.route("/recommendations")
@blp.arguments(ListArgsSchema, location="query", as_kwargs=True)
@blp.response(200, PageSchema)
@_errors(401)
def recommendations(page: int = 1, per_page: int = 25, **filters):
    """List the recommendations in your scope (the web list's filters; paginated)."""
    actor, cutoffs = current_actor(), due_dates.status_cutoffs(clock.utcnow())
    stmt = queries.search(actor, q=filters.get("q", ""), state=filters.get("state", ""),
                          addressee=filters.get("addressee", ""),
                          committee=filters.get("committee", ""),
                          theme=filters.get("theme", ""), year=filters.get("year"),
                          overdue=bool(filters.get("overdue")), cutoffs=cutoffs)
    start = (page - 1) * per_page
    # counted up to paging.COUNT_CAP rows past the page's start (a longer list: capped)
    counted = paging.count(db.session, stmt, cap=start + paging.COUNT_CAP)
    capped = counted > start + paging.COUNT_CAP
    total = counted - 1 if capped else counted
    # past the last page: an empty list (with the total and the number of pages)
    rows = db.session.scalars(stmt.limit(per_page).offset(start)).all() \
        if start < total else []
    late = domain_queries.late_counts(db.session, actor, [r.id for r in rows], cutoffs)
    return page_view([summary_view(r, late.get(r.id, 0) > 0) for r in rows], page, per_page,
                     total, capped)


@blp.route("/recommendations/<docnum:number>/<docpart:part>")
@blp.response(200, RecommendationSchema, headers={"ETag": {
    "description": "The case's version, to send back as If-Match",
    "schema": {"type": "string"}}})
@_errors(*READ_ERRORS)
def recommendation(number: str, part: str):
    """One recommendation: addressees, due dates and overdue status, answers, and the
    actions you may take now."""
    return _case_response(_case(f"{number}/{part}"))


@blp.route("/recommendations/<docnum:number>/<docpart:part>/history")
@blp.response(200, HistorySchema)
@_errors(*READ_ERRORS)
def recommendation_history(number: str, part: str):
    """The case's events in effective order, each with its hash and its predecessor's."""
    rec = _case(f"{number}/{part}")
    return {"doc_number": rec.doc_number, "events": history.case_events(db.session, rec.id)}


@blp.route("/recommendations/<docnum:number>/<docpart:part>/triggers")
@blp.response(200, TriggerListSchema)
@_errors(*READ_ERRORS)
def recommendation_triggers(number: str, part: str):
    """The actions you may take on the case now (recommendation and answers)."""
    rec = _case(f"{number}/{part}")
    return {"doc_number": rec.doc_number, "version": rec.version,
            "triggers": triggers_view(rec, current_actor())}


# ---------------------------------------------------------------------------
# Firing triggers


@blp.route("/recommendations/<docnum:number>/<docpart:part>/triggers/<string:trigger>",
           methods=["POST"])
@blp.arguments(FireRecommendationSchema)
@blp.response(200, RecommendationSchema)
@blp.doc(parameters=[IF_MATCH])
@_errors(*CHANGE_ERRORS)
@_conflict
def fire_recommendation_trigger(body: dict, number: str, part: str, trigger: str):
    """Fire a recommendation trigger (transmit, start_assessment, request_follow_up,
    start_monitoring, close, reopen)."""
    actor = current_actor()
    rec = _case(f"{number}/{part}")
    trig = RECOMMENDATION.trigger(trigger)
    expected = check_case_version(rec, body.pop("version", None))
    dispatch.fire(db.session, actor, rec, trigger, expected_version=expected,
                  **{k: v for k, v in body.items() if k in trig.params})
    return _case_response(rec)


@blp.route("/recommendations/<docnum:number>/<docpart:part>/addressees/<string:code>/triggers/"
           "<string:trigger>", methods=["POST"])
@blp.arguments(FireAnswerSchema)
@blp.response(200, RecommendationSchema)
@blp.doc(parameters=[IF_MATCH])
@_errors(*CHANGE_ERRORS)
@_conflict
def fire_answer_trigger(body: dict, number: str, part: str, code: str, trigger: str):
    """Fire an answer trigger for one addressee (submit_interim, submit_answer, decline,
    waive). Fields left out of a reply are taken from your draft, if you have one."""
    actor = current_actor()
    rec = _case(f"{number}/{part}")
    entry = _entry(rec, code)
    trig = ANSWER.trigger(trigger)
    expected = check_case_version(rec, body.pop("version", None))
    if trig.reply_kind:
        draft = replies.draft_of(entry, actor.organisation)
        if draft is not None:
            for name in ("position", "text_nl", "text_fr", "letter_date"):
                body.setdefault(name, getattr(draft, name))
    dispatch.fire(db.session, actor, rec, trigger, addressee=entry.addressee_code,
                  expected_version=expected, **{k: v for k, v in body.items() if k in trig.params})
    return _case_response(rec)


# ---------------------------------------------------------------------------
# Drafts and attachments


@blp.route("/recommendations/<docnum:number>/<docpart:part>/addressees/<string:code>/draft")
@blp.response(200, AnswerSchema)
@_errors(*READ_ERRORS)
def draft(number: str, part: str, code: str):
    """Your organisation's draft reply for this addressee (404 when there is none)."""
    entry = _entry(_case(f"{number}/{part}"), code)
    current = replies.draft_of(entry, current_actor().organisation)
    if current is None or not visible_answer(current_actor(), current):
        raise errors.NotInScope(f"no draft reply of yours for {code} on {number}/{part}")
    return current, 200, etag(current.version)


@blp.route("/recommendations/<docnum:number>/<docpart:part>/addressees/<string:code>/draft",
           methods=["PUT"])
@blp.arguments(DraftSchema)
@blp.response(200, AnswerSchema)
@blp.alt_response(201, schema=AnswerSchema, description="draft created")
@blp.doc(parameters=[{**IF_MATCH, "description": "The draft's ETag (not needed to create "
                                                 "the first draft)"}])
@_errors(*CHANGE_ERRORS)
@_conflict
def save_draft(body: dict, number: str, part: str, code: str):
    """Create or update your draft reply (visible only to your organisation)."""
    actor = current_actor()
    entry = _entry(_case(f"{number}/{part}"), code)
    existing = _own_draft(entry)
    if existing is not None:
        check_draft_version(existing, body.get("version"))
    saved = replies.save_draft(db.session, actor, entry, kind=body["kind"],
                               position=body.get("position"), text_nl=body["text_nl"],
                               text_fr=body["text_fr"], letter_date=body.get("letter_date"),
                               draft_version=existing.version if existing else None)
    return saved, 200 if existing else 201, etag(saved.version)


@blp.route("/recommendations/<docnum:number>/<docpart:part>/addressees/<string:code>/draft/attachments",
           methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
@blp.doc(parameters=[{**IF_MATCH, "description": "The draft's ETag"}])
@_errors(*CHANGE_ERRORS, 413)
@_conflict
def add_attachment(files: dict, number: str, part: str, code: str):
    """Attach a PDF to your draft reply."""
    actor = current_actor()
    entry = _entry(_case(f"{number}/{part}"), code)
    answerers = sorted(ANSWER.trigger("submit_answer").roles)
    if actor.role not in answerers:  # who may never write a reply, may not attach to one
        raise errors.PermissionDenied(f"only the {' or '.join(answerers)} attach files to "
                                      "replies", rule="role", params={"roles": answerers})
    current = _own_draft(entry)
    if current is None:
        raise errors.TransitionRefused("write a draft reply first; attachments go with a "
                                       "draft", rule="draft_only")
    form_version = request.form.get("version")
    check_draft_version(current, int(form_version) if (form_version or "").isdigit() else None)
    upload = files["file"]
    content = upload.read(pdf_files.MAX_ATTACHMENT_BYTES + 1)
    att = replies.add_attachment(db.session, actor, current,
                                 filename=upload.filename or "answer.pdf",
                                 content_type=upload.mimetype or "application/octet-stream",
                                 content=content)
    return att, 201, etag(current.version)


@blp.route("/attachments/<int(min=1, max=2147483647):attachment_id>")
@blp.response(200, description="The file (a PDF)", content_type="application/pdf")
@_errors(*READ_ERRORS)
def attachment(attachment_id: int):
    """Download an attachment of an answer you may see."""
    att = db.session.get(Attachment, attachment_id)
    actor = current_actor()
    if att is None:
        raise errors.NotInScope(f"no attachment {attachment_id}")
    scope.check_attachment_visible(actor, att)
    response = send_file(io.BytesIO(att.content), mimetype=att.content_type,
                         as_attachment=True, download_name=att.filename, etag=att.sha256)
    response.headers["X-Content-SHA256"] = att.sha256
    return response


# ---------------------------------------------------------------------------
# Publication (secretariat)


@blp.route("/recommendations/<docnum:number>/<docpart:part>/published", methods=["PUT"])
@blp.arguments(PublishSchema)
@blp.response(200, RecommendationSchema)
@blp.doc(parameters=[IF_MATCH])
@_errors(*CHANGE_ERRORS, 422)
@_conflict
def publish_recommendation(body: dict, number: str, part: str):
    """Publish the recommendation on the public pages (or withdraw it)."""
    rec = _case(f"{number}/{part}")
    check_case_version(rec, body.get("version"))
    registration.set_published(db.session, current_actor(), rec, body["published"])
    return _case_response(rec)


@blp.route("/answers/<int(min=1, max=2147483647):answer_id>/published", methods=["PUT"])
@blp.arguments(PublishSchema)
@blp.response(200, AnswerSchema)
@blp.doc(parameters=[{**IF_MATCH, "description": "The case's ETag"}])
@_errors(*CHANGE_ERRORS, 422)
@_conflict
def publish_answer(body: dict, answer_id: int):
    """Publish a submitted answer on the public pages (or withdraw it)."""
    answer = db.session.get(Answer, answer_id)
    actor = current_actor()
    if answer is None or not visible_answer(actor, answer):
        raise errors.NotInScope(f"no answer {answer_id}")
    rec = _case(answer.entry.recommendation.doc_number)
    check_case_version(rec, body.get("version"))
    opendata.publish_answer(db.session, actor, answer, body["published"],
                            reason=body.get("reason", ""))
    return answer, 200, etag(rec.version)


# ---------------------------------------------------------------------------
# Bulk import (secretariat)


@blp.route("/imports", methods=["POST"])
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportReportSchema)
@blp.alt_response(422, schema=ImportErrorSchema,
                  description="the file has problems; nothing was imported")
@_errors(401, 403)
def import_file(files: dict):
    """Import historic recommendations from a CSV or JSON file (docs/import-format.md).
    Every problem is reported; if there is one, nothing is imported. Document numbers
    already present with the same content are skipped; with other content, each
    difference is a problem (stored and imported value)."""
    actor = current_actor()
    if actor.role != SECRETARIAT:
        raise errors.PermissionDenied("only the secretariat may import recommendations",
                                      rule="role")
    upload = files["file"]
    report = importer.import_file(db.session, upload.filename or "", upload.read(), actor=actor)
    if not report.ok:
        raise ApiError(422, "import_rejected", f"{len(report.problems)} problem(s) in the file; "
                       "nothing was imported", report=ImportReportSchema().dump(report.as_dict()))
    return report.as_dict()
