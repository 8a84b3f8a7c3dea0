"""marshmallow 4 schemas of the JSON API: they validate requests and document
(and shape) responses in the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from workflow.lifecycle import ANSWER, CLOSURE_REASONS, POSITIONS, RECOMMENDATION, REPLY_TRIGGERS

CODE = r"^[A-Z]{2}(-[A-Z]{2,3})?$"
DOC_NUMBER = r"^\d{1,5}/\d{1,3}[A-Za-z]{0,4}$"
KINDS = tuple(REPLY_TRIGGERS)
DEADLINE_STATUSES = ("no_deadline", "on_time", "reminder", "overdue", "very_overdue", "paused")


class Schema(ma.Schema):
    """Base of the API's schemas (fields keep their declared order in marshmallow 4)."""


# ---------------------------------------------------------------------------
# Errors


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "What is wrong, for people"})
    field = fields.String(metadata={"description": "The field at fault, if one is"})
    rule = fields.String(metadata={"description": "The rule that refused, if one did: a "
                                   "lifecycle rule or an input check"})
    values = fields.Dict(keys=fields.String(),
                         metadata={"description": "The values of the refusal named by `rule` "
                                   "(dates as YYYY-MM-DD), to word it in any language"})
    localized_message = fields.String(metadata={
        "description": "The message in the language asked for with Accept-Language (nl, fr "
                       "or en); only when that header is sent"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Validation messages per field"})


# ---------------------------------------------------------------------------
# Reading


class AttachmentSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class AnswerSchema(Schema):
    id = fields.Integer(required=True)
    addressee = fields.String(required=True, attribute="entry.addressee_code")
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    status = fields.String(required=True, validate=validate.OneOf(("draft", "submitted")))
    position = fields.String(allow_none=True, validate=validate.OneOf(tuple(POSITIONS)))
    text_nl = fields.String(required=True)
    text_fr = fields.String(required=True)
    letter_date = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    is_text_on_record = fields.Boolean(required=True, metadata={
        "description": "false for a historic reply known only by the date it was received"})
    is_published = fields.Boolean(required=True)
    author = fields.String(required=True)
    author_org = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "The draft's ETag"})
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)
    withdrawn_at = fields.DateTime(allow_none=True, metadata={
        "description": "Set when the reply was withdrawn (recorded by mistake): it no longer "
                       "counts"})
    withdrawn_by = fields.String(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)


class EntrySchema(Schema):
    code = fields.String(required=True)
    name_nl = fields.String(required=True)
    name_fr = fields.String(required=True)
    name_en = fields.String(required=True)
    required = fields.Boolean(required=True)
    state = fields.String(required=True, validate=validate.OneOf(ANSWER.state_names))
    position = fields.String(allow_none=True, validate=validate.OneOf(tuple(POSITIONS)))
    deadline_rule = fields.String(required=True)
    clock_start = fields.Date(allow_none=True, metadata={"description": "Day zero of the clock"})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "17:00 Brussels, in UTC"})
    due_date = fields.Date(allow_none=True)
    answered_on = fields.Date(allow_none=True)
    deadline_status = fields.String(required=True, validate=validate.OneOf(DEADLINE_STATUSES),
                                    metadata={"description": "Derived now from the due date"})
    days_overdue = fields.Integer(required=True)
    is_overdue = fields.Boolean(required=True)
    working_days_left = fields.Integer(allow_none=True)
    clock_stopped = fields.Boolean(required=True)


class TriggerSchema(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    entity = fields.String(required=True, validate=validate.OneOf(("recommendation", "answer")))
    addressee = fields.String(allow_none=True)
    target_state = fields.String(required=True, allow_none=True, metadata={
        "description": "null for a deadline action, which keeps the state"})
    needs_reason = fields.Boolean(required=True)
    params = fields.List(fields.String(), required=True,
                         metadata={"description": "the fields this trigger takes"})
    description = fields.String(required=True)
    href = fields.String(required=True, metadata={"description": "POST here to fire it"})


class RecommendationSummarySchema(Schema):
    doc_number = fields.String(required=True)
    title_nl = fields.String(required=True)
    title_fr = fields.String(required=True)
    title_en = fields.String(required=True, metadata={"description": "optional: may be empty"})
    committee = fields.String(required=True)
    theme = fields.String(required=True)
    session_label = fields.String(required=True)
    adopted_on = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(RECOMMENDATION.state_names))
    closure_reason = fields.String(allow_none=True, validate=validate.OneOf(
        tuple(CLOSURE_REASONS)))
    transmitted_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    is_published = fields.Boolean(required=True)
    is_overdue = fields.Boolean(required=True)
    version = fields.Integer(required=True, metadata={"description": "The case's ETag"})
    href = fields.String(required=True)


class RecommendationSchema(RecommendationSummarySchema):
    text_nl = fields.String(required=True)
    text_fr = fields.String(required=True)
    deadline_rule = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    addressees = fields.List(fields.Nested(EntrySchema), required=True)
    answers = fields.List(fields.Nested(AnswerSchema), required=True, metadata={
        "description": "Submitted answers, and drafts of the caller's own organisation"})
    available_triggers = fields.List(fields.Nested(TriggerSchema), required=True)


class ConflictSchema(ErrorSchema):
    current = fields.Nested(RecommendationSchema, metadata={
        "description": "The case as it is now (reload from this and try again)"})
    current_draft = fields.Nested(AnswerSchema, metadata={"description": "The draft as it is now"})


class PageSchema(Schema):
    items = fields.List(fields.Nested(RecommendationSummarySchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={
        "description": "Items in the list, counted up to 1000 past the page's start; when "
                       "capped, the list has more than this many"})
    capped = fields.Boolean(required=True, metadata={
        "description": "The count stopped: more items (and pages) follow than total and "
                       "pages say"})
    pages = fields.Integer(required=True, metadata={
        "description": "Pages of the list (when capped: the pages known so far)"})


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    recorded_at = fields.DateTime(required=True)
    effective_at = fields.DateTime(required=True)
    recommendation_id = fields.Integer(allow_none=True)
    doc_number = fields.String(allow_none=True)
    addressee_code = fields.String(allow_none=True)
    actor = fields.String(required=True)
    actor_role = fields.String(required=True)
    actor_org = fields.String(required=True)
    action = fields.String(required=True)
    entity = fields.String(required=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    reason = fields.String(required=True)
    payload = fields.Dict(required=True, attribute="data")
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class HistorySchema(Schema):
    doc_number = fields.String(required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)


class TriggerListSchema(Schema):
    doc_number = fields.String(required=True)
    version = fields.Integer(required=True)
    triggers = fields.List(fields.Nested(TriggerSchema), required=True)


# ---------------------------------------------------------------------------
# Query and request bodies


class ListArgsSchema(Schema):
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Words in the document number, title or text"})
    state = fields.String(validate=validate.OneOf(RECOMMENDATION.state_names))
    addressee = fields.String(validate=validate.Regexp(CODE))
    committee = fields.String(validate=validate.Length(max=120))
    theme = fields.String(validate=validate.Length(max=120))
    year = fields.Integer(validate=validate.Range(min=1944, max=2200))
    overdue = fields.Boolean(metadata={"description": "Only cases with an overdue answer"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000),
                          metadata={"description": "Page number (from 1). Past the last "
                                    "page the list is empty; total and pages still count "
                                    "the list"})
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100),
                              metadata={"description": "Items per page (at most 100)"})


class VersionMixin(Schema):
    version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "The version you read (instead of an If-Match header)"})


class FireRecommendationSchema(VersionMixin):
    reason = fields.String(load_default="", validate=validate.Length(max=5000))
    closure_reason = fields.String(validate=validate.OneOf(tuple(CLOSURE_REASONS)))
    addressees = fields.List(fields.String(validate=validate.Regexp(CODE)),
                             validate=validate.Length(max=20), metadata={
                                 "description": "request_follow_up: who is asked again"})
    deadline_rule = fields.String(validate=validate.Length(max=40))
    transmitted_on = fields.Date(metadata={"description": "transmit: the date it was sent"})


class FireAnswerSchema(VersionMixin):
    reason = fields.String(validate=validate.Length(max=5000))
    position = fields.String(validate=validate.OneOf(tuple(POSITIONS)))
    text_nl = fields.String(validate=validate.Length(max=100_000))
    text_fr = fields.String(validate=validate.Length(max=100_000))
    letter_date = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True, metadata={
        "description": "Secretariat only: when a paper reply was received"})
    new_date = fields.Date(allow_none=True, metadata={"description": "grant_extension"})
    days = fields.Integer(allow_none=True, validate=validate.Range(1, 3650),
                          metadata={"description": "grant_extension: extra days"})
    requested_date = fields.Date(allow_none=True, metadata={"description": "request_extension"})
    start = fields.Date(metadata={"description": "stop_clock: the first stopped day"})
    end = fields.Date(metadata={"description": "resume_clock: the last stopped day"})
    request = fields.Integer(metadata={
        "description": "refuse_extension: the request's id (default: the open one)"})


class DraftSchema(VersionMixin):
    kind = fields.String(load_default="final", validate=validate.OneOf(KINDS))
    position = fields.String(allow_none=True, validate=validate.OneOf(tuple(POSITIONS)))
    text_nl = fields.String(load_default="", validate=validate.Length(max=100_000))
    text_fr = fields.String(load_default="", validate=validate.Length(max=100_000))
    letter_date = fields.Date(allow_none=True)


class PublishSchema(VersionMixin):
    published = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=5000), metadata={
        "description": "why an answer is withdrawn (required with published false for an "
                       "answer); kept in the history event"})


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "A PDF file (at most 10 MiB)"})
    version = fields.Integer(validate=validate.Range(min=1))


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "A CSV or JSON file "
                                                          "(docs/import-format.md)"})


class ProblemSchema(Schema):
    line = fields.Integer(required=True)
    field = fields.String(required=True)
    reason = fields.String(required=True)
    doc_number = fields.String(required=True)
    rule = fields.String(required=True, metadata={
        "description": "The rule of the operation that refused the record (as in the "
                       "`rule` of an error); empty for a problem of the file's format"})


class ImportReportSchema(Schema):
    ok = fields.Boolean(required=True)
    records = fields.Integer(required=True)
    created = fields.List(fields.String(), required=True)
    skipped = fields.List(fields.String(), required=True, metadata={
        "description": "Document numbers already in the database with the same content "
                       "(left as they are)"})
    differing = fields.List(fields.String(), required=True, metadata={
        "description": "Document numbers already in the database with other content: each "
                       "difference is a problem (rule differs_from_database), so nothing "
                       "is imported"})
    events = fields.Integer(required=True)
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


class ImportErrorSchema(ErrorSchema):
    report = fields.Nested(ImportReportSchema)
