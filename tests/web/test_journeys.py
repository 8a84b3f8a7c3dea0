"""Each role's journey through the test client, with the bad inputs on the way."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import timedelta

import holidays
from sqlalchemy import func, select

from tests.pdfs import pdf
from tests.web.conftest import case_id, flashes, login, text, version_of
from web.extensions import db
from workflow import clock, history
from workflow import clock as clock_ops
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import registration, scope
from workflow.models import Attachment, Event, Recommendation


def _today():
    return clock_ops.brussels_date(clock.utcnow())


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _rec(app, doc):
    with app.app_context():
        db.session.expire_all()
        rec = scope.find_recommendation(db.session, doc)
        return {"state": rec.state, "version": rec.version, "id": rec.id,
                "entries": {e.addressee_code: e.state for e in rec.addressees},
                "due": {e.addressee_code: e.due_at for e in rec.addressees},
                "closure": rec.closure_reason}


REGISTRATION = {
    "doc_number": "750/1", "title_nl": "Grensoverschrijdende arbeidsmarkt",
    "title_fr": "Marché du travail transfrontalier", "title_en": "Cross-border labour market",
    "text_nl": "Het Parlement beveelt aan.",
    "text_fr": "Le Parlement recommande.", "committee": "Sociale Aangelegenheden",
    "theme": "Sociale cohesie", "session_label": "Plenaire zitting juni",
    "deadline_kind": "working_days", "deadline_amount": "40",
    "to_NL": "required", "to_BE_FED": "required", "to_LU": "optional",
}


def test_register_preview_transmit_and_double_submission(app, client):
    login(client, "secretariaat")
    data = {**REGISTRATION, "adopted_on": (_today() - timedelta(days=3)).isoformat()}
    before = _count(app, Recommendation)

    preview = client.post("/secretariat/cases/new", data={**data, "preview": "1"})
    assert preview.status_code == 200
    page = text(preview)
    assert 'id="preview"' in page and 'data-addressee="NL"' in page and "werkdagen" in page
    assert "(dag nul)" in page  # the steps in the Dutch user's language
    assert _count(app, Recommendation) == before  # a preview writes nothing

    saved = client.post("/secretariat/cases/new", data={**data, "save": "1"})
    assert saved.status_code == 302
    rec = _rec(app, "750/1")
    assert rec["state"] == "adopted" and set(rec["entries"]) == {"NL", "BE-FED", "LU"}
    with app.app_context():
        assert scope.find_recommendation(db.session, "750/1").title_en == \
            "Cross-border labour market"

    page = text(client.get(saved.headers["Location"]))
    assert 'id="form-transmit"' in page and 'id="form-close"' not in page  # only what is allowed

    form = {"transmit-version": str(rec["version"])}
    done = client.post(f"/secretariat/cases/{rec['id']}/act/transmit", data=form)
    assert done.status_code == 302
    after = _rec(app, "750/1")
    assert after["state"] == "transmitted" and all(after["due"].values())

    again = client.post(f"/secretariat/cases/{rec['id']}/act/transmit", data=form)
    assert again.status_code == 409
    page = text(again)
    assert 'id="conflict"' in page and 'data-state="transmitted"' in page
    assert _rec(app, "750/1")["version"] == after["version"]  # nothing overwritten


def test_registration_errors_are_shown_next_to_the_field(app, client):
    login(client, "secretariaat")
    before = _count(app, Recommendation)
    today = _today()
    bad = [
        ({"doc_number": ""}, "doc_number-error"),
        ({"doc_number": "not a number"}, "doc_number-error"),
        ({"doc_number": "726/2"}, "doc_number-error"),  # already registered
        ({"title_nl": "", "title_fr": ""}, "title_nl-error"),
        ({"title_nl": "x" * 1001}, "title_nl-error"),
        ({"adopted_on": (today + timedelta(days=2)).isoformat()}, "adopted_on-error"),
        ({"adopted_on": "31-12-2024"}, "adopted_on-error"),
        ({"deadline_kind": "fixed_date", "deadline_date": (today - timedelta(days=9)).isoformat()},
         "deadline_date-error"),
        ({"deadline_amount": ""}, "deadline_amount-error"),
        ({"to_NL": "", "to_BE_FED": "", "to_LU": ""}, "addressees-error"),
        ({"to_NL": "optional", "to_BE_FED": "", "to_LU": ""}, "addressees-error"),
    ]
    for change, error_id in bad:
        data = {**REGISTRATION, "adopted_on": (today - timedelta(days=3)).isoformat(),
                "save": "1", **change}
        response = client.post("/secretariat/cases/new", data=data)
        assert response.status_code == 400, change
        assert f'id="{error_id}"' in text(response), change
    assert _count(app, Recommendation) == before


def test_ministry_drafts_attaches_and_submits(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "minbuza")
    inbox = text(client.get("/ministry/"))
    assert 'data-doc="743/5Bis"' in inbox and 'class="days-left"' in inbox
    page = text(client.get(f"/ministry/cases/{rid}"))
    assert 'id="answer-form"' in page

    letter = (_today() - timedelta(days=1)).isoformat()
    draft = {"kind": "final", "position": "agrees", "text_nl": "Wij steunen de aanbeveling.",
             "letter_date": letter, "version": "", "draft_version": "", "save_draft": "1"}
    wrong = client.post(f"/ministry/cases/{rid}", data={
        **draft, "attachment": (io.BytesIO(b"MZ not a pdf"), "brief.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert wrong.status_code == 400 and 'id="attachment-error"' in text(wrong)
    assert _count(app, Attachment) == 0

    saved = client.post(f"/ministry/cases/{rid}", data={
        **draft, "attachment": (io.BytesIO(pdf("antwoord")), "antwoord.pdf",
                                "application/pdf")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    assert _count(app, Attachment) == 1
    assert _rec(app, "743/5Bis")["entries"]["NL"] == "pending"  # a draft changes nothing
    page = text(client.get(f"/ministry/cases/{rid}"))
    assert 'id="draft-saved"' in page  # the page says a draft is saved, not only "pending"
    assert "antwoord.pdf" in page and "Wij steunen de aanbeveling." in page

    # the secretariat does not see the draft
    other = client.application.test_client()
    login(other, "secretariaat")
    assert "Wij steunen" not in text(other.get(f"/cases/{rid}"))

    future = client.post(f"/ministry/cases/{rid}", data={
        **draft, "letter_date": (_today() + timedelta(days=5)).isoformat(), "submit": "1",
        "version": str(version_of(app, "743/5Bis"))})
    assert future.status_code == 400 and 'id="letter_date-error"' in text(future)

    no_position = client.post(f"/ministry/cases/{rid}", data={
        **draft, "position": "", "submit": "1", "version": str(version_of(app, "743/5Bis"))})
    assert no_position.status_code == 400 and 'id="position-error"' in text(no_position)

    form = {**draft, "submit": "1", "version": str(version_of(app, "743/5Bis"))}
    form.pop("save_draft")
    with app.app_context():
        draft_row = replies.draft_of(scope.find_recommendation(db.session, "743/5Bis").entry("NL"))
        form["draft_version"] = str(draft_row.version)
    # submitting asks for an explicit confirmation: without it nothing is sent
    unconfirmed = client.post(f"/ministry/cases/{rid}", data=form)
    assert unconfirmed.status_code == 400 and 'id="confirm-error"' in text(unconfirmed)
    assert _rec(app, "743/5Bis")["entries"]["NL"] == "pending"
    form["confirm"] = "y"
    submitted = client.post(f"/ministry/cases/{rid}", data=form)
    assert submitted.status_code == 302, text(submitted)[:2000]
    after = _rec(app, "743/5Bis")
    assert after["entries"]["NL"] == "answered" and after["state"] == "awaiting_answers"
    twice = client.post(f"/ministry/cases/{rid}", data=form)
    assert twice.status_code == 409
    assert _rec(app, "743/5Bis")["version"] == after["version"]
    assert "antwoord.pdf" in text(other.get(f"/cases/{rid}"))


def test_ministry_asks_for_more_time_and_secretariat_decides(app, client):
    rid = case_id(app, "735/2")
    login(client, "minbuza")
    empty = client.post(f"/ministry/cases/{rid}/more-time",
                        data={"more-version": str(version_of(app, "735/2")),
                              "more-reason": ""})
    assert empty.status_code == 400 and 'id="more-reason-error"' in text(empty)
    asked = client.post(f"/ministry/cases/{rid}/more-time",
                        data={"more-version": str(version_of(app, "735/2")),
                              "more-reason": "Advies van de Raad van State nodig"})
    assert asked.status_code == 302
    with app.app_context():
        entry = scope.find_recommendation(db.session, "735/2").entry("NL")
        request_id = entry.extension_requests[0].id
        old_due = entry.due_at
    sec = client.application.test_client()
    login(sec, "secretariaat")
    assert f'id="action-decide-{request_id}"' in text(sec.get(f"/cases/{rid}"))
    # a working day about 30 days later (a weekend or holiday would move the due date on)
    new_day = clock_ops.brussels_date(old_due) + timedelta(days=30)
    dutch_holidays = holidays.country_holidays("NL", years=range(new_day.year, new_day.year + 2))
    while new_day.weekday() >= 5 or new_day in dutch_holidays:
        new_day += timedelta(days=1)
    new_date = new_day.isoformat()
    key = f"decide-{request_id}"
    granted = sec.post(f"/secretariat/cases/{rid}/requests/{request_id}",
                       data={f"{key}-version": str(version_of(app, "735/2")),
                             f"{key}-decision": "grant", f"{key}-new_date": new_date,
                             f"{key}-reason": "Akkoord"})
    assert granted.status_code == 302
    with app.app_context():
        entry = scope.find_recommendation(db.session, "735/2").entry("NL")
        assert clock_ops.brussels_date(entry.due_at).isoformat() == new_date
        assert entry.extension_requests[0].status == "granted"


def test_secretariat_paper_reply_extension_and_clock(app, client):
    rid = case_id(app, "733/4")
    login(client, "secretariaat")
    today = _today()

    def post(action, **fields):
        data = {f"{action}-{k}": v for k, v in fields.items()}
        data[f"{action}-version"] = str(version_of(app, "733/4"))
        return client.post(f"/secretariat/cases/{rid}/act/{action}", data=data)

    wrong_order = post("paper_reply", addressee="NL", kind="final", position="agrees",
                       text_nl="Per brief", letter_date=(today - timedelta(days=2)).isoformat(),
                       received_on=(today - timedelta(days=5)).isoformat())
    assert wrong_order.status_code == 400
    assert 'id="paper_reply-letter_date-error"' in text(wrong_order)
    assert _rec(app, "733/4")["entries"]["NL"] == "pending"

    ok = post("paper_reply", addressee="NL", kind="final", position="partly_agrees",
              text_nl="Per brief", letter_date=(today - timedelta(days=5)).isoformat(),
              received_on=(today - timedelta(days=2)).isoformat())
    assert ok.status_code == 302
    assert _rec(app, "733/4")["entries"]["NL"] == "answered"

    before = _rec(app, "733/4")["due"]["BE-FED"]
    neither = post("grant_extension", addressee="BE-FED", reason="Regeringsvorming")
    assert neither.status_code == 400 and 'id="grant_extension-new_date-error"' in text(neither)
    granted = post("grant_extension", addressee="BE-FED", days="20", reason="Regeringsvorming")
    assert granted.status_code == 302
    assert _rec(app, "733/4")["due"]["BE-FED"] > before

    late = post("stop_clock", addressee="BE-FED", start=today.isoformat(),
                reason="Wacht op besluit Comité van Ministers")
    assert late.status_code == 400 and 'id="stop_clock-start-error"' in text(late)
    start = clock_ops.brussels_date(_rec(app, "733/4")["due"]["BE-FED"]) - timedelta(days=3)
    stopped = post("stop_clock", addressee="BE-FED", start=start.isoformat(),
                   reason="Wacht op besluit Comité van Ministers")
    assert stopped.status_code == 302
    page = text(client.get(f"/cases/{rid}"))
    assert 'id="form-resume_clock"' in page
    resumed = post("resume_clock", addressee="BE-FED", end=today.isoformat(), reason="")
    assert resumed.status_code == 302


def test_assess_close_reopen(app, client):
    rid = case_id(app, "737/3")
    login(client, "secretariaat")

    def post(action, **fields):
        data = {f"{action}-{k}": v for k, v in fields.items()}
        data[f"{action}-version"] = str(version_of(app, "737/3"))
        return client.post(f"/secretariat/cases/{rid}/act/{action}", data=data)

    assert post("start_assessment").status_code == 302
    assert _rec(app, "737/3")["state"] == "under_assessment"
    assert post("close", closure_reason="implemented", reason="Uitgevoerd",
                confirm="y").status_code == 302
    closed = _rec(app, "737/3")
    assert closed["state"] == "closed" and closed["closure"] == "implemented"
    empty = post("reopen", reason="")
    assert empty.status_code == 400 and 'id="reopen-reason-error"' in text(empty)
    assert _rec(app, "737/3")["state"] == "closed"
    assert post("reopen", reason="Nieuwe feiten").status_code == 302
    assert _rec(app, "737/3")["state"] == "reopened"
    # an action the lifecycle does not allow now is refused with the rule, nothing written
    refused = post("transmit")
    assert refused.status_code == 409 and 'id="conflict"' in text(refused)


def test_close_before_assessment_only_for_reasons_without_assessment(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "secretariaat")
    page = text(client.get(f"/cases/{rid}"))
    assert 'value="superseded"' in page and 'value="implemented"' not in page
    response = client.post(f"/secretariat/cases/{rid}/act/close", data={
        "close-version": str(version_of(app, "743/5Bis")), "close-closure_reason": "implemented"})
    assert response.status_code == 400  # not a choice offered now
    assert _rec(app, "743/5Bis")["state"] == "transmitted"


def test_closing_asks_for_confirmation_and_comes_last(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "secretariaat")
    page = text(client.get(f"/cases/{rid}"))
    section = page[page.index('<section aria-labelledby="actions-h"'):]
    section = section[:section.index("</section>")]
    actions = re.findall(r'<details class="action" id="action-([a-z_]+)"', section)
    assert actions[-1] == "close" and len(actions) > 1, actions
    response = client.post(f"/secretariat/cases/{rid}/act/close", data={
        "close-version": str(version_of(app, "743/5Bis")), "close-closure_reason": "superseded"})
    assert response.status_code == 400
    assert 'id="close-confirm-error"' in text(response)
    assert _rec(app, "743/5Bis")["state"] == "transmitted"
    response = client.post(f"/secretariat/cases/{rid}/act/close", data={
        "close-version": str(version_of(app, "743/5Bis")), "close-closure_reason": "superseded",
        "close-confirm": "y"})
    assert response.status_code == 302
    assert _rec(app, "743/5Bis")["state"] == "closed"


def test_stale_form_gives_a_conflict_and_the_new_state(app, client):
    rid = case_id(app, "737/3")
    login(client, "secretariaat")
    stale = str(version_of(app, "737/3"))
    other = client.application.test_client()
    login(other, "secretariaat")
    assert other.post(f"/secretariat/cases/{rid}/act/start_assessment",
                      data={"start_assessment-version": stale}).status_code == 302
    response = client.post(f"/secretariat/cases/{rid}/act/close", data={
        "close-version": stale, "close-closure_reason": "lapsed", "close-confirm": "y"})
    assert response.status_code == 409
    page = text(response)
    assert 'id="conflict"' in page and 'data-state="under_assessment"' in page
    assert _rec(app, "737/3")["state"] == "under_assessment"


def test_auditor_timeline_verification_and_downloads(app, client):
    rid = case_id(app, "726/2")
    login(client, "auditor")
    timeline = text(client.get(f"/audit/cases/{rid}/timeline"))
    assert 'data-action="register"' in timeline and 'data-action="close"' in timeline
    assert 'id="versions-NL"' in timeline
    verify = text(client.get("/audit/verify"))
    assert 'data-ok="true"' in verify

    data = json.loads(client.get(f"/audit/cases/{rid}/history.json").data)
    assert data["doc_number"] == "726/2" and data["events"]
    for ev in data["events"]:  # each event's hash checks offline
        digest = hashlib.sha256(f"{ev['prev_hash']}\n{ev['canonical']}".encode()).hexdigest()
        assert digest == ev["hash"]
        body = {k: ev[k] for k in ev if k not in ("canonical", "prev_hash", "hash")}
        assert json.dumps(body, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False) == ev["canonical"]

    rows = list(csv.DictReader(io.StringIO(client.get(f"/audit/cases/{rid}/history.csv")
                                           .get_data(as_text=True))))
    assert [r["hash"] for r in rows] == [e["hash"] for e in data["events"]]

    chain = json.loads(client.get("/audit/history.json").data)
    prev = "0" * 64
    for ev in chain["events"]:  # the full chain links up offline
        assert ev["prev_hash"] == prev
        prev = hashlib.sha256(f"{prev}\n{ev['canonical']}".encode()).hexdigest()
        assert prev == ev["hash"]
    assert prev == chain["head"] and chain["count"] == _count(app, Event)
    chain_csv = client.get("/audit/history.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(chain_csv)))) == chain["count"]


def test_verify_shows_where_the_chain_breaks(app, client, monkeypatch):
    login(client, "auditor")
    real = history.verify_history

    def broken(session, expected_head=None):
        result = real(session)
        return history.Verification(False, 4, result.head, 5, "the event's content does not "
                                    "match its hash", "a" * 64, "b" * 64)

    monkeypatch.setattr(history, "verify_history", broken)
    page = text(client.get("/audit/verify"))
    assert 'data-ok="false"' in page and "a" * 64 in page and "b" * 64 in page
    assert "5" in page


def test_state_as_of_a_date(app, client):
    rid = case_id(app, "726/2")  # sent 510 days ago, first answer 390 days ago, closed since
    login(client, "auditor")
    today = _today()
    then = text(client.get(f"/audit/cases/{rid}/as-of?date={(today - timedelta(days=450))}"))
    assert 'id="snapshot-state"' in then and 'data-state="transmitted"' in then
    now = text(client.get(f"/audit/cases/{rid}/as-of?date={today}"))
    assert 'data-state="closed"' in now
    before = text(client.get(f"/audit/cases/{rid}/as-of?date={(today - timedelta(days=900))}"))
    assert 'id="snapshot-none"' in before
    assert client.get(f"/audit/cases/{rid}/as-of?date=yesterday").status_code == 400


def test_user_text_is_escaped(app, client):
    login(client, "secretariaat")
    data = {**REGISTRATION, "doc_number": "751/1", "title_nl": "<script>alert('x')</script>",
            "text_nl": "<img src=x onerror=alert(1)>",
            "adopted_on": (_today() - timedelta(days=1)).isoformat(), "save": "1"}
    response = client.post("/secretariat/cases/new", data=data)
    assert response.status_code == 302
    for url in (response.headers["Location"], "/cases/?q=751", "/secretariat/"):
        page = text(client.get(url))
        assert "<script>alert" not in page and "<img src=x" not in page
    page = text(client.get(response.headers["Location"]))
    assert "&lt;script&gt;alert(" in page


def test_search_filters_sort_and_pagination(app, client):
    login(client, "secretariaat")
    assert 'data-doc="743/5Bis"' in text(client.get("/cases/?q=AMBULANCES"))  # any case
    assert 'data-doc="743/5Bis"' in text(client.get("/cases/?q=ambulances"))
    page = text(client.get("/cases/?state=closed"))
    assert 'data-doc="726/2"' in page and 'data-doc="743/5Bis"' not in page
    page = text(client.get("/cases/?addressee=DE-NW"))
    assert 'data-doc="735/2"' in page and 'data-doc="726/2"' not in page
    page = text(client.get("/cases/?overdue=y"))
    assert 'data-doc="743/5Bis"' in page and 'data-doc="726/2"' not in page
    page = text(client.get("/cases/?committee=Duurzame+Ontwikkeling&sort=doc&order=asc"))
    assert page.index('data-doc="731/3"') < page.index('data-doc="739/2"')
    assert 'selected value="Duurzame Ontwikkeling"' in page  # the filter stays in the form
    year = (_today() - timedelta(days=6)).year
    assert 'data-doc="747/2"' in text(client.get(f"/cases/?year={year}"))
    assert client.get("/cases/?year=abc").status_code == 400
    assert client.get("/cases/?q=%25").status_code == 200
    with app.app_context():
        for n in range(25):
            rec = registration.register_recommendation(
                db.session, Actor("secretariaat", "secretariat", "BNL-PARL"),
                doc_number=f"800/{n + 1}", adopted_on=_today(), addressees=["NL"],
                title_nl=f"Bulk {n}")
            assert rec.id
        db.session.commit()
    first = text(client.get("/cases/?q=Bulk"))
    assert 'id="page-next"' in first and "page=2" in first and "q=Bulk" in first
    second = text(client.get("/cases/?q=Bulk&page=2"))
    assert second.count("data-doc=") == 5


def test_admin_creates_resets_and_deactivates(app, client):
    login(client, "secretariaat")
    bad = client.post("/admin/users", data={"username": "x", "role": "ministry",
                                            "organisation": "XX", "locale": "nl",
                                            "password": "short"})
    assert bad.status_code == 400
    made = client.post("/admin/users", data={"username": "vlaanderen", "role": "ministry",
                                             "organisation": "BE-VLG", "locale": "nl",
                                             "password": "lang-genoeg-1"})
    assert made.status_code == 302
    wrong_org = client.post("/admin/users", data={"username": "nobody", "role": "ministry",
                                                  "organisation": "XX", "locale": "nl",
                                                  "password": "lang-genoeg-1"})
    assert wrong_org.status_code == 400 and 'id="organisation-error"' in text(wrong_org)
    from workflow.models import User

    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "vlaanderen"))
    assert client.post(f"/admin/users/{uid}/password",
                       data={"password": "nieuw-wachtwoord", "confirm": "anders"}
                       ).status_code == 400
    assert client.post(f"/admin/users/{uid}/password",
                       data={"password": "nieuw-wachtwoord", "confirm": "nieuw-wachtwoord"}
                       ).status_code == 302
    user = client.application.test_client()
    login(user, "vlaanderen", "nieuw-wachtwoord")
    assert client.post(f"/admin/users/{uid}/active").status_code == 302
    assert user.get("/ministry/").status_code == 302  # deactivated: logged out
    blocked = user.post("/login", data={"username": "vlaanderen",
                                        "password": "nieuw-wachtwoord"})
    assert blocked.status_code == 400


def test_flash_after_actions(app, client):
    login(client, "secretariaat")
    rid = case_id(app, "747/2")
    response = client.post(f"/secretariat/cases/{rid}/act/publish",
                           data={"publish-version": str(version_of(app, "747/2"))},
                           follow_redirects=True)
    assert response.status_code == 200 and flashes(response)


def test_paper_reply_with_scanned_letter_and_a_ministry_declining(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "secretariaat")
    today = _today()
    data = {"paper_reply-version": str(version_of(app, "743/5Bis")),
            "paper_reply-addressee": "DE-NW", "paper_reply-kind": "interim",
            "paper_reply-text_fr": "Réponse intermédiaire par courrier",
            "paper_reply-letter_date": (today - timedelta(days=4)).isoformat(),
            "paper_reply-received_on": (today - timedelta(days=1)).isoformat()}
    wrong = client.post(f"/secretariat/cases/{rid}/act/paper_reply", data={
        **data, "paper_reply-attachment": (io.BytesIO(b"GIF89a"), "scan.pdf")},
        content_type="multipart/form-data")
    assert wrong.status_code == 400 and 'id="paper_reply-attachment-error"' in text(wrong)
    done = client.post(f"/secretariat/cases/{rid}/act/paper_reply", data={
        **data, "paper_reply-attachment": (io.BytesIO(pdf("scan")), "scan.pdf")},
        content_type="multipart/form-data")
    assert done.status_code == 302
    assert _rec(app, "743/5Bis")["entries"]["DE-NW"] == "interim_reply"
    assert "scan.pdf" in text(client.get(f"/cases/{rid}"))

    be = client.application.test_client()
    login(be, "spf-affaires-etrangeres")
    declined = be.post(f"/ministry/cases/{rid}", data={
        "kind": "declined", "text_fr": "Compétence des entités fédérées", "submit": "1",
        "confirm": "y",
        "version": str(version_of(app, "743/5Bis")), "draft_version": ""})
    assert declined.status_code == 302
    assert _rec(app, "743/5Bis")["entries"]["BE-FED"] == "declined"
    page = text(be.get(f"/ministry/cases/{rid}"))
    assert 'id="no-answer-due"' in page and "Compétence des entités fédérées" in page


def test_dashboard_due_soon_lists_only_dates_still_ahead(app, client):
    """An optional addressee past its date is not overdue, and not 'due soon' either."""
    login(client, "secretariaat")
    page = client.get("/secretariat/").get_data(as_text=True)
    section = page.split('id="due-soon"', 1)[1].split("</table>", 1)[0] \
        if 'id="due-soon"' in page else ""
    now = clock.utcnow()
    with app.app_context():
        entries = db.session.scalars(select(Recommendation)).all()
        soon = {r.doc_number for r in entries for e in r.addressees
                if e.due_at and now <= e.due_at <= now + timedelta(days=30)
                and e.state in ("pending", "interim_reply")}
        past_optional = {r.doc_number for r in entries for e in r.addressees
                         if e.due_at and e.due_at < now and not e.is_required
                         and e.state in ("pending", "interim_reply")}
    assert "731/3" in past_optional  # LU's welcome answer on 731/3 is long past its date
    assert "731/3" not in section
    for doc in soon:
        assert doc in section


def test_a_closed_or_reopened_case_offers_no_deadline_actions(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "secretariaat")
    page = text(client.get(f"/cases/{rid}"))
    assert 'id="form-grant_extension"' in page and 'id="form-stop_clock"' in page
    ministry = client.application.test_client()
    login(ministry, "minbuza")
    assert 'id="more-time-form"' in text(ministry.get(f"/ministry/cases/{rid}"))

    closed = client.post(f"/secretariat/cases/{rid}/act/close", data={
        "close-version": str(version_of(app, "743/5Bis")), "close-closure_reason": "superseded",
        "close-confirm": "y"})
    assert closed.status_code == 302
    for state in ("closed", "reopened"):
        assert _rec(app, "743/5Bis")["state"] == state
        page = text(client.get(f"/cases/{rid}"))
        for action in ("grant_extension", "stop_clock", "waive", "paper_reply"):
            assert f'id="form-{action}"' not in page, (state, action)
        answer = text(ministry.get(f"/ministry/cases/{rid}"))
        assert 'id="no-answer-due"' in answer and 'id="more-time-form"' not in answer, state
        if state == "closed":
            assert client.post(f"/secretariat/cases/{rid}/act/reopen", data={
                "reopen-version": str(version_of(app, "743/5Bis")),
                "reopen-reason": "Nieuwe feiten"}).status_code == 302
