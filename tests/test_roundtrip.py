"""Round trip: cases built through the operations, exported in the import format,
imported into an empty database, rebuild to the same state at every event time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.conftest import _main_url
from workflow import clock, db, deadlines, dispatch, errors, history
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import catalogue, due_dates, registration, scope, transitions
from workflow.importing import importer

SEC = Actor("anna", "secretariat", "BNL-PARL")
NL = Actor("jan", "ministry", "NL")
BE = Actor("claire", "ministry", "BE-FED")
LATER = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # when the historic records are made


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deadlines.BRUSSELS).astimezone(UTC)


def _historic_cases(s) -> list[str]:
    """Recorded afterwards by the secretariat, every step with the day it happened."""
    rec = registration.register_recommendation(
        s, SEC, doc_number="760/1", adopted_on=date(2023, 10, 5), title_nl="Grensarbeid",
        title_fr="Travail frontalier", committee="Sociale Zaken",
        addressees={"NL": True, "BE-FED": True, "LU": False}, now=LATER)
    registration.set_published(s, SEC, rec, True, now=LATER)
    transitions.transmit(s, SEC, rec, transmitted_on=date(2023, 10, 12), now=LATER)
    replies.submit_reply(s, SEC, rec.entry("NL"), kind="interim", text_nl="Tussenbericht.",
                         received_on=date(2023, 11, 20), now=LATER)
    replies.submit_reply(s, SEC, rec.entry("NL"), kind="final", position="agrees",
                         text_nl="Nederland steunt de aanbeveling.", letter_date=date(2024, 1, 10),
                         received_on=date(2024, 1, 15), now=LATER)
    replies.submit_reply(s, SEC, rec.entry("LU"), kind="declined", text_fr="Pas de compétence.",
                         received_on=date(2024, 2, 10), now=LATER)
    # the last required answer, the assessment and the closure on one day, in that order
    replies.submit_reply(s, SEC, rec.entry("BE-FED"), kind="final", position="partly_agrees",
                         text_fr="La Belgique soutient en partie.", received_on=date(2024, 3, 1),
                         now=LATER)
    dispatch.fire(s, SEC, rec, "start_assessment", effective_on=date(2024, 3, 1), now=LATER)
    transitions.close(s, SEC, rec, closure_reason="implemented", reason="Uitgevoerd",
                      closed_on=date(2024, 3, 1), now=LATER)

    lapsed = registration.register_recommendation(
        s, SEC, doc_number="761/2", adopted_on=date(2023, 6, 1), title_nl="Fietspaden",
        addressees=["NL", "BE-VLG"], now=LATER)
    transitions.transmit(s, SEC, lapsed, transmitted_on=date(2023, 6, 9), now=LATER)
    # an interim reply and the closure without assessment on the same day
    replies.submit_reply(s, SEC, lapsed.entry("BE-VLG"), kind="interim", text_nl="Even geduld.",
                         received_on=date(2024, 1, 8), now=LATER)
    transitions.close(s, SEC, lapsed, closure_reason="lapsed", closed_on=date(2024, 1, 8),
                      now=LATER)

    waiting = registration.register_recommendation(
        s, SEC, doc_number="762/1", adopted_on=date(2024, 2, 1), title_fr="Énergie",
        addressees=["NL", "BE-FED"], deadline_rule="40 working days", now=LATER)
    transitions.transmit(s, SEC, waiting, transmitted_on=date(2024, 2, 1), now=LATER)
    replies.submit_reply(s, SEC, waiting.entry("NL"), kind="final", position="takes_note",
                         text_nl="Kennisgenomen.", received_on=date(2024, 2, 1), now=LATER)

    # the facts of historic records: an English title, a collective answer waiving the
    # governments it covers, a reply known only by its date, a closure on the merits
    # whose assessment is not on record
    collective = registration.register_recommendation(
        s, SEC, doc_number="763/1", adopted_on=date(2022, 12, 10), title_nl="Defensie",
        title_en="Defence cooperation", addressees=["CM", "NL", "BE-FED", "LU"], now=LATER)
    transitions.transmit(s, SEC, collective, transmitted_on=date(2022, 12, 20), now=LATER)
    replies.submit_reply(s, SEC, collective.entry("LU"), kind="interim",
                         received_on=date(2023, 2, 1), text_on_record=False, now=LATER)
    dispatch.fire(s, SEC, collective, "submit_answer", addressee="CM",
                  effective_on=date(2024, 3, 12), text_on_record=False, now=LATER)
    for code in ("NL", "BE-FED", "LU"):
        dispatch.fire(s, SEC, collective, "waive", addressee=code, reason="Collectief antwoord",
                      effective_on=date(2024, 3, 12), now=LATER)
    dispatch.fire(s, SEC, collective, "close", closure_reason="implemented",
                  reason="Opgevolgd in het werkprogramma", effective_on=date(2024, 4, 2),
                  without_assessment=True, now=LATER)
    return ["760/1", "761/2", "762/1", "763/1"]


def _live_cases(s) -> list[str]:
    """Built as it happens: each step at its own moment, the ministries answering
    themselves, a final answer and the closure on the same afternoon."""
    day = date(2024, 1, 8)
    rec = registration.register_recommendation(
        s, SEC, doc_number="770/1", adopted_on=day, title_nl="Waterbeheer",
        addressees={"NL": True, "BE-FED": True}, now=_at(day, 15))
    transitions.transmit(s, SEC, rec, now=_at(day + timedelta(days=2), 9))
    replies.submit_reply(s, BE, rec.entry("BE-FED"), kind="interim", text_fr="Réponse suit.",
                         now=_at(date(2024, 2, 5), 11))
    replies.submit_reply(s, NL, rec.entry("NL"), kind="final", position="agrees",
                         text_nl="Akkoord.", now=_at(date(2024, 3, 4), 10))
    answer_day = date(2024, 4, 3)
    replies.submit_reply(s, BE, rec.entry("BE-FED"), kind="final", position="disagrees",
                         text_fr="Désaccord.", now=_at(answer_day, 9, 30))
    dispatch.fire(s, SEC, rec, "start_assessment", now=_at(answer_day, 14))
    transitions.close(s, SEC, rec, closure_reason="not_implemented", reason="Afgewezen",
                      now=_at(answer_day, 16))
    return ["770/1"]


def _snapshot(events, moment: datetime) -> tuple:
    snap = history.replay(events, moment)
    return snap.state, snap.closure_reason, snap.addressees


def _rows(session, doc: str) -> tuple:
    rec = scope.find_recommendation(session, doc)
    return (rec.state, rec.closure_reason, rec.is_published, sorted(
        (e.addressee_code, e.is_required, e.state, e.position, e.answered_on, e.clock_start,
         e.due_at, e.is_awaited) for e in rec.addressees))


def _empty_database(databases, tmp_path) -> str:
    """Another empty, migrated database: a new SQLite file, or the PostgreSQL test
    database emptied (the original's history was read before)."""
    main = _main_url()
    if main:
        return databases.postgres(main)
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return databases.sqlite(folder)


def _round_trip(databases, db_url, tmp_path, build):
    engine = db.make_engine(db_url)
    s = db.make_session(engine)
    catalogue.sync_addressees(s)
    docs = build(s)
    s.commit()
    original = {}
    for doc in docs:
        rec = scope.find_recommendation(s, doc)
        original[doc] = (history.case_events(s, rec.id), _rows(s, doc))
    exported = importer.export_json(s, [scope.find_recommendation(s, d) for d in docs])
    s.close()
    engine.dispose()

    engine = db.make_engine(_empty_database(databases, tmp_path))
    s = db.make_session(engine)
    try:
        catalogue.sync_addressees(s)
        report = importer.import_file(s, "export.json", exported, now=LATER + timedelta(days=1))
        assert report.ok, report.problems
        assert report.created == docs
        s.commit()
        imported = {}
        for doc in docs:
            rec = scope.find_recommendation(s, doc)
            imported[doc] = (history.case_events(s, rec.id), _rows(s, doc))
        return original, imported, exported
    finally:
        s.close()
        engine.dispose()


def test_historic_cases_reconstruct_the_same_at_every_event_time(databases, db_url, tmp_path):
    original, imported, _ = _round_trip(databases, db_url, tmp_path, _historic_cases)
    for doc, (events, rows) in original.items():
        again, again_rows = imported[doc]
        assert again_rows == rows
        moments = sorted({ev.effective_at for ev in events} | {ev.effective_at for ev in again})
        for moment in moments:
            for when in (moment - timedelta(microseconds=1), moment):
                assert _snapshot(again, when) == _snapshot(events, when), (doc, when)
    # same-day events keep their order: answered, then assessed, then closed
    events = original["760/1"][0]
    on_the_day = [ev.action for ev in events if ev.effective_at.date() == date(2024, 3, 1)]
    assert on_the_day == ["submit_answer", "complete_answers", "start_assessment", "close"]
    assert _snapshot(imported["760/1"][0], _at(date(2024, 3, 1), 23))[:2] == (
        "closed", "implemented")
    assert _snapshot(imported["761/2"][0], _at(date(2024, 1, 8), 23))[0] == "closed"
    # no assessment was made up for the historic closure on the merits
    assert [ev.action for ev in imported["763/1"][0] if ev.entity == "recommendation"] == [
        "register", "transmit", "receive_reaction", "complete_answers", "close"]


def test_the_facts_of_historic_records_are_exported(databases, db_url, tmp_path):
    _, _, exported = _round_trip(databases, db_url, tmp_path, _historic_cases)
    record = json.loads(exported)["recommendations"][3]
    assert record["title_en"] == "Defence cooperation"
    assert record["closure"] == {"closed_on": "2024-04-02", "reason": "implemented",
                                 "note": "Opgevolgd in het werkprogramma", "assessed": False}
    cm, nl, _, lu = record["addressees"]
    assert cm["answers"] == [{
        "kind": "final", "position": None, "received_on": "2024-03-12", "letter_date": None,
        "text_nl": "", "text_fr": "", "published": False, "text_on_record": False,
        "covers": ["NL", "BE-FED", "LU"], "covers_reason": "Collectief antwoord"}]
    assert nl["answers"] == [] and lu["answers"][0]["text_on_record"] is False


def test_live_cases_reconstruct_the_same_at_the_end_of_every_event_day(databases, db_url,
                                                                       tmp_path):
    """The format carries days, not times of day: a case built live rebuilds the same
    at the end of every day something happened (and in between)."""
    original, imported, exported = _round_trip(databases, db_url, tmp_path, _live_cases)
    events, rows = original["770/1"]
    again, again_rows = imported["770/1"]
    assert again_rows == rows
    days = sorted({clock.brussels_date(ev.effective_at) for ev in events})
    assert len(days) == 5
    for day in days:
        for when in (_at(day, 0) - timedelta(microseconds=1), _at(day, 23, 59)):
            assert _snapshot(again, when) == _snapshot(events, when), when
    record = json.loads(exported)["recommendations"][0]
    assert record["closure"] == {"closed_on": "2024-04-03", "reason": "not_implemented",
                                 "note": "Afgewezen"}


def _case_with(s, doc: str) -> object:
    rec = registration.register_recommendation(s, SEC, doc_number=doc, adopted_on=date(2024, 1, 8),
                                               title_nl="Iets", addressees=["NL", "CM"], now=LATER)
    transitions.transmit(s, SEC, rec, transmitted_on=date(2024, 1, 10), now=LATER)
    return rec


@pytest.mark.parametrize("what, carried", [
    ("extension", "grant_extension"),
    ("clock", "resume_clock, stop_clock"),
    ("waiver", "waive (not on the day of a collective answer, with one reason)"),
    ("reopen", "reopen"),
])
def test_what_the_format_cannot_carry_is_refused_not_dropped(session, what, carried):
    rec = _case_with(session, "780/1")
    nl = rec.entry("NL")
    if what == "extension":
        due_dates.grant_extension(session, SEC, nl, reason="Verkiezingen", days=30, now=LATER)
    elif what == "clock":
        due_dates.stop_clock(session, SEC, nl, start=date(2024, 2, 1), reason="Wacht op CM",
                             now=LATER)
        due_dates.resume_clock(session, SEC, nl, end=date(2024, 2, 20), now=LATER)
    elif what == "waiver":
        replies.submit_reply(session, SEC, rec.entry("CM"), kind="final", position="agrees",
                             text_nl="Collectief antwoord.", received_on=date(2024, 2, 1),
                             now=LATER)
        replies.waive(session, SEC, nl, reason="Gedekt door het CM", now=LATER)
    else:
        transitions.close(session, SEC, rec, closure_reason="lapsed", closed_on=date(2024, 2, 1),
                          now=LATER)
        transitions.reopen(session, SEC, rec, reason="Nieuwe feiten", now=LATER)
    with pytest.raises(errors.ValidationError) as refused:
        importer.export_json(session, [rec])
    assert refused.value.rule == "not_in_import_format"
    assert f"its history holds {carried}," in refused.value.message
