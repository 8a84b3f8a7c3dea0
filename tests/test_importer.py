"""Bulk import: the sample files load, historic dates become effective dates, a bad
file is reported in full and writes nothing, re-importing duplicates nothing."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from followup.cli import cli
from workflow import dispatch, errors, history
from workflow.cases import scope, transitions
from workflow.importing import importer
from workflow.models import Answer, Event, Recommendation

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NOW = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)


def _sample(kind: str) -> tuple[str, bytes]:
    return importer.read_file(SAMPLES / f"import-sample.{kind}")


def _counts(session) -> tuple[int, int]:
    return (session.scalar(select(func.count(Recommendation.id))),
            session.scalar(select(func.count(Event.id))))


def _plain(records):
    """Records without where they came from (line numbers and paths differ by format)."""
    out = []
    for rec in records:
        entries = {}
        for code, entry in rec.addressees.items():
            answers = [dataclasses.replace(a, line=0, path="") for a in entry.answers]
            entries[code] = (entry.required, answers)
        out.append((rec.doc_number, rec.values, entries))
    return out


def test_csv_and_json_samples_say_the_same():
    csv_records, csv_problems = importer.parse(*_sample("csv"))
    json_records, json_problems = importer.parse(*_sample("json"))
    assert csv_problems == [] and json_problems == []
    assert len(csv_records) == 6
    assert _plain(csv_records) == _plain(json_records)


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_sample_loads_with_historic_effective_dates(session, kind):
    report = importer.import_file(session, *_sample(kind), now=NOW)
    assert report.ok, report.problems
    assert report.created == ["712/2", "715/3", "719/2", "724/1", "728/4", "742/2"]
    session.commit()
    states = {r.doc_number: (r.state, r.closure_reason) for r in session.scalars(
        select(Recommendation))}
    assert states == {"712/2": ("closed", "implemented"), "715/3": ("answered", None),
                      "719/2": ("awaiting_answers", None), "724/1": ("closed", "lapsed"),
                      "728/4": ("answered", None), "742/2": ("awaiting_answers", None)}
    rec = scope.find_recommendation(session, "712/2")
    assert rec.is_published and rec.adopted_on == date(2017, 11, 25)
    events = history.case_events(session, rec.id)
    assert all(ev.recorded_at == NOW for ev in events)
    effective = {ev.action: ev.effective_at.date() for ev in events}
    assert effective["register"] == date(2017, 11, 25)
    assert effective["transmit"] == date(2017, 12, 8)
    assert effective["start_assessment"] == date(2019, 3, 15)
    assert effective["close"] == date(2019, 3, 15)
    replies = [(ev.addressee_code, ev.action, ev.effective_at.date()) for ev in events
               if ev.entity == "answer"]
    assert ("BE-FED", "submit_interim", date(2018, 5, 15)) in replies
    assert ("NL", "submit_answer", date(2018, 4, 20)) in replies
    nl = rec.entry("NL")
    assert nl.answered_on == date(2018, 4, 20) and nl.position == "agrees"
    assert nl.due_at.date() == date(2018, 6, 8)
    answer = nl.answers[0]
    assert (answer.letter_date, answer.received_on, answer.is_published) == (
        date(2018, 4, 16), date(2018, 4, 20), True)
    unpublished = session.scalar(select(Answer).where(Answer.text_nl.like("%privacy%")))
    assert unpublished.is_published is False
    assert history.verify_history(session).ok
    assert report.events == _counts(session)[1]


def test_reimport_is_idempotent(session):
    first = importer.import_file(session, *_sample("json"), now=NOW)
    session.commit()
    before = _counts(session)
    again = importer.import_file(session, *_sample("csv"), now=NOW)
    assert again.ok and again.created == [] and again.events == 0
    assert again.skipped == first.created
    session.commit()
    assert _counts(session) == before


@pytest.mark.parametrize("lookup_batch", [1000, 1])
def test_partly_known_file_imports_only_the_new_ones(session, monkeypatch, lookup_batch):
    # A batch of one: the known document numbers are looked up in several queries.
    monkeypatch.setattr(importer, "LOOKUP_BATCH", lookup_batch)
    name, content = _sample("json")
    data = json.loads(content)
    first, rest = data["recommendations"][:2], data["recommendations"][2:]
    importer.import_file(session, "first.json", json.dumps({"recommendations": first}).encode(),
                         now=NOW)
    session.commit()
    report = importer.import_file(session, name, content, now=NOW)
    assert report.skipped == ["712/2", "715/3"]
    assert report.created == [r["doc_number"] for r in rest]


BAD_CSV = """doc_number,adopted_on,title_nl,transmitted_on,closed_on,closure_reason,addressee,\
required,answer_kind,answer_position,answer_received_on,answer_text_nl
800/1,2023-02-30,Titel,2023-03-10,,,NL,yes,final,,2023-04-01,Antwoord
800/1,,,,,,XX,yes,,,,
801/2,2023-05-01,Titel twee,2023-04-01,,,BE-FED,maybe,,,,
802,2023-05-01,,,,,LU,,,,,
803/1,2023-05-01,Goed,2023-05-10,2023-06-01,implemented,NL,yes,final,agrees,2023-06-01,Ja
804/1,2023-05-01,Te vroeg gesloten,2023-05-10,2023-06-01,implemented,NL,yes,,,,
805/1,2023-05-01,Voor de adoptie verstuurd,2023-04-01,,,NL,yes,,,,
806/1,2023-05-01,Gesloten voor het antwoord,2023-05-10,2023-05-15,lapsed,NL,yes,final,agrees,\
2023-05-20,Ja
807/1,2023-05-01,Zonder standpunt,2023-05-10,,,NL,yes,final,,2023-05-20,Ja
808/1,2023-05-01,,2023-05-10,,,NL,yes,,,,
"""


def test_bad_file_reports_every_problem_and_writes_nothing(session):
    before = _counts(session)
    report = importer.import_file(session, "bad.csv", BAD_CSV.encode(), now=NOW)
    assert not report.ok and report.created == []
    found = {(p.line, p.field, p.rule) for p in report.problems}
    assert found == {
        # reading: the record is not replayed
        (2, "adopted_on", ""), (3, "addressee", ""), (4, "required", ""), (5, "doc_number", ""),
        # replaying: the operations refuse, each with its rule
        (7, "closure_reason", "assessed_before_closure"),
        (8, "transmitted_on", "transmitted_after_adoption"),
        (9, "closed_on", "date_before_latest_event"),
        (10, "answer_position", "final_has_position"),
        (11, "title_nl", "title_required")}
    assert "803/1" not in {p.doc_number for p in report.problems}  # the good row is fine
    reasons = {(p.line, p.field): p.reason for p in report.problems}
    assert "YYYY-MM-DD" in reasons[(2, "adopted_on")]
    assert "unknown addressee 'XX'" in reasons[(3, "addressee")]
    assert "not assessed" in reasons[(7, "closure_reason")]
    assert "2023-05-20" in reasons[(9, "closed_on")]  # the date of the answer it precedes
    session.rollback()
    assert _counts(session) == before


def test_a_refusal_of_one_record_leaves_the_others_checked(session):
    """Each record is replayed in its own savepoint: the good records before and after a
    refused one still run (and would be imported), but the caller rolls all back."""
    good = "803/1,2023-05-01,Goed,2023-05-10,,,NL,yes,,,,\n"
    refused = "805/1,2023-05-01,Te vroeg,2023-04-01,,,NL,yes,,,,\n"
    later = "809/1,2023-05-01,Later,2023-05-10,,,NL,yes,interim,,2023-06-01,Ja\n"
    header = BAD_CSV.splitlines()[0] + "\n"
    report = importer.import_file(session, "x.csv", (header + good + refused + later).encode(),
                                  now=NOW)
    assert [(p.doc_number, p.rule) for p in report.problems] == [
        ("805/1", "transmitted_after_adoption")]
    # the later record was replayed too: it is in the session, not yet rolled back
    assert {r.doc_number for r in session.scalars(select(Recommendation))} == {"803/1",
                                                                               "809/1"}
    session.rollback()
    assert _counts(session) == (0, 0)


BAD_JSON = """{"recommendations": [
  {"doc_number": "900/1", "adopted_on": "2023-01-01", "title_nl": "A",
   "transmitted_on": "2023-01-10",
   "addressees": [{"code": "NL", "answers": [{"kind": "final", "received_on": "2023-02-01",
                                              "text_nl": "x"}]}]},
  {"doc_number": "900/1", "adopted_on": "2023-01-01", "title_nl": "B", "addressees": ["NL"]},
  {"doc_number": "901/1", "adopted_on": "2023-01-01", "title_nl": "C", "addressees": ["NL"],
   "closure": {"closed_on": "2023-02-01", "reason": "lapsed"}, "colour": "red"}
]}"""


def test_bad_json_names_lines_and_paths(session):
    report = importer.import_file(session, "bad.json", BAD_JSON.encode(), now=NOW)
    assert [(p.line, p.field, p.rule) for p in report.problems] == [
        (2, "recommendations[0].addressees[0].answers[0].position", "final_has_position"),
        (6, "recommendations[1].doc_number", ""),
        (7, "closure.reason", "state"),  # not transmitted: a closure is not possible
        (7, "recommendations[2].colour", "")]


def test_not_json_and_not_utf8_are_reported(session):
    report = importer.import_file(session, "x.json", b'{"recommendations": [\n  {,}\n]}')
    assert [(p.line, p.field) for p in report.problems] == [(2, "file")]
    report = importer.import_file(session, "x.csv", "doc_number,adopted_on\n".encode("utf-16"))
    assert report.problems[0].field == "file" and "UTF-8" in report.problems[0].reason
    report = importer.import_file(session, "x.csv", b"number,date\n1,2\n")
    assert report.problems[0].field == "header"


def test_a_refusal_while_applying_rolls_everything_back(session, monkeypatch):
    real = transitions.transmit

    def transmit(session_, actor, rec, **kwargs):
        if rec.doc_number == "719/2":
            raise errors.ValidationError("the calendar refused", field="transmitted_on")
        return real(session_, actor, rec, **kwargs)

    monkeypatch.setitem(dispatch.OPERATIONS, "transmit", transmit)
    before = _counts(session)
    report = importer.import_file(session, *_sample("json"), now=NOW)
    assert [(p.doc_number, p.field) for p in report.problems] == [("719/2", "transmitted_on")]
    assert report.created == []
    session.rollback()
    assert _counts(session) == before


def test_only_the_secretariat_imports(session):
    from workflow.actors import Actor

    with pytest.raises(errors.PermissionDenied):
        importer.import_file(session, *_sample("json"), actor=Actor("jan", "ministry", "NL"))


# ---------------------------------------------------------------------------
# The command line


@pytest.fixture
def runner(db_url, monkeypatch, session):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return CliRunner()


def test_cli_imports_the_sample_then_skips_it(runner, session):
    result = runner.invoke(cli, ["import", str(SAMPLES / "import-sample.csv")])
    assert result.exit_code == 0, result.output
    assert "imported 6 recommendation(s)" in result.output
    result = runner.invoke(cli, ["import", str(SAMPLES / "import-sample.json")])
    assert result.exit_code == 0, result.output
    assert "skipped 712/2: already in the database" in result.output
    assert "imported 0 recommendation(s)" in result.output
    session.expire_all()
    assert _counts(session)[0] == 6


def test_cli_reports_a_bad_file_and_exits_1(runner, session, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV)
    result = runner.invoke(cli, ["import", str(bad)])
    assert result.exit_code == 1
    assert "9 problem(s) in bad.csv; nothing was imported" in result.output
    assert "line 3 (800/1), addressee: unknown addressee 'XX'" in result.output
    assert _counts(session) == (0, 0)


def test_cli_dry_run_writes_nothing(runner, session):
    result = runner.invoke(cli, ["import", "--dry-run", str(SAMPLES / "import-sample.json")])
    assert result.exit_code == 0, result.output
    assert "would import 6 recommendation(s)" in result.output
    assert _counts(session) == (0, 0)


def test_cli_shows_progress_on_long_imports(runner, session, tmp_path):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["doc_number", "adopted_on", "title_nl", "transmitted_on", "addressee"])
    for n in range(1, 13):
        writer.writerow([f"{600 + n}/1", "2020-01-15", f"Aanbeveling {n}", "2020-01-20", "NL"])
    path = tmp_path / "many.csv"
    path.write_text(out.getvalue())
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output
    assert "imported 12 recommendation(s)" in result.output
