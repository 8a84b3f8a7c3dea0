"""The JSON API: authentication, scoping, optimistic concurrency, errors, drafts and
attachments, firing triggers, history."""

from __future__ import annotations

import io
from datetime import datetime
from types import SimpleNamespace

from workflow import dispatch, history
from workflow.cases import transitions

from .conftest import AUDITOR, BE, NL, PDF, SEC, counts, csrf_of, etag, login

API = "/api/v1"


# ---------------------------------------------------------------------------
# Authentication


def test_without_credentials_401_json(client):
    response = client.get(f"{API}/recommendations")
    assert response.status_code == 401
    assert response.json["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_unknown_and_wrong_scheme_tokens_401(client):
    for header in ("Bearer nonsense", "Bearer bfu_unknown", "Basic dXNlcjpwYXNz", "Bearer "):
        response = client.get(f"{API}/recommendations", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["code"] in ("invalid_token", "unauthenticated")


def test_token_works_notes_last_use_and_revoked_token_refused(app, client, make_token):
    from web.extensions import db
    from workflow.accounts import tokens
    from workflow.models import ApiToken

    secret = make_token(SEC)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/recommendations", headers=headers).status_code == 200
    with app.app_context():
        token = db.session.query(ApiToken).one()
        assert token.last_used_at is not None
        assert token.token_hash == tokens.digest(secret) and secret not in token.token_hash
        tokens.revoke(db.session, token)
        db.session.commit()
    response = client.get(f"{API}/recommendations", headers=headers)
    assert response.status_code == 401 and response.json["code"] == "invalid_token"


def test_token_of_deactivated_user_refused(app, client, auth):
    from sqlalchemy import select

    from web.extensions import db
    from workflow.models import User

    headers = auth(NL)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == NL)).is_active = False
        db.session.commit()
    assert client.get(f"{API}/recommendations", headers=headers).status_code == 401


def test_session_may_read_and_needs_csrf_to_change(client):
    login(client, SEC)
    assert client.get(f"{API}/recommendations").status_code == 200
    version = client.get(f"{API}/recommendations/747/2").headers["ETag"]
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers={"If-Match": version})
    assert response.status_code == 403 and response.json["code"] == "csrf"
    token = csrf_of(client.get("/public/").get_data(as_text=True))
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers={"If-Match": version, "X-CSRFToken": token})
    assert response.status_code == 200, response.json
    assert response.json["state"] == "transmitted"


def test_token_calls_need_no_csrf(client, auth):
    headers = {**auth(SEC), "If-Match": etag(client, "747/2", auth(SEC))}
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers=headers)
    assert response.status_code == 200


# ---------------------------------------------------------------------------
# Reading and scope


def test_ministry_sees_only_transmitted_cases_addressed_to_it(client, auth):
    all_docs = {i["doc_number"] for i in client.get(
        f"{API}/recommendations?per_page=100", headers=auth(SEC)).json["items"]}
    mine = {i["doc_number"] for i in client.get(
        f"{API}/recommendations?per_page=100", headers=auth(NL)).json["items"]}
    assert "747/2" in all_docs and "745/1" in all_docs
    assert "747/2" not in mine  # addressed to NL but not transmitted
    assert "745/1" not in mine  # not addressed to NL
    assert "743/5Bis" in mine
    for doc in ("747/2", "745/1"):
        for suffix in ("", "/history", "/triggers"):
            response = client.get(f"{API}/recommendations/{doc}{suffix}", headers=auth(NL))
            assert response.status_code == 404, (doc, suffix)
            assert response.json["code"] == "not_found"


def test_ministry_cannot_act_for_another_addressee(client, auth):
    headers = {**auth(NL), "If-Match": etag(client, "743/5Bis", auth(NL))}
    response = client.post(f"{API}/recommendations/743/5Bis/addressees/BE-FED/triggers/"
                           "submit_answer", json={"position": "agrees", "text_nl": "x"},
                           headers=headers)
    assert response.status_code == 404
    response = client.put(f"{API}/recommendations/743/5Bis/addressees/BE-FED/draft",
                          json={"text_nl": "x"}, headers=auth(NL))
    assert response.status_code == 404


def test_auditor_reads_but_may_not_act(client, auth):
    assert client.get(f"{API}/recommendations/747/2", headers=auth(AUDITOR)).status_code == 200
    headers = {**auth(AUDITOR), "If-Match": etag(client, "747/2", auth(AUDITOR))}
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers=headers)
    assert response.status_code == 403 and response.json["code"] == "forbidden"
    assert client.get(f"{API}/recommendations/747/2/triggers",
                      headers=auth(AUDITOR)).json["triggers"] == []


def test_list_filters_and_pagination(client, auth):
    h = auth(SEC)

    def docs(query: str) -> list[str]:
        response = client.get(f"{API}/recommendations?{query}", headers=h)
        assert response.status_code == 200, response.json
        return [i["doc_number"] for i in response.json["items"]]

    assert set(docs("state=closed")) == {"726/2", "745/1"}
    assert set(docs("addressee=DE-NW")) == {"735/2", "743/5Bis"}
    assert docs("q=ambulances") == ["743/5Bis"]
    assert "747/2" not in docs("overdue=true") and "743/5Bis" in docs("overdue=true")
    assert set(docs("committee=Duurzame Ontwikkeling")) == {"731/3", "739/2", "747/2"}
    assert set(docs("theme=Energie")) == {"731/3"}
    assert docs("year=1999") == []
    page = client.get(f"{API}/recommendations?per_page=3&page=2", headers=h).json
    assert page["total"] == 10 and page["pages"] == 4 and len(page["items"]) == 3
    assert page["page"] == 2


def test_one_recommendation_shows_due_dates_overdue_and_triggers(client, auth):
    response = client.get(f"{API}/recommendations/743/5Bis", headers=auth(SEC))
    body = response.json
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert [a["code"] for a in body["addressees"]] == ["BE-FED", "NL", "DE-NW"]
    nl = body["addressees"][1]
    assert nl["due_date"] and nl["deadline_rule"] == "40 working days"
    assert nl["deadline_status"] in ("overdue", "very_overdue", "reminder", "on_time")
    assert nl["is_overdue"] == (nl["deadline_status"] in ("overdue", "very_overdue"))
    names = {t["name"] for t in body["available_triggers"]}
    assert "close" in names  # the secretariat may close (as lapsed etc.)
    ministry = client.get(f"{API}/recommendations/743/5Bis/triggers", headers=auth(NL)).json
    assert {(t["name"], t["addressee"]) for t in ministry["triggers"]} == {
        ("submit_interim", "NL"), ("submit_answer", "NL"), ("decline", "NL"),
        ("request_extension", "NL")}
    more_time = next(t for t in ministry["triggers"] if t["name"] == "request_extension")
    assert more_time["target_state"] is None and "requested_date" in more_time["params"]


def test_history_has_hashes_that_verify(client, auth):
    events = client.get(f"{API}/recommendations/726/2/history", headers=auth(AUDITOR)).json[
        "events"]
    assert [e["action"] for e in events][:2] == ["register", "publish"]
    assert events[-1]["to_state"] == "closed"
    for ev in events:
        # Each event's hash covers its own fields and its predecessor's hash.
        row = SimpleNamespace(**{**ev, "payload": history.dump_payload(ev["payload"]),
                                 "recorded_at": datetime.fromisoformat(ev["recorded_at"]),
                                 "effective_at": datetime.fromisoformat(ev["effective_at"])})
        assert history.chain_hash(ev["prev_hash"], history.canonical(row)) == ev["hash"]


# ---------------------------------------------------------------------------
# Optimistic concurrency


def test_change_without_version_is_428_and_changes_nothing(app, client, auth):
    before = counts(app)
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers=auth(SEC))
    assert response.status_code == 428
    assert response.json["code"] == "precondition_required"
    assert counts(app) == before


def test_stale_version_is_409_with_the_current_case(client, auth):
    h = auth(SEC)
    old = etag(client, "747/2", h)
    # someone else changes the case meanwhile
    assert client.put(f"{API}/recommendations/747/2/published", json={"published": False},
                      headers={**h, "If-Match": old}).status_code == 200
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers={**h, "If-Match": old})
    assert response.status_code == 409
    body = response.json
    assert body["code"] == "conflict" and "changed meanwhile" in body["message"]
    assert body["current"]["doc_number"] == "747/2"
    assert body["current"]["state"] == "adopted"
    assert response.headers["ETag"] == f'"{body["current"]["version"]}"'
    assert f'"{body["current"]["version"]}"' != old


def test_version_in_body_or_weak_etag_accepted(client, auth):
    h = auth(SEC)
    version = int(etag(client, "747/2", h).strip('"'))
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit",
                           json={"version": version}, headers=h)
    assert response.status_code == 200
    new = response.headers["ETag"]
    response = client.put(f"{API}/recommendations/747/2/published", json={"published": True},
                          headers={**h, "If-Match": f"W/{new}"})
    assert response.status_code == 200


def test_bad_if_match_is_422_and_star_is_428(client, auth):
    h = auth(SEC)
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers={**h, "If-Match": "yesterday"})
    assert response.status_code == 422 and "If-Match" in response.json["errors"]
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers={**h, "If-Match": "*"})
    assert response.status_code == 428


# ---------------------------------------------------------------------------
# Errors are JSON


def test_errors_are_json_never_html(client, auth):
    h = auth(SEC)
    for method, path, status in (("get", f"{API}/nowhere", 404),
                                 ("delete", f"{API}/recommendations", 405),
                                 ("get", f"{API}/recommendations/999/9", 404),
                                 ("get", f"{API}/recommendations?year=abc", 422),
                                 ("get", f"{API}/recommendations?per_page=1000", 422)):
        response = getattr(client, method)(path, headers=h)
        assert response.status_code == status, path
        assert response.is_json, path
        assert set(response.json) >= {"code", "message"}
        assert "<html" not in response.get_data(as_text=True).lower()


def test_validation_errors_per_field(client, auth):
    h = {**auth(SEC), "If-Match": etag(client, "743/5Bis", auth(SEC))}
    response = client.post(f"{API}/recommendations/743/5Bis/triggers/close",
                           json={"closure_reason": "bored", "addressees": [1]}, headers=h)
    assert response.status_code == 422
    assert response.json["code"] == "invalid"
    assert set(response.json["errors"]) == {"closure_reason", "addressees.0"}


def test_malformed_json_body_is_400_json(client, auth):
    response = client.post(f"{API}/recommendations/743/5Bis/triggers/close", data="{not json",
                           headers={**auth(SEC), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.is_json


def test_unknown_trigger_and_refused_transition(client, auth):
    h = {**auth(SEC), "If-Match": etag(client, "747/2", auth(SEC))}
    response = client.post(f"{API}/recommendations/747/2/triggers/fly", json={}, headers=h)
    assert response.status_code == 422 and response.json["code"] == "unknown_trigger"
    response = client.post(f"{API}/recommendations/747/2/triggers/reopen",
                           json={"reason": "why not"}, headers=h)
    assert response.status_code == 409
    assert response.json["code"] == "transition_refused" and response.json["rule"] == "state"


def test_domain_validation_names_the_field(client, auth):
    h = {**auth(SEC), "If-Match": etag(client, "747/2", auth(SEC))}
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit",
                           json={"transmitted_on": "2999-01-01"}, headers=h)
    assert response.status_code == 422
    assert response.json["field"] == "transmitted_on"
    assert "transmitted_on" in response.json["errors"]


def test_unexpected_error_is_500_json_without_traceback(client, auth, monkeypatch):
    from web.api import routes

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(routes, "triggers_view", boom)
    response = client.get(f"{API}/recommendations/743/5Bis/triggers", headers=auth(SEC))
    assert response.status_code == 500
    assert response.json["code"] == "internal_error"
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_too_large_upload_is_413_json(app, client, auth):
    h = auth(NL)
    client.put(f"{API}/recommendations/743/5Bis/addressees/NL/draft", json={"text_nl": "x"},
               headers=h)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(f"{API}/recommendations/743/5Bis/addressees/NL/draft/attachments",
                           data={"file": (io.BytesIO(PDF + b"x" * 5000), "big.pdf",
                                          "application/pdf")},
                           headers={**h, "If-Match": '"1"'})
    assert response.status_code == 413 and response.json["code"] == "too_large"


# ---------------------------------------------------------------------------
# Drafts, attachments, answers


def _draft_url(doc="743/5Bis", code="NL"):
    return f"{API}/recommendations/{doc}/addressees/{code}/draft"


def test_draft_is_private_to_its_organisation(client, auth):
    response = client.put(_draft_url(), json={"kind": "final", "position": "agrees",
                                              "text_nl": "Concept: wij steunen dit."},
                          headers=auth(NL))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "draft"
    assert response.headers["ETag"] == f'"{response.json["version"]}"'
    assert client.get(_draft_url(), headers=auth(NL)).status_code == 200
    # the secretariat and another ministry do not see it
    assert client.get(_draft_url(), headers=auth(SEC)).status_code == 404
    assert client.get(_draft_url(), headers=auth(BE)).status_code == 404
    for user in (SEC, BE, AUDITOR):
        body = client.get(f"{API}/recommendations/743/5Bis", headers=auth(user)).json
        assert all(a["status"] == "submitted" for a in body["answers"]), user
        assert "Concept" not in str(body)
    mine = client.get(f"{API}/recommendations/743/5Bis", headers=auth(NL)).json
    assert [a["status"] for a in mine["answers"]] == ["draft"]


def test_the_secretariat_keeps_its_own_paper_draft_beside_the_ministry_s(client, auth):
    """One draft per organisation, as on the pages: the ministry's draft neither blocks
    nor leaks into the secretariat's draft of a paper reply, and the other way round."""
    ministry = client.put(_draft_url(), json={"text_nl": "Concept van het ministerie"},
                          headers=auth(NL))
    paper = client.put(_draft_url(), json={"text_nl": "Brief ontvangen per post"},
                       headers=auth(SEC))
    assert (ministry.status_code, paper.status_code) == (201, 201), paper.json
    assert client.get(_draft_url(), headers=auth(SEC)).json["text_nl"] == \
        "Brief ontvangen per post"
    assert client.get(_draft_url(), headers=auth(NL)).json["text_nl"] == \
        "Concept van het ministerie"


def test_draft_update_needs_its_version(client, auth):
    h = auth(NL)
    created = client.put(_draft_url(), json={"text_nl": "een"}, headers=h)
    response = client.put(_draft_url(), json={"text_nl": "twee"}, headers=h)
    assert response.status_code == 428
    response = client.put(_draft_url(), json={"text_nl": "twee"},
                          headers={**h, "If-Match": '"999"'})
    assert response.status_code == 409
    assert response.json["current_draft"]["text_nl"] == "een"
    response = client.put(_draft_url(), json={"text_nl": "twee"},
                          headers={**h, "If-Match": created.headers["ETag"]})
    assert response.status_code == 200 and response.json["text_nl"] == "twee"


def test_attachment_pdf_only_and_downloads_within_scope(client, auth):
    h = auth(NL)
    draft = client.put(_draft_url(), json={"position": "agrees", "text_nl": "Antwoord"},
                       headers=h)
    url = f"{_draft_url()}/attachments"
    response = client.post(url, data={"file": (io.BytesIO(b"not a pdf"), "a.pdf",
                                               "application/pdf")},
                           headers={**h, "If-Match": draft.headers["ETag"]})
    assert response.status_code == 422 and response.json["field"] == "attachment"
    for name, content in (("x.exe", PDF), ("brief.pdf", b"%PDF-1.4\n" + b"PK\x03\x04" * 9)):
        response = client.post(url, data={"file": (io.BytesIO(content), name,
                                                   "application/pdf")},
                               headers={**h, "If-Match": draft.headers["ETag"]})
        assert response.status_code == 422 and response.json["field"] == "attachment", name
    response = client.post(url, data={"file": (io.BytesIO(PDF), "brief.pdf",
                                               "application/pdf")}, headers=h)
    assert response.status_code == 428
    response = client.post(url, data={"file": (io.BytesIO(PDF), "brief.pdf",
                                               "application/pdf")},
                           headers={**h, "If-Match": draft.headers["ETag"]})
    assert response.status_code == 201, response.json
    att = response.json
    assert att["filename"] == "brief.pdf" and att["size"] == len(PDF)
    download = client.get(f"{API}/attachments/{att['id']}", headers=h)
    assert download.status_code == 200 and download.data == PDF
    # a draft's attachment is not for the secretariat yet
    assert client.get(f"{API}/attachments/{att['id']}", headers=auth(SEC)).status_code == 404
    # no draft: attachments are refused
    be = auth(BE)
    response = client.post(f"{_draft_url(code='BE-FED')}/attachments",
                           data={"file": (io.BytesIO(PDF), "x.pdf", "application/pdf")},
                           headers={**be, "If-Match": '"1"'})
    assert response.status_code == 409 and response.json["rule"] == "draft_only"
    # submitting the draft: the text and position come from it
    headers = {**h, "If-Match": etag(client, "743/5Bis", h)}
    response = client.post(f"{API}/recommendations/743/5Bis/addressees/NL/triggers/"
                           "submit_answer", json={}, headers=headers)
    assert response.status_code == 200, response.json
    nl = next(a for a in response.json["addressees"] if a["code"] == "NL")
    assert nl["state"] == "answered" and nl["position"] == "agrees"
    answers = client.get(f"{API}/recommendations/743/5Bis", headers=auth(SEC)).json["answers"]
    assert [(a["status"], a["text_nl"]) for a in answers] == [("submitted", "Antwoord")]
    assert client.get(f"{API}/attachments/{att['id']}", headers=auth(SEC)).status_code == 200
    # another government sees neither the Dutch answer nor its attachment (as on the web)
    assert client.get(f"{API}/attachments/{att['id']}", headers=auth(BE)).status_code == 404


def test_secretariat_records_a_paper_answer_and_waives(client, auth):
    h = auth(SEC)
    response = client.post(f"{API}/recommendations/743/5Bis/addressees/DE-NW/triggers/"
                           "submit_answer",
                           json={"position": "agrees", "text_nl": "Brief van NRW",
                                 "received_on": "2024-04-30", "letter_date": "2024-04-25"},
                           headers={**h, "If-Match": etag(client, "743/5Bis", h)})
    assert response.status_code == 200, response.json
    entry = next(a for a in response.json["addressees"] if a["code"] == "DE-NW")
    assert entry["answered_on"] == "2024-04-30"
    response = client.post(f"{API}/recommendations/743/5Bis/addressees/NL/triggers/waive",
                           json={"reason": "collective answer"},
                           headers={**h, "If-Match": response.headers["ETag"]})
    assert response.status_code == 409  # no collective answer on this case
    assert response.json["rule"] == "collective_answer_covers"


def test_full_cycle_through_the_api(client, auth):
    sec, nl = auth(SEC), auth(NL)

    def fire(path, body, headers):
        doc = "747/2"
        response = client.post(f"{API}/recommendations/{doc}/{path}", json=body,
                               headers={**headers, "If-Match": etag(client, doc, headers)})
        assert response.status_code == 200, response.json
        return response.json

    assert fire("triggers/transmit", {}, sec)["state"] == "transmitted"
    fire("addressees/NL/triggers/submit_answer", {"position": "agrees", "text_nl": "Ja"}, nl)
    for code in ("BE-FED", "LU"):
        fire(f"addressees/{code}/triggers/decline", {"reason": "not competent"}, sec)
    assert fire("triggers/start_assessment", {}, sec)["state"] == "under_assessment"
    body = fire("triggers/request_follow_up", {"reason": "Waarom?", "addressees": ["NL"]}, sec)
    assert body["state"] == "follow_up_requested"
    fire("addressees/NL/triggers/submit_answer", {"position": "partly_agrees",
                                                  "text_nl": "Toelichting"}, nl)
    fire("triggers/start_assessment", {}, sec)
    body = fire("triggers/close", {"closure_reason": "implemented", "reason": "done"}, sec)
    assert body["state"] == "closed" and body["closure_reason"] == "implemented"
    events = client.get(f"{API}/recommendations/747/2/history", headers=sec).json["events"]
    assert events[-1]["action"] == "close"


def test_publish_answer_requires_secretariat_and_submitted(client, auth):
    sec = auth(SEC)
    body = client.get(f"{API}/recommendations/731/3", headers=sec).json
    own = client.get(f"{API}/recommendations/731/3", headers=auth(NL)).json["answers"]
    answer = next(a for a in body["answers"] if a["id"] == own[0]["id"])
    assert answer["is_published"] is False
    url = f"{API}/answers/{answer['id']}/published"
    response = client.put(url, json={"published": True}, headers=auth(NL))
    assert response.status_code in (403, 428)
    # another government's answer is not even revealed to the Dutch ministry
    other = next(a for a in body["answers"] if a["id"] != answer["id"])
    response = client.put(f"{API}/answers/{other['id']}/published",
                          json={"published": True, "version": body["version"]},
                          headers=auth(NL))
    assert response.status_code == 404
    response = client.put(url, json={"published": True, "version": body["version"]},
                          headers=auth(NL))
    assert response.status_code == 403
    response = client.put(url, json={"published": True},
                          headers={**sec, "If-Match": f'"{body["version"]}"'})
    assert response.status_code == 200 and response.json["is_published"] is True
    assert response.headers["ETag"] != f'"{body["version"]}"'


def test_openapi_document_is_public_and_describes_auth(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert f"{API}/recommendations/{{number}}/{{part}}/triggers/{{trigger}}" in spec["paths"]
    assert spec["components"]["schemas"]["Error"]["properties"]["code"]["type"] == "string"


def test_lost_race_is_409_with_the_current_case(app, client, auth, demo_url, monkeypatch):
    """Someone changes the case between our version check and our write: the
    optimistic lock at flush time catches it."""
    from sqlalchemy import text

    from workflow import db as wdb

    real = transitions.transmit

    def transmit_after_a_rival(*args, **kwargs):
        rival = wdb.make_engine(demo_url)
        with rival.begin() as conn:
            conn.execute(text("UPDATE recommendation SET version = version + 1 "
                              "WHERE doc_number = '747/2'"))
        rival.dispose()
        return real(*args, **kwargs)

    monkeypatch.setitem(dispatch.OPERATIONS, "transmit", transmit_after_a_rival)
    h = auth(SEC)
    old = etag(client, "747/2", h)
    response = client.post(f"{API}/recommendations/747/2/triggers/transmit", json={},
                           headers={**h, "If-Match": old})
    assert response.status_code == 409, response.json
    assert response.json["code"] == "conflict"
    assert response.json["current"]["state"] == "adopted"
    assert f'"{response.json["current"]["version"]}"' != old
