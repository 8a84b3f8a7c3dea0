"""The scale benchmarks: each figure next to its floor or peer, measured in the same run.

    .venv/bin/python bench/run.py --postgres postgresql://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/run.py --postgres URL --sizes 10k,100k
    .venv/bin/python bench/run.py --smoke        # everything at tiny sizes, in seconds

(a) transitions per second through the project's operations (one transaction each, as a
    request does), against the raw-driver floor (a guarded UPDATE and a hash-chained
    INSERT) and against SpiffWorkflow running the same lifecycle as a BPMN process with
    its state serialised and stored at every step; with the SQL statements per transition;
(b) the sweep's events per second against a raw batch floor writing the same rows;
(c) p50/p95 and SQL statements of each page at every size, and their growth;
(d) history verification against reading the rows and hashing each once;
(e) requests per second and p95 of the dashboard and the API list under the production
    server (waitress, ``followup serve``) with 2 threads, against a trivial page of the
    same app, from a loopback load generator (wrk when installed); (f) the server's peak
    RSS.

The database of each size is ``<URL>_<size>`` (e.g. ``bench_10k``) on the same server,
filled by bench/generate.py when it has fewer recommendations than the size (kept for
the next run); the scratch database ``URL`` itself is emptied. Without --postgres only
SQLite files in a temporary folder are used. Results: a table, and bench/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import bench_workflow  # noqa: E402 - the floor of verification
import generate  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workflow import clock, db, dispatch, history  # noqa: E402
from workflow.cases import registration  # noqa: E402
from workflow.models import Base, Recommendation  # noqa: E402

SEC = generate.SECRETARIAT
# One case's life, fired through dispatch.fire (the entry point of pages, API and CLI).
SCRIPT = (("transmit", {}),
          ("close", {"closure_reason": "lapsed", "reason": "Geen antwoord meer te verwachten."}),
          ("reopen", {"reason": "Nieuwe feiten."}),
          ("start_assessment", {}),
          ("start_monitoring", {}),
          ("close", {"closure_reason": "implemented", "reason": "Uitgevoerd."}))
STATES = ("adopted", "awaiting_answers", "closed", "reopened", "under_assessment",
          "monitoring", "closed")
PAGES = (  # label, user (None: anonymous), path
    ("trivial: /login", None, "/login"),
    ("secretariat dashboard", "secretariaat", "/secretariat/"),
    ("ministry inbox", "minbuza", "/ministry/"),
    ("public scoreboard", None, "/public/scoreboard"),
    ("public index", None, "/public/"),
    ("case list", "secretariaat", "/cases/"),
    ("overdue list", "secretariaat", "/secretariat/lists/overdue"),
    ("API list", "secretariaat", "/api/v1/recommendations"),
)
PASSWORDS = {u[0]: u[1] for u in __import__("workflow.demo", fromlist=["DEMO_USERS"]).DEMO_USERS}
RESULTS: dict = {}


def out(line: str = "") -> None:
    print(line, flush=True)


def row(label: str, *cells: str) -> None:
    out(f"  {label:<34}" + "".join(f"{c:>19}" for c in cells))


def size_label(n: int) -> str:
    for unit, div in (("m", 1_000_000), ("k", 1000)):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def parse_size(text_: str) -> int:
    text_ = text_.strip().lower()
    mult = {"k": 1000, "m": 1_000_000}.get(text_[-1:], 1)
    return int(float(text_.rstrip("km")) * mult)


def sibling(url: str, name: str) -> str:
    return make_url(db.database_url(url)).set(database=name).render_as_string(hide_password=False)


def admin_url(url: str) -> str:
    return sibling(url, "postgres")


def reset_postgres(url: str) -> None:
    bench_workflow.reset_postgres(url)


def ensure_database(url: str) -> None:
    from sqlalchemy import create_engine

    name = make_url(db.database_url(url)).database
    engine = create_engine(db.database_url(admin_url(url)), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": name}).first():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def fresh_database(url: str) -> None:
    """A migrated database with the catalogue and the demo's users and cases."""
    from workflow.demo import load_demo

    db.upgrade(url)
    engine = db.make_engine(url)
    session = db.make_session(engine)
    load_demo(session)
    session.commit()
    session.close()
    engine.dispose()


def recommendations_in(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Recommendation)).scalar()
    finally:
        engine.dispose()


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- (a) transitions


def register_cases(url: str, n: int, prefix: int) -> list[int]:
    engine = db.make_engine(url)
    session = db.make_session(engine)
    now = clock.utcnow() - timedelta(days=2)
    ids = []
    for i in range(n):
        rec = registration.register_recommendation(
            session, SEC, doc_number=f"{prefix + i // 50}/{i % 50 + 1}",
            adopted_on=(now - timedelta(days=3)).date(),
            addressees={c: True for c in generate.CODES[:7]}, title_nl="Bench", now=now)
        ids.append(rec.id)
    session.commit()
    session.close()
    engine.dispose()
    return ids


def through_operations(url: str, ids: list[int]) -> tuple[float, float, dict]:
    """Seconds and SQL statements per transition: load the case, fire, commit; and both
    per trigger (ms, statements)."""
    engine = db.make_engine(url)
    session = db.make_session(engine)
    statements = 0
    per_trigger: dict[str, list[float]] = {}
    start = time.perf_counter()
    for trigger, params in SCRIPT:
        began, counted_before = time.perf_counter(), statements
        for rec_id in ids:
            with db.count_statements(engine) as counted:
                rec = session.get(Recommendation, rec_id)
                dispatch.fire(session, SEC, rec, trigger, **params)
                session.commit()
                session.expunge_all()
            statements += counted.count
        spent = per_trigger.setdefault(trigger, [0.0, 0.0, 0])
        spent[0] += time.perf_counter() - began
        spent[1] += statements - counted_before
        spent[2] += len(ids)
    elapsed = time.perf_counter() - start
    session.close()
    engine.dispose()
    n = len(ids) * len(SCRIPT)
    return elapsed / n, statements / n, {
        t: {"ms": s / k * 1e3, "statements": q / k} for t, (s, q, k) in per_trigger.items()}


def _raw_moment(value: datetime, dialect: str):
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" \
        else value


def raw_floor(url: str, ids: list[int]) -> tuple[float, float]:
    """The least a correct transition does with the raw driver: (PostgreSQL: take the
    chain's lock), read the chain's head, a guarded UPDATE of the state, the hash-chained
    INSERT of the event, commit."""
    engine = db.make_engine(url)
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    ph = "?" if dialect == "sqlite" else "%s"
    cols = ("seq, recorded_at, effective_at, recommendation_id, doc_number, addressee_code, "
            "actor, actor_role, actor_org, action, entity, from_state, to_state, reason, "
            "payload, prev_hash, hash")
    insert = f"INSERT INTO event ({cols}) VALUES ({', '.join([ph] * 17)})"  # noqa: S608
    update = (f"UPDATE recommendation SET state = {ph}, closure_reason = {ph}, "  # noqa: S608
              f"updated_at = {ph}, "
              f"version = version + 1 WHERE id = {ph} AND state = {ph}")
    statements = 0
    cursor = raw.cursor()
    cursor.execute(f"SELECT id, doc_number FROM recommendation WHERE id IN "  # noqa: S608
                   f"({', '.join(str(i) for i in ids)})")
    docs = dict(cursor.fetchall())
    raw.commit()
    start = time.perf_counter()
    for step, (trigger, params) in enumerate(SCRIPT):
        before, after = STATES[step], STATES[step + 1]
        for rec_id in ids:
            now = clock.utcnow()
            if dialect == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (history.CHAIN_LOCK_KEY,))
                statements += 1
            cursor.execute("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1")
            seq, prev = cursor.fetchone() or (0, history.GENESIS)
            cursor.execute(update, (after, params.get("closure_reason") if after == "closed"
                                    else None, _raw_moment(now, dialect), rec_id, before))
            assert cursor.rowcount == 1
            ev = SimpleNamespace(
                seq=seq + 1, recorded_at=now, effective_at=now, recommendation_id=rec_id,
                doc_number=docs[rec_id], addressee_code=None, actor=SEC.username,
                actor_role=SEC.role, actor_org=SEC.organisation, action=trigger,
                entity="recommendation", from_state=before, to_state=after,
                reason=params.get("reason", ""), payload=history.dump_payload(
                    {"closure_reason": params["closure_reason"]}
                    if "closure_reason" in params else {}))
            digest = history.chain_hash(prev, history.canonical(ev))
            cursor.execute(insert, (ev.seq, _raw_moment(now, dialect), _raw_moment(now, dialect),
                                    rec_id, ev.doc_number, None, ev.actor, ev.actor_role,
                                    ev.actor_org, trigger, ev.entity, before, after, ev.reason,
                                    ev.payload, prev, digest))
            raw.commit()
            statements += 3
    elapsed = time.perf_counter() - start
    cursor.close()
    raw.close()
    engine.dispose()
    n = len(ids) * len(SCRIPT)
    return elapsed / n, statements / n


def spiff_process_xml() -> bytes:
    """The same lifecycle as a BPMN process: one user task per step of SCRIPT."""
    names = [f"{t}_{i}" for i, (t, _p) in enumerate(SCRIPT)]
    tasks = "".join(f'<bpmn:userTask id="{n}" name="{n}"/>' for n in names)
    flows, prev = "", "start"
    for name in [*names, "end"]:
        flows += f'<bpmn:sequenceFlow id="f_{prev}_{name}" sourceRef="{prev}" targetRef="{name}"/>'
        prev = name
    return (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="lifecycle_definitions" '
        'targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="lifecycle" '
        f'isExecutable="true"><bpmn:startEvent id="start"/>{tasks}<bpmn:endEvent id="end"/>'
        f'{flows}</bpmn:process></bpmn:definitions>').encode()


def spiff(url: str, n: int) -> tuple[float, float] | None:
    """SpiffWorkflow: per step, read the case's serialised workflow, deserialise it, run
    the ready task and the engine steps, serialise it, store it, commit."""
    try:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.util.task import TaskState
    except ImportError:
        return None
    parser = BpmnParser()
    parser.add_bpmn_str(spiff_process_xml())
    spec = parser.get_spec("lifecycle")
    serializer = BpmnWorkflowSerializer()
    engine = db.make_engine(url)
    dialect = engine.dialect.name
    ph = "?" if dialect == "sqlite" else "%s"
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("DROP TABLE IF EXISTS bench_spiff_case")
    cursor.execute("CREATE TABLE bench_spiff_case (id INTEGER PRIMARY KEY, state TEXT)")
    for i in range(n):
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        cursor.execute(f"INSERT INTO bench_spiff_case VALUES ({ph}, {ph})",  # noqa: S608
                       (i, serializer.serialize_json(wf)))
    raw.commit()
    statements = 0
    start = time.perf_counter()
    for _step in SCRIPT:
        for i in range(n):
            cursor.execute(f"SELECT state FROM bench_spiff_case WHERE id = {ph}", (i,))  # noqa: S608
            wf = serializer.deserialize_json(cursor.fetchone()[0])
            [task] = wf.get_tasks(state=TaskState.READY, manual=True)
            task.run()
            wf.do_engine_steps()
            cursor.execute(f"UPDATE bench_spiff_case SET state = {ph} WHERE id = {ph}",  # noqa: S608
                           (serializer.serialize_json(wf), i))
            raw.commit()
            statements += 2
    elapsed = time.perf_counter() - start
    cursor.execute("DROP TABLE bench_spiff_case")
    raw.commit()
    cursor.close()
    raw.close()
    engine.dispose()
    return elapsed / (n * len(SCRIPT)), statements / (n * len(SCRIPT))


def bench_transitions(databases: dict[str, str], cases: int) -> None:
    out(f"(a) transitions: {len(SCRIPT)} steps on each of {cases} cases, "
        "one transaction per step")
    row("", "operations", "raw floor", "SpiffWorkflow", "ops/floor", "ops/Spiff")
    RESULTS["transitions"] = {}
    for label, url in databases.items():
        ops_ids = register_cases(url, cases, 5000)
        floor_ids = register_cases(url, cases, 7000)
        ops, ops_sql, by_trigger = through_operations(url, ops_ids)
        floor, floor_sql = raw_floor(url, floor_ids)
        peer = spiff(url, cases)
        spiff_s, spiff_sql = peer if peer else (float("nan"), float("nan"))
        row(f"{label}: transitions/s", f"{1 / ops:,.0f}", f"{1 / floor:,.0f}",
            f"{1 / spiff_s:,.0f}", f"{floor / ops:.2f}", f"{spiff_s / ops:.2f}x")
        row(f"{label}: SQL statements each", f"{ops_sql:.1f}", f"{floor_sql:.1f}",
            f"{spiff_sql:.1f}", "", "")
        RESULTS["transitions"][label] = {
            "operations_per_s": 1 / ops, "floor_per_s": 1 / floor, "spiff_per_s": 1 / spiff_s,
            "statements": {"operations": ops_sql, "floor": floor_sql, "spiff": spiff_sql},
            "of_floor": floor / ops, "vs_spiff": spiff_s / ops, "operations_by_trigger": by_trigger}
        out("    operations per trigger: " + ", ".join(
            f"{t} {v['ms']:.1f} ms ({v['statements']:.0f} SQL)" for t, v in by_trigger.items()))


# --------------------------------------------------------------------------- (b) sweep


ID_TABLES = [t for t in Base.metadata.sorted_tables if "id" in t.c]  # parents first


def _ids(conn) -> dict[str, int]:
    return {t.name: conn.execute(select(func.max(t.c.id))).scalar() or 0 for t in ID_TABLES}


def _new_rows(conn, since: dict[str, int]) -> dict[str, list[dict]]:
    return {t.name: [dict(r._mapping) for r in conn.execute(
        select(t).where(t.c.id > since[t.name]).order_by(t.c.id))] for t in ID_TABLES}


def batch_floor(engine, written: dict[str, list[dict]], updates: Callable | None = None) -> float:
    """Seconds to write the same new rows with one ``executemany`` per table (and the
    same updates), in one transaction, rolled back."""
    with engine.connect() as conn:
        start = time.perf_counter()
        for table in ID_TABLES:
            if written[table.name]:
                conn.execute(table.insert(), written[table.name])
        if updates:
            updates(conn)
        elapsed = time.perf_counter() - start
        conn.rollback()
    return elapsed


def measured_batch(url: str, work: Callable, progress_of: Callable | None = None):
    """Run ``work(session)`` in one transaction; the rows it wrote, its time, its
    statements, and what it returned; everything rolled back."""
    engine = db.make_engine(url)
    session = db.make_session(engine)
    try:
        since = _ids(session.connection())
        session.rollback()
        with db.count_statements(engine) as counted:
            start = time.perf_counter()
            returned = work(session)
            session.flush()
            elapsed = time.perf_counter() - start
        written = _new_rows(session.connection(), since)
        extra = progress_of(session.connection(), since) if progress_of else None
        session.rollback()
        return engine, written, elapsed, counted.count, returned, extra
    except Exception:
        session.rollback()
        engine.dispose()
        raise
    finally:
        session.close()


def _batch_line(kind: str, label: str, detail: str, events: int, elapsed: float,
                floor: float, statements: int) -> None:
    out(f"(b) {kind} on {label}: {detail}, {events:,} events, {statements:,} statements")
    row("", kind, "batch floor", "of the floor")
    row("events per second", f"{events / elapsed:,.0f}", f"{events / floor:,.0f}",
        f"{floor / elapsed:.2f}")
    RESULTS.setdefault(kind, {})[label] = {
        "events": events, "statements": statements, "events_per_s": events / elapsed,
        "floor_per_s": events / floor, "of_floor": floor / elapsed, "detail": detail}


def bench_sweep(label: str, url: str) -> None:
    """The sweep on a generated database (never swept: its notices are all due), in one
    transaction rolled back; the floor writes the same rows (events, notices,
    notifications, the run) and the entries' progress with executemany, rolled back too."""
    from sqlalchemy import bindparam, update

    from workflow.cases.models import CaseAddressee
    from workflow.reminders import sweep as sweeping

    ca, notice = CaseAddressee.__table__, Base.metadata.tables["deadline_notice"]

    def progress_of(conn, since):
        touched = select(func.distinct(notice.c.case_addressee_id)).where(
            notice.c.id > since["deadline_notice"])
        return [{"pk": r.id, "nu": r.notices_until, "nn": r.next_notice_at}
                for r in conn.execute(select(ca.c.id, ca.c.notices_until, ca.c.next_notice_at)
                                      .where(ca.c.id.in_(touched)))]

    engine, written, elapsed, statements, summary, progress = measured_batch(
        url, lambda session: sweeping.sweep(session), progress_of)

    def updates(conn):
        if progress:
            conn.execute(update(ca).where(ca.c.id == bindparam("pk")).values(
                notices_until=bindparam("nu"), next_notice_at=bindparam("nn")), progress)

    try:
        floor = batch_floor(engine, written, updates)
    finally:
        engine.dispose()
    _batch_line("sweep", label, f"{summary.examined:,} entries examined",
                len(written["event"]), elapsed, floor, statements)


def import_content(copies: int) -> bytes:
    """The sample import file's recommendations, ``copies`` times with new numbers."""
    sample = json.loads((ROOT / "samples" / "import-sample.json").read_text())
    records = []
    for k in range(copies):
        for i, rec in enumerate(sample["recommendations"]):
            records.append({**rec, "doc_number": f"{90000 + k}/{i + 1}"})
    return json.dumps({"recommendations": records}).encode()


def bench_import(label: str, url: str, copies: int) -> None:
    """``followup import`` of historic records (the sample file's, repeated), one
    transaction rolled back; the floor writes the same rows with executemany."""
    from workflow.importing import importer

    content = import_content(copies)

    def work(session):
        report = importer.import_file(session, "bench.json", content)
        assert report.ok, report.problems[:3]
        return report

    engine, written, elapsed, statements, _report, _ = measured_batch(url, work)
    try:
        floor = batch_floor(engine, written)
    finally:
        engine.dispose()
    _batch_line("import", label, f"{len(written['recommendation']):,} recommendations",
                len(written["event"]), elapsed, floor, statements)


# --------------------------------------------------------------------------- (c) pages


def make_app(url: str, instance: Path):
    os.environ["FOLLOWUP_INSTANCE"] = str(instance)
    os.environ.setdefault("FOLLOWUP_SECRET_KEY", "bench-secret")
    from web import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db.database_url(url),
                       "WTF_CSRF_ENABLED": False})


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def measure_pages(url: str, repeat: int, instance: Path) -> dict:
    from web.extensions import db as web_db

    app = make_app(url, instance)
    clients = {}
    results = {}
    with app.app_context():  # not around the requests: each has its own (and its own g)
        engine = web_db.engine
    if True:
        for label, user, path in PAGES:
            if user not in clients:
                clients[user] = app.test_client()
                if user:
                    response = clients[user].post("/login", data={
                        "username": user, "password": PASSWORDS[user]})
                    assert response.status_code == 302, response.status_code
            client = clients[user]
            warm = client.get(path)
            assert warm.status_code == 200, (path, warm.status_code, warm.location,
                                             warm.get_data(as_text=True)[-600:])
            times, statements = [], 0
            for _ in range(repeat):
                with db.count_statements(engine) as counted:
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, (path, response.status_code)
                statements = counted.count
            results[label] = {"p50_ms": statistics.median(times) * 1e3,
                              "p95_ms": percentile(times, 95) * 1e3, "statements": statements}
    with app.app_context():
        web_db.session.remove()
        web_db.engine.dispose()
    return results


def bench_pages(sized: dict[int, str], repeat: int, instance: Path) -> None:
    sizes = sorted(sized)
    by_size = {n: measure_pages(sized[n], repeat, instance) for n in sizes}
    out(f"(c) pages, p50 / p95 in ms and SQL statements, {repeat} requests each "
        "(Flask test client, no network)")
    row("", *[size_label(n) for n in sizes], "growth p50", "x trivial")
    for label, _u, _p in PAGES:
        cells = [f"{by_size[n][label]['p50_ms']:.1f}/{by_size[n][label]['p95_ms']:.1f} "
                 f"({by_size[n][label]['statements']})" for n in sizes]
        growth = by_size[sizes[-1]][label]["p50_ms"] / by_size[sizes[0]][label]["p50_ms"]
        trivial = by_size[sizes[-1]][label]["p50_ms"] / \
            by_size[sizes[-1]][PAGES[0][0]]["p50_ms"]
        row(label, *cells, f"{growth:.2f}", f"{trivial:.1f}")
    RESULTS["pages"] = {size_label(n): by_size[n] for n in sizes}


# --------------------------------------------------------------------------- (d) verify


def bench_verify(label: str, url: str) -> None:
    engine = db.make_engine(url)

    def verify() -> history.Verification:
        session = db.make_session(engine)
        try:
            return history.verify_history(session)
        finally:
            session.close()

    floor_s, count = float("inf"), 0
    measured, result = float("inf"), None
    for _ in range(2):
        start = time.perf_counter()
        count = bench_workflow.read_and_hash_floor(engine)
        floor_s = min(floor_s, time.perf_counter() - start)
        start = time.perf_counter()
        result = verify()
        measured = min(measured, time.perf_counter() - start)
    engine.dispose()
    assert result.ok and result.checked == count, result.describe()
    out(f"(d) verify_history over {count:,} events ({label})")
    row("", "floor: read+sha256", "verify", "of the floor")
    row("events per second", f"{count / floor_s:,.0f}", f"{count / measured:,.0f}",
        f"{floor_s / measured:.2f}")
    RESULTS.setdefault("verify", {})[label] = {
        "events": count, "floor_per_s": count / floor_s, "verify_per_s": count / measured,
        "of_floor": floor_s / measured}


# --------------------------------------------------------------------------- (e, f) HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login_cookie(base: str, user: str) -> str:
    """Log in through the form (CSRF token and all), as a browser does: the session cookie."""
    with urllib.request.urlopen(f"{base}/login") as response:  # noqa: S310 - loopback
        page = response.read().decode()
        cookie = response.headers.get("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urllib.parse.urlencode({"username": user, "password": PASSWORDS[user],
                                   "csrf_token": token.group(1) if token else ""}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/login", data=body, headers={"Cookie": cookie})
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as exc:
        response = exc
    assert response.status == 302, f"log-in failed: {response.status}"
    return response.headers.get("Set-Cookie", "").split(";")[0]


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %f %f %f %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load(url: str, cookie: str, seconds: float, connections: int, tmp: Path) -> dict:
    """Requests/s, p50 and p95 (ms) and errors of GET url, from wrk when installed, else
    from a bounded Python load generator (threads of keep-alive connections)."""
    wrk = shutil.which("wrk")
    if wrk:
        script = tmp / "report.lua"
        script.write_text(WRK_SCRIPT)
        result = subprocess.run(  # noqa: S603
            [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
             "-s", str(script),
             "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=True)
        line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
        requests, duration, p50, p95, errors = line.split()[1:]
        if not int(requests):
            raise RuntimeError(f"wrk completed no request: {result.stdout}")
        return {"tool": "wrk", "req_per_s": int(requests) / float(duration),
                "p50_ms": float(p50), "p95_ms": float(p95), "errors": int(errors)}
    import http.client

    parts = urllib.parse.urlsplit(url)
    times: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < stop:
            start = time.perf_counter()
            conn.request("GET", parts.path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            times.append(time.perf_counter() - start)
            if response.status != 200:
                errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    return {"tool": "python", "req_per_s": len(times) / took,
            "p50_ms": statistics.median(times) * 1e3, "p95_ms": percentile(times, 95) * 1e3,
            "errors": errors[0]}


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        import resource

        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_http(label: str, url: str, seconds: float, tmp: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "FOLLOWUP_INSTANCE": str(tmp / "serve"),
           "FOLLOWUP_SECRET_KEY": "bench-secret", "FOLLOWUP_ENV": "production"}
    followup = Path(sys.executable).with_name("followup")
    command = [str(followup)] if followup.exists() else [sys.executable, "-m", "followup.cli"]
    # its output to a file: a pipe nobody reads fills up (waitress warns of every queued
    # request under load) and the server would block writing to it
    server_log = (tmp / "serve.log").open("wb")
    server = subprocess.Popen([*command, "serve", "--threads", "2", "--port", str(port)],  # noqa: S603
                              env=env, stdout=server_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=5):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: "
                                       f"{(tmp / 'serve.log').read_text()[-2000:]}") from None
                time.sleep(0.5)
        cookie = login_cookie(base, "secretariaat")
        measured = {}
        for name, path in (("trivial: /login", "/login"),
                           ("secretariat dashboard", "/secretariat/"),
                           ("API list", "/api/v1/recommendations")):
            for _ in range(2):  # warm, one at a time
                request = urllib.request.Request(f"{base}{path}",  # noqa: S310 - loopback
                                                 headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    assert response.status == 200, (path, response.status)
            measured[name] = load(f"{base}{path}", cookie, seconds, 4, tmp)
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
        if server.poll() is None:
            server.kill()
        server_log.close()
    trivial = measured["trivial: /login"]["req_per_s"]
    out(f"(e) HTTP under waitress (followup serve --threads 2), {label}, 4 loopback "
        f"connections, {seconds:.0f} s each ({measured['trivial: /login']['tool']})")
    row("", "req/s", "p50 ms", "p95 ms", "of trivial", "errors")
    for name, m in measured.items():
        row(name, f"{m['req_per_s']:,.0f}", f"{m['p50_ms']:.1f}", f"{m['p95_ms']:.1f}",
            f"{m['req_per_s'] / trivial:.2f}", str(m["errors"]))
    out(f"(f) peak RSS of the server process: {rss:.0f} MB")
    RESULTS["http"] = {"database": label, "pages": measured, "peak_rss_mb": rss}


# --------------------------------------------------------------------------- goals


def goals() -> list[tuple[str, bool | None, str]]:
    checks = []
    for label, t in RESULTS.get("transitions", {}).items():
        checks.append((f"transitions {label} >= 1/3 of the raw floor", t["of_floor"] >= 1 / 3,
                       f"{t['of_floor']:.2f}"))
        checks.append((f"transitions {label} >= 2x SpiffWorkflow", t["vs_spiff"] >= 2,
                       f"{t['vs_spiff']:.2f}x"))
    for kind in ("sweep", "import"):
        for label, s in RESULTS.get(kind, {}).items():
            checks.append((f"{kind} {label} >= 1/2 of the batch floor", s["of_floor"] >= 0.5,
                           f"{s['of_floor']:.2f}"))
    pages = RESULTS.get("pages", {})
    if len(pages) >= 2:
        small, large = pages[next(iter(pages))], pages[list(pages)[-1]]
        for label, _u, _p in PAGES[1:]:
            growth = large[label]["p50_ms"] / small[label]["p50_ms"]
            checks.append((f"{label}: p50 growth {next(iter(pages))}->{list(pages)[-1]} <= 2x",
                           growth <= 2, f"{growth:.2f}"))
            vs = large[label]["p50_ms"] / large[PAGES[0][0]]["p50_ms"]
            checks.append((f"{label}: within 10x of trivial", vs <= 10, f"{vs:.1f}x"))
    for label, v in RESULTS.get("verify", {}).items():
        checks.append((f"verify {label} >= 100k/s and >= 0.8 of floor",
                       v["verify_per_s"] >= 100_000 and v["of_floor"] >= 0.8,
                       f"{v['verify_per_s']:,.0f}/s, {v['of_floor']:.2f}"))
    http = RESULTS.get("http")
    if http:
        share = http["pages"]["secretariat dashboard"]["req_per_s"] / \
            http["pages"]["trivial: /login"]["req_per_s"]
        checks.append((f"dashboard throughput >= 30% of trivial ({http['database']})",
                       share >= 0.3, f"{share:.2f}"))
        checks.append(("server peak RSS <= 200 MB", http["peak_rss_mb"] <= 200,
                       f"{http['peak_rss_mb']:.0f} MB"))
    return checks


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "date": date.today().isoformat()}
    with contextlib.suppress(OSError):
        info["load_average"] = os.getloadavg()
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL scratch database (emptied);"
                        " the sized databases are URL_<size> on the same server")
    parser.add_argument("--sizes", default=None, help="comma-separated, e.g. 10k,100k,1m "
                        "(default 10k,100k,1m; --smoke: 20,60)")
    parser.add_argument("--cases", type=int, default=None, help="cases in (a) (default 150)")
    parser.add_argument("--repeat", type=int, default=None, help="requests per page in (c)")
    parser.add_argument("--seconds", type=float, default=None, help="load per URL in (e)")
    parser.add_argument("--skip", default="", help="sections to leave out, e.g. a,e")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    parser.add_argument("--merge", action="store_true",
                        help="keep the sections of the output file that this run skips")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in (args.sizes or ("20,60" if args.smoke
                                                    else "10k,100k,1m")).split(",")]
    cases = args.cases or (4 if args.smoke else 150)
    repeat = args.repeat or (3 if args.smoke else 20)
    seconds = args.seconds or (1.0 if args.smoke else 10.0)
    skip = set(args.skip.split(",")) - {""}
    began = time.perf_counter()
    if args.merge and Path(args.output).exists():
        RESULTS.update(json.loads(Path(args.output).read_text()))
    RESULTS.update(machine=machine(), sizes=sizes, smoke=args.smoke)
    out(f"Python {platform.python_version()}, {os.cpu_count()} CPUs; every figure is next to "
        "its floor or peer measured in this run")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        scratch = {"SQLite": f"sqlite:///{tmp / 'scratch.db'}"}
        if args.postgres:
            ensure_database(args.postgres)
            reset_postgres(args.postgres)
            scratch["PostgreSQL"] = args.postgres
        for url in scratch.values():
            fresh_database(url)
        if "a" not in skip:
            bench_transitions(scratch, cases)
        sized = {}
        for n in sizes:
            if args.postgres:
                url = sibling(args.postgres, f"{make_url(db.database_url(args.postgres)).database}"
                              f"_{size_label(n)}")
                ensure_database(url)
            else:
                url = f"sqlite:///{tmp / f'size_{n}.db'}"
            fresh_database(url)
            have = recommendations_in(url)
            if have < n:
                out(f"generating {n - have:,} recommendations into the {size_label(n)} database")
                generate.generate(url, n - have, templates=min(generate.MAX_TEMPLATES,
                                                               max(5, n // 4)),
                                  log=lambda line: out(f"    {line}"))
            sized[n] = url
        label_of = {n: f"{'PostgreSQL' if args.postgres else 'SQLite'} {size_label(n)}"
                    for n in sizes}
        if "b" not in skip:
            bench_sweep(label_of[sizes[0]], sized[sizes[0]])
            bench_import(label_of[sizes[0]], sized[sizes[0]], 2 if args.smoke else 50)
        if "c" not in skip:
            bench_pages(sized, repeat, tmp / "instance")
        if "d" not in skip:
            for n in sizes:
                bench_verify(label_of[n], sized[n])
        if "e" not in skip:
            middle = sizes[1] if len(sizes) > 1 else sizes[0]
            bench_http(label_of[middle], sized[middle], seconds, tmp)
    checks = goals()
    out("goals")
    for name, ok, value in checks:
        out(f"  [{'met ' if ok else 'MISS'}] {name}: {value}")
    RESULTS["goals"] = [{"goal": n, "met": ok, "value": v} for n, ok, v in checks]
    RESULTS["seconds"] = time.perf_counter() - began
    Path(args.output).write_text(json.dumps(RESULTS, indent=2, default=str) + "\n")
    out(f"done in {RESULTS['seconds']:.1f} s; results in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
