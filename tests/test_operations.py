"""Operations beyond the lifecycle rules of the specs: optimistic locking, the one shared
state machine, who is offered which action, scope, attachments, drafts, the demo data,
and that ``available_triggers`` offers exactly what the operations accept."""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import transitions
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tests.pdfs import pdf
from workflow import accounts, clock, db, dispatch, errors, history
from workflow.actors import Actor
from workflow.answers import pdf_files, replies
from workflow.cases import catalogue, due_dates, registration, scope
from workflow.cases import transitions as transitions_ops
from workflow.demo import DEMO_USERS, load_demo
from workflow.lifecycle import ANSWER, RECOMMENDATION, ROLES
from workflow.models import Answer, Event, Recommendation

NOW = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # a Thursday
SENT = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
PDF = pdf("operations")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """The demo creates seven accounts; a cheap hash keeps these tests quick (the stored
    hash still names its method, so checking a password works the same)."""
    monkeypatch.setattr(accounts.users, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def _case(session, actor, doc="760/1", addressees=("NL", "BE-FED"), *, transmit=True,
          now=SENT) -> Recommendation:
    rec = registration.register_recommendation(
        session, actor, doc_number=doc, adopted_on=date(2024, 2, 26),
        addressees=list(addressees), title_nl=f"Aanbeveling {doc}",
        title_fr=f"Recommandation {doc}", now=now - timedelta(days=1))
    if transmit:
        transitions_ops.transmit(session, actor, rec, now=now)
    session.commit()
    return rec


def _events(session) -> int:
    return session.scalar(select(func.count(Event.id)))


# --------------------------------------------------------------------------- optimistic locking


def _answered_case(engine) -> int:
    """A case whose answers are all in, committed; returns its id."""
    s = db.make_session(engine)
    try:
        catalogue.sync_addressees(s)
        sec = Actor("anna", "secretariat", "BNL-PARL")
        rec = _case(s, sec, addressees=("NL",))
        replies.submit_reply(s, Actor("jan", "ministry", "NL"), rec.entry("NL"), kind="final",
                             position="agrees", text_nl="Akkoord.", now=NOW)
        s.commit()
        assert rec.state == "answered"
        return rec.id
    finally:
        s.close()


def _second_writer_conflicts(engine) -> None:
    rec_id = _answered_case(engine)
    sec = Actor("anna", "secretariat", "BNL-PARL")
    first, second = db.make_session(engine), db.make_session(engine)
    try:
        mine = first.get(Recommendation, rec_id)
        theirs = second.get(Recommendation, rec_id)
        assert mine.version == theirs.version
        events_before = _events(first)

        dispatch.fire(first, sec, mine, "start_assessment", now=NOW)
        first.commit()

        with pytest.raises(errors.ConflictError, match="someone else changed this case"):
            transitions_ops.close(second, sec, theirs, closure_reason="lapsed", reason="stale view",
                                  now=NOW)
        second.rollback()
    finally:
        first.close()
        second.close()

    check = db.make_session(engine)
    try:
        stored = check.get(Recommendation, rec_id)
        assert (stored.state, stored.closure_reason) == ("under_assessment", None)
        assert _events(check) == events_before + 1
        assert history.verify_history(check).ok
    finally:
        check.close()


def test_second_writer_gets_a_conflict(session, engine):
    _second_writer_conflicts(engine)


@pytest.mark.postgres
def test_second_writer_gets_a_conflict_on_postgres(pg_url):
    engine = db.make_engine(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        _second_writer_conflicts(engine)
    finally:
        engine.dispose()


def test_two_addressees_answering_at_once_conflict(session, engine, secretariat, ministry_nl,
                                                   ministry_be):
    """An answer changes the case (its version) too: the second of two simultaneous answers
    is refused and has to be submitted again on the fresh case."""
    rec = _case(session, secretariat)
    nl_session, be_session = db.make_session(engine), db.make_session(engine)
    try:
        nl_rec = nl_session.get(Recommendation, rec.id)
        be_rec = be_session.get(Recommendation, rec.id)
        replies.submit_reply(nl_session, ministry_nl, nl_rec.entry("NL"), kind="final",
                             position="agrees", text_nl="Akkoord.", now=NOW)
        nl_session.commit()
        with pytest.raises(errors.ConflictError):
            replies.submit_reply(be_session, ministry_be, be_rec.entry("BE-FED"), kind="final",
                                 position="agrees", text_fr="D'accord.", now=NOW)
        be_session.rollback()
        be_rec = be_session.get(Recommendation, rec.id)
        replies.submit_reply(be_session, ministry_be, be_rec.entry("BE-FED"), kind="final",
                             position="agrees", text_fr="D'accord.", now=NOW)
        be_session.commit()
        assert be_rec.state == "answered"
    finally:
        nl_session.close()
        be_session.close()


def test_expected_version_mismatch_names_both_versions(session, secretariat, ministry_nl):
    rec = _case(session, secretariat)
    current = rec.version
    stale = current - 1
    events = _events(session)
    calls = [
        lambda: dispatch.fire(session, secretariat, rec, "close", closure_reason="lapsed",
                              expected_version=stale, now=NOW),
        lambda: replies.submit_reply(session, ministry_nl, rec.entry("NL"), kind="final",
                                     position="agrees", text_nl="Ja.", expected_version=stale,
                                     now=NOW),
        lambda: due_dates.grant_extension(session, secretariat, rec.entry("NL"), days=10,
                                          reason="verkiezingen", expected_version=stale, now=NOW),
        lambda: registration.edit_recommendation(session, secretariat, rec, title_nl="Nieuw",
                                                 expected_version=stale, now=NOW),
    ]
    for call in calls:
        with pytest.raises(errors.ConflictError) as caught:
            call()
        message = caught.value.message
        assert "recommendation 760/1 was changed meanwhile" in message
        assert f"it is now at version {current}" in message
        assert f"you had version {stale}" in message
        assert caught.value.to_dict()["code"] == "conflict"
        session.rollback()
    assert _events(session) == events
    assert rec.state == "transmitted" and rec.entry("NL").state == "pending"

    # the right version goes through
    dispatch.fire(session, secretariat, rec, "close", closure_reason="lapsed",
                  expected_version=current, now=NOW)
    assert rec.version == current + 1


def test_a_stale_draft_is_refused(session, secretariat, ministry_nl):
    rec = _case(session, secretariat)
    draft = replies.save_draft(session, ministry_nl, rec.entry("NL"), text_nl="v1", now=NOW)
    seen = draft.version
    replies.save_draft(session, ministry_nl, rec.entry("NL"), text_nl="v2", draft_version=seen,
                       now=NOW)
    with pytest.raises(errors.ConflictError, match="draft was changed"):
        replies.save_draft(session, ministry_nl, rec.entry("NL"), text_nl="v3",
                           draft_version=seen, now=NOW)


# --------------------------------------------------------------------------- one shared machine


def test_one_machine_per_lifecycle_shared_by_every_row(session, monkeypatch):
    rec_machine, answer_machine = RECOMMENDATION.machine, ANSWER.machine
    assert rec_machine is not answer_machine
    built = []
    original_init = transitions.Machine.__init__

    def counting_init(self, *args, **kwargs):
        built.append(kwargs.get("graph_engine"))
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(transitions.Machine, "__init__", counting_init)
    load_demo(session, now=NOW)
    session.flush()

    assert built == []  # dozens of transitions fired, no machine built
    assert RECOMMENDATION.machine is rec_machine and ANSWER.machine is answer_machine
    assert rec_machine.models == [] and answer_machine.models == []
    recs = session.scalars(select(Recommendation)).all()
    assert len({r.state for r in recs}) > 3


def test_the_machines_have_only_the_declared_events():
    for lifecycle in (RECOMMENDATION, ANSWER):
        machine = lifecycle.machine
        assert machine.auto_transitions is False
        assert set(machine.events) == {t.name for t in lifecycle.triggers}
        assert not [name for name in machine.events if name.startswith("to_")]
        assert list(machine.states) == list(lifecycle.state_names)


def test_rows_never_get_machine_methods(session, secretariat, ministry_nl):
    rec = _case(session, secretariat)
    replies.submit_reply(session, ministry_nl, rec.entry("NL"), kind="final", position="agrees",
                         text_nl="Ja.", now=NOW)
    entry = rec.entry("NL")
    for row in (rec, entry):
        names = {"trigger", "may_trigger", "to_closed", "to_answered", "to_pending",
                 "transmit", "may_transmit", "close", "may_close", "submit_answer",
                 "may_submit_answer", "is_closed", "is_answered", "get_triggers"}
        assert not [n for n in names if hasattr(row, n)], type(row).__name__
        assert not [k for k in vars(row) if k.startswith(("to_", "may_", "is_closed"))]


# --------------------------------------------------------------------------- roles and offers


@pytest.fixture
def demo(session):
    load_demo(session, now=NOW)
    session.commit()
    return session.scalars(select(Recommendation).order_by(Recommendation.doc_number)).all()


DEMO_ACTORS = [Actor(username, role, org) for username, _pw, role, org, *_ in DEMO_USERS]
MINISTRIES = [a for a in DEMO_ACTORS if a.role == "ministry"]


def test_a_ministry_is_never_offered_closure_or_the_case_triggers(demo):
    offered = Counter()
    for rec in demo:
        for ministry in MINISTRIES:
            found = scope.available_triggers(rec, ministry)
            assert not [a for a in found if a.addressee_code is None], (rec.doc_number,
                                                                        ministry)
            assert {a.addressee_code for a in found} <= {ministry.organisation}
            offered.update(a.name for a in found)
    assert "close" not in offered and "waive" not in offered
    assert offered["submit_answer"] > 0  # but ministries do get to answer


def test_an_auditor_is_offered_nothing(demo, auditor):
    for rec in demo:
        assert scope.available_triggers(rec, auditor) == []
        assert scope.can_see(auditor, rec)  # an auditor sees every case, read-only


def test_the_secretariat_is_offered_the_case_triggers(demo, secretariat):
    by_doc = {rec.doc_number: rec for rec in demo}

    def case_triggers(doc):
        return {a.name for a in scope.available_triggers(by_doc[doc], secretariat)
                if a.addressee_code is None}

    assert case_triggers("747/2") == {"transmit"}
    assert case_triggers("726/2") == {"reopen"}
    assert case_triggers("737/3") == {"start_assessment", "close"}
    assert case_triggers("739/2") == {"request_follow_up", "close"}
    for rec in demo:
        offered = {a.name for a in scope.available_triggers(rec, secretariat)}
        assert not offered & {"receive_reaction", "complete_answers", "ask_again"}


# --------------------------------------------------------------------------- scope


def test_a_ministry_cannot_see_or_act_on_a_case_not_yet_transmitted(session, secretariat,
                                                                    ministry_nl):
    rec = _case(session, secretariat, transmit=False)
    entry = rec.entry("NL")
    assert not scope.can_see(ministry_nl, rec)
    assert scope.available_triggers(rec, ministry_nl) == []
    attempts = [
        lambda: scope.check_visible(ministry_nl, rec),
        lambda: dispatch.fire(session, ministry_nl, rec, "transmit", now=NOW),
        lambda: replies.save_draft(session, ministry_nl, entry, text_nl="concept", now=NOW),
        lambda: replies.submit_reply(session, ministry_nl, entry, kind="final",
                                     position="agrees", text_nl="Ja.", now=NOW),
        lambda: dispatch.fire(session, ministry_nl, rec, "submit_interim", addressee="NL",
                              text_nl="Even geduld.", now=NOW),
        lambda: due_dates.request_extension(session, ministry_nl, entry, requested_date=None,
                                            reason="meer tijd", now=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(errors.NotInScope, match="760/1") as caught:
            attempt()
        assert caught.value.code == "not_found"
    assert entry.answers == [] and rec.state == "adopted"


def test_a_ministry_cannot_see_or_act_on_a_case_not_addressed_to_it(session, secretariat,
                                                                    ministry_nl, ministry_be):
    rec = _case(session, secretariat, addressees=("LU", "BE-FED"))
    assert not scope.can_see(ministry_nl, rec)
    assert scope.can_see(ministry_be, rec)
    assert scope.available_triggers(rec, ministry_nl) == []
    for code in ("LU", "BE-FED"):
        with pytest.raises(errors.NotInScope):
            replies.submit_reply(session, ministry_nl, rec.entry(code), kind="final",
                                 position="agrees", text_nl="Ja.", now=NOW)
    with pytest.raises(errors.NotInScope):
        dispatch.fire(session, ministry_nl, rec, "close", closure_reason="lapsed", now=NOW)


def test_a_ministry_cannot_answer_for_another_addressee_of_its_case(session, secretariat,
                                                                    ministry_nl):
    rec = _case(session, secretariat)  # NL and BE-FED
    offered = scope.available_triggers(rec, ministry_nl)
    assert {a.addressee_code for a in offered} == {"NL"}
    be = rec.entry("BE-FED")
    with pytest.raises(errors.NotInScope, match="BE-FED"):
        replies.submit_reply(session, ministry_nl, be, kind="final", position="agrees",
                             text_nl="Namens België", now=NOW)
    with pytest.raises(errors.NotInScope):
        replies.save_draft(session, ministry_nl, be, text_nl="concept", now=NOW)
    assert be.state == "pending" and be.answers == []


def test_an_unknown_document_number_is_not_found(session):
    with pytest.raises(errors.NotInScope, match="999/9"):
        scope.find_recommendation(session, "999/9")


# --------------------------------------------------------------------------- drafts


def test_a_draft_changes_nothing_visible(session, secretariat, ministry_nl, ministry_be):
    rec = _case(session, secretariat)
    version, events = rec.version, _events(session)
    entry = rec.entry("NL")
    offered = scope.available_triggers(rec, ministry_nl)

    draft = replies.save_draft(session, ministry_nl, entry, kind="final", position="disagrees",
                               text_nl="Concept: nog niet versturen", now=NOW)
    session.commit()
    assert replies.draft_of(entry) is draft and draft.status == "draft"
    assert (entry.state, entry.position, rec.state) == ("pending", None, "transmitted")
    assert rec.version == version  # the case did not change for anyone else
    assert _events(session) == events  # a draft is not history
    assert scope.available_triggers(rec, ministry_nl) == offered
    assert replies.draft_of(rec.entry("BE-FED")) is None
    with pytest.raises(errors.NotInScope):
        replies.save_draft(session, ministry_be, entry, text_nl="overschreven", now=NOW)

    again = replies.save_draft(session, ministry_nl, entry, kind="final", position="agrees",
                               text_nl="Concept 2", now=NOW)
    assert again is draft and len(entry.answers) == 1


def test_submitting_turns_the_draft_into_the_answer(session, secretariat, ministry_nl):
    rec = _case(session, secretariat)
    entry = rec.entry("NL")
    draft = replies.save_draft(session, ministry_nl, entry, kind="final", position="agrees",
                               text_nl="Concept", now=NOW)
    answer = replies.submit_reply(session, ministry_nl, entry, kind="final", position="agrees",
                                  text_nl="Definitief antwoord", now=NOW)
    assert answer is draft
    assert (answer.status, answer.text_nl, answer.submitted_at) == (
        "submitted", "Definitief antwoord", NOW)
    assert replies.draft_of(entry) is None
    assert session.scalar(select(func.count(Answer.id))) == 1


def test_no_draft_once_the_answer_is_final(session, secretariat, ministry_nl):
    rec = _case(session, secretariat)
    replies.submit_reply(session, ministry_nl, rec.entry("NL"), kind="final", position="agrees",
                         text_nl="Ja.", now=NOW)
    with pytest.raises(errors.TransitionRefused):
        replies.save_draft(session, ministry_nl, rec.entry("NL"), text_nl="nog iets", now=NOW)


# --------------------------------------------------------------------------- attachments


@pytest.fixture
def draft(session, secretariat, ministry_nl):
    rec = _case(session, secretariat)
    return replies.save_draft(session, ministry_nl, rec.entry("NL"), kind="final",
                              position="agrees", text_nl="Zie bijlage.", now=NOW)


def test_a_pdf_is_attached_to_a_draft(session, draft, ministry_nl):
    att = replies.add_attachment(session, ministry_nl, draft, filename="antwoord.pdf",
                                 content_type="application/pdf", content=PDF, now=NOW)
    assert att.id is not None and draft.attachments == [att]
    assert (att.size, att.uploaded_by, att.filename) == (len(PDF), "jan", "antwoord.pdf")
    assert att.sha256 == hashlib.sha256(PDF).hexdigest()
    answer = replies.submit_reply(session, ministry_nl, draft.entry, kind="final",
                                  position="agrees", text_nl="Zie bijlage.", now=NOW)
    submitted = session.scalars(select(Event).where(Event.action == "submit_answer")).one()
    assert answer.attachments == [att]
    assert submitted.data["attachments"] == [att.sha256]


@pytest.mark.parametrize(
    ("content_type", "content"),
    [("application/pdf", b"<html>not a pdf</html>"),
     ("application/pdf", b""),
     ("application/pdf", b"PK\x03\x04 a zip named .pdf")],
)
def test_only_pdf_content_is_accepted(session, draft, ministry_nl, content_type, content):
    with pytest.raises(errors.ValidationError, match="is not a PDF file") as caught:
        replies.add_attachment(session, ministry_nl, draft, filename="antwoord.pdf",
                               content_type=content_type, content=content, now=NOW)
    assert caught.value.field == "attachment"
    assert draft.attachments == []


@pytest.mark.parametrize("claimed", ["application/octet-stream", "text/plain", None])
def test_the_content_decides_the_type_not_the_browser(session, draft, ministry_nl, claimed):
    att = replies.add_attachment(session, ministry_nl, draft, filename="antwoord.pdf",
                                 content_type=claimed, content=PDF, now=NOW)
    assert att.content_type == "application/pdf"


def test_nobody_attaches_to_another_organisations_draft(session, draft, secretariat):
    with pytest.raises(errors.NotInScope):
        replies.add_attachment(session, secretariat, draft, filename="x.pdf", content=PDF, now=NOW)
    assert draft.attachments == []


def test_attachments_are_size_limited(session, draft, ministry_nl):
    limit = pdf_files.MAX_ATTACHMENT_BYTES
    assert limit == 10 * 1024 * 1024
    too_big = b"%PDF-" + b"0" * (limit - 4)
    with pytest.raises(errors.ValidationError, match="the limit is 10 MiB"):
        replies.add_attachment(session, ministry_nl, draft, filename="groot.pdf",
                               content_type="application/pdf", content=too_big, now=NOW)
    just_fits = PDF + b" " * (limit - len(PDF))  # a real PDF, padded to the limit
    att = replies.add_attachment(session, ministry_nl, draft, filename="net.pdf",
                                 content_type="application/pdf", content=just_fits, now=NOW)
    assert att.size == limit


def test_attachments_only_on_drafts(session, draft, ministry_nl):
    replies.submit_reply(session, ministry_nl, draft.entry, kind="final", position="agrees",
                         text_nl="Zie bijlage.", now=NOW)
    with pytest.raises(errors.TransitionRefused, match="draft") as caught:
        replies.add_attachment(session, ministry_nl, draft, filename="laat.pdf",
                               content_type="application/pdf", content=PDF, now=NOW)
    assert caught.value.rule == "draft_only"


def test_attachments_respect_scope(session, draft, ministry_be):
    with pytest.raises(errors.NotInScope):
        replies.add_attachment(session, ministry_be, draft, filename="x.pdf",
                               content_type="application/pdf", content=PDF, now=NOW)


# --------------------------------------------------------------------------- stale due dates


def test_stale_due_dates_leave_closed_cases_alone(session, secretariat):
    """A closing day declared later changes the calendar of a pending answer on a case that
    was closed meanwhile; no answer is expected there, so nothing is stale to recompute."""
    rec = _case(session, secretariat, addressees=("NL",))
    due_day = clock.brussels_date(rec.entry("NL").due_at)
    transitions_ops.close(session, secretariat, rec, closure_reason="lapsed", now=NOW)
    catalogue.set_closing_day(session, secretariat, "NL", due_day, note="sluitingsdag", now=NOW)
    assert due_dates.deadline_status(rec.entry("NL"), NOW).status == "no_deadline"
    stale = [(e.recommendation.doc_number, e.addressee_code) for e, _ in
             due_dates.stale_due_dates(session)]
    assert stale == []


def test_stale_due_dates_list_open_answers(session, secretariat):
    rec = _case(session, secretariat, addressees=("NL",))
    due_day = clock.brussels_date(rec.entry("NL").due_at)
    catalogue.set_closing_day(session, secretariat, "NL", due_day, note="sluitingsdag", now=NOW)
    [(entry, fresh)] = due_dates.stale_due_dates(session)
    assert entry is rec.entry("NL") and fresh.due_date > due_day


# --------------------------------------------------------------------------- demo data


@pytest.mark.parametrize("now", [NOW, datetime(2026, 1, 15, 8, 0, tzinfo=UTC)])
def test_demo_gives_cases_in_many_states_some_very_overdue(session, now):
    result = load_demo(session, now=now)
    session.commit()
    recs = session.scalars(select(Recommendation)).all()
    assert result["recommendations"] == len(recs) >= 10
    states = Counter(r.state for r in recs)
    assert len(states) >= 7, states
    assert {"adopted", "transmitted", "awaiting_answers", "answered", "follow_up_requested",
            "monitoring", "closed"} <= set(states)
    statuses = Counter(due_dates.deadline_status(e, now).status for r in recs for e in r.addressees)
    assert statuses["very_overdue"] >= 1 and statuses["overdue"] >= 1, statuses
    assert statuses["on_time"] + statuses["reminder"] >= 1, statuses
    assert {r.closure_reason for r in recs if r.state == "closed"} >= {"implemented"}
    assert [u[0] for u in result["users"]] == [u[0] for u in DEMO_USERS]
    assert {u[2] for u in result["users"]} == set(ROLES)
    assert history.verify_history(session).ok


def test_demo_loads_only_once(session):
    load_demo(session, now=NOW)
    session.commit()
    events = _events(session)
    again = load_demo(session, now=NOW + timedelta(days=3))
    assert again["recommendations"] == 0 and len(again["users"]) == len(DEMO_USERS)
    assert _events(session) == events


# --------------------------------------------------------------------------- offers = accepted


def _plausible(rec, trig, code=None) -> dict:
    """Plausible input for each declared parameter of ``trig``, as a form would send."""
    today = clock.brussels_date(NOW)
    entry = rec.entry(code) if code else None
    stop = entry and due_dates.running_clock_stop(entry)
    values = {"reason": "Besluit van de commissie", "closure_reason": "lapsed",
              "addressees": [a.addressee_code for a in rec.addressees
                             if a.state in ("answered", "declined", "waived")],
              "text_nl": "Antwoord", "position": "agrees", "days": 10,
              "start": entry.clock_start if entry and entry.clock_start else today,
              "end": stop.start_on if stop else today}
    return {name: values[name] for name in trig.params if name in values}


def _fire_offer(session, actor, rec, offer) -> None:
    """Fire an offered action with plausible input through the one dispatcher."""
    dispatch.fire(session, actor, rec, offer.name, addressee=offer.addressee_code, now=NOW,
                  **_plausible(rec, offer.trigger, offer.addressee_code))


def _offers_match_operations(session, recs, actors, at_least: int) -> list[str]:
    """Fire every offered action in a savepoint (rolled back) and every other case action
    likewise; returns the mismatches."""
    problems, fired = [], 0
    for rec in recs:
        for actor in actors:
            offers = scope.available_triggers(rec, actor)
            where = f"{rec.doc_number} ({rec.state}) {actor.username}"
            for offer in offers:
                savepoint = session.begin_nested()
                try:
                    _fire_offer(session, actor, rec, offer)
                    fired += 1
                except Exception as exc:  # collect, report all at the end
                    first_line = str(exc).splitlines()[0]
                    problems.append(f"{where}: offered {offer.name} {offer.addressee_code or ''}"
                                    f" but it raised {type(exc).__name__}: {first_line}")
                finally:
                    savepoint.rollback()
            offered_case = {o.name for o in offers if o.addressee_code is None}
            for trig in RECOMMENDATION.triggers:
                if trig.name in offered_case:
                    continue
                savepoint = session.begin_nested()
                try:
                    params = {**_plausible(rec, trig), "addressees": [
                        a.addressee_code for a in rec.addressees]}
                    dispatch.fire(session, actor, rec, trig.name, now=NOW,
                                  **{k: v for k, v in params.items() if k in trig.params})
                    problems.append(f"{where}: {trig.name} not offered but accepted")
                except errors.WorkflowError:
                    pass
                except Exception as exc:
                    problems.append(f"{where}: {trig.name} not offered, raised "
                                    f"{type(exc).__name__} instead of a domain error")
                finally:
                    savepoint.rollback()
            for entry in rec.addressees:
                offered_answer = {o.name for o in offers
                                  if o.addressee_code == entry.addressee_code}
                for trig in ANSWER.triggers:
                    if trig.name in offered_answer:
                        continue
                    savepoint = session.begin_nested()
                    try:
                        dispatch.fire(session, actor, rec, trig.name, now=NOW,
                                      addressee=entry.addressee_code,
                                      **_plausible(rec, trig, entry.addressee_code))
                        problems.append(f"{where} {entry.addressee_code}: {trig.name} "
                                        "not offered but accepted")
                    except errors.WorkflowError:
                        pass
                    finally:
                        savepoint.rollback()
    assert fired >= at_least  # the check did exercise the offers
    return problems


ALL_ACTORS = [*DEMO_ACTORS, Actor("iob", "auditor", "NL-IOB")]


def test_available_triggers_lists_exactly_what_the_operations_accept(demo, session):
    events = _events(session)
    problems = _offers_match_operations(session, demo, ALL_ACTORS, at_least=30)
    assert problems == []
    assert _events(session) == events  # every attempt was rolled back
    assert history.verify_history(session).ok


def test_offers_match_operations_on_reopened_cases(demo, session, secretariat):
    """The same property after the secretariat reopened every closed demo case."""
    closed = [rec for rec in demo if rec.state == "closed"]
    assert closed
    for rec in closed:
        transitions_ops.reopen(session, secretariat, rec, reason="Nieuwe feiten", now=NOW)
    session.commit()
    problems = _offers_match_operations(session, closed, ALL_ACTORS, at_least=5)
    assert problems == []


def test_reopen_through_the_generic_entry_point(session, secretariat):
    """The web and API fire actions by name; reopening that way must work like reopen()."""
    rec = _case(session, secretariat)
    dispatch.fire(session, secretariat, rec, "close", closure_reason="lapsed", now=NOW)
    session.commit()
    assert "reopen" in {a.name for a in scope.available_triggers(rec, secretariat)}
    dispatch.fire(session, secretariat, rec, "reopen", reason="Nieuwe feiten", now=NOW)
    assert (rec.state, rec.closure_reason, rec.closed_at) == ("reopened", None, None)


@pytest.mark.parametrize("operation", [
    lambda s, a, rec, e: replies.waive(s, a, e, reason="x", now=NOW),
    lambda s, a, rec, e: due_dates.grant_extension(s, a, e, reason="x", days=5, now=NOW),
    lambda s, a, rec, e: due_dates.stop_clock(s, a, e, start=date(2024, 5, 2), reason="x", now=NOW),
    lambda s, a, rec, e: due_dates.resume_clock(s, a, e, end=date(2024, 5, 2), now=NOW),
    lambda s, a, rec, e: due_dates.recompute_due_date(s, a, e, reason="x", now=NOW),
    lambda s, a, rec, e: registration.edit_recommendation(s, a, rec, title_nl="y", now=NOW),
    lambda s, a, rec, e: registration.set_published(s, a, rec, True, now=NOW),
    lambda s, a, rec, e: transitions_ops.close(s, a, rec, closure_reason="lapsed", now=NOW),
], ids=["waive", "extension", "stop_clock", "resume_clock", "recompute", "edit", "publish",
        "close"])
def test_outside_its_scope_a_ministry_learns_nothing(session, secretariat, operation):
    """Scope is checked before role: a case not addressed to a ministry is 'not found',
    never 'forbidden' (which would reveal that it exists)."""
    rec = _case(session, secretariat, addressees=("NL",))
    before = _events(session)
    with pytest.raises(errors.NotInScope):
        operation(session, Actor("marc", "ministry", "LU"), rec, rec.entry("NL"))
    assert _events(session) == before
