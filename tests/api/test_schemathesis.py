"""Property-based tests of the API against its own OpenAPI document (schemathesis):
whatever it sends, no 5xx, and every response matches the documented schema.

Random document numbers would only ever meet 404s, so half of the generated cases
are steered to the demo's real documents, addressees, triggers and ids, and half
of those carry the case's current version, so that changes really happen (and the
state moves on from example to example).

schemathesis' pytest loader does not work with pytest 9 (it reads a private node
attribute), so the test drives each operation's Hypothesis strategy itself.
Bounded: a few examples per operation; the whole file runs in seconds.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from workflow.cases import scope
from workflow.demo import CASES
from workflow.lifecycle import ANSWER, RECOMMENDATION

from .conftest import AUDITOR, BE, NL, SEC

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
DOCS = [c["doc"] for c in CASES]
CODES = ["NL", "BE-FED", "LU", "CM", "DE-NW", "BE-VLG"]
TRIGGERS = [t.name for t in RECOMMENDATION.triggers + ANSWER.triggers]


def _version(app, doc: str) -> int:
    from web.extensions import db

    with app.app_context():
        db.session.expire_all()
        return scope.find_recommendation(db.session, doc).version


def _steer(app, case, doc, code, trigger, some_id, fresh) -> None:
    params = case.path_parameters or {}
    if doc is None:
        return
    if "number" in params:
        params["number"], params["part"] = doc.split("/")
    if "code" in params:
        params["code"] = code
    if "trigger" in params:
        params["trigger"] = trigger
    for name in ("answer_id", "attachment_id"):
        if name in params:
            params[name] = some_id
    if fresh and "number" in params and case.method.upper() in ("POST", "PUT"):
        case.headers = {**(case.headers or {}), "If-Match": f'"{_version(app, doc)}"'}


def _run(app, headers: dict, max_examples: int) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        tried += 1

        @given(case=operation.as_strategy(), doc=st.one_of(st.sampled_from(DOCS), st.none()),
               code=st.sampled_from(CODES), trigger=st.sampled_from(TRIGGERS),
               some_id=st.integers(1, 40), fresh=st.booleans())
        @settings(max_examples=max_examples, deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
        def check(case, doc, code, trigger, some_id, fresh):
            _steer(app, case, doc, code, trigger, some_id, fresh)
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # report every operation's failure, not only the first
            failures.append(f"{operation.label}: {exc}")
    assert tried >= 10, "the OpenAPI document lists too few operations"
    return failures


def test_api_conforms_to_its_document(app, auth):
    failures = _run(app, auth(SEC), 25)
    assert failures == [], "\n\n".join(failures)


def test_api_conforms_for_a_ministry(app, auth):
    failures = _run(app, auth(NL), 15)
    assert failures == [], "\n\n".join(failures)


def test_api_conforms_for_the_auditor_and_another_government(app, auth):
    failures = _run(app, auth(AUDITOR), 8) + _run(app, auth(BE), 8)
    assert failures == [], "\n\n".join(failures)


def test_api_conforms_without_a_token(app):
    failures = _run(app, {}, 5)
    assert failures == [], "\n\n".join(failures)


def test_an_undeclared_method_is_405_with_allow(app, client):
    document = client.get("/api/v1/openapi.json").json
    tried = 0
    for path, item in document["paths"].items():
        declared = {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch")}
        concrete = (path.replace("{number}", "747").replace("{part}", "2")
                    .replace("{code}", "NL").replace("{trigger}", "transmit")
                    .replace("{answer_id}", "1").replace("{attachment_id}", "1"))
        for method in sorted({"GET", "PUT", "POST", "DELETE", "PATCH"} - declared):
            url = concrete if concrete.startswith("/api/") else f"/api/v1{concrete}"
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, path, response.status_code)
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert declared <= allowed, (method, path, allowed)
            assert response.json["code"] == "method_not_allowed"
            tried += 1
    assert tried >= 20
