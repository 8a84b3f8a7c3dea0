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
from workflow.publishing import figures, scoreboard

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
    assert "skipped 712/2: already in the database, the same" in result.output
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


# ---------------------------------------------------------------------------
# The facts of historic records: an English title, collective answers, replies known
# only by their date, closures whose assessment is not on record

FACTS_HEADER = ("doc_number,adopted_on,title_nl,title_en,transmitted_on,published,closed_on,"
                "closure_reason,closure_note,closure_assessed,addressee,answer_kind,"
                "answer_position,answer_received_on,answer_text_nl,answer_text_on_record,"
                "answer_covers,answer_covers_reason\n")


def _facts(*rows: str) -> bytes:
    return (FACTS_HEADER + "".join(row + "\n" for row in rows)).encode()


def _import_ok(session, content: bytes, name: str = "facts.csv"):
    report = importer.import_file(session, name, content, now=NOW)
    assert report.ok, report.problems
    session.flush()
    return report


def _found(session, content: bytes, name: str = "facts.csv") -> set[tuple]:
    report = importer.import_file(session, name, content, now=NOW)
    assert not report.ok and report.created == []
    return {(p.line, p.field, p.rule) for p in report.problems}


def test_an_english_title_is_optional_and_shown_in_english(session):
    _import_ok(session, _facts(
        "920/1,2022-12-10,Defensiesamenwerking,Defence cooperation,,,,,,,NL,,,,,,,",
        "921/1,2022-12-10,Alleen Nederlands,,,,,,,,NL,,,,,,,"))
    rec = scope.find_recommendation(session, "920/1")
    assert (rec.title_en, rec.title("en"), rec.title("nl")) == (
        "Defence cooperation", "Defence cooperation", "Defensiesamenwerking")
    assert scope.find_recommendation(session, "921/1").title("en") == "Alleen Nederlands"
    register = history.case_events(session, rec.id)[0]
    assert register.data["title_en"] == "Defence cooperation"


def test_an_english_title_alone_is_not_enough_and_has_a_limit(session):
    long = "x" * 2001
    assert _found(session, _facts(
        "922/1,2022-12-10,,Only English,,,,,,,NL,,,,,,,",
        f"923/1,2022-12-10,Titel,{long},,,,,,,NL,,,,,,,")) == {
        (2, "title_nl", "title_required"), (3, "title_en", "")}


COLLECTIVE = (
    "930/1,2022-12-10,Defensie,,2022-12-20,yes,,,,,CM,final,,2024-03-12,,no,"
    "BE-FED NL LU,Collectief antwoord van het Comité van Ministers",
    "930/1,,,,,,,,,,BE-FED,,,,,,,",
    "930/1,,,,,,,,,,NL,,,,,,,",
    "930/1,,,,,,,,,,LU,,,,,,,")


def test_a_collective_answer_waives_the_governments_it_covers(session):
    report = _import_ok(session, _facts(*COLLECTIVE))
    rec = scope.find_recommendation(session, "930/1")
    assert rec.state == "answered"
    states = {e.addressee_code: (e.state, e.is_waived, e.first_final_at is None)
              for e in rec.addressees}
    assert states == {"CM": ("answered", False, False), "BE-FED": ("waived", True, True),
                      "NL": ("waived", True, True), "LU": ("waived", True, True)}
    waivers = [ev for ev in history.case_events(session, rec.id) if ev.action == "waive"]
    assert [(ev.addressee_code, ev.reason, ev.effective_at.date()) for ev in waivers] == [
        (code, "Collectief antwoord van het Comité van Ministers", date(2024, 3, 12))
        for code in ("BE-FED", "NL", "LU")]
    assert report.events == _counts(session)[1]
    assert history.verify_history(session).ok


def test_a_reply_known_only_by_its_date_counts_as_answered_that_day(session):
    _import_ok(session, _facts(*COLLECTIVE))
    cm = scope.find_recommendation(session, "930/1").entry("CM")
    answer = cm.answers[0]
    assert (answer.is_text_on_record, answer.text_nl, answer.text_fr, answer.position) == (
        False, "", "", None)
    assert (cm.answered_on, cm.position, cm.days_to_answer) == (date(2024, 3, 12), None, 448)
    assert cm.first_final_at.date() == date(2024, 3, 12) and cm.is_on_time is False
    event = next(ev for ev in history.case_events(session, cm.recommendation_id)
                 if ev.action == "submit_answer")
    assert event.data["text_on_record"] is False and event.data["position"] is None


def test_the_scoreboard_counts_imported_facts_as_the_history_says(session):
    _import_ok(session, _facts(*COLLECTIVE))
    later = datetime(2024, 6, 1, tzinfo=UTC)
    sql = [s.as_dict() for s in figures.scores(session, later)]
    assert sql == [s.as_dict() for s in scoreboard.compute(session.scalars(select(Event)), later)]
    by_code = {s["addressee"]: s for s in sql}
    assert (by_code["CM"]["answered"], by_code["CM"]["median_days"]) == (1, 448.0)
    assert by_code["NL"]["waived"] == 1 and by_code["NL"]["pending_now"] == 0


def test_a_historic_closure_without_assessment_makes_none_up(session):
    _import_ok(session, _facts(
        "931/1,2019-06-15,Gesloten,,2019-06-20,,2021-03-01,implemented,Uitgevoerd in 2021,no,"
        "NL,,,,,,,"))
    rec = scope.find_recommendation(session, "931/1")
    assert (rec.state, rec.closure_reason) == ("closed", "implemented")
    events = history.case_events(session, rec.id)
    assert [ev.action for ev in events] == ["register", "transmit", "close"]
    close = events[-1]
    assert (close.reason, close.effective_at.date()) == ("Uitgevoerd in 2021", date(2021, 3, 1))
    assert close.data["without_assessment"] is True
    assert rec.entry("NL").is_awaited is False  # a closed case awaits nothing


def test_a_closure_with_assessment_still_gets_it_on_the_closure_day(session):
    _import_ok(session, _facts(
        "932/1,2019-06-15,Beoordeeld,,2019-06-20,,2021-03-01,implemented,,yes,"
        "NL,final,agrees,2020-01-10,Ja,,,"))
    rec = scope.find_recommendation(session, "932/1")
    actions = [ev.action for ev in history.case_events(session, rec.id)
               if ev.entity == "recommendation"]
    assert actions[-2:] == ["start_assessment", "close"]


def test_errors_in_the_new_facts_name_line_and_field(session):
    found = _found(session, _facts(
        # a government's answer cannot cover others
        "940/1,2022-12-10,A,,2022-12-20,,,,,,NL,final,agrees,2023-01-10,Ja,,LU,Gedekt",
        "940/1,,,,,,,,,,LU,,,,,,,",
        # covering an addressee the recommendation does not have, and itself
        "941/1,2022-12-10,B,,2022-12-20,,,,,,CM,final,agrees,2023-01-10,Ja,,CM DE-NW,Gedekt",
        # covers without a reason; a reason without covers
        "942/1,2022-12-10,C,,2022-12-20,,,,,,CM,final,agrees,2023-01-10,Ja,,NL,",
        "942/1,,,,,,,,,,NL,interim,,2023-01-05,Even geduld,,,Waarom",
        # an interim reply does not cover anyone
        "943/1,2022-12-10,D,,2022-12-20,,,,,,CM,interim,,2023-01-10,Even,,NL,Gedekt",
        "943/1,,,,,,,,,,NL,,,,,,,",
        # a text given for a reply whose text is not on record; a yes/no that is neither
        "944/1,2022-12-10,E,,2022-12-20,,,,,,NL,final,,2023-01-10,Tekst,no,,",
        "945/1,2022-12-10,F,,2022-12-20,,,,,,NL,final,,2023-01-10,,misschien,,",
        # a closure without its reason, an unknown reason, assessed without a closure
        "946/1,2022-12-10,G,,2022-12-20,,2023-02-01,,,no,NL,,,,,,,",
        "947/1,2022-12-10,H,,2022-12-20,,2023-02-01,forgotten,,,NL,,,,,,,",
        "948/1,2022-12-10,I,,2022-12-20,,,,,no,NL,,,,,,,",
        # the operations decide the rest: a covered government that already answered
        "949/1,2022-12-10,J,,2022-12-20,,,,,,CM,final,agrees,2023-02-10,Ja,,NL,Gedekt",
        "949/1,,,,,,,,,,NL,final,agrees,2023-01-10,Ja,,,",
    ))
    assert found == {
        (2, "answer_covers", ""), (4, "answer_covers", ""), (5, "answer_covers_reason", ""),
        (6, "answer_covers", ""), (7, "answer_covers", ""), (9, "answer_text_nl", ""),
        (10, "answer_text_on_record", ""), (11, "closure_reason", ""),
        (12, "closure_reason", ""), (13, "closure_assessed", ""),
        (14, "answer_covers", "state")}


def test_error_reasons_say_what_is_wrong(session):
    report = importer.import_file(session, "facts.csv", _facts(
        "940/1,2022-12-10,A,,2022-12-20,,,,,,NL,final,agrees,2023-01-10,Ja,,LU,Gedekt",
        "940/1,,,,,,,,,,LU,,,,,,,",
        "941/1,2022-12-10,B,,2022-12-20,,,,,,CM,final,agrees,2023-01-10,Ja,,DE-NW,Gedekt",
        "949/1,2022-12-10,J,,2022-12-20,,,,,,CM,final,agrees,2023-02-10,Ja,,NL,Gedekt",
        "949/1,,,,,,,,,,NL,final,agrees,2023-01-10,Ja,,,"), now=NOW)
    reasons = {p.line: p.reason for p in report.problems}
    assert "NL is not collective" in reasons[2]
    assert "DE-NW is not an addressee of 941/1" in reasons[4]
    assert "cannot waive" in reasons[5] and "answered" in reasons[5]


def test_new_facts_in_json_name_their_paths(session):
    data = {"recommendations": [
        {"doc_number": "950/1", "adopted_on": "2022-12-10", "title_nl": "A",
         "title_en": "A in English", "transmitted_on": "2022-12-20",
         "addressees": [
             {"code": "CM", "answers": [{"kind": "final", "received_on": "2024-03-12",
                                         "text_on_record": False, "covers": ["NL", "LU"],
                                         "covers_reason": "Collectief"}]},
             "NL", {"code": "LU", "answers": [{"kind": "interim", "received_on": "2023-01-05",
                                              "text_on_record": False, "covers": "NL"}]}],
         "closure": {"closed_on": "2024-04-01", "reason": "implemented", "assessed": False,
                     "by": "x"}}]}
    report = importer.import_file(session, "facts.json", json.dumps(data, indent=1).encode(),
                                  now=NOW)
    where = "recommendations[0].addressees[2].answers[0]"
    assert {(p.field, p.rule) for p in report.problems} == {
        (f"{where}.covers", ""), (f"{where}.covers_reason", ""),
        ("recommendations[0].closure.by", "")}
    del data["recommendations"][0]["addressees"][2]["answers"][0]["covers"]
    del data["recommendations"][0]["closure"]["by"]
    _import_ok(session, json.dumps(data).encode(), "facts.json")
    rec = scope.find_recommendation(session, "950/1")
    assert (rec.state, rec.title_en) == ("closed", "A in English")
    assert {e.addressee_code: e.state for e in rec.addressees} == {
        "CM": "answered", "NL": "waived", "LU": "waived"}


# ---------------------------------------------------------------------------
# Re-importing: identical content is skipped, different content is reported


def _sample_data() -> dict:
    return json.loads(_sample("json")[1])


def test_a_reimport_with_other_content_is_reported_field_by_field(session):
    importer.import_file(session, *_sample("json"), now=NOW)
    session.commit()
    before = _counts(session)
    data = _sample_data()
    first = data["recommendations"][0]
    first["title_nl"] = "Een andere titel"
    first["addressees"][1]["answers"][0]["position"] = "disagrees"
    first["closure"]["reason"] = "lapsed"
    data["recommendations"][1]["addressees"].pop()  # LU left out of 715/3
    data["recommendations"].append({"doc_number": "990/1", "adopted_on": "2023-01-01",
                                    "title_nl": "Nieuw", "addressees": ["NL"]})
    report = importer.import_file(session, "changed.json", json.dumps(data, indent=1).encode(),
                                  now=NOW)
    assert not report.ok and report.created == []
    assert report.differing == ["712/2", "715/3"]
    assert report.skipped == ["719/2", "724/1", "728/4", "742/2"]
    found = {(p.doc_number, p.field): p.reason for p in report.problems}
    assert set(found) == {
        ("712/2", "title_nl"), ("712/2", "recommendations[0].addressees[1].answers[0].position"),
        ("712/2", "closure.reason"), ("715/3", "addressees")}
    assert all(p.rule == "differs_from_database" for p in report.problems)
    assert found[("712/2", "title_nl")] == (
        "differs from the database: stored 'Grensoverschrijdende arbeidsmobiliteit en "
        "erkenning van beroepskwalificaties', imported 'Een andere titel'")
    assert "stored 'agrees', imported 'disagrees'" in found[
        ("712/2", "recommendations[0].addressees[1].answers[0].position")]
    assert "stored 'LU', imported (none)" in found[("715/3", "addressees")]
    assert {p.line for p in report.problems if p.doc_number == "712/2"} == {4}
    session.rollback()
    assert _counts(session) == before


def test_a_csv_reimport_names_the_row_that_differs(session):
    importer.import_file(session, *_sample("csv"), now=NOW)
    session.commit()
    lines = _sample("csv")[1].decode().splitlines()
    lines[3] = lines[3].replace("2018-04-20", "2018-04-21")  # NL's answer of 712/2
    report = importer.import_file(session, "changed.csv", "\n".join(lines).encode(), now=NOW)
    assert [(p.line, p.field, p.rule) for p in report.problems] == [
        (4, "answer_received_on", "differs_from_database")]
    assert "stored 2018-04-20, imported 2018-04-21" in report.problems[0].reason


def test_a_reimport_compares_answers_waivers_and_closures(session):
    _import_ok(session, _facts(*COLLECTIVE, "931/1,2019-06-15,Gesloten,,2019-06-20,,"
                               "2021-03-01,implemented,Uitgevoerd,no,NL,,,,,,,"))
    session.commit()
    assert importer.import_file(session, "facts.csv", _facts(
        *COLLECTIVE, "931/1,2019-06-15,Gesloten,,2019-06-20,,2021-03-01,implemented,"
        "Uitgevoerd,no,NL,,,,,,,"), now=NOW).skipped == ["930/1", "931/1"]
    changed = (COLLECTIVE[0].replace("BE-FED NL LU", "NL LU").replace(",no,", ",,")
               .replace("2024-03-12,,", "2024-03-12,Tekst,"),
               *COLLECTIVE[1:],
               "931/1,2019-06-15,Gesloten,,2019-06-20,,2021-03-01,implemented,Uitgevoerd,yes,"
               "NL,interim,,2020-01-01,Even,,,")
    report = importer.import_file(session, "facts.csv", _facts(*changed), now=NOW)
    assert {(p.line, p.field) for p in report.problems} == {
        (2, "answer_text_nl"), (2, "answer_text_on_record"), (3, "addressee"),
        (6, "closure_assessed"), (6, "answer_received_on")}
    reasons = {(p.line, p.field): p.reason for p in report.problems}
    assert "BE-FED is waived there" in reasons[(3, "addressee")]
    assert "no such answer of NL is stored" in reasons[(6, "answer_received_on")]


def test_cli_reports_a_reimport_that_differs_and_writes_nothing(runner, session, tmp_path):
    assert runner.invoke(cli, ["import", str(SAMPLES / "import-sample.json")]).exit_code == 0
    data = _sample_data()
    data["recommendations"][2]["title_fr"] = "Autre"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data, indent=1))
    result = runner.invoke(cli, ["import", str(changed)])
    assert result.exit_code == 1
    assert "1 problem(s) in changed.json; nothing was imported" in result.output
    assert "(719/2), title_fr: differs from the database: stored 'Surveillance" in result.output
    assert "imported 'Autre'" in result.output


def test_the_historic_sample_loads_without_made_up_facts(session):
    report = importer.import_file(session, *importer.read_file(
        SAMPLES / "import-historic.json"), now=NOW)
    assert report.ok, report.problems
    assert report.created == ["9901/1", "9902/1"]
    defence = scope.find_recommendation(session, "9901/1")
    assert defence.state == "answered" and defence.title("en").startswith("Defence cooperation")
    assert {e.addressee_code: e.state for e in defence.addressees} == {
        "CM": "answered", "BE-FED": "waived", "NL": "waived", "LU": "waived"}
    assert defence.entry("CM").answers[0].is_text_on_record is False
    fraud = scope.find_recommendation(session, "9902/1")
    assert (fraud.state, fraud.closure_reason) == ("closed", "implemented")
    assert "start_assessment" not in {ev.action for ev in history.case_events(session, fraud.id)}
    session.commit()
    exported = json.loads(importer.export_json(session, [defence, fraud]))["recommendations"]
    again = importer.import_file(session, "again.json",
                                 json.dumps({"recommendations": exported}).encode(), now=NOW)
    assert again.ok and again.skipped == ["9901/1", "9902/1"]  # the export says the same


def test_the_migration_goes_down_and_up_again(db_url):
    from alembic import command
    from sqlalchemy import inspect

    from workflow import db
    from workflow.cases import catalogue

    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    s = db.make_session(engine)
    try:
        catalogue.sync_addressees(s)
        assert importer.import_file(s, *_sample("json"), now=NOW).ok
        s.commit()
    finally:
        s.close()
    command.downgrade(db.alembic_config(db_url), "0010")
    try:
        with engine.connect() as conn:
            assert "title_en" not in {c["name"] for c in inspect(conn).get_columns(
                "recommendation")}
            assert "is_text_on_record" not in {c["name"] for c in inspect(conn).get_columns(
                "answer")}
    finally:
        engine.dispose()
    db.upgrade(db_url)
    s = db.make_session(engine)
    try:
        assert all(a.is_text_on_record for a in s.scalars(select(Answer)))
        assert {r.title_en for r in s.scalars(select(Recommendation))} == {""}
        # a reply known only by its date, with no position: the older schema forbids it
        assert importer.import_file(s, *importer.read_file(SAMPLES / "import-historic.json"),
                                    now=NOW).ok
        s.commit()
    finally:
        s.close()
        engine.dispose()
    with pytest.raises(RuntimeError, match="answered with no position on record"):
        command.downgrade(db.alembic_config(db_url), "0010")
