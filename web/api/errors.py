"""JSON errors for the API: always ``{"code", "message"}`` (plus ``errors`` per field,
``field``/``rule`` when known, ``current`` on a version conflict), never HTML. The
request's transaction is already rolled back when they run (web/transaction.py)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflow import db as wdb
from workflow import errors as werr

from ..errors import RETRY_AFTER_SECONDS
from ..labels import error_text

STATUS = {
    werr.NotInScope: 404,
    werr.PermissionDenied: 403,
    werr.ConflictError: 409,
    werr.TransitionRefused: 409,
    werr.HistoryIsAppendOnly: 409,
    werr.ValidationError: 422,
}


class ApiError(Exception):
    """An error response decided by the API layer itself (auth, preconditions)."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict | None = None,
                 **extra):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.extra = extra


def asked_language() -> str | None:
    """The language of ``Accept-Language`` among the interface's, if the header is sent.
    ``message`` stays English (stable for scripts and logs); the wording in that
    language is added as ``localized_message``."""
    if not request.headers.get("Accept-Language"):
        return None
    return request.accept_languages.best_match(current_app.config["LANGUAGES"])


def status_of(exc: werr.WorkflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages -> {"field.sub": ["message", ...]} (location dropped)."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


def _response(status: int, body: dict, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large",
              415: "unsupported_media_type", 422: "invalid", 428: "precondition_required",
              500: "internal_error", 503: "database_unavailable"}


def register(blp) -> None:
    @blp.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return _response(exc.status, body, exc.headers)

    @blp.errorhandler(werr.WorkflowError)
    def _workflow_error(exc: werr.WorkflowError):
        body = exc.to_dict()
        if isinstance(exc, werr.ValidationError) and exc.field:
            body["errors"] = {exc.field: [exc.message]}
        headers = {}
        lang = asked_language()
        if lang is not None:
            with force_locale(lang):
                body["localized_message"] = error_text(exc)
            headers["Content-Language"] = lang
        status = status_of(exc)
        if isinstance(exc, werr.ConflictError):
            from .views import conflict_extra

            body.update(conflict_extra())
        return _response(status, body, headers)

    @blp.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _response(403, {"code": "csrf", "message": "a call with the login session that "
                               "changes something needs the X-CSRFToken header (or use an "
                               "API token)"})

    @blp.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        body = {"code": HTTP_CODES.get(status, exc.name.lower().replace(" ", "_")),
                "message": exc.description or exc.name}
        data = getattr(exc, "data", None) or {}
        if "messages" in data:  # webargs/marshmallow validation, by location (json, query...)
            body["errors"] = {}
            for by_field in data["messages"].values():
                body["errors"].update(_flatten(by_field))
            fields = ", ".join(sorted(body["errors"]))
            body["message"] = f"invalid input in: {fields}"
            body["code"] = "invalid"
            if status == 400:  # the body is not JSON at all
                body["code"] = "bad_request"
        elif data.get("message"):
            body["message"] = data["message"]
        headers = dict(data.get("headers") or {})
        if getattr(exc, "valid_methods", None):  # 405: say which methods the address takes
            headers["Allow"] = ", ".join(exc.valid_methods)
        return _response(status, body, headers)

    @blp.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if wdb.is_unavailable(exc):
            current_app.logger.error("database unavailable: %s", exc.__class__.__name__)
            return _response(503, {"code": "database_unavailable", "message": "the database "
                                   "cannot be reached at the moment; nothing was saved. Try "
                                   "again in a minute"},
                             {"Retry-After": str(RETRY_AFTER_SECONDS)})
        current_app.logger.exception("unexpected error in the API")
        return _response(500, {"code": "internal_error", "message": "unexpected error; nothing "
                               "was saved. Try again; if it happens again, tell the "
                               "secretariat"})
