"""Fill a database with many realistic recommendations, fast.

    DATABASE_URL=postgresql://... followup init-db     # (optionally: followup demo)
    DATABASE_URL=postgresql://... .venv/bin/python bench/generate.py --recommendations 100000

How: a few hundred *template* cases are played through the project's own operations
(registration, publication, transmission, interim and final replies, refusals, requests
for more time granted or refused, clock stops, waivers, assessment, monitoring, follow-up
questions, closure, reopening), on a scratch SQLite database, at moments spread over ten
years before now. Everything the operations store (the states, the stored deadline state,
the scoreboard figures, the answers, adjustments and requests, the events) is then copied
as many times as needed into the target database with fresh ids and document numbers (the
scoreboard's summary cells are then recomputed from all the entries in one statement), and
the events are chained again, in time order, with the history's own canonical form and
hash (``history.canonical`` and ``history.chain_hash``), after the target's current head.
So every copy is consistent exactly as the operations leave a case, and
``followup verify-history`` accepts the chain. Rows are written with COPY on PostgreSQL
(psycopg 3) and ``executemany`` on SQLite, in one transaction holding the chain's lock.

Not generated: attachments, written questions, notifications and the sweep's notices (the
sweep finds the notices due on its next run; ``bench/run.py`` measures that).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from workflow import clock, db, errors, history
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import catalogue, due_dates, registration, transitions
from workflow.cases.models import Recommendation
from workflow.lifecycle import CLOSURE_REASONS
from workflow.models import Base
from workflow.publishing.models import rebuild_cells

# The tables copied per case, parents first; every other table must stay empty in the
# templates (the catalogue of addressees is synchronised in the target instead).
CASE_TABLES = ("recommendation", "case_addressee", "answer", "attachment",
               "deadline_adjustment", "extension_request", "deadline_notice", "event")
GLOBAL_TABLES = ("addressee", "closing_day")
# Derived from the copied rows: recomputed in the target at the end, not copied.
DERIVED_TABLES = ("scoreboard_cell",)
# Ids the events' payloads carry, by key: the table they point into.
PAYLOAD_IDS = {"answer_id": "answer"}
EVENT_FIELDS = ("seq", "recorded_at", "effective_at", "recommendation_id", "doc_number",
                "addressee_code", "actor", "actor_role", "actor_org", "action", "entity",
                "from_state", "to_state", "reason", "payload")
MAX_TEMPLATES = 400
SECRETARIAT = Actor("secretariaat", "secretariat", "BNL-PARL")  # the demo's secretariat
FOCAL_POINTS = {"NL": "minbuza", "BE-FED": "spf-affaires-etrangeres", "LU": "maee-lu",
                "DE-NW": "nrw-staatskanzlei", "CM": "comite-ministres"}  # the demo's users
CODES = ("CM", "BE-FED", "BE-VLG", "BE-WAL", "BE-BRU", "BE-FWB", "BE-DG", "NL", "LU", "DE-NW")
SUBJECTS = (
    ("Sociale Aangelegenheden", "Sociale cohesie",
     "Sociale zekerheid van grensarbeiders", "Sécurité sociale des travailleurs frontaliers"),
    ("Duurzame Ontwikkeling", "Energie",
     "Gezamenlijke energie-infrastructuur op zee", "Infrastructure énergétique commune en mer"),
    ("Justitie en Veiligheid", "Veiligheid",
     "Grensoverschrijdende politiesamenwerking", "Coopération policière transfrontalière"),
    ("Grensoverschrijdende Samenwerking", "Mobiliteit",
     "Treinverbindingen tussen de Benelux-steden", "Liaisons ferroviaires entre villes Benelux"),
    ("Economie en Financiën", "Economie en kennis",
     "Erkenning van diploma's en beroepskwalificaties",
     "Reconnaissance des diplômes et qualifications professionnelles"),
    ("Duurzame Ontwikkeling", "Milieu",
     "Waterkwaliteit van grensoverschrijdende rivieren",
     "Qualité de l'eau des rivières transfrontalières"),
    ("Grensoverschrijdende Samenwerking", "Gezondheid",
     "Grensoverschrijdende inzet van hulpdiensten",
     "Intervention transfrontalière des services de secours"),
    ("Buitenlandse Aangelegenheden", "Benelux-samenwerking",
     "De rol van het Beneluxparlement", "Le rôle du Parlement Benelux"),
)
RULES = ("6 months",) * 6 + ("3 months", "3 months", "40 working days", "60 calendar days")
POSITIONS = ("agrees",) * 4 + ("partly_agrees",) * 3 + ("disagrees", "takes_note", "takes_note")


def focal_point(code: str) -> Actor:
    return Actor(FOCAL_POINTS.get(code, f"{code.lower()}-focal"), "ministry", code)


# --------------------------------------------------------------------------- templates


@dataclass
class Plan:
    """What happens to one template case, as (moment, order, action) steps."""

    doc: str
    steps: list[tuple[datetime, int, Callable[[], None]]]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, day_time(hour), tzinfo=UTC)


def plan_case(session, rnd: random.Random, index: int, today: date, found: dict) -> Plan:
    """A realistic life for one case: adopted up to ten years ago, sent to about seven
    addressees, each answering (or not) at its own pace, assessed and closed when the
    answers are in; some extensions, clock stops, waivers, follow-ups and reopenings."""
    doc = f"{index + 1}/1"
    committee, theme, title_nl, title_fr = rnd.choice(SUBJECTS)
    adopted = today - timedelta(days=rnd.randint(3, 3650))
    codes = rnd.sample(CODES, rnd.choice((4, 5, 6, 7, 7, 7, 8, 8, 9, 10)))
    wanted = {c: rnd.random() > 0.12 for c in codes}
    rule = rnd.choice(RULES)
    steps: list[tuple[datetime, int, Callable[[], None]]] = []

    def rec() -> Recommendation:
        return found[doc]

    def add(moment: datetime, action: Callable[[], None]) -> None:
        if moment.date() < today:  # only what has happened by now
            steps.append((moment, len(steps), action))

    def register():
        found[doc] = registration.register_recommendation(
            session, SECRETARIAT, doc_number=doc, adopted_on=adopted, addressees=wanted,
            title_nl=f"{title_nl} ({index % 97 + 1})", title_fr=f"{title_fr} ({index % 97 + 1})",
            text_nl=f"Het Beneluxparlement beveelt de regeringen aan: {title_nl.lower()}.",
            text_fr=f"Le Parlement Benelux recommande aux gouvernements : {title_fr.lower()}.",
            committee=committee, theme=theme,
            session_label=f"Plenaire zitting {adopted.isoformat()[:7]}", deadline_rule=rule,
            now=_at(adopted, 9))

    add(_at(adopted, 9), register)
    if rnd.random() < 0.85:
        add(_at(adopted, 11),
            lambda: registration.set_published(session, SECRETARIAT, rec(), True,
                                               now=_at(adopted, 11)))
    sent = adopted + timedelta(days=rnd.randint(1, 20))
    if sent >= today:
        return Plan(doc, steps)
    add(_at(sent, 10), lambda: transitions.transmit(session, SECRETARIAT, rec(),
                                                    now=_at(sent, 10)))
    last_reply = sent
    answered_all = True
    cm_answer = None
    for code in codes:
        actor = focal_point(code)

        def entry(code=code):
            return rec().entry(code)

        if rnd.random() < 0.25:
            day = sent + timedelta(days=rnd.randint(15, 90))
            add(_at(day, 14), lambda e=entry, a=actor, d=day: replies.submit_reply(
                session, a, e(), kind="interim", text_nl="Tussentijds antwoord: de "
                "regering onderzoekt de aanbeveling.", text_fr="Réponse intermédiaire : le "
                "gouvernement examine la recommandation.", letter_date=d - timedelta(days=2),
                now=_at(d, 14)))
        if rnd.random() < 0.12:
            day = sent + timedelta(days=rnd.randint(60, 150))
            add(_at(day, 15), lambda e=entry, a=actor, d=day: due_dates.request_extension(
                session, a, e(), reason="Het interministerieel overleg loopt nog.",
                now=_at(d, 15)))
            decided = day + timedelta(days=rnd.randint(1, 10))
            if rnd.random() < 0.75:
                days = rnd.choice((20, 30, 45, 60))
                add(_at(decided, 10), lambda e=entry, d=decided, n=days:
                    due_dates.grant_extension(session, SECRETARIAT, e(), days=n,
                                              reason="Verzoek ingewilligd.", now=_at(d, 10)))
            else:
                add(_at(decided, 10), lambda e=entry, d=decided: due_dates.refuse_extension(
                    session, SECRETARIAT, next(r for r in e().extension_requests
                                               if r.status == "open"),
                    reason="Niet gemotiveerd.", now=_at(d, 10)))
        if rnd.random() < 0.04:
            start = sent + timedelta(days=rnd.randint(5, 40))
            end = start + timedelta(days=rnd.randint(10, 60))
            add(_at(start, 12), lambda e=entry, s=start: due_dates.stop_clock(
                session, SECRETARIAT, e(), start=s, reason="In afwachting van een besluit "
                "van het Comité van Ministers.", now=_at(s, 12)))
            add(_at(end + timedelta(days=1), 12), lambda e=entry, x=end: due_dates.resume_clock(
                session, SECRETARIAT, e(), end=x, now=_at(x + timedelta(days=1), 12)))
        roll = rnd.random()
        day = sent + timedelta(days=int(rnd.triangular(30, 500, 150)))
        if roll < 0.80 or (code == "CM" and roll < 0.9):
            position = rnd.choice(POSITIONS)
            add(_at(day, 16), lambda e=entry, a=actor, d=day, p=position: replies.submit_reply(
                session, a, e(), kind="final", position=p,
                text_nl="Antwoord van de regering op de aanbeveling.",
                text_fr="Réponse du gouvernement à la recommandation.",
                letter_date=d - timedelta(days=rnd.randint(0, 9)), now=_at(d, 16)))
            last_reply = max(last_reply, day)
            if code == "CM":
                cm_answer = day
        elif roll < 0.84:
            add(_at(day, 16), lambda e=entry, a=actor, d=day: replies.submit_reply(
                session, a, e(), kind="declined", reason="De aangelegenheid valt buiten de "
                "bevoegdheid van deze regering.", now=_at(d, 16)))
            last_reply = max(last_reply, day)
        elif wanted[code]:
            answered_all = False
    if cm_answer is not None:
        for code in codes:
            if code != "CM" and rnd.random() < 0.3:
                day = cm_answer + timedelta(days=1)
                add(_at(day, 9), lambda c=code, d=day: replies.waive(
                    session, SECRETARIAT, rec().entry(c), now=_at(d, 9),
                    reason="Gedekt door het collectieve antwoord van het Comité van Ministers"))
    if not answered_all:
        if rnd.random() < 0.5:  # long unanswered: closed as lapsed after a few years
            day = sent + timedelta(days=rnd.randint(700, 1500))
            add(_at(day, 10), lambda d=day: transitions.close(
                session, SECRETARIAT, rec(), closure_reason="lapsed",
                reason="Geen antwoord meer te verwachten.", now=_at(d, 10)))
        return Plan(doc, steps)
    assessed = last_reply + timedelta(days=rnd.randint(10, 60))
    add(_at(assessed, 11), lambda: transitions.step(session, SECRETARIAT, rec(),
                                                    "start_assessment", now=_at(assessed, 11)))
    roll = rnd.random()
    closed = assessed + timedelta(days=rnd.randint(20, 120))
    if roll < 0.12:
        def follow_up():
            case = rec()
            code = next(e.addressee_code for e in case.addressees
                        if transitions.may_ask_again(e))
            transitions.request_follow_up(
                session, SECRETARIAT, case, addressees=[code], now=_at(closed, 11),
                reason="Kan de regering haar standpunt toelichten?")
            found[f"{doc}:again"] = code
        add(_at(closed, 11), follow_up)
        again = closed + timedelta(days=rnd.randint(30, 200))
        add(_at(again, 16), lambda: replies.submit_reply(
            session, focal_point(found[f"{doc}:again"]), rec().entry(found[f"{doc}:again"]),
            kind="final", position=rnd.choice(POSITIONS), text_nl="Aanvullend antwoord.",
            text_fr="Réponse complémentaire.", now=_at(again, 16)))
        return Plan(doc, steps)
    if roll < 0.35:
        add(_at(closed, 12), lambda: transitions.step(
            session, SECRETARIAT, rec(), "start_monitoring", now=_at(closed, 12)))
        closed += timedelta(days=rnd.randint(100, 700))
    reason = rnd.choice(("implemented", "implemented", "no_action_needed", "not_implemented",
                         "superseded"))
    assert reason in CLOSURE_REASONS
    add(_at(closed, 15), lambda: transitions.close(
        session, SECRETARIAT, rec(), closure_reason=reason, now=_at(closed, 15),
        reason="Besluit van de commissie."))
    if rnd.random() < 0.04:
        reopened = closed + timedelta(days=rnd.randint(30, 300))
        add(_at(reopened, 10), lambda: transitions.reopen(
            session, SECRETARIAT, rec(), reason="Nieuwe feiten.", now=_at(reopened, 10)))
    return Plan(doc, steps)


def build_templates(url: str, count: int, now: datetime, seed: int = 2026) -> dict:
    """Play ``count`` template cases through the operations into the (empty) database at
    ``url``, in time order; an action the rules refuse at its moment is left out."""
    db.upgrade(url)
    engine = db.make_engine(url)
    session = db.make_session(engine)
    rnd = random.Random(seed)
    found: dict = {}
    refused: Counter = Counter()
    try:
        catalogue.sync_addressees(session)
        today = clock.brussels_date(now)
        steps = [s for i in range(count) for s in plan_case(session, rnd, i, today, found).steps]
        db.begin_for_savepoints(session)
        for _moment, _order, action in sorted(steps, key=lambda s: (s[0], s[1])):
            try:
                with session.begin_nested():
                    action()
            except (errors.WorkflowError, StopIteration) as exc:
                refused[getattr(exc, "rule", None) or type(exc).__name__] += 1
        session.commit()
        events = session.scalar(select(func.count()).select_from(Base.metadata.tables["event"]))
    finally:
        session.close()
        engine.dispose()
    return {"steps": len(steps), "refused": refused, "events": events}


# --------------------------------------------------------------------------- copying


def _rows(conn: Connection, name: str) -> list[dict]:
    table = Base.metadata.tables[name]
    order = table.c.seq if name == "event" else table.c.id
    return [dict(r._mapping) for r in conn.execute(select(table).order_by(order))]


def _max_id(conn: Connection, name: str) -> int:
    return conn.execute(select(func.max(Base.metadata.tables[name].c.id))).scalar() or 0


def doc_number(index: int) -> str:
    """The index-th generated document number: 1000/1 ... 1000/20, 1001/1, ... (NUMBER/PART
    as the Parliament writes them; below 1000 is left to real and demo numbers)."""
    return f"{1000 + index // 20}/{index % 20 + 1}"


class Copier:
    """Copies of the template rows with fresh ids: copy ``k`` of a row of table ``t`` gets
    id ``base[t] + k * stride[t] + id``; foreign keys into copied tables move alike."""

    def __init__(self, templates: dict[str, list[dict]], base: dict[str, int],
                 first_doc: int, copies_of: Callable[[int], int]) -> None:
        self.templates, self.base, self.first_doc = templates, base, first_doc
        self.stride = {t: max((r["id"] for r in rows), default=0)
                       for t, rows in templates.items()}
        self.count = len(templates["recommendation"])
        self.copies_of = copies_of  # template recommendation index -> number of copies
        self.index = {r["id"]: i for i, r in enumerate(templates["recommendation"])}
        self.fks = {t: [(c.name, next(iter(c.foreign_keys)).column.table.name)
                        for c in Base.metadata.tables[t].columns if c.foreign_keys
                        and next(iter(c.foreign_keys)).column.table.name in CASE_TABLES]
                    for t in CASE_TABLES}
        # each row's recommendation (through its parents), to know how many copies it has
        self.owner: dict[tuple[str, int], int] = {}
        for t in CASE_TABLES:
            for row in templates[t]:
                self.owner[(t, row["id"])] = self._owner_of(t, row)

    def _owner_of(self, table: str, row: dict) -> int | None:
        if table == "recommendation":
            return row["id"]
        for column, parent in self.fks[table]:
            if row[column] is not None:
                return self.owner[(parent, row[column])]
        return None

    def new_id(self, table: str, old: int, k: int) -> int:
        return self.base[table] + k * self.stride[table] + old

    def doc(self, rec_id: int, k: int) -> str:
        return doc_number(self.first_doc + k * self.count + self.index[rec_id])

    def ncopies(self, table: str, row: dict) -> int:
        owner = self.owner[(table, row["id"])]
        return 1 if owner is None else self.copies_of(self.index[owner])

    def rows(self, table: str) -> Iterator[dict]:
        """Every copy of every template row of a table other than the events."""
        fks = self.fks[table]
        for row in self.templates[table]:
            for k in range(self.ncopies(table, row)):
                out = dict(row)
                out["id"] = self.new_id(table, row["id"], k)
                for column, parent in fks:
                    if row[column] is not None:
                        out[column] = self.new_id(parent, row[column], k)
                if table == "recommendation":
                    out["doc_number"] = self.doc(row["id"], k)
                yield out

    def events(self, seq: int, prev: str) -> Iterator[dict]:
        """The events of every copy in time order (each template event, then the next),
        chained after (seq, prev) with the history's own canonical form and hash.

        The copies of one template event differ only in their seq, ids and document
        number, so the canonical text of a copy is the template's text with those values
        put in (``_Shape``); the first copy of each template event is also serialised by
        ``history.canonical`` itself and the two must be equal, so the rule is the
        history's. (The shape is several times faster than serialising every copy: the
        JSON of 15 million events was most of the generator's CPU.)"""
        for row in self.templates["event"]:
            rec_id = row["recommendation_id"]
            shape = _Shape(row)
            for k in range(self.ncopies("event", row)):
                seq += 1
                out = dict(row)
                out["id"], out["seq"], out["prev_hash"] = self.new_id("event", row["id"], k), \
                    seq, prev
                if rec_id is not None:
                    out["recommendation_id"] = self.new_id("recommendation", rec_id, k)
                    out["doc_number"] = self.doc(rec_id, k)
                moved = {key: self.new_id(PAYLOAD_IDS[key], shape.payload[key], k)
                         for key in shape.moves}
                out["payload"] = shape.payload_text(moved)
                text_ = shape.canonical(seq, out["recommendation_id"], out["doc_number"], moved)
                if k == 0:
                    fields = SimpleNamespace(**{f: out[f] for f in EVENT_FIELDS})
                    assert text_ == history.canonical(fields), (text_, row)
                out["hash"] = prev = history.chain_hash(prev, text_)
                yield out


class _Shape:
    """The canonical text (and payload text) of a template event with holes for what a
    copy changes: its seq, recommendation id, document number and the payload's ids.
    The holes are found by serialising the template with marker values in them."""

    MARK = 7_391_046_285_193  # an integer no event holds; each hole gets MARK + n

    def __init__(self, row: dict) -> None:
        self.original, self.payload = row["payload"], json.loads(row["payload"])
        self.moves = [key for key in PAYLOAD_IDS if isinstance(self.payload.get(key), int)]
        holes = ["seq", "recommendation_id", "doc_number", *self.moves]
        if row["recommendation_id"] is None:
            holes = ["seq", *self.moves]
        marks = {name: self.MARK + n for n, name in enumerate(holes)}
        payload = {**self.payload, **{key: marks[key] for key in self.moves}}
        fields = {f: row[f] for f in EVENT_FIELDS}
        fields.update(seq=marks["seq"], payload=history.dump_payload(payload))
        if "doc_number" in marks:
            fields.update(recommendation_id=marks["recommendation_id"],
                          doc_number=marks["doc_number"])
        self._text = self._split(history.canonical(SimpleNamespace(**fields)), marks)
        self._payload = self._split(history.dump_payload(payload), marks)

    @staticmethod
    def _split(text_: str, marks: dict[str, int]) -> tuple[str, tuple[str, ...]]:
        """The text as a %-format with one %s per marker found, and the markers' names
        in the order they occur."""
        found = sorted((text_.find(str(mark)), name) for name, mark in marks.items()
                       if str(mark) in text_)
        parts, order, at = [], [], 0
        for start, name in found:
            parts.append(text_[at:start].replace("%", "%%"))
            order.append(name)
            at = start + len(str(marks[name]))
        parts.append(text_[at:].replace("%", "%%"))
        return "%s".join(parts), tuple(order)

    def payload_text(self, moved: dict[str, int]) -> str:
        if not self.moves:
            return self.original
        form, order = self._payload
        return form % tuple(moved[name] for name in order)

    def canonical(self, seq: int, rec_id: int | None, doc: str | None,
                  moved: dict[str, int]) -> str:
        # the document number is a string where its marker was an integer: quoted, as JSON
        # writes it (generated numbers are digits and a slash: nothing to escape)
        values = {"seq": seq, "recommendation_id": rec_id, "doc_number": f'"{doc}"', **moved}
        form, order = self._text
        return form % tuple(values[name] for name in order)


def _write_postgres(conn: Connection, name: str, rows: Iterator[dict]) -> int:
    columns = [c.name for c in Base.metadata.tables[name].columns]
    cursor = conn.connection.dbapi_connection.cursor()
    count = 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    # binary COPY (the columns' types from the catalogue): about a third of the client's
    # CPU per row of the text format
    types = dict(cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass"
        " AND attnum > 0 AND NOT attisdropped", (name,)).fetchall())
    with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types([types[c] for c in columns])
        for row in rows:
            copy.write_row([row[c] for c in columns])
            count += 1
    cursor.close()
    return count


def _drop_indexes(conn: Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the secondary indexes and unique constraints of ``tables`` and the foreign
    keys from or into them (PostgreSQL), returning the statements that create them
    again exactly as they were, in an order that works (foreign keys last).

    Filling a large table through its indexes updates every index for every row, at
    random places once the index is larger than memory (the events' unique hash: one
    random page per event); building an index afterwards sorts once, and adding a
    foreign key checks every row in one join. Primary keys stay (the copies' ids
    ascend, so theirs is appended to at its end). A duplicate the copy wrote makes the
    unique constraint's rebuild fail, and the whole generation rolls back; the foreign
    keys are validated in full when added back."""
    names = list(tables)
    foreign = conn.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND (conrelid::regclass::text = ANY(:t)"
        " OR confrelid::regclass::text = ANY(:t)) ORDER BY 1, 2"), {"t": names}).all()
    unique = conn.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'u' AND conrelid::regclass::text = ANY(:t) ORDER BY 1, 2"),
        {"t": names}).all()
    indexes = conn.execute(text(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid::regclass::text = ANY(:t) AND NOT i.indisprimary AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"),
        {"t": names}).all()
    for table, name, _ in [*foreign, *unique]:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in [*unique, *foreign]]


def _write_sqlite(conn: Connection, name: str, rows: Iterator[dict]) -> int:
    table = Base.metadata.tables[name]
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == 10_000:
            conn.execute(table.insert(), batch)  # one executemany
            count, batch = count + len(batch), []
    if batch:
        conn.execute(table.insert(), batch)
    return count + len(batch)


def generate(url: str | None, recommendations: int, *, templates: int | None = None,
             now: datetime | None = None, seed: int = 2026, log=print) -> dict:
    """Add ``recommendations`` generated cases to the database at ``url`` (migrated)."""
    url = db.database_url(url)  # now: the scratch database's migrations set DATABASE_URL
    now = clock.ensure_aware(now) if now else clock.utcnow()
    count = max(1, min(recommendations, templates or MAX_TEMPLATES))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = f"sqlite:///{Path(tmp) / 'templates.db'}"
        played = build_templates(scratch, count, now, seed)
        engine = db.make_engine(scratch)
        with engine.connect() as conn:
            for name in Base.metadata.tables:
                if name not in CASE_TABLES + GLOBAL_TABLES + DERIVED_TABLES:
                    assert not _rows(conn, name), f"templates wrote to {name}"
            rows = {t: _rows(conn, t) for t in CASE_TABLES}
        engine.dispose()
    templated = time.perf_counter() - started
    log(f"{count} template cases played through the operations in {templated:.1f} s "
        f"({played['events']} events; {sum(played['refused'].values())} steps the rules "
        "refused at their moment: "
        f"{dict(played['refused'].most_common(4))})")
    whole, extra = divmod(recommendations, count)

    def copies_of(i: int) -> int:
        return whole + (1 if i < extra else 0)

    engine = db.make_engine(url)
    written: dict[str, int] = {}
    try:
        session = db.make_session(engine)  # the catalogue the entries point to
        catalogue.sync_addressees(session)
        session.commit()
        session.close()
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # nobody appends to the chain meanwhile
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                             {"k": history.CHAIN_LOCK_KEY})
            head = conn.execute(select(Base.metadata.tables["event"].c.seq,
                                       Base.metadata.tables["event"].c.hash)
                                .order_by(Base.metadata.tables["event"].c.seq.desc())
                                .limit(1)).first()
            seq, prev = (head.seq, head.hash) if head else (0, history.GENESIS)
            base = {t: _max_id(conn, t) for t in CASE_TABLES}
            first_doc = conn.execute(select(func.count()).select_from(
                Base.metadata.tables["recommendation"])).scalar()
            copier = Copier(rows, base, first_doc, copies_of)
            write = _write_postgres if conn.dialect.name == "postgresql" else _write_sqlite
            rebuild = None
            if conn.dialect.name == "postgresql" and recommendations >= max(first_doc, 10_000):
                rebuild = _drop_indexes(conn, CASE_TABLES)
                log(f"  dropped {len(rebuild)} secondary indexes, unique constraints and foreign "
                    "keys of the copied tables for the copy (rebuilt after it)")
            for t in CASE_TABLES:
                step_start, cpu_start = time.perf_counter(), time.process_time()
                source = copier.events(seq, prev) if t == "event" else copier.rows(t)
                written[t] = write(conn, t, source)
                took, cpu = time.perf_counter() - step_start, time.process_time() - cpu_start
                log(f"  {t:<20} {written[t]:>12,} rows in {took:6.1f} s "
                    f"(this process's CPU {cpu:6.1f} s)")
            if rebuild:
                step_start = time.perf_counter()
                conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
                for statement in rebuild:
                    conn.exec_driver_sql(statement)
                log(f"  {'indexes, constraints':<20} {len(rebuild):>12,} rebuilt in "
                    f"{time.perf_counter() - step_start:6.1f} s")
            # the scoreboard's summary cells of every entry, old and copied: one GROUP BY
            started_cells = time.perf_counter()
            cells = rebuild_cells(Session(bind=conn))
            log(f"  {'scoreboard_cell':<20} {cells:>12,} rows in "
                f"{time.perf_counter() - started_cells:6.1f} s (one INSERT ... SELECT)")
            if conn.dialect.name == "postgresql":
                for t in CASE_TABLES:
                    sql = f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT "
                    sql += f"coalesce(max(id), 1) FROM {t}))"
                    conn.execute(text(sql))
        if engine.dialect.name == "postgresql":  # as autovacuum leaves a database at rest:
            # statistics for the planner, the visibility map for index-only scans
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    elapsed = time.perf_counter() - started
    log(f"{recommendations:,} recommendations, {written['case_addressee']:,} addressee "
        f"entries, {written['event']:,} events in {elapsed:.1f} s")
    return {"recommendations": recommendations, "rows": written, "seconds": elapsed,
            "templates": count}


def check(url: str | None, now: datetime | None = None) -> list[str]:
    """What would be inconsistent in the database (empty: nothing): the chain as
    ``followup verify-history`` checks it, the stored deadline state against what it is
    derived from, the scoreboard's summary cells against the entries, and the scoreboard
    from the stored figures (SQL) against the reference replay of the published cases'
    events. Reads everything: for small databases."""
    from workflow.cases.models import CaseAddressee
    from workflow.models import Event
    from workflow.publishing import figures, scoreboard
    from workflow.publishing.models import COUNTERS, KEY, ScoreboardCell, cell_rows

    now = clock.ensure_aware(now) if now else clock.utcnow()
    problems = []
    engine = db.make_engine(url)
    session = db.make_session(engine)
    try:
        verified = history.verify_history(session)
        if not verified.ok:
            problems.append(verified.describe())
        for entry in session.scalars(select(CaseAddressee)):
            stored = (entry.is_awaited, entry.live_due_at)
            entry.refresh_deadline_state()
            if stored != (entry.is_awaited, entry.live_due_at):
                problems.append(f"stored deadline state of entry {entry.id}: {stored}")
        published = select(Recommendation.id).where(Recommendation.is_published.is_(True))
        events = session.scalars(select(Event).where(Event.recommendation_id.in_(published))
                                 .order_by(Event.seq)).all()
        stored = {tuple(row[:len(KEY)]): tuple(row[len(KEY):]) for row in session.execute(
            select(*(ScoreboardCell.__table__.c[n] for n in (*KEY, *COUNTERS)))
            .where(ScoreboardCell.received != 0))}
        if stored != {tuple(row[:len(KEY)]): tuple(row[len(KEY):])
                      for row in session.execute(cell_rows())}:
            problems.append("the scoreboard's summary cells differ from the GROUP BY of the "
                            "entries (publishing.models.cell_rows)")
        sql = [s.as_dict() for s in figures.scores(session, now)]
        replay = [s.as_dict() for s in scoreboard.compute(events, now)]
        if sql != replay:
            problems.append(f"scoreboard from the stored figures {sql} differs from the "
                            f"replay of the history {replay}")
    finally:
        session.rollback()
        session.close()
        engine.dispose()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, required=True, metavar="N")
    parser.add_argument("--templates", type=int, default=None,
                        help=f"distinct template cases (default {MAX_TEMPLATES}, or N if less)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None,
                        help="default: DATABASE_URL (initialised by followup init-db)")
    parser.add_argument("--check", action="store_true",
                        help="then check the whole database (chain, stored deadline state, "
                             "scoreboard against the replay of the history); small sizes")
    args = parser.parse_args(argv)
    generate(args.database_url, args.recommendations, templates=args.templates, seed=args.seed)
    if args.check:
        problems = check(args.database_url)
        for problem in problems:
            print(f"INCONSISTENT: {problem}")
        if problems:
            return 1
        print("consistent: chain intact, stored deadline state and scoreboard figures agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
