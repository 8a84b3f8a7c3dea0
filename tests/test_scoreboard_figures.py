"""The stored scoreboard figures (SQL aggregates) against the independent replay of the
exported history, for seeded random sequences of operations."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from workflow import db as wdb
from workflow import dispatch, errors
from workflow.actors import Actor
from workflow.answers import assessment, corrections
from workflow.answers.models import JUDGEMENTS
from workflow.cases import catalogue, registration
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.cases.transitions import may_ask_again
from workflow.clock import brussels_date
from workflow.importing import importer
from workflow.lifecycle import ANSWER, RECOMMENDATION, closure_reasons_for
from workflow.models import Event
from workflow.publishing import figures, scoreboard
from workflow.publishing.models import (
    CASE_FIELDS,
    COUNTERS,
    ENTRY_FIELDS,
    KEY,
    ScoreboardCell,
    cell_of,
    cell_rows,
    rebuild_cells,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEC = Actor("anna", "secretariat", "BNL-PARL")
CODES = ("CM", "NL", "LU", "BE-FED", "DE-NW")
COMMITTEES = ("Justitie", "Economie", "Milieu")
STORED = ("transmitted_on", "due_set_at", "first_final_at", "days_to_answer", "is_on_time",
          "is_waived", "judged_satisfactory", "judged_partly_satisfactory",
          "judged_unsatisfactory")


def _params(rnd: random.Random, rec: Recommendation, entry: CaseAddressee | None,
            trigger: str, today: date) -> dict:
    if trigger == "transmit":
        return {"transmitted_on": max(rec.adopted_on, today - timedelta(days=rnd.randint(0, 9)))}
    if trigger == "request_follow_up":
        return {"reason": "Waarom?", "addressees": [e.addressee_code for e in rec.addressees
                                                     if may_ask_again(e)][:rnd.randint(1, 3)]}
    if trigger == "close":
        return {"closure_reason": rnd.choice(closure_reasons_for(rec.state))}
    if trigger in ("reopen", "waive", "refuse_extension"):
        return {"reason": "because"}
    if trigger in ("submit_answer", "submit_interim", "decline"):
        params = {"text_nl": "tekst"} if trigger != "decline" else {"reason": "nee"}
        if trigger == "submit_answer":
            params["position"] = rnd.choice(("agrees", "disagrees", "takes_note"))
        if rnd.random() < 0.4:  # received on paper earlier, recorded now
            params["received_on"] = today - timedelta(days=rnd.randint(1, 20))
        return params
    if trigger == "grant_extension":
        return {"reason": "more time", "days": rnd.randint(1, 40)}
    if trigger == "request_extension":
        return {"reason": "please"}
    if trigger == "stop_clock":
        start = entry.clock_start + timedelta(days=rnd.randint(0, 10))
        return {"reason": "waiting", "start": start}
    if trigger == "resume_clock":
        return {"end": today - timedelta(days=rnd.randint(0, 3))}
    return {}


def _play(session, seed: int, steps: int, each_step=None) -> datetime:
    """Seeded random operations on 8 new cases from May 2024 on (``each_step(now)`` after
    every step, e.g. a sweep); returns the last moment."""
    rnd = random.Random(seed)
    now = datetime(2024, 5, 6, 9, tzinfo=UTC)
    recs = []
    for i in range(8):
        codes = rnd.sample(CODES, rnd.randint(1, 4))
        rec = registration.register_recommendation(
            session, SEC, doc_number=f"{900 + i}/{rnd.randint(1, 3)}",
            adopted_on=date(2023 + i % 2, 4, 1 + i),
            addressees={c: rnd.random() < 0.8 for c in codes} | {codes[0]: True},
            title_nl=f"Geval {i}", committee=rnd.choice(COMMITTEES),
            deadline_rule=rnd.choice(("30 calendar days", "20 working days")), now=now)
        if rnd.random() < 0.8:
            registration.set_published(session, SEC, rec, True, now=now)
        recs.append(rec)
    for _ in range(steps):
        now += timedelta(hours=rnd.choice((1, 5, 30, 24 * 9)))
        rec = rnd.choice(recs)
        entry = rnd.choice(rec.addressees)
        options = [(None, t.name) for t in RECOMMENDATION.available(rec, SEC.role)
                   if t.name in dispatch.OPERATIONS]
        options += 4 * [(entry, t.name) for t in ANSWER.available(entry, SEC.role)
                        if t.name in dispatch.OPERATIONS]  # answers more often than cases
        if rnd.random() < 0.1:
            registration.edit_recommendation(session, SEC, rec,
                                             committee=rnd.choice(COMMITTEES), now=now)
        replies = [a for a in entry.answers if a.status == "submitted"]
        if replies and rnd.random() < 0.15 and corrections.may_withdraw(session, SEC,
                                                                        replies[-1]):
            # a reply recorded on paper by mistake: it no longer counts
            corrections.withdraw_reply(session, SEC, replies[-1], reason="vergissing", now=now)
            continue
        judged = [a for a in entry.answers if a.is_assessable]
        if judged and rnd.random() < 0.3:  # the committee judges (again: the latest counts)
            assessment.assess_answer(session, SEC, rnd.choice(judged),
                                     judgement=rnd.choice(JUDGEMENTS), note="oordeel", now=now)
        if not options:
            continue
        target, trigger = rnd.choice(options)
        if each_step is not None:
            each_step(now)
        actor = SEC
        if trigger == "request_extension":
            actor = Actor("m", "ministry", target.addressee_code)
        params = _params(rnd, rec, target, trigger, brussels_date(now))
        with contextlib.suppress(errors.WorkflowError):  # a refused step changes nothing
            dispatch.fire(session, actor, rec, trigger,
                          addressee=target.addressee_code if target else None, now=now,
                          **params)
    return now


def _stored(session) -> list[tuple]:
    return [tuple(getattr(e, name) for name in ("id", *STORED))
            for e in session.scalars(select(CaseAddressee).order_by(CaseAddressee.id))]


def _judgements(session) -> list[tuple]:
    from workflow.models import Answer

    return [(a.id, a.judgement, a.judgement_note, a.judged_at, a.judged_by)
            for a in session.scalars(select(Answer).where(Answer.judgement.is_not(None))
                                     .order_by(Answer.id))]


FILTERS = [{}, {"year": 2023}, {"year": 2024}, {"committee": "Economie"},
           {"year": 2017, "committee": "Sociale Aangelegenheden"}, {"year": 1990}]


@pytest.mark.parametrize("seed", range(6))
def test_sql_scoreboard_equals_the_replay_of_the_history(session, seed):
    # the samples: replies with their text, and historic facts (collective answers that
    # waive the governments they cover, replies known only by their date)
    for sample in ("import-sample.json", "import-historic.json"):
        report = importer.import_file(session, *importer.read_file(SAMPLES / sample),
                                      now=datetime(2024, 5, 2, 9, tzinfo=UTC))
        assert report.ok, report.problems
    now = _play(session, seed, steps=160)
    session.flush()
    published = list(session.scalars(select(Recommendation).where(
        Recommendation.is_published.is_(True))))
    events = list(session.scalars(select(Event).where(Event.recommendation_id.in_(
        [r.id for r in published])).order_by(Event.seq)))
    answered = judged = 0
    for later in (timedelta(0), timedelta(days=400)):
        for filters in FILTERS:
            sql = [s.as_dict() for s in figures.scores(session, now + later, **filters)]
            replay = [s.as_dict() for s in scoreboard.compute(events, now + later, **filters)]
            assert sql == replay, filters
            answered += sum(r["answered"] for r in sql)
            judged += sum(sum(r["judged"].values()) for r in sql)
    assert answered and judged  # the scenario is not empty
    assert session.scalar(select(Event.id).where(Event.action == "withdraw_reply").limit(1))
    # rebuilding from the history gives the rows the operations wrote
    before = _stored(session)
    assert figures.rebuild(session) == sum(1 for row in before if row[1] is not None)
    session.expire_all()
    assert _stored(session) == before


def test_a_reply_dated_before_an_extension_is_judged_by_the_due_date_then(session):
    t0 = datetime(2023, 1, 9, 10, tzinfo=UTC)
    rec = registration.register_recommendation(
        session, SEC, doc_number="950/1", adopted_on=date(2023, 1, 7), addressees=["NL"],
        title_nl="Laat", deadline_rule="30 calendar days", now=t0)
    registration.set_published(session, SEC, rec, True, now=t0)
    dispatch.fire(session, SEC, rec, "transmit", now=t0)  # due 2023-02-08
    dispatch.fire(session, SEC, rec, "grant_extension", addressee="NL", reason="more",
                  days=30, now=t0 + timedelta(days=35))
    # received on 2023-02-10 (late by the first due date), recorded after the extension
    dispatch.fire(session, SEC, rec, "submit_answer", addressee="NL", position="agrees",
                  text_nl="ja", received_on=date(2023, 2, 10), now=t0 + timedelta(days=40))
    entry = rec.entry("NL")
    assert (entry.is_on_time, entry.days_to_answer) == (False, 32)
    [score] = figures.scores(session, t0 + timedelta(days=50))
    assert (score.answered, score.answered_on_time, score.median_days) == (1, 0, 32.0)
    assert score == scoreboard.compute(session.scalars(select(Event)), t0 + timedelta(days=50))[0]


def test_the_migration_fills_the_figures_from_the_history(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    wdb.upgrade(url)
    engine = wdb.make_engine(url)
    session = wdb.make_session(engine)
    try:
        catalogue.sync_addressees(session)
        report = importer.import_file(session, *importer.read_file(
            SAMPLES / "import-sample.json"), now=datetime(2024, 5, 2, 9, tzinfo=UTC))
        assert report.ok, report.problems
        _play(session, 3, steps=80)
        session.commit()
        before = _stored(session)
        judged = _judgements(session)
        assert any(row[3] is not None for row in before)
        assert any(row[-3:] != (0, 0, 0) for row in before) and judged
        session.close()
        command.downgrade(wdb.alembic_config(url), "0003")  # the columns are gone
        wdb.upgrade(url)  # and filled again from the events
        assert _stored(session) == before
        assert _judgements(session) == judged
    finally:
        session.close()
        engine.dispose()


def _cells(session) -> dict[tuple, tuple]:
    """The stored summary cells that count something (a cell emptied by moves stays, at
    zero)."""
    cells = {}
    for cell in session.scalars(select(ScoreboardCell)):
        counts = tuple(getattr(cell, name) for name in COUNTERS)
        if cell.received:
            cells[tuple(getattr(cell, name) for name in KEY)] = counts
        else:
            assert not any(counts), cell
    return cells


def _cells_from_entries(session) -> tuple[dict, dict]:
    """The cells recomputed from the entries: in SQL (cell_rows) and in Python (cell_of)."""
    in_sql = {tuple(row[:len(KEY)]): tuple(row[len(KEY):])
              for row in session.execute(cell_rows())}
    in_python: dict[tuple, list[int]] = {}
    for entry in session.scalars(select(CaseAddressee)):
        rec = entry.recommendation
        cell = cell_of({n: getattr(entry, n) for n in ENTRY_FIELDS},
                       {n: getattr(rec, n) for n in CASE_FIELDS})
        if cell is not None:
            total = in_python.setdefault(cell[0], [0] * len(COUNTERS))
            for i, n in enumerate(cell[1]):
                total[i] += n
    return in_sql, {k: tuple(v) for k, v in in_python.items()}


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), steps=st.integers(10, 90),
       toggles=st.lists(st.booleans(), min_size=8, max_size=8))
def test_the_summary_cells_equal_the_aggregate_over_the_entries(session, seed, steps, toggles):
    """After random operations, publications and unpublications, flushed one by one (each
    flush adds its deltas), the stored cells are the GROUP BY of the entries."""
    try:
        rnd = random.Random(seed)

        def publish_or_not(now):
            if rnd.random() < 0.15:
                rec = rnd.choice(list(session.scalars(select(Recommendation))))
                registration.set_published(session, SEC, rec, not rec.is_published, now=now)

        now = _play(session, seed, steps=steps, each_step=publish_or_not)
        for rec, toggle in zip(session.scalars(select(Recommendation).order_by(
                Recommendation.id)).all(), toggles, strict=False):
            if toggle:
                registration.set_published(session, SEC, rec, not rec.is_published, now=now)
        session.flush()
        in_sql, in_python = _cells_from_entries(session)
        assert _cells(session) == in_sql == in_python
        # and the scoreboard read from them is the replay's
        events = list(session.scalars(select(Event).where(Event.recommendation_id.in_(
            select(Recommendation.id).where(Recommendation.is_published.is_(True))))))
        later = now + timedelta(days=30)
        assert [s.as_dict() for s in figures.scores(session, later)] == \
            [s.as_dict() for s in scoreboard.compute(events, later)]
    finally:
        session.rollback()


def test_rebuilding_the_cells_gives_the_cells_the_flushes_kept(session):
    _play(session, 11, steps=120)
    session.flush()
    kept = _cells(session)
    assert kept
    assert rebuild_cells(session) == len(kept)
    assert _cells(session) == kept
