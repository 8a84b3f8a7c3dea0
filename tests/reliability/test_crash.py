"""kill -9 of the production server (waitress, as `followup serve` runs it) while clients
import recommendations concurrently: after a restart every acknowledged import is there
with all its events, nothing is half-written, and the history's chain is intact."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from sqlalchemy import func, select

from workflow import db as wdb
from workflow import history
from workflow.accounts import tokens
from workflow.demo import load_demo
from workflow.models import Event, Recommendation, User

CLIENTS = 4
RUN_SECONDS = 4.0
HEADER = ("doc_number,adopted_on,title_nl,title_fr,deadline_rule,published,transmitted_on,"
          "addressee,required,answer_kind,answer_position,answer_letter_date,"
          "answer_received_on,answer_text_nl\n")


def _record(doc: str) -> bytes:
    rows = [f"{doc},2021-03-20,Titel {doc},Titre {doc},6 months,yes,2021-04-01,NL,yes,"
            "final,agrees,2021-09-01,2021-09-03,Wij steunen de aanbeveling.",
            f"{doc},,,,,,,BE-FED,yes,interim,,2021-06-01,2021-06-02,Tussentijds antwoord."]
    return (HEADER + "\n".join(rows) + "\n").encode()


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", "from followup.cli import main; main()", "serve", "--port",
         str(port), "--threads", "4"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    server.kill()
    raise AssertionError("the server did not start")


def _token(url: str) -> str:
    engine = wdb.make_engine(url)
    session = wdb.make_session(engine)
    load_demo(session)  # no-op when the demo is there
    user = session.scalar(select(User).where(User.username == "secretariaat"))
    secret = tokens.create_token(session, user, "crash test").secret
    session.commit()
    session.close()
    engine.dispose()
    return secret


def test_kill_9_loses_no_acknowledged_import_and_leaves_no_half(db_url, tmp_path):
    secret = _token(db_url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "FOLLOWUP_SECRET_KEY": "crash-test",
           "FOLLOWUP_INSTANCE": str(tmp_path / "instance")}
    server = _start(env, port)
    acknowledged: set[str] = set()
    sent: set[str] = set()
    lock, stop = threading.Lock(), threading.Event()

    def client(number: int) -> None:
        index = 0
        while not stop.is_set():
            index += 1
            doc = f"{800 + number}/{index}"
            body, content_type = _multipart(f"{doc.replace('/', '-')}.csv", _record(doc))
            with lock:
                sent.add(doc)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("POST", "/api/v1/imports", body, {
                    "Authorization": f"Bearer {secret}", "Content-Type": content_type})
                response = conn.getresponse()
                report = json.loads(response.read() or b"{}")
            except (OSError, http.client.HTTPException, ValueError):
                return  # the server is gone
            finally:
                conn.close()
            if response.status == 200 and report.get("created") == [doc]:
                with lock:
                    acknowledged.add(doc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(RUN_SECONDS)
    os.kill(server.pid, signal.SIGKILL)  # no shutdown, no chance to finish anything
    server.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 5, "too few imports were acknowledged to prove anything"

    restarted = _start(env, port)  # the database recovers on the next start
    try:
        engine = wdb.make_engine(db_url)
        session = wdb.make_session(engine)
        stored = dict(session.execute(
            select(Recommendation.doc_number, func.count(Event.id))
            .join(Event, Event.recommendation_id == Recommendation.id)
            .where(Recommendation.doc_number.in_(sorted(sent)))
            .group_by(Recommendation.doc_number)).all())
        verification = history.verify_history(session)
        seqs = list(session.scalars(select(Event.seq).order_by(Event.seq)))
        session.close()
        engine.dispose()
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
    lost = [doc for doc in acknowledged if doc not in stored]
    # every import is the same record: a whole one has the same number of events as the
    # first acknowledged one had when nothing was in flight
    whole = stored[min(acknowledged, key=lambda d: (int(d.split("/")[0]), int(d.split("/")[1])))]
    half = {doc: n for doc, n in stored.items() if n != whole}
    print(f"kill -9: {len(acknowledged)} imports acknowledged, {len(stored)} stored, "
          f"{len(lost)} lost, {len(half)} half-written, {len(seqs)} events, chain "
          f"{'intact' if verification.ok else 'BROKEN'}")
    assert lost == [] and half == {}, (lost, half)
    assert whole >= 4
    assert verification.ok, verification.describe()
    assert seqs == list(range(1, len(seqs) + 1))
