"""Benchmarks of the workflow core, each printed as a ratio against a baseline measured in
the same run (absolute times depend on the machine; ratios much less).

    .venv/bin/python bench/bench_workflow.py            # about 10-20 s
    .venv/bin/python bench/bench_workflow.py --quick    # smaller sizes, a few seconds

(a) firing lifecycle events on the ONE shared transitions machine, against building a
    transitions Machine per row (what ``Machine(model=row)`` per case would cost);
(b) verify_history: events per second over a hash chain on SQLite (and PostgreSQL with
    --postgres URL), against the floor of reading the same rows with the raw driver and
    hashing each once with SHA-256;
(c) due dates with the cached holiday calendars, against the same computation with the
    holiday cache switched off.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from transitions import Machine

from workflow import db, deadlines, history
from workflow.lifecycle import RECOMMENDATION, SECRETARIAT
from workflow.models import Event

# One case's life on the recommendation lifecycle: trigger and its parameters.
SCRIPT = (
    ("transmit", {}),
    ("close", {"closure_reason": "lapsed"}),
    ("reopen", {}),
    ("start_assessment", {}),
    ("start_monitoring", {}),
    ("close", {"closure_reason": "implemented"}),
)


@dataclass
class Entry:
    is_required: bool = True
    state: str = "pending"


@dataclass
class Row:
    """Stands for a Recommendation row: the attributes the guards read."""

    state: str = RECOMMENDATION.initial
    addressees: list[Entry] = field(default_factory=lambda: [Entry(), Entry(False)])


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def line(label: str, baseline: str, measured: str, ratio: str) -> None:
    print(f"  {label:<44} {baseline:>22} {measured:>22}   {ratio}")


# --------------------------------------------------------------------------- (a) machines


def per_row_machines(rows: list[Row]) -> None:
    specs = [RECOMMENDATION._transition_spec(t) for t in RECOMMENDATION.triggers]
    for row in rows:
        Machine(model=row, states=list(RECOMMENDATION.state_names), initial=row.state,
                transitions=specs, auto_transitions=False, send_event=True,
                model_attribute="state")
        for name, params in SCRIPT:
            getattr(row, name)(params=params)


def shared_machine(rows: list[Row]) -> None:
    events = RECOMMENDATION.machine.events
    for row in rows:
        for name, params in SCRIPT:
            events[name].trigger(row, params=params)


def shared_lifecycle_fire(rows: list[Row]) -> None:
    """The path operations take: role, state and guard checks with messages, then fire."""
    for row in rows:
        for name, params in SCRIPT:
            RECOMMENDATION.fire(row, name, SECRETARIAT, params)


def memory_of(fn: Callable[[list[Row]], None], rows: list[Row]) -> int:
    tracemalloc.start()
    fn(rows)
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size


def bench_machines(n: int) -> None:
    print(f"(a) {len(SCRIPT)} lifecycle events on each of {n} rows")
    RECOMMENDATION.machine  # noqa: B018 - build the shared machine outside the timing

    def fresh() -> list[Row]:
        return [Row() for _ in range(n)]

    baseline = timed(lambda: per_row_machines(fresh()))
    shared = timed(lambda: shared_machine(fresh()))
    checked = timed(lambda: shared_lifecycle_fire(fresh()))
    rows = fresh()
    shared_machine(rows)
    assert {r.state for r in rows} == {"closed"}
    per_event = 1e6 / (n * len(SCRIPT))
    line("", "baseline: per-row", "measured: shared", "speed-up")
    line("machine.events[...].trigger(row)", f"{baseline:.3f} s", f"{shared:.3f} s",
         f"{baseline / shared:5.1f}x")
    line("Lifecycle.fire (with refusal checks)", f"{baseline:.3f} s", f"{checked:.3f} s",
         f"{baseline / checked:5.1f}x")
    line("  per event (baseline incl. building)", f"{baseline * per_event:.1f} us",
         f"{checked * per_event:.1f} us", "")
    kept_rows = fresh()
    mem_baseline = memory_of(per_row_machines, kept_rows)
    mem_shared = memory_of(shared_machine, fresh())
    line("memory kept per row", f"{mem_baseline / n:,.0f} B", f"{mem_shared / n:,.0f} B",
         f"{n} machines vs 1")
    del kept_rows


# --------------------------------------------------------------------------- (b) verification


ACTIONS = (("transmit", "recommendation", "adopted", "transmitted"),
           ("submit_answer", "answer", "pending", "answered"),
           ("grant_extension", "deadline", None, None),
           ("close", "recommendation", "under_assessment", "closed"))


def build_chain(url: str, n: int) -> None:
    """Append ``n`` realistic events with a valid chain, in bulk (the hashes are computed
    exactly as ``history.record`` does, the rows inserted in batches)."""
    engine = db.make_engine(url)
    session = db.make_session(engine)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    prev, rows = history.GENESIS, []
    try:
        for i in range(n):
            action, entity, before, after = ACTIONS[i % len(ACTIONS)]
            moment = start + timedelta(minutes=i)
            ev = Event(
                seq=i + 1, recorded_at=moment, effective_at=moment, recommendation_id=None,
                doc_number=f"{700 + i % 90}/{1 + i % 5}", addressee_code="NL",
                actor="bench-gebruiker", actor_role=SECRETARIAT, actor_org="BNL-PARL",
                action=action, entity=entity, from_state=before, to_state=after,
                reason=f"Besluit nr. {i} van de commissie – één reden",
                payload=history.dump_payload({"due_at": {"NL": "2024-07-01T15:00:00Z"},
                                              "days": i % 40, "note": "été"}),
                prev_hash=prev)
            ev.hash = prev = history.chain_hash(prev, history.canonical(ev))
            rows.append({c.key: getattr(ev, c.key) for c in Event.__table__.columns
                         if c.key != "id"})
            if len(rows) == 5000:
                session.execute(Event.__table__.insert(), rows)
                rows = []
        if rows:
            session.execute(Event.__table__.insert(), rows)
        session.commit()
    finally:
        session.close()
        engine.dispose()


FLOOR_COLUMNS = ("seq, recorded_at, effective_at, recommendation_id, doc_number, "
                 "addressee_code, actor, actor_role, actor_org, action, entity, from_state, "
                 "to_state, reason, payload, prev_hash, hash")


def read_and_hash_floor(engine) -> int:
    """The floor: the same rows read with the raw driver, each hashed once with SHA-256
    over its text (no canonical JSON, no checks)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT {FLOOR_COLUMNS} FROM event ORDER BY seq")  # noqa: S608
        count, prev = 0, history.GENESIS
        while batch := cursor.fetchmany(5000):
            for row in batch:
                prev = hashlib.sha256(f"{prev}\n{row!r}".encode()).hexdigest()
                count += 1
        cursor.close()
        return count
    finally:
        raw.close()


def bench_verification(n: int, postgres: str | None) -> None:
    databases = [("SQLite file", None)]
    if postgres:
        databases.append(("PostgreSQL", postgres))
    for label, url in databases:
        print(f"(b) verify_history over a chain of {n:,} events ({label})")
        with tempfile.TemporaryDirectory() as tmp:
            url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            if url.startswith("postgresql"):
                reset_postgres(url)
            db.upgrade(url)
            built = timed(lambda url=url: build_chain(url, n), repeat=1)
            engine = db.make_engine(url)

            def verify(engine=engine) -> history.Verification:
                session = db.make_session(engine)
                try:
                    return history.verify_history(session)
                finally:
                    session.close()

            assert read_and_hash_floor(engine) == n and verify().ok and verify().checked == n
            floor = timed(lambda engine=engine: read_and_hash_floor(engine))
            measured = timed(verify)
            engine.dispose()
        line("", "floor: driver+sha256", "measured: verify", "of the floor")
        line("events per second", f"{n / floor:,.0f} /s", f"{n / measured:,.0f} /s",
             f"{floor / measured:5.2f}x")
        line("(bulk-appending the chain)", "", f"{n / built:,.0f} /s", "")


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db.database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# --------------------------------------------------------------------------- (c) due dates

CALENDARS = (
    deadlines.Calendar("BE-FED", "BE"),
    deadlines.Calendar("NL", "NL"),
    deadlines.Calendar("LU", "LU"),
    deadlines.Calendar("DE-NW", "DE", "NW"),
)
RULES = tuple(deadlines.DeadlineRule.parse(t) for t in
              ("6 months", "3 months", "40 working days", "60 calendar days"))


def due_date_inputs(n: int) -> list[tuple]:
    rnd = random.Random(2024)
    first = date(2013, 1, 1)
    return [(first + timedelta(days=rnd.randrange(365 * 12)), rnd.choice(RULES),
             rnd.choice(CALENDARS)) for _ in range(n)]


def compute_all(inputs: list[tuple]) -> list[date]:
    return [deadlines.compute_due(start, rule, cal).due_date for start, rule, cal in inputs]


def bench_due_dates(n: int) -> None:
    print(f"(c) {n} due dates (4 calendars, 4 rules, starts over 12 years)")
    inputs = due_date_inputs(n)
    cached_fn = deadlines.rules._holidays_for
    uncached_fn = cached_fn.__wrapped__

    def uncached() -> list[date]:
        deadlines.rules._holidays_for = uncached_fn
        try:
            return compute_all(inputs)
        finally:
            deadlines.rules._holidays_for = cached_fn

    expected = uncached()
    compute_all(inputs)  # warm the cache
    assert compute_all(inputs) == expected
    baseline = timed(uncached, repeat=1)
    measured = timed(lambda: compute_all(inputs))
    cold = []
    for _ in range(3):
        cached_fn.cache_clear()
        cold.append(timed(lambda: compute_all(inputs), repeat=1))
    line("", "baseline: uncached", "measured: cached", "speed-up")
    line("compute_due (warm cache)", f"{baseline:.3f} s", f"{measured:.3f} s",
         f"{baseline / measured:5.1f}x")
    line("compute_due (cache filled during the run)", f"{baseline:.3f} s",
         f"{statistics.median(cold):.3f} s", f"{baseline / statistics.median(cold):5.1f}x")
    line("  per due date", f"{baseline / n * 1e6:,.0f} us", f"{measured / n * 1e6:,.0f} us", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few seconds)")
    parser.add_argument("--postgres", metavar="URL",
                        help="also measure (b) on this PostgreSQL database (it is emptied)")
    args = parser.parse_args(argv)
    rows, events, dues = (300, 2000, 100) if args.quick else (2000, 200_000, 400)
    start = time.perf_counter()
    print(f"Python {sys.version.split()[0]}; ratios compare runs made just now on this machine")
    bench_machines(rows)
    bench_verification(events, args.postgres)
    bench_due_dates(dues)
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
