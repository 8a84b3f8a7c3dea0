"""The committee's assessment of each answer (secretariat), the follow-up question an
unsatisfactory one offers, the judgements on the scoreboard and the public case page; the
governments' right of reply (comments beside their figures and on their cases, hidden by
the secretariat) and the scoreboard's method page. In Dutch and French."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.web.conftest import case_id, events_after_demo, flashes, login
from tests.web.conftest import text as raw_text
from web import labels
from web.extensions import db
from workflow import clock, deadlines
from workflow.actors import Actor
from workflow.answers.models import JUDGEMENTS, Answer
from workflow.cases import scope
from workflow.cases.calendars import calendar_for
from workflow.deadlines import policy as deadline_policy
from workflow.models import Addressee, Comment
from workflow.publishing import opendata

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")


def text(response) -> str:
    """The page with its entities decoded (French apostrophes are written &#39;)."""
    return html.unescape(raw_text(response))


def language(client, lang: str) -> None:
    client.post("/language", data={"lang": lang, "next": "/"})


def final_answer(app, doc: str, code: str) -> tuple[int, int]:
    """(id, version) of the addressee's latest final answer on the case."""
    with app.app_context():
        db.session.expire_all()
        rec = scope.find_recommendation(db.session, doc)
        answer = [a for a in rec.entry(code).answers if a.is_assessable][-1]
        return answer.id, answer.version


def assess(client, answer_id: int, version: int, judgement: str, note: str = ""):
    prefix = f"assess-{answer_id}"
    return client.post(f"/secretariat/answers/{answer_id}/assess",
                       data={f"{prefix}-version": str(version),
                             f"{prefix}-judgement": judgement, f"{prefix}-note": note})


def scoreboard_row(page: str, code: str) -> str:
    return page.split(f'<tr data-addressee="{code}">', 1)[1].split("</tr>", 1)[0]


def judged(client, code: str) -> dict[str, int]:
    """The scoreboard's judgement counts of ``code``'s row."""
    row = scoreboard_row(text(client.get("/public/scoreboard")), code)
    return {col: int(n) for col, n in re.findall(r'data-col="judged_(\w+)">(\d+)<', row)}


def test_the_three_judgements_have_a_label():
    assert set(JUDGEMENTS) == set(labels.JUDGEMENTS)


def test_the_secretariat_judges_an_answer_and_the_latest_judgement_counts(app, client):
    """In Dutch: 739/2 is monitored; the Netherlands' answer is judged partly satisfactory,
    then unsatisfactory: two events, the latest counts on the case page, the scoreboard
    and (once the answer is published) the public case page; it offers the follow-up."""
    login(client, "secretariaat")
    language(client, "nl")
    before = judged(client, "NL")  # the demo's own judgements
    rid = case_id(app, "739/2")
    answer_id, version = final_answer(app, "739/2", "NL")
    page = text(client.get(f"/cases/{rid}"))
    assert f'id="form-assess-{answer_id}"' in page and "Dit antwoord beoordelen" in page
    response = assess(client, answer_id, version, "partly_satisfactory", "Onvolledig")
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"])) == [
        "De beoordeling van het antwoord van Nederlandse regering is vastgelegd: "
        "gedeeltelijk voldoende."]
    _, version = final_answer(app, "739/2", "NL")
    assert assess(client, answer_id, version, "unsatisfactory",
                  "Geen antwoord op de kernvraag").status_code == 302
    recorded = events_after_demo(app, "assess_answer")
    assert [(e.entity, e.addressee_code, e.data["judgement"], e.data["replaces"], e.reason)
            for e in recorded] == [
        ("assessment", "NL", "partly_satisfactory", None, "Onvolledig"),
        ("assessment", "NL", "unsatisfactory", "partly_satisfactory",
         "Geen antwoord op de kernvraag")]
    page = text(client.get(f"/cases/{rid}"))
    judgement = re.search(rf'<p class="judgement" id="judgement-{answer_id}"[^>]*>(.*?)</p>',
                          page, re.S).group(1)
    assert "onvoldoende" in judgement and "Geen antwoord op de kernvraag" in judgement
    assert "Dit antwoord opnieuw beoordelen" in page
    # the follow-up question to that addressee: the request-follow-up action, NL ticked
    link = re.search(rf'id="follow-up-{answer_id}" href="([^"]+)"', page).group(1)
    link = link.replace("&amp;", "&")
    assert "follow_up=NL" in link and link.endswith("#action-request_follow_up")
    follow = text(client.get(link))
    form = follow.split('id="action-request_follow_up"', 1)[1].split("</details>", 1)[0]
    assert form.lstrip().startswith("open")
    assert re.search(r'<input checked[^>]*value="NL"|value="NL"[^>]*checked', form)
    assert not re.search(r'<input checked[^>]*value="BE-FED"|value="BE-FED"[^>]*checked', form)
    # the scoreboard counts the answer once, by its latest judgement
    board = text(client.get("/public/scoreboard"))
    after = judged(client, "NL")
    assert after["unsatisfactory"] == before["unsatisfactory"] + 1
    assert after["partly_satisfactory"] == before["partly_satisfactory"]
    assert "Beoordeeld als onvoldoende" in board
    # the public page shows the judgement of the published answer
    with app.app_context():
        opendata.publish_answer(db.session, SEC, db.session.get(Answer, answer_id))
        db.session.commit()
    public = text(client.get("/public/recommendations/739/2"))
    shown = re.search(rf'id="judgement-{answer_id}"[^>]*>(.*?)</p>', public, re.S).group(1)
    assert "Beoordeling door de commissie" in shown and "onvoldoende" in shown
    # the follow-up goes through the existing action
    with app.app_context():
        db.session.expire_all()
        case_version = scope.find_recommendation(db.session, "739/2").version
    response = client.post(f"/secretariat/cases/{rid}/act/request_follow_up", data={
        "request_follow_up-version": case_version, "request_follow_up-addressees": "NL",
        "request_follow_up-reason": "Graag een antwoord op de kernvraag."})
    assert response.status_code == 302
    page = text(client.get(f"/cases/{rid}"))
    assert f'id="follow-up-{answer_id}"' not in page  # asked again: no second offer


def test_refusals_of_an_assessment_are_worded_in_french(app, client):
    login(client, "secretariaat")
    language(client, "fr")
    answer_id, version = final_answer(app, "739/2", "BE-FED")
    response = assess(client, answer_id, version, "excellent")
    assert response.status_code == 400
    page = text(response)
    assert f'id="action-assess-{answer_id}" open' in page
    assert "N'est pas un choix valide." in page
    response = assess(client, answer_id, version, "")
    assert response.status_code == 400 and "Choisissez une appréciation." in text(response)
    # a form made before someone else judged the answer: 409, nothing saved
    assert assess(client, answer_id, version, "satisfactory").status_code == 302
    response = assess(client, answer_id, version, "unsatisfactory")
    assert response.status_code == 409
    assert "a été modifiée entre-temps" in text(response)
    assert [e.data["judgement"] for e in events_after_demo(app, "assess_answer")] == \
        ["satisfactory"]
    page = text(client.get(f"/cases/{case_id(app, '739/2')}"))
    assert "satisfaisant" in re.search(rf'id="judgement-{answer_id}"[^>]*>(.*?)</p>', page,
                                       re.S).group(1)
    # an interim reply is not assessed: no form, and the route refuses
    with app.app_context():
        interim = db.session.scalar(select(Answer).where(Answer.kind == "interim"))
        interim_id, interim_version, rid = (interim.id, interim.version,
                                            interim.entry.recommendation_id)
    assert f'id="form-assess-{interim_id}"' not in text(client.get(f"/cases/{rid}"))
    response = assess(client, interim_id, interim_version, "satisfactory")
    assert response.status_code == 409
    assert "Seule une réponse définitive envoyée" in text(response)


def test_an_unsatisfactory_answer_says_why_no_follow_up_is_possible_yet(app, client):
    """731/3 still awaits answers: the follow-up question waits for the assessment."""
    login(client, "secretariaat")
    language(client, "fr")
    answer_id, version = final_answer(app, "731/3", "NL")
    assert assess(client, answer_id, version, "unsatisfactory").status_code == 302
    page = text(client.get(f"/cases/{case_id(app, '731/3')}"))
    offer = re.search(rf'<p class="text-body-secondary" id="follow-up-{answer_id}">(.*?)</p>', page,
                      re.S).group(1)
    assert offer == ("Une question de suivi à Gouvernement néerlandais ne peut pas être posée "
                     "maintenant : Impossible tant que le dossier est en attente de réponses ; "
                     "possible seulement s'il est en cours d'évaluation, suivi de la mise en "
                     "œuvre, rouverte.")
    assert f'id="follow-up-{answer_id}" href' not in page


def test_only_the_secretariat_assesses_and_others_see_the_judgement(app, client):
    login(client, "secretariaat")
    answer_id, version = final_answer(app, "739/2", "NL")
    assert assess(client, answer_id, version, "satisfactory").status_code == 302
    for user in ("minbuza", "auditor"):
        other = app.test_client()
        login(other, user)
        language(other, "nl")
        assert assess(other, answer_id, version + 1, "unsatisfactory").status_code == 403
        page = text(other.get(f"/cases/{case_id(app, '739/2')}"))
        assert f'id="judgement-{answer_id}"' in page and "voldoende" in page
        assert f'id="form-assess-{answer_id}"' not in page
    timeline = text(other.get(f"/audit/cases/{case_id(app, '739/2')}/timeline"))
    assert "antwoord beoordeeld" in timeline  # the auditor reads it in the history


def test_the_ministry_reads_the_judgement_of_its_answer_in_its_thread(app, client):
    login(client, "secretariaat")
    answer_id, version = final_answer(app, "739/2", "NL")
    assert assess(client, answer_id, version, "partly_satisfactory",
                  "Het tijdpad ontbreekt").status_code == 302
    ministry = app.test_client()
    login(ministry, "minbuza")
    for lang, word in (("nl", "gedeeltelijk voldoende"), ("fr", "partiellement satisfaisant")):
        language(ministry, lang)
        page = text(ministry.get(f"/ministry/cases/{case_id(app, '739/2')}"))
        letters = re.findall(r'<li class="letter" data-kind="([a-z_]+)">(.*?)</li>', page, re.S)
        assert [k for k, _ in letters][-2:] == ["final_answer", "answer_assessed"], letters
        judged = letters[-1][1]
        assert 'data-judgement="partly_satisfactory"' in judged and word in judged, judged
        assert "Het tijdpad ontbreekt" in judged  # the committee's note
    # the answer's own letter keeps its text, not the note
    assert "Het tijdpad ontbreekt" not in letters[-2][1]


def test_the_note_of_an_unpublished_answer_is_redacted_in_the_open_data(app, client):
    login(client, "secretariaat")
    answer_id, version = final_answer(app, "739/2", "NL")
    assess(client, answer_id, version, "unsatisfactory", "Interne afweging")
    exported = client.get("/public/export/events.json").get_json()["events"]
    [record] = [e for e in exported if e["action"] == "assess_answer"
                and e["payload"]["answer_id"] == answer_id]
    assert record["redacted"] and record["reason"] == ""
    assert record["payload"]["judgement"] == "unsatisfactory"  # the scoreboard counts it
    with app.app_context():
        opendata.publish_answer(db.session, SEC, db.session.get(Answer, answer_id))
        db.session.commit()
    exported = client.get("/public/export/events.json").get_json()["events"]
    [record] = [e for e in exported if e["action"] == "assess_answer"
                and e["payload"]["answer_id"] == answer_id]
    assert not record["redacted"] and record["reason"] == "Interne afweging"


# ---------------------------------------------------------------------------
# Right of reply


def post(client, text_: str, doc: str = ""):
    return client.post("/comments/", data={"doc_number": doc, "text": text_})


def test_a_ministry_comments_beside_its_figures_and_on_its_case(app, client):
    login(client, "minbuza")
    language(client, "nl")
    # from its answer page, the form with the document number filled in
    answer_page = text(client.get(f"/ministry/cases/{case_id(app, '739/2')}"))
    link = re.search(r'id="link-comment" href="([^"]+)"', answer_page).group(1)
    assert 'value="739/2"' in text(client.get(link))
    response = post(client, "Antwoord verzonden op 3 maart via de permanente vertegenwoordiging.")
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"]))[-1] == \
        "Uw commentaar is gepubliceerd naast de cijfers van uw regering op het scorebord."
    assert post(client, "Ons antwoord volgt na het overleg met de provincies.",
                "739/2").status_code == 302
    [row_event, case_event] = events_after_demo(app, "post_comment")
    assert (row_event.entity, row_event.addressee_code, row_event.recommendation_id,
            row_event.data["on"]) == ("comment", "NL", None, "scoreboard")
    assert case_event.recommendation_id == case_id(app, "739/2")
    assert len(case_event.data["text_sha256"]) == 64 and case_event.reason == ""
    visitor = app.test_client()
    language(visitor, "nl")
    board = text(visitor.get("/public/scoreboard"))
    row = scoreboard_row(board, "NL")
    assert "Antwoord verzonden op 3 maart" in row and "Nederlandse regering" in row
    assert "Ons antwoord volgt" not in board  # a case's comment is on the case
    today = labels_date(app, "nl")
    assert today in row
    public = text(visitor.get("/public/recommendations/739/2"))
    comments = public.split('id="case-comments"', 1)[1].split("</ul>", 1)[0]
    assert "Ons antwoord volgt na het overleg" in comments and "Nederland" in comments
    assert today in comments
    language(visitor, "fr")
    public = text(visitor.get("/public/recommendations/739/2"))
    assert "Commentaires des destinataires" in public and labels_date(app, "fr") in public


def labels_date(app, lang: str) -> str:
    with app.test_request_context(), _locale(lang):
        return labels.fmt_date(clock.utcnow())


def _locale(lang: str):
    from flask_babel import force_locale

    return force_locale(lang)


@pytest.mark.parametrize("lang, unknown, not_published", [
    ("nl", "Uw regering heeft geen aanbeveling met dit documentnummer",
     "Aanbeveling 747/2 is niet gepubliceerd"),
    ("fr", "Votre gouvernement n'a pas de recommandation portant ce numéro",
     "La recommandation 747/2 n'est pas publiée")])
def test_a_ministry_comments_only_for_its_own_government(app, client, lang, unknown,
                                                         not_published):
    login(client, "maee-lu")
    language(client, lang)
    # 739/2 is not addressed to Luxembourg, 747/2 is not yet transmitted: not its cases
    for doc in ("739/2", "747/2", "999/9"):
        response = post(client, "Notre réponse.", doc)
        assert response.status_code == 400, doc
        assert unknown in text(response)
    assert events_after_demo(app, "post_comment") == []
    with app.app_context():  # addressed, transmitted, but no longer published
        rec = scope.find_recommendation(db.session, "733/4")
        from workflow.cases import registration

        registration.set_published(db.session, SEC, rec, False)
        db.session.commit()
    response = post(client, "Notre réponse.", "733/4")
    assert response.status_code == 400 and not_published.replace("747/2", "733/4") in \
        text(response)
    response = post(client, "", "")
    assert response.status_code == 400
    assert ("Schrijf het commentaar." if lang == "nl" else "Rédigez le commentaire.") in \
        text(response)
    # the list shows its own comments only
    assert post(client, "Réponse envoyée le 2 mars.").status_code == 302
    nl = app.test_client()
    login(nl, "minbuza")
    assert post(nl, "Antwoord verzonden.").status_code == 302
    mine = text(client.get("/comments/"))
    assert "Réponse envoyée le 2 mars." in mine and "Antwoord verzonden." not in mine
    # the secretariat and the auditor read every comment, without a form to publish
    for user in ("secretariaat", "auditor"):
        reader = app.test_client()
        login(reader, user)
        page = text(reader.get("/comments/"))
        assert "Réponse envoyée le 2 mars." in page and "Antwoord verzonden." in page
        assert 'id="comment-form"' not in page
        assert post(reader, "Ik ook.").status_code == 403


@pytest.mark.parametrize("lang, hidden, no_reason", [
    ("nl", "Verborgen door het secretariaat op", "Geef de reden op."),
    ("fr", "Masqué par le secrétariat le", "Indiquez la raison.")])
def test_the_secretariat_hides_an_abusive_comment(app, client, lang, hidden, no_reason):
    nl = app.test_client()
    login(nl, "minbuza")
    assert post(nl, "Beledigende tekst.").status_code == 302
    assert post(nl, "Beledigend over het dossier.", "739/2").status_code == 302
    with app.app_context():
        comments = [(c.id, c.version) for c in db.session.scalars(
            select(Comment).where(Comment.author == "minbuza").order_by(Comment.id))]
    login(client, "secretariaat")
    language(client, lang)
    (row_id, row_version), (case_comment, case_version) = comments
    data = {f"hide-{row_id}-version": row_version, f"hide-{row_id}-reason": ""}
    response = client.post(f"/comments/{row_id}/hide", data=data)
    assert response.status_code == 400 and no_reason in text(response)
    data[f"hide-{row_id}-reason"] = "Beledigend"
    assert client.post(f"/comments/{row_id}/hide", data=data).status_code == 302
    assert client.post(f"/comments/{row_id}/hide", data=data).status_code == 409  # stale
    assert client.post(f"/comments/{case_comment}/hide", data={
        f"hide-{case_comment}-version": case_version,
        f"hide-{case_comment}-reason": "Beledigend"}).status_code == 302
    [first, second] = events_after_demo(app, "hide_comment")
    assert (first.entity, first.reason, first.data["comment_id"]) == \
        ("comment", "Beledigend", row_id)
    assert second.recommendation_id == case_id(app, "739/2")
    page = text(client.get("/comments/"))
    assert hidden in page and f'id="form-hide-{row_id}"' not in page
    visitor = app.test_client()
    assert "Beledigende tekst." not in text(visitor.get("/public/scoreboard"))
    assert "Beledigend over" not in text(visitor.get("/public/recommendations/739/2"))
    # the ministry still sees its own, hidden, with the reason
    nl.post("/language", data={"lang": lang, "next": "/"})
    own = text(nl.get("/comments/"))
    assert re.search(rf'id="hidden-{row_id}">{hidden} [^<]*: Beledigend</p>', own)
    # only the secretariat hides
    assert nl.post(f"/comments/{row_id}/hide", data=data).status_code == 403


# ---------------------------------------------------------------------------
# The scoreboard's method


@pytest.mark.parametrize("lang, rule, due_time", [
    ("nl", "is de regel 6 maanden", "om 17:00 op de termijndatum, tijd van Europe/Brussels"),
    ("fr", "la règle est de 6 mois", "à 17:00 le jour de l'échéance, heure de Europe/Brussels")])
def test_the_method_page_is_linked_from_the_scoreboard_and_follows_the_policy(
        app, client, lang, rule, due_time):
    language(client, lang)
    board = text(client.get("/public/scoreboard"))
    assert 'id="link-method" href="/public/scoreboard/method"' in board
    response = client.get("/public/scoreboard/method")
    assert response.status_code == 200
    page = text(response)
    assert rule in page and due_time in page
    assert "30, 7" in page and "90" in page
    # every addressee's calendar, with the due date the default rule gives on it
    with app.app_context():
        start = clock.brussels_date(clock.utcnow())
        expected = {a.code: deadlines.compute_due(start, deadlines.DeadlineRule.parse(
            "6 months"), calendar_for(a)).due_date.isoformat()
            for a in db.session.scalars(select(Addressee))}
    shown = dict(re.findall(r'<tr data-addressee="([^"]+)" data-due="([^"]+)">', page))
    assert shown == expected
    # another policy: the page says so (nothing is written into the template)
    before = deadline_policy.current()
    try:
        deadline_policy.configure(deadline_policy.Policy("40 working days", (14,), 60))
        page = text(client.get("/public/scoreboard/method"))
    finally:
        deadline_policy.configure(before)
    assert ("is de regel 40 werkdagen" if lang == "nl" else "la règle est de 40 jours ouvrables") \
        in page
    assert "14" in page and "60" in page and "6 maanden" not in page
