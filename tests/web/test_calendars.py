"""The secretariat's calendar page (holidays named in the reader's language, closing days,
a change previewed with the due dates it moves, then applied) and the public due-date
calculator."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.web.conftest import login, text
from web.extensions import db
from workflow import accounts, clock
from workflow.actors import Actor
from workflow.cases import due_dates, registration, scope, transitions
from workflow.cases.models import first_notice_at
from workflow.deadlines import policy as deadline_policy
from workflow.models import Event

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
LATER = datetime(2030, 11, 4, 9, 0, tzinfo=UTC)  # a Monday, after every demo due date
CLOSED = date(2030, 11, 13)  # a Wednesday inside a 20-working-day count from LATER


@pytest.fixture
def later():
    with clock.frozen(LATER) as now:
        yield now


def _event_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Event.id)))


def _new_events(app, after: int) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        rows = db.session.execute(select(Event.action, Event.addressee_code, Event.reason)
                                  .order_by(Event.seq).offset(after))
        return [tuple(r) for r in rows]


@pytest.fixture
def cases(app, later):
    """Three transmitted cases: two count 20 working days for NL (one also for BE-FED),
    one counts 6 months (a closing day in November does not move it)."""
    with app.app_context():
        s = db.session
        for doc, rule, addressees in (("780/1", "20 working days", ["NL"]),
                                      ("780/2", "6 months", ["NL"]),
                                      ("780/3", "20 working days", ["NL", "BE-FED"])):
            rec = registration.register_recommendation(
                s, SEC, doc_number=doc, adopted_on=date(2030, 10, 28), addressees=addressees,
                title_nl=f"Aanbeveling {doc}", title_fr=f"Recommandation {doc}",
                deadline_rule=rule)
            transitions.transmit(s, SEC, rec)
        s.commit()


def _due(app, doc: str, code: str = "NL"):
    with app.app_context():
        db.session.expire_all()
        entry = scope.find_recommendation(db.session, doc).entry(code)
        return entry.due_at, entry.next_notice_at


def _change(client, day=CLOSED, change="close", reason="Verhuizing", code="NL", **extra):
    data = {"cal-addressee": code, "cal-day": str(day), "cal-change": change,
            "cal-reason": reason, **extra}
    return client.post("/secretariat/calendars/change", data=data)


def _moved(page: str) -> list[str]:
    return re.findall(r'<tr class="moved" data-case="([^"]+)"', page)


def _digest(page: str) -> str:
    return re.search(r'name="cal-digest" type="hidden" value="([0-9a-f]+)"', page)[1]


# --------------------------------------------------------------------------- the year


def test_calendar_names_the_holidays_in_the_readers_language(app, client):
    login(client, "secretariaat")  # Dutch
    page = text(client.get("/secretariat/calendars?addressee=BE-FED&year=2026"))
    assert re.search(r'data-day="2026-12-25" data-kind="holiday">.*?Kerstmis', page, re.S)
    assert "Wapenstilstand" in page  # 11 November
    with app.app_context():
        accounts.create_user(db.session, username="sec-fr", password="password-sec-fr",
                             role="secretariat", organisation="BNL-PARL", locale="fr")
        db.session.commit()
    french = app.test_client()
    login(french, "sec-fr", "password-sec-fr")
    page = text(french.get("/secretariat/calendars?addressee=BE-FED&year=2026"))
    assert re.search(r'data-day="2026-12-25" data-kind="holiday">.*?Noël', page, re.S)
    assert "Jour de l&#39;Armistice" in page and "jour férié" in page
    # the default is the current year of the clock
    with clock.frozen(LATER):
        assert 'data-day="2030-12-25"' in text(french.get("/secretariat/calendars?addressee=NL"))


def test_calendar_lists_annual_and_declared_days(app, client, later):
    login(client, "secretariaat")
    page = text(client.get("/secretariat/calendars?addressee=BE-VLG&year=2030"))
    assert 'data-day="2030-07-11" data-kind="annual_closing_day"' in page
    with app.app_context():
        due_dates.apply_calendar_change(db.session, SEC, "NL", CLOSED, reason="Verhuizing")
        db.session.commit()
    page = text(client.get("/secretariat/calendars?addressee=NL&year=2030"))
    assert re.search(r'data-day="2030-11-13" data-kind="closing_day">.*?Verhuizing', page, re.S)


@pytest.mark.parametrize("query", ["addressee=XX&year=2026", "addressee=NL&year=abc",
                                   "addressee=NL&year=1800"])
def test_a_bad_choice_is_a_clear_400(client, query):
    login(client, "secretariaat")
    response = client.get(f"/secretariat/calendars?{query}")
    assert response.status_code == 400
    assert 'class="error ' in text(response) and "Traceback" not in text(response)


@pytest.mark.parametrize("username", ["minbuza", "auditor"])
def test_only_the_secretariat_sees_and_changes_calendars(client, username):
    login(client, username)
    assert client.get("/secretariat/calendars").status_code == 403
    assert _change(client).status_code == 403


# --------------------------------------------------------------------------- a change


def test_preview_lists_exactly_the_moved_entries_and_writes_nothing(app, client, cases):
    login(client, "secretariaat")
    before = _event_count(app)
    old = {doc: _due(app, doc) for doc in ("780/1", "780/2", "780/3")}
    response = _change(client)
    page = text(response)
    assert response.status_code == 200
    assert sorted(_moved(page)) == ["780/1", "780/3"]
    assert "Aanbeveling 780/1" in page and 'id="btn-apply"' in page
    assert _event_count(app) == before
    assert {doc: _due(app, doc) for doc in old} == old
    # a day that moves nothing says so
    page = text(_change(client, day=date(2031, 3, 12)))
    assert _moved(page) == [] and 'id="nothing-moves"' in page


def test_apply_sets_the_day_and_recomputes_each_moved_due_date(app, client, cases):
    login(client, "secretariaat")
    preview = text(_change(client))
    before = _event_count(app)
    old = {doc: _due(app, doc) for doc in ("780/1", "780/2", "780/3")}
    old_be = _due(app, "780/3", "BE-FED")
    response = _change(client, **{"cal-apply": "1", "cal-digest": _digest(preview)})
    assert response.status_code == 302
    assert "/secretariat/calendars?addressee=NL&year=2030" in response.headers["Location"]
    assert _new_events(app, before) == [("set_closing_day", "NL", "Verhuizing"),
                                        ("recompute_due", "NL", "Verhuizing"),
                                        ("recompute_due", "NL", "Verhuizing")]
    policy = deadline_policy.current()
    for doc in ("780/1", "780/3"):
        due_at, next_notice = _due(app, doc)
        assert due_at > old[doc][0]  # one working day later
        assert next_notice == first_notice_at(due_at, policy) != old[doc][1]
    assert _due(app, "780/2") == old["780/2"]
    assert _due(app, "780/3", "BE-FED") == old_be
    page = text(client.get(response.headers["Location"]))
    assert "De kalender van Nederlandse regering is gewijzigd; 2 termijnen herberekend." in page


def test_apply_after_someone_moved_a_date_shows_the_new_preview(app, client, cases):
    login(client, "secretariaat")
    digest = _digest(text(_change(client)))
    with app.app_context():  # meanwhile 780/1 gets 30 more working days
        due_dates.grant_extension(db.session, SEC,
                                  scope.find_recommendation(db.session, "780/1").entry("NL"),
                                  reason="Meer tijd", days=30)
        db.session.commit()
    before = _event_count(app)
    response = _change(client, **{"cal-apply": "1", "cal-digest": digest})
    assert response.status_code == 409
    assert _event_count(app) == before
    page = text(response)
    assert 'id="conflict"' in page and sorted(_moved(page)) == ["780/1", "780/3"]
    assert 'id="btn-apply"' in page and _digest(page) != digest


def test_bad_changes_are_refused_next_to_the_day(app, client, cases):
    login(client, "secretariaat")
    with app.app_context():
        due_dates.apply_calendar_change(db.session, SEC, "NL", CLOSED, reason="Verhuizing")
        db.session.commit()
    before = _event_count(app)
    for response, words in (
        (_change(client), "is al een sluitingsdag"),                    # already closed
        (_change(client, day="2030-02-30"), 'id="cal-day-error"'),      # malformed
        (_change(client, day=date(2030, 11, 16)), "zaterdag of zondag"),  # weekend
        (_change(client, day=date(2020, 11, 11)), "te ver"),            # far past
        (_change(client, day=date(2030, 11, 14), change="remove"), "niets te verwijderen"),
        (_change(client, code="XX"), "Onbekende geadresseerde"),
        (_change(client, reason=""), 'id="cal-reason-error"'),
    ):
        page = text(response)
        assert response.status_code == 400, page[:300]
        assert words in page, words
        assert "Traceback" not in page
    assert _event_count(app) == before


# --------------------------------------------------------------------------- the calculator

CALC = "/public/due-date"


def test_calculator_counts_working_days_over_christmas(client):
    # NL, day zero Tuesday 1 December 2026, 20 working days: 2-4 Dec (3), 7-11 (8),
    # 14-18 (13), 21-24 (17), Friday 25 December is Christmas (Saturday 26 too, a weekend
    # anyway), 28, 29, 30 December (20): due Wednesday 30 December 2026 at 17:00.
    query = "?addressee=NL&start=2026-12-01&rule=20+working+days"
    response = client.get(CALC + query, headers={"Accept-Language": "fr"})
    page = text(response)
    assert response.status_code == 200
    assert 'data-due="2026-12-30"' in page
    assert "Échéance : mercredi 30 décembre 2026 à 17:00" in page
    assert "Départ : mardi 1 décembre 2026 (jour zéro)." in page
    # the holidays package names Dutch holidays in Dutch and English, not French
    assert "Non compté : vendredi 25 décembre 2026, Christmas Day (jour férié)." in page
    dutch = text(client.get(CALC + query, headers={"Accept-Language": "nl"}))
    assert "vrijdag 25 december 2026" in dutch and "Eerste kerstdag" in dutch
    assert "woensdag 30 december 2026" in dutch


def test_calculator_without_a_question_shows_the_form(client, later):
    page = text(client.get(CALC, headers={"Accept-Language": "nl"}))
    assert 'value="2030-11-04"' in page and 'value="6 months"' in page
    assert 'id="result"' not in page and "Termijnberekening" in page


@pytest.mark.parametrize(("query", "field", "words"), [
    ("addressee=NL&start=2026-12-01&rule=20+days", "rule",
     "« 20 days » est ambigu : écrivez 20 calendar days (jours calendrier) ou 20 working "
     "days (jours ouvrables)."),
    ("addressee=NL&start=2026-12-01&rule=soon", "rule", "La règle de délai « soon » est "
     "illisible"),
    ("addressee=NL&start=2026-12-01&rule=500+months", "rule", "120 mois au plus"),
    ("addressee=NL&start=2026-12-01&rule=2026-11-01", "rule",
     "n&#39;est pas postérieure à la date de départ"),
    ("addressee=XX&start=2026-12-01&rule=6+months", "addressee", "Destinataire inconnu"),
    ("addressee=NL&start=2026-02-30&rule=6+months", "start", ""),
])
def test_calculator_words_a_bad_question_next_to_its_field(client, query, field, words):
    response = client.get(f"{CALC}?{query}", headers={"Accept-Language": "fr"})
    page = text(response)
    assert response.status_code == 400
    error = re.search(rf'<p class="error[^"]*" id="{field}-error">([^<]*)</p>', page)
    assert error and words in error[1], page[-1500:]
    assert 'id="result"' not in page


def test_calculator_is_linked_from_the_public_pages(client):
    assert f'href="{CALC}"' in text(client.get("/public/"))
