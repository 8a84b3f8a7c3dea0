"""Every API operation × every kind of caller, with valid input, so that what decides the
answer is who asks: anonymous 401, a role that may never do it 403, a government asking
about a case or an answer not addressed to it 404 (it does not learn that it exists), the
roles that may do it 2xx. The permitted callers go last, as their request changes the case."""

from __future__ import annotations

import io

from tests.pdfs import pdf

from .conftest import AUDITOR, BE, NL, SEC

# anonymous, auditor, a ministry not addressed (LU), another addressed government (BE),
# the addressed ministry (NL), the secretariat
ORDER = ("anonymous", "auditor", "ministry_lu", "ministry_be", "ministry_nl", "secretariat")
USERS = {"anonymous": None, "auditor": AUDITOR, "ministry_lu": "maee-lu", "ministry_be": BE,
         "ministry_nl": NL, "secretariat": SEC}
CASE = "/api/v1/recommendations/743/5Bis"  # transmitted, addressed to NL, BE-FED, DE-NW


def _version(client, auth) -> str:
    return client.get(CASE, headers=auth(SEC)).headers["ETag"]


def _matrix(client, auth, method: str, url: str, body=None, files=None,
            etag: bool = False) -> dict[str, int]:
    seen = {}
    for role in ORDER:
        headers = auth(USERS[role]) if USERS[role] else {}
        if etag:
            headers["If-Match"] = _version(client, auth)
        if files is not None:
            data = {name: (io.BytesIO(content), filename, kind)
                    for name, (filename, content, kind) in files.items()}
            response = client.open(url, method=method, headers=headers, data=data,
                                   content_type="multipart/form-data")
        else:
            response = client.open(url, method=method, headers=headers, json=body)
        seen[role] = response.status_code
    return seen


def expect(**codes: int) -> dict[str, int]:
    return {role: codes.get(role, codes.get("default", 0)) for role in ORDER}


READ = expect(anonymous=401, ministry_lu=404, default=200)


def test_reading_a_case(client, auth):
    assert _matrix(client, auth, "GET", "/api/v1/recommendations") == expect(
        anonymous=401, default=200)
    for path in ("", "/history", "/triggers"):
        assert _matrix(client, auth, "GET", CASE + path) == READ, path


def test_case_triggers_are_the_secretariats(client, auth):
    seen = _matrix(client, auth, "POST", f"{CASE}/triggers/close",
                   {"closure_reason": "lapsed", "reason": "verlopen"}, etag=True)
    assert seen == expect(anonymous=401, ministry_lu=404, secretariat=200, default=403)


def test_an_answer_is_the_addressees_or_the_secretariats_paper_reply(client, auth):
    seen = _matrix(client, auth, "POST", f"{CASE}/addressees/NL/triggers/submit_interim",
                   {"text_nl": "Tussentijds antwoord"}, etag=True)
    # the first permitted caller wins; after it the interim reply is already recorded
    assert seen["ministry_nl"] == 200 and seen["secretariat"] in (200, 409)
    assert {r: seen[r] for r in ORDER[:4]} == {
        "anonymous": 401, "auditor": 403, "ministry_lu": 404, "ministry_be": 404}


def test_drafts_belong_to_the_organisation_that_writes_them(client, auth):
    seen = _matrix(client, auth, "PUT", f"{CASE}/addressees/NL/draft",
                   {"text_nl": "Concept", "position": "agrees"})
    assert seen == expect(anonymous=401, auditor=403, ministry_lu=404, ministry_be=404,
                          ministry_nl=201, secretariat=201)
    seen = _matrix(client, auth, "GET", f"{CASE}/addressees/NL/draft")
    # each organisation reads its own draft: the auditor's organisation has none
    assert seen == expect(anonymous=401, auditor=404, ministry_lu=404, ministry_be=404,
                          ministry_nl=200, secretariat=200)
    seen = _matrix(client, auth, "POST", f"{CASE}/addressees/NL/draft/attachments",
                   files={"file": ("brief.pdf", pdf("matrix"), "application/pdf")})
    assert {r: seen[r] for r in ORDER[:4]} == {
        "anonymous": 401, "auditor": 403, "ministry_lu": 404, "ministry_be": 404}


def test_publishing_and_importing_are_the_secretariats(client, auth):
    seen = _matrix(client, auth, "PUT", f"{CASE}/published", {"published": True}, etag=True)
    assert seen == expect(anonymous=401, ministry_lu=404, secretariat=200, default=403)
    csv = (b"doc_number,adopted_on,title_nl,deadline_rule,addressee,required\n"
           b"795/1,2020-01-10,Titel,6 months,NL,yes\n")
    seen = _matrix(client, auth, "POST", "/api/v1/imports",
                   files={"file": ("import.csv", csv, "text/csv")})
    assert seen == expect(anonymous=401, secretariat=200, default=403)
