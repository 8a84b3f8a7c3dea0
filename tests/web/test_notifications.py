"""The notifications in the app: an unread count in the navigation, the list in the
reader's language (marked read when seen), the e-mail choice, and the administrator's
page of sweeps and e-mail problems."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.web.conftest import login, text
from web.extensions import db
from workflow.models import Notification, User
from workflow.reminders import sweep as sweeping


def unread_badge(html: str) -> str | None:
    found = re.search(r'id="unread-count"[^>]*>([^<]+)<', html)
    return found.group(1) if found else None


def test_the_list_shows_what_happened_and_is_read_when_seen(app, client):
    with app.app_context():
        jan = db.session.scalar(select(User).where(User.username == "minbuza"))
        waiting = db.session.scalar(select(func.count()).select_from(Notification)
                                    .where(Notification.user_id == jan.id))
    assert waiting > 0  # the demo's transmissions told the Dutch government
    login(client, "minbuza")
    page = client.get("/ministry/").get_data(as_text=True)
    assert unread_badge(page) == str(waiting)
    listed = client.get("/notifications/")
    html = text(listed)
    assert listed.status_code == 200
    assert "is toegezonden aan" in html  # the demo user reads Dutch
    assert unread_badge(client.get("/ministry/").get_data(as_text=True)) is None
    assert 'href="/ministry/cases/' in listed.get_data(as_text=True)


def test_a_person_chooses_the_daily_digest(app, client):
    login(client, "spf-affaires-etrangeres")
    response = client.post("/notifications/mail", data={"mode": "daily"})
    assert response.status_code == 302
    with app.app_context():
        claire = db.session.scalar(select(User).where(User.username == "spf-affaires-etrangeres"))
        assert claire.mail_digest
        queued = db.session.scalars(select(Notification.mail_digest)
                                    .where(Notification.user_id == claire.id,
                                           Notification.mail_status == "queued")).all()
        assert queued and all(queued)
    assert client.post("/notifications/mail", data={"mode": "hourly"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.mail_digest)
                                 .where(User.username == "spf-affaires-etrangeres"))


def test_the_administrator_sees_the_sweeps_and_who_cannot_be_reached(app, client):
    login(client, "secretariaat")
    html = text(client.get("/admin/reminders"))
    assert "has not run yet" in html or "nog niet" in html
    with app.app_context():
        sweeping.sweep(db.session)
        db.session.commit()
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert 'id="sweep-runs"' in page
    # the Walloon government has an answer awaited and no user in the demo; the Dutch one has
    section = page.split('id="unreached"')[1].split("</ul>")[0]
    assert "(BE-WAL)" in section and "(NL)" not in section


def test_every_kind_of_notification_is_worded():
    from web.mail.words import SENTENCES, SUBJECTS
    from workflow.notifications.rules import KINDS

    assert set(KINDS) <= set(SUBJECTS) and set(KINDS) <= set(SENTENCES)


def test_the_government_is_told_the_committee_s_judgement_and_the_secretariat_a_comment(
        app, client):
    """In the demo the committee judged the Dutch answer to 741/4 unsatisfactory and the
    Belgian federal government published a comment beside it."""
    login(client, "minbuza")  # reads Dutch
    page = text(client.get("/notifications/"))
    assert "de commissie beoordeelde het antwoord van" in page.lower()
    assert "onvoldoende" in page and "onvoldoende gemotiveerd" in page  # with the note
    with app.app_context():
        judged = db.session.scalars(select(Notification).where(
            Notification.kind == "answer_judged")).all()
        assert {n.user.username for n in judged} >= {"minbuza", "maee-lu"}
        assert all(n.user.role == "ministry" for n in judged)
        told = db.session.scalars(select(Notification).where(
            Notification.kind == "comment_posted")).all()
        assert told and {n.user.role for n in told} == {"secretariat"}
    sec = app.test_client()
    login(sec, "secretariaat")
    sec.post("/language", data={"lang": "fr", "next": "/"})
    page = sec.get("/notifications/").get_data(as_text=True)
    assert "a publié un commentaire" in page and 'href="/comments/"' in page
