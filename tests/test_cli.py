"""The ``followup`` command line, run in-process with click's CliRunner against a fresh
database named by DATABASE_URL (a new SQLite file, or the suite's PostgreSQL database)."""

from __future__ import annotations

import functools
import os
import re
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.security import generate_password_hash

from followup.cli import cli
from workflow import accounts, db, errors, history
from workflow.cases import due_dates, scope
from workflow.lifecycle import ANSWER, RECOMMENDATION
from workflow.models import CaseAddressee, ClosingDay, Event, Recommendation, User

PG_TRIGGER = ("CREATE TRIGGER event_no_update_delete BEFORE UPDATE OR DELETE ON event "
              "FOR EACH ROW EXECUTE FUNCTION event_append_only()")
SQLITE_TRIGGER = ("CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN SELECT "
                  "RAISE(ABORT, 'event history is append-only: UPDATE refused'); END")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """The demo creates seven accounts; a cheap hash keeps these tests quick (the stored
    hash still names its method, so checking a password works the same)."""
    monkeypatch.setattr(accounts.users, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def cli_url(request, tmp_path, monkeypatch) -> str:
    """DATABASE_URL for the CLI: a new, empty SQLite file, or (when the suite runs on
    PostgreSQL) the fresh database of the ``db_url`` fixture."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        url = request.getfixturevalue("db_url")
    else:
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    return url


class EngineTracker:
    """Records the engines a command makes with ``db.make_engine``."""

    def __init__(self, monkeypatch):
        self.made = []
        real = db.make_engine

        def tracking(url=None):
            self.made.append(real(url))
            return self.made[-1]

        monkeypatch.setattr(db, "make_engine", tracking)

    def open_connections(self) -> list[int]:
        return [e.pool.checkedin() + e.pool.checkedout() for e in self.made]

    def dispose(self) -> None:
        for engine in self.made:
            engine.dispose()


@pytest.fixture
def run(cli_url, frozen_now):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0):
        with pytest.MonkeyPatch.context() as mp:
            engines = EngineTracker(mp)
            result = runner.invoke(cli, list(args), input=input)
        # The commands dispose of their engines themselves (checked by
        # test_commands_release_their_connections); disposing again here keeps a
        # regression there from turning every PostgreSQL test into a ResourceWarning error.
        engines.dispose()
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    return invoke


@pytest.fixture
def with_demo(run) -> str:
    run("init-db")
    return run("demo")


@pytest.fixture
def dbs(cli_url):
    engine = db.make_engine(cli_url)
    session = db.make_session(engine)
    yield session
    session.close()
    engine.dispose()


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- set-up commands


def test_init_db_creates_the_schema_and_is_repeatable(run, dbs, cli_url):
    out = run("init-db")
    assert re.fullmatch(r"database ready at \S+; 10 addressees\n", out)
    assert run("init-db") == out
    assert _count(dbs, Recommendation) == 0
    if cli_url.startswith("sqlite"):
        assert "cli.db" in out


def test_demo_loads_cases_and_prints_the_logins(with_demo, run, dbs):
    out = with_demo
    assert out.startswith("loaded 10 demo recommendations\n")
    assert "Demo logins (user name / password / role / organisation):" in out
    for login in ("secretariaat", "demo-secretariaat", "minbuza", "demo-minbuza", "auditor",
                  "demo-auditor"):
        assert login in out
    assert accounts.authenticate(dbs, "minbuza", "demo-minbuza").organisation == "NL"
    again = run("demo")
    assert again.startswith("loaded 0 demo recommendations\n")
    assert _count(dbs, Recommendation) == 10


def test_commands_release_their_connections(with_demo, monkeypatch):
    """Each command makes an engine; when it ends, no database connection may stay open
    (on PostgreSQL an open psycopg connection is garbage-collected with a ResourceWarning,
    and a long-running process calling the commands leaks server connections)."""
    engines = EngineTracker(monkeypatch)
    result = CliRunner().invoke(cli, ["verify-history"])
    left_open = engines.open_connections()
    engines.dispose()
    assert result.exit_code == 0, result.output
    assert left_open == [0]


def test_demo_without_init_db_creates_the_schema(run):
    assert run("demo").startswith("loaded 10 demo recommendations")


# --------------------------------------------------------------------------- diagram


def test_diagram_prints_mermaid_with_every_state(run):
    out = run("diagram")
    assert "stateDiagram-v2" in out
    for state in RECOMMENDATION.states:
        assert f'state "{state.label}" as {state.name}' in out
        assert f"class {state.name} s_default" in out
    assert "closed --> reopened: reopen" in out
    assert "s_active" not in out.split("classDef s_active", 1)[1]


def test_diagram_of_the_answer_lifecycle(run):
    out = run("diagram", "--lifecycle", "answer")
    for state in ANSWER.state_names:
        assert f" as {state}" in out
    assert "pending --> answered: submit_answer" in out


def test_diagram_highlights_a_case(with_demo, run):
    out = run("diagram", "--case", "741/4")
    styles = dict(re.findall(r"^\s*class (\w+) (s_\w+)$", out, flags=re.M))
    assert styles["follow_up_requested"] == "s_active"
    for passed in ("adopted", "transmitted", "awaiting_answers", "answered",
                   "under_assessment"):
        assert styles[passed] == "s_previous", passed
    for never in ("monitoring", "closed", "reopened"):
        assert styles[never] == "s_default", never


def test_diagram_of_an_unknown_case_fails(with_demo, run):
    out = run("diagram", "--case", "999/9", code=1)
    assert "Error: no recommendation with document number '999/9'" in out


# --------------------------------------------------------------------------- explain-due


def test_explain_due_gives_the_steps_and_the_status(with_demo, run):
    out = run("explain-due", "731/3", "BE-FED")
    assert out.splitlines() == [
        "Start: Saturday 17 June 2023 (day zero).",
        "Rule: 6 calendar months, calendar BE-FED (Belgium holidays).",
        "Added 6 calendar months: Sunday 17 December 2023.",
        "Skipped Sunday 17 December 2023: weekend.",
        "Moved to the next working day: Monday 18 December 2023.",
        "Due: Monday 18 December 2023 at 17:00 Europe/Brussels (16:00 UTC).",
        "Status now: very overdue, 135 days overdue",
    ]


def test_explain_due_before_transmission(with_demo, run):
    out = run("explain-due", "747/2", "NL")
    assert out == ("No due date yet: recommendation 747/2 has not been transmitted.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [(("999/9", "NL"), "Error: no recommendation with document number '999/9'"),
     (("731/3", "DE-NW"), "Error: DE-NW is not an addressee of recommendation 731/3 "
                          "(its addressees: CM, BE-FED, NL, LU)")],
)
def test_explain_due_errors(with_demo, run, args, message):
    assert message in run("explain-due", *args, code=1)


# --------------------------------------------------------------------------- verify-history


def _tamper_first_answer(cli_url) -> int:
    """What an attacker with direct SQL access does: drop the append-only trigger, change
    an answer's position, put the trigger back. Returns the changed event's seq."""
    engine = db.make_engine(cli_url)
    try:
        with engine.begin() as conn:
            seq = conn.execute(text("SELECT min(seq) FROM event WHERE action = "
                                    "'submit_answer'")).scalar_one()
            postgres = engine.dialect.name == "postgresql"
            conn.execute(text("DROP TRIGGER event_no_update_delete ON event" if postgres
                              else "DROP TRIGGER event_no_update"))
            conn.execute(text("UPDATE event SET payload = replace(payload, "
                              "'\"position\":\"agrees\"', '\"position\":\"disagrees\"') "
                              "WHERE seq = :seq"), {"seq": seq})
            conn.execute(text(PG_TRIGGER if postgres else SQLITE_TRIGGER))
        return seq
    finally:
        engine.dispose()


def test_verify_history_passes_then_catches_tampering(with_demo, run, cli_url):
    out = run("verify-history")
    match = re.fullmatch(r"history intact: (\d+) events, head ([0-9a-f]{64})\n", out)
    assert match and int(match[1]) > 50
    head = match[2]
    assert run("verify-history", "--head", head) == out

    seq = _tamper_first_answer(cli_url)
    broken = run("verify-history", code=1)
    assert broken.startswith(f"history BROKEN at event {seq}: the event's content does not "
                             "match its hash (expected ")
    assert f"{seq - 1} events checked before the break" in broken


def test_the_trigger_stops_tampering_without_ddl(with_demo, cli_url, run):
    engine = db.make_engine(cli_url)
    try:
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE event SET actor = 'mallory' WHERE seq = 1"))
    finally:
        engine.dispose()
    assert run("verify-history").startswith("history intact")


def test_verify_history_with_a_wrong_head(with_demo, run):
    out = run("verify-history", "--head", "f" * 64, code=1)
    assert "the newest events differ from the head noted earlier" in out


# --------------------------------------------------------------------------- calendars


def test_closing_day_makes_due_dates_stale_until_recomputed(with_demo, run, dbs):
    events = _count(dbs, Event)
    assert run("stale-due-dates") == "every stored due date matches its calendar\n"

    out = run("closing-day", "NL", "2024-05-13", "--note", "Extra sluitingsdag")
    assert out == ("calendar of NL updated; 4 due date(s) now differ from their calendar "
                   "(see 'followup stale-due-dates')\n")
    listed = run("stale-due-dates")
    assert "735/2 NL: stored 2024-05-13, calendar now gives 2024-05-14\n" in listed
    assert len(listed.splitlines()) == 4
    assert _count(dbs, Event) == events + 1  # listing changes nothing

    assert run("stale-due-dates", "--recompute", "--reason", "NL sluitingsdag") == listed
    assert run("stale-due-dates") == "every stored due date matches its calendar\n"
    assert "Skipped Monday 13 May 2024: closing day." in run("explain-due", "735/2", "NL")

    dbs.expire_all()
    logged = dbs.scalars(select(Event).where(Event.seq > events).order_by(Event.seq)).all()
    assert [e.action for e in logged] == ["set_closing_day"] + ["recompute_due"] * 4
    assert {(e.actor, e.actor_role) for e in logged} == {("cli", "secretariat")}
    assert logged[0].data == {"day": "2024-05-13", "is_open": False}
    assert logged[0].reason == "Extra sluitingsdag"
    moved = next(e for e in logged if e.doc_number == "735/2")
    assert moved.reason == "NL sluitingsdag"
    assert moved.data["old_due_at"] == "2024-05-13T15:00:00.000000Z"
    assert moved.data["due_at"] == {"NL": "2024-05-14T15:00:00.000000Z"}
    assert run("verify-history").startswith("history intact")


def test_closing_day_can_be_removed_and_declared_open(with_demo, run, dbs):
    run("closing-day", "BE-FED", "2024-05-10", "--note", "brugdag")
    run("closing-day", "BE-FED", "2024-05-09", "--open", "--note", "Hemelvaart: open")
    run("closing-day", "BE-FED", "2024-05-10", "--remove")
    days = dbs.scalars(select(ClosingDay).where(ClosingDay.addressee_code == "BE-FED")).all()
    assert [(d.day.isoformat(), d.is_open) for d in days] == [("2024-05-09", True)]


@pytest.mark.parametrize(
    ("args", "message"),
    [(("closing-day", "XX", "2024-05-13"), "Error: unknown addressee 'XX'; known: BE-BRU"),
     (("closing-day", "NL", "2024-06-13", "--remove"),
      "Error: 2024-06-13 is not a declared day of NL"),
     (("closing-day", "NL", "2024-06-13", "--note", "x" * 201),
      "Error: note is too long (201 characters; at most 200)")],
)
def test_calendar_errors_write_nothing(with_demo, run, dbs, args, message):
    events, days = _count(dbs, Event), _count(dbs, ClosingDay)
    assert message in run(*args, code=1)
    assert (_count(dbs, Event), _count(dbs, ClosingDay)) == (events, days)


def test_a_bad_date_is_a_usage_error(with_demo, run):
    out = run("closing-day", "NL", "13-05-2024", code=2)
    assert "'13-05-2024' does not match the format '%Y-%m-%d'" in out


# --------------------------------------------------------------------------- users


def test_create_user_asks_for_the_password(run, dbs):
    run("init-db")
    out = run("create-user", "piet", "--role", "ministry", "--organisation", "NL",
              "--name", "Piet Jansen", "--locale", "nl",
              input="een-lang-wachtwoord\neen-lang-wachtwoord\n")
    assert "user piet created (ministry, NL)" in out
    assert "een-lang-wachtwoord" not in out  # the prompt hides it
    user = dbs.scalars(select(User).where(User.username == "piet")).one()
    assert (user.full_name, user.locale, user.is_admin) == ("Piet Jansen", "nl", False)
    assert user.password_hash != "een-lang-wachtwoord"
    assert accounts.authenticate(dbs, "piet", "een-lang-wachtwoord") is not None


def test_create_admin(run, dbs):
    run("init-db")
    run("create-user", "beheer", "--role", "secretariat", "--organisation", "BNL-PARL",
        "--admin", input="beheer-wachtwoord\nbeheer-wachtwoord\n")
    assert dbs.scalars(select(User.is_admin).where(User.username == "beheer")).one()


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("piet", "--role", "ministry", "--organisation", "XX"), "een-lang-wachtwoord",
         "Error: a ministry user belongs to an addressee; 'XX' is none of BE-BRU"),
        (("piet", "--role", "ministry", "--organisation", "NL"), "kort",
         "Error: password: at least 8 characters"),
        (("Piet Jansen", "--role", "auditor", "--organisation", "IOB"), "een-lang-wachtwoord",
         "Error: user name: 2 to 80 lower-case letters"),
        (("secretariaat", "--role", "auditor", "--organisation", "IOB"),
         "een-lang-wachtwoord", "Error: user name 'secretariaat' is taken"),
    ],
)
def test_create_user_errors_write_nothing(with_demo, run, dbs, args, password, message):
    users = _count(dbs, User)
    out = run("create-user", *args, input=f"{password}\n{password}\n", code=1)
    assert message in out
    assert _count(dbs, User) == users


def test_create_user_with_an_unknown_role_is_a_usage_error(run, dbs):
    run("init-db")
    out = run("create-user", "piet", "--role", "minister", "--organisation", "NL",
              input="een-lang-wachtwoord\neen-lang-wachtwoord\n", code=2)
    assert "Invalid value for '--role'" in out
    assert _count(dbs, User) == 0


def test_create_user_needs_the_same_password_twice(run, dbs):
    run("init-db")
    out = run("create-user", "piet", "--role", "auditor", "--organisation", "IOB",
              input="een-lang-wachtwoord\nanders-wachtwoord\n", code=1)
    assert "The two entered values do not match." in out
    assert _count(dbs, User) == 0


# --------------------------------------------------------------------------- one transaction


@pytest.mark.parametrize("failure", [errors.ValidationError("the calendar service is down"),
                                     RuntimeError("disk full")], ids=["domain", "bug"])
def test_a_failure_after_the_operation_rolls_the_command_back(with_demo, run, dbs,
                                                              monkeypatch, failure):
    """closing-day stores the day and its event, then lists the stale due dates; when
    that fails, the command exits non-zero and neither the day nor the event is kept."""
    events, days = _count(dbs, Event), _count(dbs, ClosingDay)

    def failing(_session):
        raise failure

    monkeypatch.setattr(due_dates, "stale_due_dates", failing)
    out = run("closing-day", "NL", "2024-05-13", code=1)
    if isinstance(failure, errors.WorkflowError):
        assert "Error: the calendar service is down" in out
    assert (_count(dbs, Event), _count(dbs, ClosingDay)) == (events, days)


def test_a_lost_race_at_commit_is_a_clear_error_and_saves_nothing(with_demo, run, dbs):
    events, days = _count(dbs, Event), _count(dbs, ClosingDay)
    armed = [True]

    def refuse(_session):
        if armed:
            armed.clear()
            raise StaleDataError("UPDATE statement on table 'case_addressee' expected to "
                                 "update 1 row(s); 0 were matched")

    event.listen(Session, "before_commit", refuse)
    try:
        out = run("closing-day", "NL", "2024-05-13", code=1)
    finally:
        event.remove(Session, "before_commit", refuse)
    assert "Error: someone else changed the data meanwhile; nothing was saved" in out
    assert (_count(dbs, Event), _count(dbs, ClosingDay)) == (events, days)


def test_a_database_error_is_a_clear_error(run, monkeypatch):
    """The database cannot be reached: the command says so, without a traceback."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    out = run("create-user", "piet", "--role", "auditor", "--organisation", "IOB",
              input="een-lang-wachtwoord\neen-lang-wachtwoord\n", code=1)
    assert "Error: database error, nothing was saved:" in out


# --------------------------------------------------------------------------- the whole story


def test_history_of_a_cli_session_reconstructs_the_cases(with_demo, run, dbs, frozen_now):
    run("closing-day", "NL", "2024-05-13")
    run("stale-due-dates", "--recompute")
    dbs.expire_all()
    for rec in dbs.scalars(select(Recommendation)):
        snap = history.state_as_of(dbs, rec.id, frozen_now)
        assert snap.state == rec.state
        for entry in dbs.scalars(select(CaseAddressee).where(
                CaseAddressee.recommendation_id == rec.id)):
            due = history.format_utc(entry.due_at)
            assert snap.addressees[entry.addressee_code]["due_at"] == due


# --------------------------------------------------------------------------- fire


def test_fire_carries_out_a_deadline_action_as_a_named_user(with_demo, run, dbs):
    out = run("fire", "731/3", "stop_clock", "--as", "secretariaat", "--addressee", "BE-FED",
              "-p", "start=2023-07-03", "-p", "reason=Wacht op het Comité van Ministers")
    assert out == "731/3: stop_clock done; answer is now interim_reply\n"
    entry = scope.find_recommendation(dbs, "731/3").entry("BE-FED")
    assert entry.clock_stopped_on == date(2023, 7, 3) and entry.live_due_at is None
    last = dbs.scalars(select(Event).order_by(Event.seq.desc())).first()
    assert (last.action, last.actor, last.addressee_code) == ("stop_clock", "secretariaat",
                                                              "BE-FED")


@pytest.mark.parametrize(("args", "message"), [
    (("747/2", "transmit", "--as", "minbuza"),
     "Error: no recommendation 747/2 in your scope"),
    (("731/3", "stop_clock", "--as", "minbuza", "--addressee", "NL", "-p", "start=2023-07-03",
      "-p", "reason=x"),
     "Error: cannot stop the clock: only the secretariat may do this (you are ministry)"),
    (("731/3", "stop_clock", "--as", "secretariaat", "--addressee", "NL", "-p", "start=3 juli"),
     "Error: start: '3 juli' is not a date (YYYY-MM-DD)"),
    (("731/3", "close", "--as", "secretariaat", "-p", "colour=red"),
     "Error: 'colour=red': close takes closure_reason, reason, as name=value"),
    (("731/3", "close", "--as", "nobody"), "Error: no active user 'nobody'"),
])
def test_fire_refuses_with_the_rule_and_writes_nothing(with_demo, run, dbs, args, message):
    before = _count(dbs, Event)
    assert message in run("fire", *args, code=1)
    assert _count(dbs, Event) == before
