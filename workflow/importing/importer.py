"""Bulk import of historic recommendations (CSV or JSON; see docs/import-format.md).

This module only reads and reports. Reading notes every format problem (a date that
is not YYYY-MM-DD, an unknown column, an unknown addressee code, ...) with its line
number and field. Every record that reads cleanly is then replayed through the
ordinary operations, each in a savepoint: the history gets the same events as live
work, dated by :func:`workflow.operations.effective_moment` from the historic dates
(the import time is the recorded time), and whatever an operation refuses (dates out
of order, a closure the lifecycle does not allow, ...) is reported as a problem with
the operation's rule name. The caller commits only when the report is clean
(``report.ok``), otherwise it rolls back: a file with one bad row imports nothing.

Re-importing is harmless: a document number already in the database is skipped
when the file says the same, and the report says so; when the file says something
else, every difference (field, stored value, imported value) is a problem, so nothing
is imported.

Historic records are taken as they are, without made-up facts: an optional English
title, a collective answer that waives the addressees it covers (``covers``), a reply
known only by the date it was received (``text_on_record`` no), a closure whose
assessment is not on record (``closure_assessed`` no).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from workflow import checks, clock, db, deadlines, dispatch, errors
from workflow import clock as clock_ops
from workflow.actors import Actor
from workflow.answers.models import Answer
from workflow.cases import registration
from workflow.cases.models import Addressee, CaseAddressee, Recommendation
from workflow.history.models import Event
from workflow.lifecycle import (
    ASSESSED,
    CLOSURE_REASONS,
    POSITIONS,
    RECOMMENDATION,
    REPLY_TRIGGERS,
    SECRETARIAT,
)
from workflow.notifications.queue import suppressed as notifications_suppressed
from workflow.publishing import opendata

IMPORT_ACTOR = Actor("import", SECRETARIAT, "BNL-PARL")

REC_FIELDS = ("adopted_on", "title_nl", "title_fr", "title_en", "text_nl", "text_fr",
              "committee", "theme", "session_label", "deadline_rule", "published",
              "transmitted_on", "closed_on", "closure_reason", "closure_note",
              "closure_assessed")
ANSWER_FIELDS = ("answer_kind", "answer_position", "answer_letter_date", "answer_received_on",
                 "answer_text_nl", "answer_text_fr", "answer_published",
                 "answer_text_on_record", "answer_covers", "answer_covers_reason")
# The fields of an answer in JSON (the CSV columns without their "answer_" prefix).
ANSWER_KEYS = tuple(name.removeprefix("answer_") for name in ANSWER_FIELDS)
# The JSON closure's fields and the record values they fill.
CLOSURE_KEYS = {"closed_on": "closed_on", "reason": "closure_reason", "note": "closure_note",
                "assessed": "closure_assessed"}
CSV_COLUMNS = ("doc_number", *REC_FIELDS, "addressee", "required", *ANSWER_FIELDS)
KINDS = tuple(REPLY_TRIGGERS)
TRUE = ("true", "yes", "1", "y", "ja", "oui", "x")
FALSE = ("false", "no", "0", "n", "nee", "non", "")


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    reason: str
    doc_number: str = ""
    rule: str = ""  # the rule of the operation that refused ("" for a format problem)
    # False for a problem that leaves the record's values complete (an unknown column):
    # the record is still replayed, so the operations' refusals are reported too.
    blocking: bool = field(default=True, compare=False, repr=False)

    def describe(self) -> str:
        where = f"line {self.line}" + (f" ({self.doc_number})" if self.doc_number else "")
        return f"{where}, {self.field}: {self.reason}"

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "reason": self.reason,
                "doc_number": self.doc_number, "rule": self.rule}


@dataclass
class ImportAnswer:
    line: int
    path: str
    kind: str
    position: str | None
    letter_date: date | None
    received_on: date | None
    text_nl: str
    text_fr: str
    published: bool
    text_on_record: bool = True  # False: known only by the date it was received
    covers: tuple[str, ...] = ()  # a collective answer: the addressees it waives
    covers_reason: str = ""

    def where(self, part: str) -> str:
        """The file's name of one of this answer's fields (a CSV column or a JSON path)."""
        return f"answer_{part}" if self.path == "answer" else f"{self.path}.{part}"


@dataclass
class ImportAddressee:
    line: int
    path: str
    code: str
    required: bool
    answers: list[ImportAnswer] = field(default_factory=list)


@dataclass
class ImportRecord:
    line: int
    doc_number: str
    values: dict = field(default_factory=dict)
    addressees: dict[str, ImportAddressee] = field(default_factory=dict)
    is_json: bool = False
    # The record fields the file gives (CSV: its columns; JSON: the keys present, with
    # "closure" and "answers"): a re-import compares only these with the database.
    given: set[str] = field(default_factory=set)


@dataclass
class ImportReport:
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the database, identical
    differing: list[str] = field(default_factory=list)  # in the database with other content
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "records": self.records, "created": self.created,
                "skipped": self.skipped, "differing": self.differing, "events": self.events,
                "problems": [p.as_dict() for p in self.problems]}


class _Collector:
    """Parses values, noting a problem instead of raising, so every problem is reported."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def add(self, line: int, field_name: str, reason: str, doc: str = "", *,
            blocking: bool = True) -> None:
        self.problems.append(Problem(line, field_name, reason, doc, blocking=blocking))

    def date(self, raw, line, name, doc, *, required=False) -> date | None:
        text = "" if raw is None else str(raw).strip()
        if not text:
            if required:
                self.add(line, name, "required (a date YYYY-MM-DD)", doc)
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.add(line, name, f"{text!r} is not a date; write YYYY-MM-DD", doc)
            return None

    def flag(self, raw, line, name, doc, default: bool) -> bool:
        if raw is None or raw == "":
            return default
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        self.add(line, name, f"{raw!r} is not yes or no (write true/false, yes/no or 1/0)", doc)
        return default

    def text(self, raw, line, name, doc, limit: int) -> str:
        if raw is None:
            return ""
        if not isinstance(raw, str | int | float):
            self.add(line, name, "must be text", doc)
            return ""
        text = str(raw).strip()
        if len(text) > limit:
            self.add(line, name, f"too long ({len(text)} characters; at most {limit})", doc)
        return text


# ---------------------------------------------------------------------------
# Reading files


def detect_format(name: str, content: bytes) -> str:
    suffix = Path(name or "").suffix.lower()
    if suffix in (".csv", ".json"):
        return suffix[1:]
    head = content.lstrip()[:1]
    return "json" if head in (b"{", b"[") else "csv"


def read_file(path: str | Path) -> tuple[str, bytes]:
    path = Path(path)
    return path.name, path.read_bytes()


def parse(name: str, content: bytes, fmt: str | None = None) -> tuple[list[ImportRecord],
                                                                      list[Problem]]:
    """Records and the problems found while reading them (nothing touches the database)."""
    fmt = fmt or detect_format(name, content)
    problems: list[Problem] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(1, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                       "save the file as UTF-8")]
    if fmt == "csv":
        records = _parse_csv(text, _Collector(problems))
    elif fmt == "json":
        records = _parse_json(text, _Collector(problems))
    else:
        return [], [Problem(1, "file", f"unknown format {fmt!r}; use csv or json")]
    return records, problems


def _parse_csv(text: str, c: _Collector) -> list[ImportRecord]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [col for col in ("doc_number", "adopted_on", "addressee") if col not in header]
    if missing:
        c.add(1, "header", f"missing column(s) {', '.join(missing)}; the columns are "
                           f"{', '.join(CSV_COLUMNS)}")
        return []
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        c.add(1, "header", f"unknown column(s) {', '.join(unknown)}; the columns are "
                           f"{', '.join(CSV_COLUMNS)}")
    records: dict[str, ImportRecord] = {}
    first_line = 2
    for row in reader:
        line, first_line = first_line, reader.line_num + 1
        if None in row:
            c.add(line, "row", "more values than columns (a comma in an unquoted text?)")
        row = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()
               if k is not None}
        if not any(row.values()):
            continue
        doc = row.get("doc_number", "")
        if not doc:
            c.add(line, "doc_number", "required")
            continue
        rec = records.get(doc)
        if rec is None:
            rec = records[doc] = ImportRecord(line, doc, given=_csv_given(header))
        for name in REC_FIELDS:
            value = row.get(name, "")
            if not value:
                continue
            earlier = rec.values.get(name)
            if earlier is not None and earlier != value:
                c.add(line, name, f"{value!r} differs from {earlier!r} given on an earlier row "
                                  "of the same recommendation", doc)
            rec.values.setdefault(name, value)
        code = row.get("addressee", "")
        if not code:
            c.add(line, "addressee", "required (an addressee code such as NL or BE-FED)", doc)
            continue
        entry = rec.addressees.get(code)
        required = c.flag(row.get("required"), line, "required", doc, True)
        if entry is None:
            entry = rec.addressees[code] = ImportAddressee(line, "addressee", code, required)
        elif row.get("required") and entry.required != required:
            c.add(line, "required", f"differs from an earlier row for {code}", doc)
        if any(row.get(name) for name in ANSWER_FIELDS):
            entry.answers.append(_answer(c, line, "answer", doc, {
                name.removeprefix("answer_"): row.get(name, "") for name in ANSWER_FIELDS}))
    return [_finish(c, rec) for rec in records.values()]


def _csv_given(header: list[str]) -> set[str]:
    given = {name for name in REC_FIELDS if name in header}
    if {"closed_on", "closure_reason"} & given:
        given.add("closure")
    if any(name in header for name in ANSWER_FIELDS):
        given.add("answers")
    return given


def _codes(c: _Collector, raw, line: int, name: str, doc: str) -> tuple[str, ...]:
    """Addressee codes: a JSON list, or text separated by spaces, commas or semicolons."""
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        items = re.split(r"[\s,;]+", raw.strip())
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        items = [item.strip() for item in raw]
    else:
        c.add(line, name, "a list of addressee codes, e.g. BE-FED NL LU", doc)
        return ()
    codes = [code for code in items if code]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        c.add(line, name, f"{', '.join(twice)} listed twice", doc)
    return tuple(dict.fromkeys(codes))


def _answer(c: _Collector, line: int, prefix: str, doc: str, raw: dict) -> ImportAnswer:
    def name(part: str) -> str:
        return f"{prefix}_{part}" if prefix == "answer" else f"{prefix}.{part}"

    kind = c.text(raw.get("kind"), line, name("kind"), doc, 16) or "final"
    if kind not in KINDS:
        c.add(line, name("kind"), f"{kind!r} is not a kind of reply; use {', '.join(KINDS)}", doc)
    position = c.text(raw.get("position"), line, name("position"), doc, 32) or None
    if position is not None and position not in POSITIONS:
        c.add(line, name("position"), f"{position!r} is not a position; use "
                                      f"{', '.join(POSITIONS)}", doc)
    answer = ImportAnswer(
        line=line, path=prefix, kind=kind, position=position,
        letter_date=c.date(raw.get("letter_date"), line, name("letter_date"), doc),
        received_on=c.date(raw.get("received_on"), line, name("received_on"), doc,
                           required=True),
        text_nl=c.text(raw.get("text_nl"), line, name("text_nl"), doc, checks.MAX_TEXT),
        text_fr=c.text(raw.get("text_fr"), line, name("text_fr"), doc, checks.MAX_TEXT),
        published=c.flag(raw.get("published"), line, name("published"), doc, False),
        text_on_record=c.flag(raw.get("text_on_record"), line, name("text_on_record"), doc,
                              True),
        covers=_codes(c, raw.get("covers"), line, name("covers"), doc),
        covers_reason=c.text(raw.get("covers_reason"), line, name("covers_reason"), doc,
                             checks.MAX_REASON),
    )
    if not answer.text_on_record and (answer.text_nl or answer.text_fr):
        text = "text_nl" if answer.text_nl else "text_fr"
        c.add(line, name(text), "a reply whose text is not on record has no text: leave it "
                                f"empty, or give the text and leave {name('text_on_record')} "
                                "empty (yes)", doc)
    if answer.covers and kind != "final":
        c.add(line, name("covers"), "only a final answer covers other addressees (a collective "
                                    f"answer); this reply is {kind}", doc)
    if answer.covers and not answer.covers_reason:
        c.add(line, name("covers_reason"), f"required with {name('covers')}: the reason the "
                                           "covered addressees' answers are waived", doc)
    if answer.covers_reason and not answer.covers:
        c.add(line, name("covers"), f"required with {name('covers_reason')}: the addressees "
                                    "the collective answer covers", doc)
    return answer


def _json_offsets(text: str) -> list[int]:
    """Line numbers of the items of the top-level list (or of its "recommendations" list)."""
    decoder = json.JSONDecoder()
    match = re.match(r'\s*\[', text) or re.search(r'"recommendations"\s*:\s*\[', text)
    if not match:
        return []
    pos, lines = match.end(), []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return lines


def _parse_json(text: str, c: _Collector) -> list[ImportRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        c.add(exc.lineno, "file", f"not valid JSON: {exc.msg} (column {exc.colno})")
        return []
    items = data.get("recommendations") if isinstance(data, dict) else data
    if not isinstance(items, list):
        c.add(1, "file", 'expected {"recommendations": [...]} or a list of recommendations')
        return []
    lines = _json_offsets(text)
    records, seen = [], {}
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        where = f"recommendations[{index}]"
        if not isinstance(item, dict):
            c.add(line, where, "each recommendation is an object {...}")
            continue
        doc = str(item.get("doc_number") or "").strip()
        if not doc:
            c.add(line, f"{where}.doc_number", "required")
            continue
        if doc in seen:
            c.add(line, f"{where}.doc_number", f"{doc} appears twice in the file (also at line "
                                               f"{seen[doc]})", doc)
            continue
        seen[doc] = line
        rec = ImportRecord(line, doc, is_json=True)
        known = {"doc_number", "addressees", "transmitted_on", "published", "closure",
                 *REC_FIELDS}
        for key in item:
            if key not in known:
                c.add(line, f"{where}.{key}", "unknown field", doc, blocking=False)
        # A JSON record says all it knows: no closure means not closed, no answers none.
        rec.given = {key for key in item if key in known} | {"closure", "answers"}
        for name in REC_FIELDS:
            if name in item and item[name] is not None:
                rec.values[name] = item[name]
        closure = item.get("closure")
        if isinstance(closure, dict):
            for key, name in CLOSURE_KEYS.items():
                rec.values[name] = closure.get(key)
                rec.given.add(name)
            for key in closure:
                if key not in CLOSURE_KEYS:
                    c.add(line, f"{where}.closure.{key}", "unknown field; a closure has "
                          f"{', '.join(CLOSURE_KEYS)}", doc, blocking=False)
        elif closure is not None:
            c.add(line, f"{where}.closure", 'an object {"closed_on", "reason", "note", '
                                            '"assessed"}', doc)
        addressees = item.get("addressees")
        if not isinstance(addressees, list):
            c.add(line, f"{where}.addressees", "a list of addressees is required", doc)
            addressees = []
        for a_index, raw in enumerate(addressees):
            a_where = f"{where}.addressees[{a_index}]"
            if isinstance(raw, str):
                raw = {"code": raw}
            if not isinstance(raw, dict) or not raw.get("code"):
                c.add(line, a_where, 'an addressee is a code or {"code": ..., "required": ...}',
                      doc)
                continue
            code = str(raw["code"]).strip()
            if code in rec.addressees:
                c.add(line, a_where, f"{code} is listed twice", doc)
                continue
            entry = rec.addressees[code] = ImportAddressee(
                line, a_where, code, c.flag(raw.get("required"), line, f"{a_where}.required",
                                            doc, True))
            answers = raw.get("answers") or []
            if not isinstance(answers, list):
                c.add(line, f"{a_where}.answers", "a list of answers", doc)
                answers = []
            for n, answer in enumerate(answers):
                if not isinstance(answer, dict):
                    c.add(line, f"{a_where}.answers[{n}]", "an answer is an object {...}", doc)
                    continue
                for key in answer:
                    if key not in ANSWER_KEYS:
                        c.add(line, f"{a_where}.answers[{n}].{key}", "unknown field; an answer "
                              f"has {', '.join(ANSWER_KEYS)}", doc, blocking=False)
                entry.answers.append(_answer(c, line, f"{a_where}.answers[{n}]", doc, answer))
        records.append(_finish(c, rec))
    return records


def _field(rec: ImportRecord, name: str) -> str:
    # CSV names columns; JSON names paths (closure fields live under "closure").
    if rec.is_json:
        return {value: f"closure.{key}" for key, value in CLOSURE_KEYS.items()}.get(name, name)
    return name


def _finish(c: _Collector, rec: ImportRecord) -> ImportRecord:
    """Turn the raw values into typed ones (problems noted)."""
    raw, line, doc = rec.values, rec.line, rec.doc_number
    values = {
        "adopted_on": c.date(raw.get("adopted_on"), line, "adopted_on", doc, required=True),
        "transmitted_on": c.date(raw.get("transmitted_on"), line, "transmitted_on", doc),
        "closed_on": c.date(raw.get("closed_on"), line, _field(rec, "closed_on"), doc),
        "published": c.flag(raw.get("published"), line, "published", doc, False),
        "deadline_rule": c.text(raw.get("deadline_rule"), line, "deadline_rule", doc, 40)
        or deadlines.DEFAULT_RULE.to_text(),
        "closure_reason": c.text(raw.get("closure_reason"), line,
                                 _field(rec, "closure_reason"), doc, 32) or None,
        "closure_note": c.text(raw.get("closure_note"), line, _field(rec, "closure_note"), doc,
                               checks.MAX_REASON) or "",
        "closure_assessed": c.flag(raw.get("closure_assessed"), line,
                                   _field(rec, "closure_assessed"), doc, True),
    }
    if (values["closed_on"] is None) != (values["closure_reason"] is None) and not any(
            p.doc_number == doc and p.line == line and p.field == _field(rec, "closed_on")
            for p in c.problems):
        missing = "closed_on" if values["closed_on"] is None else "closure_reason"
        c.add(line, _field(rec, missing), "a closure has both its date and its reason", doc)
    elif values["closure_reason"] is not None and values["closure_reason"] not in \
            CLOSURE_REASONS:
        c.add(line, _field(rec, "closure_reason"), f"{values['closure_reason']!r} is not a "
              f"closure reason; use {', '.join(CLOSURE_REASONS)}", doc)
    if values["closed_on"] is None and values["closure_reason"] is None and (
            raw.get("closure_assessed") not in (None, "") or values["closure_note"]):
        name = "closure_assessed" if raw.get("closure_assessed") not in (None, "") else \
            "closure_note"
        c.add(line, _field(rec, name), "given without a closure (closed_on and "
                                       "closure_reason)", doc)
    for name, limit in (("title_nl", checks.MAX_TITLE), ("title_fr", checks.MAX_TITLE),
                        ("title_en", checks.MAX_TITLE), ("text_nl", checks.MAX_TEXT),
                        ("text_fr", checks.MAX_TEXT),
                        ("committee", 120), ("theme", 120), ("session_label", 120)):
        values[name] = c.text(raw.get(name), line, name, doc, limit)
    rec.values = values
    return rec


# ---------------------------------------------------------------------------
# Checking the formats the operations take for granted


def check(session: Session, records: list[ImportRecord], problems: list[Problem]) -> None:
    """Format problems only: a malformed document number, a deadline rule that does not
    parse, an unknown addressee code. Whether the dates, answers and closures are
    allowed is for the operations to say when the records are replayed."""
    catalogue = {a.code: a.is_collective for a in session.scalars(select(Addressee))}
    known = set(catalogue)
    c = _Collector(problems)
    for rec in records:
        doc, line = rec.doc_number, rec.line
        try:
            registration.validate_doc_number(doc)
        except errors.ValidationError as exc:
            c.add(line, "doc_number", exc.message, doc)
        try:
            deadlines.DeadlineRule.parse(rec.values["deadline_rule"])
        except deadlines.DeadlineError as exc:
            c.add(line, "deadline_rule", str(exc), doc)
        for entry in rec.addressees.values():
            if entry.code not in known:
                c.add(entry.line, entry.path,
                      f"unknown addressee {entry.code!r}; known: {', '.join(sorted(known))}",
                      doc)
            for answer in entry.answers:
                _check_covers(c, rec, entry, answer, catalogue)


def _check_covers(c: _Collector, rec: ImportRecord, entry: ImportAddressee,
                  answer: ImportAnswer, catalogue: dict[str, bool]) -> None:
    """A collective answer covers other addressees of the same recommendation."""
    if not answer.covers:
        return
    where, doc = answer.where("covers"), rec.doc_number
    if entry.code in catalogue and not catalogue[entry.code]:
        collective = ", ".join(sorted(code for code, yes in catalogue.items() if yes))
        c.add(answer.line, where, f"only a collective addressee's answer ({collective}) covers "
                                  f"other addressees; {entry.code} is not collective", doc)
    for code in answer.covers:
        if code == entry.code:
            c.add(answer.line, where, f"{code} cannot cover itself", doc)
        elif code not in rec.addressees:
            c.add(answer.line, where, f"{code} is not an addressee of {doc}; add it as an "
                  f"addressee or leave it out (addressees: {', '.join(rec.addressees)})", doc)


def _broken(rec: ImportRecord, problems: list[Problem]) -> bool:
    """Whether a problem was found in the record while reading or checking it (then it
    is not replayed: its values are incomplete). A CSV record is all rows of its
    document number; a JSON record starts on its own line."""
    return any(p.blocking and p.doc_number == rec.doc_number
               and (not rec.is_json or p.line == rec.line) for p in problems)


# ---------------------------------------------------------------------------
# Replaying the records through the operations


class _Refused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.describe())
        self.problem = problem


@contextmanager
def _where(rec: ImportRecord, line: int, name: Callable[[str | None], str]):
    """An operation's refusal as a problem at ``line``, in the file's field ``name(field)``
    (``field`` is the operation's, None when a lifecycle rule refused)."""
    try:
        yield
    except errors.WorkflowError as exc:
        raise _Refused(Problem(line, name(exc.field), exc.message, rec.doc_number,
                               exc.rule or "")) from exc


def _record_field(rec: ImportRecord, default: str) -> Callable[[str | None], str]:
    names = {"addressees": "addressee", "reason": "closure_note"}
    return lambda name: _field(rec, names.get(name, name) if name else default)


def _answer_field(answer: ImportAnswer) -> Callable[[str | None], str]:
    def name(part: str | None) -> str:
        part = {None: "kind", "reason": "text_nl", "kind": "kind"}.get(part, part)
        return f"answer_{part}" if answer.path == "answer" else f"{answer.path}.{part}"

    return name


def _apply(session: Session, actor: Actor, rec: ImportRecord, now: datetime) -> None:
    v = rec.values
    with _where(rec, rec.line, _record_field(rec, "doc_number")):
        case = registration.register_recommendation(
            session, actor, doc_number=rec.doc_number, adopted_on=v["adopted_on"],
            addressees={code: a.required for code, a in rec.addressees.items()},
            title_nl=v["title_nl"], title_fr=v["title_fr"], title_en=v["title_en"],
            text_nl=v["text_nl"],
            text_fr=v["text_fr"], committee=v["committee"], theme=v["theme"],
            session_label=v["session_label"], deadline_rule=v["deadline_rule"], now=now)
        if v["published"]:
            registration.set_published(session, actor, case, True, now=now)
    if v["transmitted_on"] is not None:
        with _where(rec, rec.line, _record_field(rec, "transmitted_on")):
            dispatch.fire(session, actor, case, "transmit", transmitted_on=v["transmitted_on"],
                          now=now)
    replies = sorted(((a, code) for code, entry in rec.addressees.items() for a in entry.answers),
                     key=lambda item: (item[0].received_on, item[0].line))
    for answer, code in replies:
        with _where(rec, answer.line, _answer_field(answer)):
            historic = {} if answer.text_on_record else {"text_on_record": False}
            row = dispatch.fire(session, actor, case, REPLY_TRIGGERS[answer.kind], addressee=code,
                                position=answer.position, text_nl=answer.text_nl,
                                text_fr=answer.text_fr, letter_date=answer.letter_date,
                                effective_on=answer.received_on, now=now, **historic)
            if answer.published:
                opendata.publish_answer(session, actor, row, True, now=now)
        # A collective answer waives the addressees it covers, that day, with its reason.
        for covered in answer.covers:
            with _where(rec, answer.line, lambda _name, a=answer: a.where("covers")):
                dispatch.fire(session, actor, case, "waive", addressee=covered,
                              reason=answer.covers_reason, effective_on=answer.received_on,
                              now=now)
    if v["closed_on"] is not None and not v["closure_assessed"]:
        # A historic closure whose assessment is not on record: none is made up.
        with _where(rec, rec.line, _record_field(rec, "closure_reason")):
            dispatch.fire(session, actor, case, "close", closure_reason=v["closure_reason"],
                          reason=v["closure_note"], effective_on=v["closed_on"],
                          without_assessment=True, now=now)
    elif v["closed_on"] is not None:
        with _where(rec, rec.line, _record_field(rec, "closure_reason")):
            closure = {"closure_reason": v["closure_reason"]}
            refused = RECOMMENDATION.refusal(case, RECOMMENDATION.trigger("close"), actor.role,
                                             closure)
            if refused is not None and refused.rule == ASSESSED.name and \
                    "start_assessment" in {t.name for t in RECOMMENDATION.available(
                        case, actor.role)}:
                # The format has no date for the committee's assessment: a closure that
                # needs one gets it on the closure date.
                dispatch.fire(session, actor, case, "start_assessment", effective_on=v["closed_on"],
                              now=now)
            dispatch.fire(session, actor, case, "close", closure_reason=v["closure_reason"],
                          reason=v["closure_note"], effective_on=v["closed_on"], now=now)


LOOKUP_BATCH = 1000  # document numbers bound per query (an import has no size limit)


def _existing(session: Session, doc_numbers: list[str]) -> dict[str, _Stored]:
    """The recommendations of these document numbers already registered, with what a
    re-import compares: their addressees and answers, and the closure and waiver events
    (a bounded batch of document numbers per query, four queries per batch)."""
    existing: dict[str, _Stored] = {}
    for start in range(0, len(doc_numbers), LOOKUP_BATCH):
        recs = list(session.scalars(
            select(Recommendation)
            .where(Recommendation.doc_number.in_(doc_numbers[start:start + LOOKUP_BATCH]))
            .options(selectinload(Recommendation.addressees).selectinload(
                CaseAddressee.answers))))
        by_id = {rec.id: existing.setdefault(rec.doc_number, _Stored(rec)) for rec in recs}
        if by_id:
            for ev in session.scalars(select(Event).where(
                    Event.recommendation_id.in_(list(by_id)),
                    Event.action.in_(("close", "waive", "reopen"))).order_by(Event.seq)):
                stored = by_id[ev.recommendation_id]
                if ev.action == "waive":
                    stored.waivers[ev.addressee_code or ""] = ev.reason
                elif ev.action == "close":
                    stored.closure = ev
                else:
                    stored.closure = None
    return existing


@dataclass
class _Stored:
    rec: Recommendation
    closure: Event | None = None  # the latest closure, unless reopened since
    waivers: dict[str, str] = field(default_factory=dict)  # code: reason


DIFFERS = "differs_from_database"


def _show(value) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _rule_text(text: str) -> str:
    try:
        return deadlines.DeadlineRule.parse(text).to_text()
    except deadlines.DeadlineError:
        return text


def _differences(rec: ImportRecord, stored: _Stored) -> list[Problem]:
    """How a record of the file differs from the recommendation in the database, field by
    field (stored value, imported value). Only what the file gives is compared; what the
    format does not carry (follow-up questions, extensions, ...) is not."""
    out: list[Problem] = []
    doc, v, row = rec.doc_number, rec.values, stored.rec

    def differ(line: int, name: str, old, new) -> None:
        if old != new:
            out.append(Problem(line, name, f"differs from the database: stored {_show(old)}, "
                                           f"imported {_show(new)}", doc, DIFFERS))

    current = {name: getattr(row, name) for name in (
        "adopted_on", "title_nl", "title_fr", "title_en", "text_nl", "text_fr", "committee",
        "theme", "session_label")}
    current["deadline_rule"] = _rule_text(row.deadline_rule)
    current["published"] = row.is_published
    current["transmitted_on"] = opendata.transmitted_on(row)
    imported = {**v, "deadline_rule": _rule_text(v["deadline_rule"])}
    for name, old in current.items():
        if name in rec.given:
            differ(rec.line, name, old, imported[name])
    if "closure" in rec.given:
        ev = stored.closure
        old_closure = (None, None, "", True) if ev is None else (
            clock_ops.brussels_date(ev.effective_at), ev.data.get("closure_reason"), ev.reason,
            not ev.data.get("without_assessment"))
        new_closure = (v["closed_on"], v["closure_reason"], v["closure_note"],
                       v["closure_assessed"])
        for index, name in enumerate(("closed_on", "closure_reason", "closure_note",
                                      "closure_assessed")):
            if name in rec.given or rec.is_json:
                differ(rec.line, _field(rec, name), old_closure[index], new_closure[index])
    entries = {e.addressee_code: e for e in row.addressees}
    for code, entry in rec.addressees.items():
        if code not in entries:
            differ(entry.line, entry.path, None, code)
            continue
        required = "required" if entry.path == "addressee" else f"{entry.path}.required"
        differ(entry.line, required, entries[code].is_required, entry.required)
    where_of = {code: (a.line, a.path) for code, a in rec.addressees.items()}
    first = (rec.line, "addressee" if not rec.is_json else "addressees")
    for code in entries:
        if code not in rec.addressees:
            differ(first[0], first[1], code, None)
    if "answers" not in rec.given:
        return out
    covered: dict[str, tuple[str, ImportAnswer]] = {}
    for code, entry in rec.addressees.items():
        for answer in entry.answers:
            for other in answer.covers:
                covered[other] = (answer.covers_reason, answer)
        if code not in entries:
            continue
        old_answers = sorted((a for a in entries[code].answers if a.status == "submitted"),
                             key=lambda a: (a.received_on, a.submitted_at))
        new_answers = sorted(entry.answers, key=lambda a: (a.received_on or date.min, a.line))
        for old, new in zip(old_answers, new_answers, strict=False):
            for part, old_value, new_value in (
                    ("received_on", old.received_on, new.received_on),
                    ("kind", old.kind, new.kind), ("position", old.position, new.position),
                    ("letter_date", old.letter_date, new.letter_date),
                    ("text_nl", old.text_nl, new.text_nl), ("text_fr", old.text_fr, new.text_fr),
                    ("text_on_record", old.is_text_on_record, new.text_on_record),
                    ("published", old.is_published, new.published)):
                differ(new.line, new.where(part), old_value, new_value)
        for new in new_answers[len(old_answers):]:
            out.append(Problem(new.line, new.where("received_on"), f"differs from the database: "
                               f"no such answer of {code} is stored (imported: {new.kind}, "
                               f"received on {_show(new.received_on)})", doc, DIFFERS))
        line, path = where_of[code]
        for old in old_answers[len(new_answers):]:
            out.append(Problem(line, path if path == "addressee" else f"{path}.answers",
                               f"differs from the database: the stored {old.kind} answer of "
                               f"{code} received on {_show(old.received_on)} is not in the "
                               "file", doc, DIFFERS))
    for code in sorted(set(covered) | set(stored.waivers)):
        old_reason = stored.waivers.get(code)
        if code in covered:
            reason, answer = covered[code]
            if old_reason is None:
                out.append(Problem(answer.line, answer.where("covers"), f"differs from the "
                                   f"database: {code} is not waived there (imported: covered, "
                                   "so waived)", doc, DIFFERS))
            else:
                differ(answer.line, answer.where("covers_reason"), old_reason, reason)
        elif code in where_of:
            line, path = where_of[code]
            out.append(Problem(line, path, f"differs from the database: {code} is waived there "
                               f"({_show(old_reason)}); the file has no answer covering it",
                               doc, DIFFERS))
    return out


def _last_seq(session: Session) -> int:
    return session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1)) or 0


def import_records(session: Session, records: list[ImportRecord], *,
                   problems: list[Problem] | None = None, actor: Actor = IMPORT_ACTOR,
                   now: datetime | None = None,
                   progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Replay the records through the operations, each in a savepoint, so that one
    record's refusal does not stop the others from being checked. Flushes, never
    commits: commit when ``report.ok``, roll back otherwise (then nothing is imported)."""
    now = clock.ensure_aware(now) if now is not None else clock.utcnow()
    report = ImportReport(records=len(records), problems=list(problems or []))
    if actor.role != SECRETARIAT:
        raise errors.PermissionDenied("only the secretariat may import recommendations",
                                      rule="role")
    existing = _existing(session, [r.doc_number for r in records])
    todo = [r for r in records if r.doc_number not in existing]
    # A record already in the database is skipped when the file says the same, and
    # reported field by field when it says something else (then nothing is imported).
    for rec in records:
        if rec.doc_number in existing and not _broken(rec, report.problems):
            differences = _differences(rec, existing[rec.doc_number])
            report.problems.extend(differences)
            (report.differing if differences else report.skipped).append(rec.doc_number)
    check(session, todo, report.problems)
    db.begin_for_savepoints(session)
    before = _last_seq(session)
    for done, rec in enumerate(todo, start=1):
        if not _broken(rec, report.problems):
            try:
                # A refusal rolls back this record only. Historic events tell nobody
                # anything: an import queues no notifications.
                with session.begin_nested(), notifications_suppressed(session):
                    _apply(session, actor, rec, now)
            except _Refused as refused:
                report.problems.append(refused.problem)
            except SQLAlchemyError as exc:
                report.problems.append(Problem(rec.line, "record", f"database refused: "
                                               f"{exc.__class__.__name__}", rec.doc_number))
            else:
                report.created.append(rec.doc_number)
        if progress is not None:
            progress(done, len(todo))
    if report.ok:
        report.events = _last_seq(session) - before
    else:
        report.created = []
        report.problems.sort(key=lambda p: (p.line, p.field))
    return report


# ---------------------------------------------------------------------------
# Writing the format (the inverse of reading it)

# The history the format carries: the recommendation, its publication and transmission,
# the replies received, the closure (with, for a closure on the merits, the committee's
# assessment on the closure day) and the aggregation rule's own events.
CARRIED = frozenset({"register", "edit", "publish", "unpublish", "transmit", "submit_interim",
                     "submit_answer", "decline", "publish_answer", "unpublish_answer",
                     "receive_reaction", "complete_answers", "start_assessment", "close",
                     "waive"})


def export_record(session: Session, rec: Recommendation) -> dict:
    """One recommendation in the JSON import format, so that importing it elsewhere
    rebuilds the same history (``history.state_as_of`` at every moment). A case whose
    history holds what the format cannot carry (waivers, follow-up questions, reopening,
    monitoring, extensions, clock stops, attachments, an assessment on another day than
    the closure) is refused rather than exported incompletely."""
    # Written questions and the addressees' comments on the case are records of their own,
    # not the case's history.
    events = [ev for ev in session.scalars(select(Event).where(
        Event.recommendation_id == rec.id, Event.entity.not_in(("question", "comment")))
        .order_by(Event.seq))]
    missing = sorted({ev.action for ev in events if ev.action not in CARRIED})
    closes = [ev for ev in events if ev.action == "close"]
    days = {ev.action: clock_ops.brussels_date(ev.effective_at) for ev in events}
    if len(closes) > 1:
        missing.append("close (more than once)")
    if "start_assessment" in days and days["start_assessment"] != days.get("close"):
        missing.append("start_assessment (on another day than the closure)")
    answers = [a for entry in rec.addressees for a in entry.answers if a.status == "submitted"]
    if any(a.attachments for a in answers):
        missing.append("attachments")
    covers = _covers(rec, [ev for ev in events if ev.action == "waive"], missing)
    if missing:
        raise errors.ValidationError(
            f"recommendation {rec.doc_number} cannot be exported in the import format: its "
            f"history holds {', '.join(missing)}, which the format does not carry",
            field="doc_number", rule="not_in_import_format", params={"actions": missing})
    record = {name: getattr(rec, name) for name in (
        "doc_number", "title_nl", "title_fr", "title_en", "text_nl", "text_fr", "committee",
        "theme", "session_label", "deadline_rule")}
    record["adopted_on"] = rec.adopted_on.isoformat()
    record["published"] = rec.is_published
    sent = opendata.transmitted_on(rec)
    record["transmitted_on"] = sent.isoformat() if sent else None
    record["addressees"] = [
        {"code": entry.addressee_code, "required": entry.is_required, "answers": [
            {"kind": a.kind, "position": a.position, "received_on": a.received_on.isoformat(),
             "letter_date": a.letter_date.isoformat() if a.letter_date else None,
             "text_nl": a.text_nl, "text_fr": a.text_fr, "published": a.is_published,
             **({} if a.is_text_on_record else {"text_on_record": False}),
             **covers.get(a.id, {})}
            for a in sorted((a for a in entry.answers if a.status == "submitted"),
                            key=lambda a: (a.received_on, a.submitted_at))]}
        for entry in rec.addressees]
    if closes:
        record["closure"] = {"closed_on": days["close"].isoformat(),
                             "reason": rec.closure_reason, "note": closes[0].reason}
        if closes[0].data.get("without_assessment"):
            record["closure"]["assessed"] = False
    return record


def _covers(rec: Recommendation, waivers: list[Event], missing: list[str]) -> dict[int, dict]:
    """The waivers as the collective answers that cover them: by answer id, its ``covers``
    and ``covers_reason``. A waiver the format cannot carry (not on the day a collective
    final answer was received, or with another reason than the others it gives) is named
    in ``missing``."""
    finals: dict[date, Answer] = {}
    for entry in rec.addressees:
        if entry.addressee.is_collective:
            for answer in entry.answers:
                if answer.status == "submitted" and answer.kind == "final":
                    finals.setdefault(answer.received_on, answer)
    out: dict[int, dict] = {}
    for ev in waivers:
        answer = finals.get(clock_ops.brussels_date(ev.effective_at))
        given = out.get(answer.id) if answer is not None else None
        if answer is None or (given is not None and given["covers_reason"] != ev.reason):
            missing.append("waive (not on the day of a collective answer, with one reason)")
            continue
        out.setdefault(answer.id, {"covers": [], "covers_reason": ev.reason})["covers"].append(
            ev.addressee_code)
    return out


def export_json(session: Session, recs: list[Recommendation]) -> bytes:
    """Recommendations as an import file (JSON), e.g. to move them to another instance."""
    data = {"recommendations": [export_record(session, rec) for rec in recs]}
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def import_file(session: Session, name: str, content: bytes, *, fmt: str | None = None,
                actor: Actor = IMPORT_ACTOR, now: datetime | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Read, check and replay a file; ``progress(done, total)`` is called after each
    recommendation. Commit only when the report is ok."""
    records, problems = parse(name, content, fmt)
    return import_records(session, records, problems=problems, actor=actor, now=now,
                          progress=progress)
