"""Error pages that say what to do, never a stack trace; JSON under /api/. The
request's transaction is already rolled back when they run (web/transaction.py)."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflow import db as wdb
from workflow import errors as werr

from .labels import error_text

STATUS = {
    werr.NotInScope: 404,
    werr.PermissionDenied: 403,
    werr.ConflictError: 409,
    werr.TransitionRefused: 409,
    werr.ValidationError: 400,
    werr.HistoryIsAppendOnly: 409,
}


def status_of(exc: werr.WorkflowError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _advice(status: int) -> str:
    return {
        400: _("Check what you entered and try again."),
        403: _("Your role does not allow this. Ask the secretariat if you need access."),
        404: _("It does not exist or is outside your organisation. Check the address, "
               "or go back to your overview."),
        405: _("This address does not accept that kind of request."),
        409: _("The case changed meanwhile or is not in a state that allows this. "
               "Reload the case to see its current state."),
        413: _("The file is too large."),
        429: _("Wait a few minutes before you try again."),
        503: _("The database cannot be reached at the moment; nothing was saved. Try again "
               "in a minute. If it lasts, tell the secretariat."),
        500: _("Something went wrong on our side. Nothing was saved. Try again; if it "
               "happens again, tell the secretariat."),
    }.get(status, _("Go back and try again."))


def render_error(status: int, message: str, code: str = "error"):
    if _wants_json():
        return jsonify({"code": code, "message": message}), status
    return render_template("error.html", status=status, message=message,
                           advice=_advice(status)), status


RETRY_AFTER_SECONDS = 30


def _database_unavailable(app, exc: Exception):
    app.logger.error("database unavailable: %s", exc.__class__.__name__)
    # Who is logged in cannot be read now: the error page is shown as to a visitor (the
    # navigation would otherwise load the user from the database again). Flask-Login
    # keeps the request's user in g._login_user.
    from flask import g

    from .extensions import login_manager

    g._login_user = login_manager.anonymous_user()
    response, status = render_error(503, _("Service temporarily unavailable"),
                                    "database_unavailable")
    response = app.make_response((response, status))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app) -> None:
    @app.errorhandler(werr.WorkflowError)
    def _workflow_error(exc: werr.WorkflowError):
        return render_error(status_of(exc), error_text(exc), exc.code)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(400, _("The form expired or was not sent from this site. "
                                   "Reload the page and submit it again."), "csrf")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        names = {403: _("Not allowed"), 404: _("Not found"), 405: _("Method not allowed"),
                 409: _("Conflict"), 413: _("Too large")}
        body, status = render_error(exc.code or 500, names.get(exc.code, exc.name),
                                    exc.name.lower().replace(" ", "_"))
        response = app.make_response((body, status))
        if getattr(exc, "valid_methods", None):  # 405: say which methods the address takes
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if wdb.is_unavailable(exc):
            return _database_unavailable(app, exc)
        app.logger.exception("unexpected error")
        return render_error(500, _("Unexpected error"), "internal_error")
