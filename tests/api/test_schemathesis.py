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

from .conftest import NL, SEC

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
