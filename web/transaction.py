"""The one owner of a request's transaction.

Views and API endpoints call workflow operations, which flush and never commit; no
view commits or rolls back. The app (:class:`TransactionalFlask`) runs every view
through :func:`_dispatch`, which commits once when the view's response is a success
(2xx or 3xx) and rolls back when it is an error response or the view raised. Whatever
the request wrote before the view (the API token's last use) is part of the same
transaction. A lost race, at flush or at commit (a stale version, a constraint another
writer got to first, a serialization failure), becomes a ``ConflictError``: 409, from
the same handlers as every other conflict (the page's refusal view or the error page,
the API's JSON error with the case as it is now).

Why a wrapper around the view rather than ``after_request``: ``after_request`` gets the
finished response, so a commit failing there would leave a success page or redirect
already built (and its "saved" message flashed) and would need a second rendering
outside the error handlers. Committing here, before Flask finalises the response, lets a
failed commit raise into the normal error handling; a redirect still leaves only after
the commit, so the page it leads to sees the committed data.
"""

from __future__ import annotations

from flask import Flask, g, message_flashed, request
from flask import session as http_session

from workflow import db as wdb
from workflow import errors as werr

from .extensions import db

# The API's language is English; pages word the conflict through web.labels.error_text.
CONFLICT_MESSAGE = ("someone else changed this meanwhile; nothing was saved. Reload it and "
                    "try again")
# Errors a page never shows on itself: they get the error page (404, 403).
NOT_SHOWN_ON_THE_PAGE = (werr.NotInScope, werr.PermissionDenied)


class TransactionalFlask(Flask):
    """The application: every view runs inside the request's one transaction."""

    def dispatch_request(self):
        return _dispatch(self, super().dispatch_request)


def shows_refusals(render):
    """For a page that shows a refused action on itself (the form with the error next
    to its field, or a conflict banner over the case as it is now) instead of the error
    page: ``render(exc, **view_args)`` is called after the rollback, so it sees only
    committed data. It may raise ``exc`` again for the error page."""

    def decorator(view):
        view.render_refusal = render
        return view

    return decorator


def _dispatch(app: Flask, view):
    g.flashed_in_request = []
    try:
        response = app.make_response(view())
        if response.status_code >= 400:
            db.session.rollback()
        else:
            db.session.commit()
        return response
    except Exception as exc:
        db.session.rollback()
        _forget_flashes()
        failure = exc
        if wdb.is_conflict(exc):
            app.logger.warning("conflict, nothing saved: %s", exc)
            failure = werr.ConflictError(CONFLICT_MESSAGE)
        render = _refusal_view(app)
        if render is not None and isinstance(failure, werr.WorkflowError) \
                and not isinstance(failure, NOT_SHOWN_ON_THE_PAGE):
            response = app.make_response(render(failure, **(request.view_args or {})))
            db.session.rollback()  # showing a refusal writes nothing either
            return response
        if failure is exc:
            raise
        raise failure from exc


def _refusal_view(app: Flask):
    rule = request.url_rule
    view = app.view_functions.get(rule.endpoint) if rule is not None else None
    return getattr(view, "render_refusal", None)


def _note_flash(_app, message, category, **_extra) -> None:
    g.setdefault("flashed_in_request", []).append((category, message))


def _forget_flashes() -> None:
    """Nothing was saved, so a "saved" message flashed by the view must not show."""
    noted = g.pop("flashed_in_request", [])
    if not noted or "_flashes" not in http_session:
        return
    kept = list(http_session["_flashes"])
    for item in noted:
        if item in kept:
            kept.remove(item)
    http_session["_flashes"] = kept


def init_app(app: Flask) -> None:
    message_flashed.connect(_note_flash, app)

    @app.teardown_request
    def _nothing_pending(_exc) -> None:
        # Uncommitted work never outlives its request (e.g. when a before_request
        # function failed, so no view ran and nothing was committed).
        db.session.rollback()
