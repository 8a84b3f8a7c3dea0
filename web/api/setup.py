"""Sets the API up on an app (called once per app when ``web.api.bp`` is registered)."""

from __future__ import annotations

from flask_smorest import Api
from werkzeug.routing import BaseConverter

from ..extensions import csrf
from .schemas import ErrorSchema


class DocNumberConverter(BaseConverter):
    """Document numbers such as ``743/5Bis`` contain a slash: /recommendations/743/5Bis."""

    regex = r"\d{1,5}/\d{1,3}[A-Za-z]{0,4}"
    part_isolating = False


# The API spells the same URL as two path parameters, so the OpenAPI document (and
# its clients) need no slash inside a parameter: /recommendations/{number}/{part}.
class DocNumberPart(BaseConverter):
    regex = r"\d{1,5}"


class DocPartPart(BaseConverter):
    regex = r"\d{1,3}[A-Za-z]{0,4}"


def split_doc(doc_number: str) -> dict:
    number, _, part = doc_number.partition("/")
    return {"number": number, "part": part}


class FollowupApi(Api):
    # Our errors have a string code (see errors.ErrorSchema), also in the document.
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest would handle every HTTPException of the whole app as JSON; the
        # HTML pages keep their own error pages, and the API blueprint has its handlers.
        pass


API_CONFIG = {
    "API_TITLE": "Benelux recommendation follow-up API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

DESCRIPTION = """Recommendations of the Benelux Parliament, their addressees' answers,
due dates and hash-chained history.

Authenticate with a personal API token: `Authorization: Bearer bfu_...` (create one on
the page /account/tokens or with `followup token create`). A logged-in browser may call
the API too; then changes need the `X-CSRFToken` header.

Changes are optimistic: send the version you read as `If-Match: "<version>"` (the
`ETag` of the case, or of the draft for draft endpoints) or as a `version` field. A
stale version gets 409 with the current state in `current`; a missing one gets 428.

Errors are JSON: `{"code": "...", "message": "..."}` (message in English), with `errors`
per field on 422, and `rule` and `values` when a named rule refused. With
`Accept-Language: nl`, `fr` or `en`, `localized_message` words the error in that language."""


def init_api(app) -> None:
    from . import routes

    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    app.url_map.converters["doc"] = DocNumberConverter
    app.url_map.converters["docnum"] = DocNumberPart
    app.url_map.converters["docpart"] = DocPartPart
    api = FollowupApi(app, spec_kwargs={
        "info": {"description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
    })
    api.register_converter(DocNumberPart, lambda converter: {
        "type": "string", "pattern": r"^\d{1,5}$",
        "description": "The number of the document number, e.g. 743 in 743/5Bis"})
    api.register_converter(DocPartPart, lambda converter: {
        "type": "string", "pattern": r"^\d{1,3}[A-Za-z]{0,4}$",
        "description": "The part of the document number, e.g. 5Bis in 743/5Bis"})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(routes.blp)
    csrf.exempt(routes.blp)  # checked in auth.authenticate for session calls only
    app.extensions["followup-api"] = api
