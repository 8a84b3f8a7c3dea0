"""Every route of the web app, for every kind of user: who gets what.

A ministry gets 404 (not 403) for a case outside its scope, so that it cannot
even learn that the case exists; a role that may never use a page gets 403."""

from __future__ import annotations

import pytest

from tests.pdfs import pdf
from tests.web.conftest import login
from web.extensions import db
from workflow import accounts
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import due_dates, scope
from workflow.comments.operations import post_comment
from workflow.models import Recommendation, User
from workflow.questions.operations import ask_question

MINE = {"cases", "secretariat", "ministry", "audit", "admin", "auth", "notifications",
        "questions", "reports", "comments"}

# Who is tested: role key -> (username, password or None for the demo password)
USERS = {
    "anonymous": None,
    "secretariat": "secretariaat",
    "secretariat_not_admin": "sec2",
    "ministry_nl": "minbuza",
    "ministry_be": "spf-affaires-etrangeres",
    "ministry_nw": "nrw-staatskanzlei",
    "ministry_lu": "maee-lu",  # 743/5Bis is not addressed to LU
    "ministry_cm": "comite-ministres",
    "auditor": "auditor",
}
SEC = {"secretariat", "secretariat_not_admin"}
IN_SCOPE = {"ministry_nl", "ministry_be", "ministry_nw"}
OUT_OF_SCOPE = {"ministry_lu", "ministry_cm"}
MINISTRIES = IN_SCOPE | OUT_OF_SCOPE
LOGGED_IN = set(USERS) - {"anonymous"}


def expect(default: int, **by_role: int) -> dict[str, int]:
    table = dict.fromkeys(USERS, default)
    table["anonymous"] = 302
    table.update(by_role)
    return table


def by_group(default: int, *groups: tuple[set, int]) -> dict[str, int]:
    table = expect(default)
    for roles, code in groups:
        for role in roles:
            table[role] = code
    return table


READERS = SEC | {"auditor"}
CASE_GET = by_group(200, (OUT_OF_SCOPE, 404))
SEC_ONLY = by_group(403, (SEC, 200))
AUDIT = by_group(403, (READERS, 200))

# (method, endpoint) -> expected status per role; the URL arguments come from the fixture.
MATRIX = {
    ("GET", "home"): expect(302, anonymous=200),  # visitors: the public home page
    ("GET", "static"): expect(200, anonymous=200),
    ("GET", "auth.login"): expect(302, anonymous=200),
    ("POST", "auth.login"): expect(302, anonymous=400),
    ("POST", "auth.logout"): expect(302),
    ("POST", "auth.language"): expect(302),
    ("GET", "cases.index"): expect(200),
    ("GET", "cases.show"): CASE_GET,
    ("GET", "cases.diagram"): CASE_GET,
    ("GET", "cases.corrections"): CASE_GET,
    # the attachment belongs to the Dutch ministry's draft: nobody else sees it
    ("GET", "cases.attachment"): by_group(404, ({"ministry_nl"}, 200)),
    ("GET", "secretariat.dashboard"): SEC_ONLY,
    ("GET", "secretariat.panel"): SEC_ONLY,
    ("GET", "secretariat.register"): SEC_ONLY,
    ("POST", "secretariat.register"): by_group(403, (SEC, 400)),
    ("POST", "secretariat.act"): by_group(403, (SEC, 409)),
    ("POST", "secretariat.decide_request"): by_group(403, (SEC, 409)),
    # corrections: a stale (here: missing) version is refused before anything is changed
    ("POST", "secretariat.correct_texts"): by_group(403, (SEC, 409)),
    ("POST", "secretariat.withdraw_reply"): by_group(403, (SEC, 409)),
    ("GET", "secretariat.calendar"): SEC_ONLY,
    ("POST", "secretariat.calendar_change"): by_group(403, (SEC, 400)),
    ("GET", "secretariat.escalation"): SEC_ONLY,
    ("POST", "secretariat.escalation"): by_group(403, (SEC, 400)),
    ("GET", "secretariat.escalation_print"): SEC_ONLY,
    ("GET", "secretariat.escalation_csv"): SEC_ONLY,
    ("GET", "secretariat.transmit_session"): SEC_ONLY,
    ("POST", "secretariat.transmit_session_post"): by_group(403, (SEC, 400)),
    # publishing answers: an empty form carries no version (409) or no session (400)
    ("POST", "secretariat.publish_answer"): by_group(403, (SEC, 409)),
    ("POST", "secretariat.unpublish_answer"): by_group(403, (SEC, 409)),
    ("GET", "secretariat.publish_case_answers"): SEC_ONLY,
    ("POST", "secretariat.publish_case_answers"): by_group(403, (SEC, 409)),
    ("GET", "secretariat.publish_session_answers"): SEC_ONLY,
    ("POST", "secretariat.publish_session_confirm"): by_group(403, (SEC, 400)),
    ("GET", "ministry.inbox"): by_group(403, (MINISTRIES, 200)),
    ("GET", "ministry.others"): by_group(403, (MINISTRIES, 200)),
    ("GET", "ministry.answer"): by_group(403, (IN_SCOPE, 200), (OUT_OF_SCOPE, 404)),
    ("POST", "ministry.answer"): by_group(403, (IN_SCOPE, 400), (OUT_OF_SCOPE, 404)),
    ("POST", "ministry.more_time"): by_group(403, (IN_SCOPE, 409), (OUT_OF_SCOPE, 404)),
    # the attachment is on the Dutch ministry's draft: another government does not find it
    ("POST", "ministry.remove_attachment"): by_group(403, (MINISTRIES - {"ministry_nl"}, 404),
                                                     ({"ministry_nl"}, 409)),
    ("GET", "audit.index"): AUDIT,
    ("GET", "audit.timeline"): AUDIT,
    ("GET", "audit.as_of"): AUDIT,
    ("GET", "audit.verify"): AUDIT,
    ("GET", "audit.case_json"): AUDIT,
    ("GET", "audit.case_csv"): AUDIT,
    ("GET", "audit.chain_json"): AUDIT,
    ("GET", "audit.chain_csv"): AUDIT,
    ("GET", "admin.users"): by_group(403, ({"secretariat"}, 200)),
    ("POST", "admin.users"): by_group(403, ({"secretariat"}, 400)),
    ("GET", "admin.password"): by_group(403, ({"secretariat"}, 200)),
    ("POST", "admin.password"): by_group(403, ({"secretariat"}, 400)),
    ("POST", "admin.toggle_active"): by_group(403, ({"secretariat"}, 302)),
    ("GET", "admin.reminders"): by_group(403, ({"secretariat"}, 200)),
    ("GET", "reports.pending_page"): AUDIT,
    ("GET", "reports.pending_download"): AUDIT,
    # the written question is put to the Netherlands: another government does not find it
    ("GET", "questions.index"): expect(200),
    ("GET", "questions.new"): SEC_ONLY,
    ("POST", "questions.new"): by_group(403, (SEC, 400)),
    ("GET", "questions.show"): by_group(404, (READERS | {"ministry_nl"}, 200)),
    ("POST", "questions.answer"): by_group(404, (SEC | {"ministry_nl"}, 400), ({"auditor"}, 403)),
    ("POST", "questions.withdraw"): by_group(403, (SEC, 409)),
    # the committee's assessment of an answer (the first submitted answer)
    ("POST", "secretariat.assess"): by_group(403, (SEC, 409)),
    # the right of reply: every logged-in user reads; a ministry publishes; the
    # secretariat hides (the comment is the Netherlands' on its scoreboard row)
    ("GET", "comments.index"): expect(200),
    ("POST", "comments.index"): by_group(403, (MINISTRIES, 400)),
    ("POST", "comments.hide"): by_group(403, (SEC, 409)),
    ("GET", "notifications.index"): expect(200),
    ("POST", "notifications.mail_choice"): expect(302),
}


def _fixture_data(app) -> dict:
    """A non-admin secretariat user, a Dutch draft with a PDF, an open request for time."""
    with app.app_context():
        s = db.session
        accounts.create_user(s, username="sec2", password="password-sec2", role="secretariat",
                             organisation="BNL-PARL")
        rec = scope.find_recommendation(s, "743/5Bis")
        nl = Actor("minbuza", "ministry", "NL")
        draft = replies.save_draft(s, nl, rec.entry("NL"), text_nl="Concept")
        att = replies.add_attachment(s, nl, draft, filename="brief.pdf",
                                     content_type="application/pdf", content=pdf("test"))
        req = due_dates.request_extension(s, Actor("spf-affaires-etrangeres", "ministry", "BE-FED"),
                                          rec.entry("BE-FED"), requested_date=None,
                                          reason="Interfederaal overleg")
        sec = Actor("secretariaat", "secretariat", "BNL-PARL")
        paper = replies.submit_reply(s, sec, rec.entry("DE-NW"), kind="interim",
                                     text_nl="Tussenbericht op papier")
        question = ask_question(s, Actor("secretariaat", "secretariat", "BNL-PARL"),
                                addressee_code="NL", asker="Mevr. De Vries",
                                subject="Telewerk", text="Hoe staat het ermee?",
                                asked_on=rec.adopted_on, recommendation=rec)
        comment = post_comment(s, nl, text="Antwoord verzonden op 3 maart.")
        s.commit()
        return {"case_id": rec.id, "attachment_id": att.id, "request_id": req.id,
                # a submitted reply (recorded on paper): published, withdrawn, assessed
                "answer_id": paper.id, "doc_number": rec.doc_number, "comment_id": comment.id,
                "question_id": question.id,
                "user_id": s.query(User).filter_by(username="sec2").one().id,
                "action": "close", "filename": "app.css", "panel": "requests", "fmt": "html"}


def _url(app, endpoint: str, values: dict) -> str:
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def test_matrix_covers_every_route_of_the_web_pages(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in MINE or rule.endpoint in ("home", "static"):
            routes.update((m, rule.endpoint) for m in rule.methods - {"HEAD", "OPTIONS"})
    assert routes == set(MATRIX)


@pytest.mark.parametrize("role", list(USERS))
def test_permission_matrix(role, app):
    values = _fixture_data(app)
    client = app.test_client()
    if USERS[role] == "sec2":
        login(client, "sec2", "password-sec2")
    elif USERS[role]:
        login(client, USERS[role])
    failures = []
    for (method, endpoint), table in MATRIX.items():
        if endpoint == "auth.logout":
            continue  # checked last: it ends the session
        expected = table[role]
        url = _url(app, endpoint, values)
        response = client.open(url, method=method, data={})
        if response.status_code != expected:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected}")
        if response.mimetype == "text/html":
            assert b"Traceback" not in response.data
        response.close()
    response = client.post("/logout")
    assert response.status_code == MATRIX[("POST", "auth.logout")][role]
    assert failures == []


# Public pages outside the matrix above (the public blueprint), open to everyone.
PUBLIC_PAGES = {("GET", "public.due_date"): expect(200, anonymous=200),
                ("GET", "public.scoreboard_method"): expect(200, anonymous=200),
                ("GET", "public.home"): expect(200, anonymous=200),
                ("GET", "public.index"): expect(200, anonymous=200),
                ("GET", "public.scoreboard_page"): expect(200, anonymous=200),
                ("GET", "public.corrections"): expect(200, anonymous=200)}


@pytest.mark.parametrize("role", list(USERS))
def test_public_pages_are_open_to_everyone(role, app):
    values = _fixture_data(app)
    client = app.test_client()
    if USERS[role] == "sec2":
        login(client, "sec2", "password-sec2")
    elif USERS[role]:
        login(client, USERS[role])
    for (method, endpoint), table in PUBLIC_PAGES.items():
        response = client.open(_url(app, endpoint, values), method=method)
        assert response.status_code == table[role], endpoint


@pytest.mark.parametrize("username", ["minbuza", "maee-lu", "comite-ministres"])
def test_ministries_never_see_untransmitted_cases(client, app, username):
    with app.app_context():
        rec = scope.find_recommendation(db.session, "747/2")
        assert rec.transmitted_at is None
        rid = rec.id
    login(client, username)
    for url in (f"/cases/{rid}", f"/cases/{rid}/diagram", f"/ministry/cases/{rid}"):
        assert client.get(url).status_code == 404
    listing = client.get("/cases/?q=747").get_data(as_text=True)
    assert "747/2" not in listing


def test_a_ministry_never_sees_another_governments_draft(client, app):
    values = _fixture_data(app)
    login(client, "spf-affaires-etrangeres")
    page = client.get(f"/cases/{values['case_id']}").get_data(as_text=True)
    assert "Concept" not in page and "brief.pdf" not in page
    assert client.get(f"/attachments/{values['attachment_id']}").status_code == 404
    login_nl = app.test_client()
    login(login_nl, "minbuza")
    page = login_nl.get(f"/ministry/cases/{values['case_id']}").get_data(as_text=True)
    assert "Concept" in page and "brief.pdf" in page


def test_an_unknown_case_is_not_found(client):
    login(client, "secretariaat")
    with client.application.app_context():
        missing = (db.session.query(Recommendation.id).order_by(Recommendation.id.desc())
                   .first()[0]) + 100
    assert client.get(f"/cases/{missing}").status_code == 404
    assert client.get(f"/audit/cases/{missing}/timeline").status_code == 404
