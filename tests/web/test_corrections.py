"""Corrections through the pages: the texts corrected with a reason (the previous version
shown), a paper reply withdrawn (it no longer counts), an attachment removed from a draft;
with the refusals worded in the user's language."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.pdfs import pdf
from tests.web.conftest import case_id, flashes, login, text, version_of
from web.extensions import db
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import scope
from workflow.models import Attachment, Event

DOC = "743/5Bis"
SEC = Actor("secretariaat", "secretariat", "BNL-PARL")


def _correct(client, cid, version, **fields):
    data = {"correct-version": str(version), "correct-title_nl": "Grensoverschrijdende inzet "
            "van ambulances en MUG's", "correct-title_fr": "Intervention transfrontalière des "
            "ambulances", "correct-text_nl": "Tekst NL", "correct-text_fr": "Texte FR",
            "correct-reason": "Titel onvolledig bij de registratie"}
    data.update({f"correct-{k}": v for k, v in fields.items()})
    return client.post(f"/secretariat/cases/{cid}/correct", data=data)


def test_the_secretariat_corrects_the_texts_and_everyone_sees_the_previous_version(app, client):
    cid = case_id(app, DOC)
    login(client, "secretariaat")
    page = text(client.get(f"/cases/{cid}"))
    assert 'id="form-correct"' in page and 'id="correction-note"' not in page
    response = _correct(client, cid, version_of(app, DOC))
    assert response.status_code == 302
    page = text(client.get(f"/cases/{cid}"))
    assert "MUG&#39;s" in page
    note = re.search(r'<p class="correction-note" id="correction-note">(.*?)</p>', page, re.S)
    assert note and "secretariaat" in note.group(1)
    assert "Titel onvolledig bij de registratie" in note.group(1)
    versions = text(client.get(f"/cases/{cid}/corrections"))
    assert "Grensoverschrijdende inzet van ambulances</td>" in versions  # the old title
    assert "Het Beneluxparlement beveelt de regeringen aan" in versions  # the old text
    with app.app_context():
        ev = db.session.scalars(select(Event).where(Event.action == "correct_texts")).one()
        assert ev.reason == "Titel onvolledig bij de registratie"
        assert ev.data["changes"]["title_nl"]["old"] == "Grensoverschrijdende inzet van ambulances"
    # a ministry addressed sees the note and the versions; the public too, without names
    minister = app.test_client()
    login(minister, "minbuza")
    assert 'id="correction-note"' in text(minister.get(f"/cases/{cid}"))
    assert minister.get(f"/cases/{cid}/corrections").status_code == 200
    public = app.test_client()
    page = text(public.get(f"/public/recommendations/{DOC}"))
    assert 'id="correction-note"' in page and "secretariaat" not in page
    versions = text(public.get(f"/public/recommendations/{DOC}/corrections"))
    assert "Titel onvolledig bij de registratie" in versions and "secretariaat" not in versions
    assert public.get("/public/recommendations/999/9/corrections").status_code == 404


def test_a_correction_without_a_reason_or_change_is_refused_in_dutch(app, client):
    cid = case_id(app, DOC)
    login(client, "secretariaat")
    client.post("/language", data={"lang": "nl"})
    version = version_of(app, DOC)
    response = _correct(client, cid, version, reason="")
    assert response.status_code == 400
    assert "Geef de reden" in text(response)
    with app.app_context():
        rec = scope.find_recommendation(db.session, DOC)
        same = {"title_nl": rec.title_nl, "title_fr": rec.title_fr, "text_nl": rec.text_nl,
                "text_fr": rec.text_fr}
    response = _correct(client, cid, version, **same)
    assert response.status_code == 400
    assert "Niets te corrigeren" in text(response)
    assert _correct(client, cid, version - 1).status_code == 409
    with app.app_context():
        assert db.session.scalars(select(Event).where(Event.action == "correct_texts")).all() \
            == []


def test_a_paper_reply_recorded_by_mistake_is_withdrawn(app, client):
    cid = case_id(app, DOC)
    with app.app_context():
        rec = scope.find_recommendation(db.session, DOC)
        answer = replies.submit_reply(db.session, SEC, rec.entry("DE-NW"), kind="final",
                                      position="agrees", text_nl="Akkoord (verkeerde zaak)")
        db.session.commit()
        aid = answer.id
    login(client, "secretariaat")
    client.post("/language", data={"lang": "en"})
    page = text(client.get(f"/cases/{cid}"))
    assert f'id="form-withdraw-{aid}"' in page
    key = f"withdraw-{aid}"
    url = f"/secretariat/cases/{cid}/replies/{aid}/withdraw"
    refused = client.post(url, data={f"{key}-version": str(version_of(app, DOC)),
                                     f"{key}-reason": ""})
    assert refused.status_code == 400 and 'id="withdraw-' in text(refused)
    response = client.post(url, data={f"{key}-version": str(version_of(app, DOC)),
                                      f"{key}-reason": "Brief hoort bij 745/1"})
    assert response.status_code == 302
    page = client.get(f"/cases/{cid}")
    body = text(page)
    assert f'id="withdrawn-{aid}"' in body and "Brief hoort bij 745/1" in body
    assert f'id="form-withdraw-{aid}"' not in body
    assert re.search(r'data-addressee="DE-NW" data-deadline-status="(on_time|reminder|overdue|'
                     r'very_overdue)"', body)
    assert 'data-kind="reply_withdrawn"' in body
    # a second try is refused with the rule worded
    again = client.post(url, data={f"{key}-version": str(version_of(app, DOC)),
                                   f"{key}-reason": "nog eens"})
    assert again.status_code == 409 and "already withdrawn" in text(again)
    # the ministry reads it in its thread
    minister = app.test_client()
    login(minister, "nrw-staatskanzlei")
    body = text(minister.get(f"/ministry/cases/{cid}"))
    assert f'id="withdrawn-{aid}"' in body and 'data-kind="reply_withdrawn"' in body
    with app.app_context():
        entry = scope.find_recommendation(db.session, DOC).entry("DE-NW")
        assert (entry.state, entry.first_final_at, entry.is_awaited) == ("pending", None, True)


def test_a_reply_the_ministry_sent_itself_offers_no_withdrawal(app, client):
    cid = case_id(app, DOC)
    with app.app_context():
        rec = scope.find_recommendation(db.session, DOC)
        own = replies.submit_reply(db.session, Actor("m", "ministry", "NL"), rec.entry("NL"),
                                   kind="interim", text_nl="Wij antwoorden later")
        db.session.commit()
        aid = own.id
    login(client, "secretariaat")
    client.post("/language", data={"lang": "fr"})
    assert f'id="form-withdraw-{aid}"' not in text(client.get(f"/cases/{cid}"))
    key = f"withdraw-{aid}"
    refused = client.post(f"/secretariat/cases/{cid}/replies/{aid}/withdraw",
                          data={f"{key}-version": str(version_of(app, DOC)),
                                f"{key}-reason": "r"})
    assert refused.status_code == 409
    assert "seule une réponse enregistrée sur papier" in text(refused)


def _draft_with_attachment(app):
    with app.app_context():
        rec = scope.find_recommendation(db.session, DOC)
        nl = Actor("minbuza", "ministry", "NL")
        draft = replies.save_draft(db.session, nl, rec.entry("NL"), text_nl="Concept")
        att = replies.add_attachment(db.session, nl, draft, filename="bijlage.pdf",
                                     content=pdf("bijlage"))
        db.session.commit()
        return att.id, draft.version


def test_a_ministry_removes_an_attachment_from_its_draft(app, client):
    cid = case_id(app, DOC)
    att_id, draft_version = _draft_with_attachment(app)
    login(client, "minbuza")
    client.post("/language", data={"lang": "en"})
    page = text(client.get(f"/ministry/cases/{cid}"))
    assert f'id="form-remove-{att_id}"' in page
    url = f"/ministry/cases/{cid}/attachments/{att_id}/remove"
    assert client.post(url, data={"draft_version": str(draft_version + 5)}).status_code == 409
    other = app.test_client()
    login(other, "spf-affaires-etrangeres")
    assert other.post(f"/ministry/cases/{cid}/attachments/{att_id}/remove",
                      data={"draft_version": str(draft_version)}).status_code == 404
    response = client.post(url, data={"draft_version": str(draft_version)})
    assert response.status_code == 302
    page = client.get(f"/ministry/cases/{cid}")
    assert "bijlage.pdf is removed from your draft." in flashes(page)
    assert f'id="form-remove-{att_id}"' not in text(page)
    with app.app_context():
        assert db.session.get(Attachment, att_id) is None
        ev = db.session.scalars(select(Event).where(Event.action == "remove_attachment")).one()
        assert (ev.actor, ev.addressee_code) == ("minbuza", "NL")
    assert client.post(url, data={"draft_version": str(draft_version)}).status_code == 404


def test_the_english_title_is_corrected_searched_and_exported(app, client):
    """The optional English title: given by a correction (the others unchanged), shown on
    the English public page, found by the public search and in the open data."""
    cid = case_id(app, DOC)
    login(client, "secretariaat")
    with app.app_context():
        rec = scope.find_recommendation(db.session, DOC)
        unchanged = {f: getattr(rec, f) for f in ("title_nl", "title_fr", "text_nl", "text_fr")}
    response = _correct(client, cid, version_of(app, DOC), **unchanged,
                        title_en="Cross-border ambulance services")
    assert response.status_code == 302
    with app.app_context():
        ev = db.session.scalars(select(Event).where(Event.action == "correct_texts")).one()
        assert ev.data["changes"] == {"title_en": {"old": "",
                                                   "new": "Cross-border ambulance services"}}
    public = app.test_client()
    public.post("/language", data={"lang": "en", "next": "/"})
    assert "Cross-border ambulance services" in text(
        public.get(f"/public/recommendations/{DOC}"))
    assert f'data-doc="{DOC}"' in text(public.get("/public/?q=ambulance+services"))
    records = public.get("/public/export/recommendations.json").get_json()
    records = records["recommendations"] if isinstance(records, dict) else records
    [record] = [r for r in records if r["doc_number"] == DOC]
    assert record["title_en"] == "Cross-border ambulance services"
    header = text(public.get("/public/export/recommendations.csv")).splitlines()[0]
    assert "title_en" in header.split(",")
