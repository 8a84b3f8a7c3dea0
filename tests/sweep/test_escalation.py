"""The escalation list: very overdue answers grouped by addressee with their days overdue,
the notices the sweep sent and the sessions whose agenda they were put on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workflow import dispatch, errors, history
from workflow.actors import Actor
from workflow.cases import due_dates
from workflow.history.models import Event
from workflow.models import CaseAddressee
from workflow.reminders import escalation
from workflow.reminders import sweep as sweeping

from .conftest import TRANSMITTED, due_of, make_case

PLENARY = "plenaire vergadering van 12-13 maart 2027"


def sweep_at(session, *moments):
    for moment in moments:
        sweeping.sweep(session, now=moment, commit=session.commit)


@pytest.fixture
def cases(session, secretariat, ministry_be, case):
    """801/3 (NL, LU) sent ten days before 801/1 (NL, BE-FED, LU), 801/2 (NL) twenty days
    after; BE-FED answered 801/1 in time. The sweep ran through all their notices."""
    early = make_case(session, secretariat, "801/3", ("NL", "LU"),
                      at=TRANSMITTED - timedelta(days=10))
    late = make_case(session, secretariat, "801/2", ("NL",),
                     at=TRANSMITTED + timedelta(days=20))
    due = due_of(case, "NL")
    dispatch.fire(session, ministry_be, case, "submit_answer", addressee="BE-FED",
                  position="agrees", text_fr="Nous suivons.", now=due - timedelta(days=40))
    session.commit()
    moments = sorted({d + delta for d in (due_of(early, "NL"), due, due_of(late, "NL"))
                      for delta in (timedelta(days=-29), timedelta(days=-6),
                                    timedelta(hours=1), timedelta(days=91))})
    sweep_at(session, *moments)
    now = due + timedelta(days=100, hours=1)
    return {"801/1": case, "801/2": late, "801/3": early, "now": now}


def listed(page):
    return [[(e.entry.recommendation.doc_number, e.entry.addressee_code) for e in g.entries]
            for g in page.groups]


def test_very_overdue_answers_grouped_by_addressee_with_days_and_notices(
        session, secretariat, cases):
    now = cases["now"]
    page = escalation.escalation_list(session, now, actor=secretariat)
    # BE-FED answered; 801/2 is overdue (80 days) but not very overdue
    assert [g.addressee.code for g in page.groups] == ["LU", "NL"]
    assert listed(page) == [[("801/3", "LU"), ("801/1", "LU")],
                            [("801/3", "NL"), ("801/1", "NL")]]
    assert page.total == 4 and page.pages == 1
    days = {(e.entry.recommendation.doc_number, e.entry.addressee_code): e.days_overdue
            for e in page.entries}
    assert days == {("801/1", "LU"): 100, ("801/1", "NL"): 100, ("801/3", "LU"): 110,
                    ("801/3", "NL"): 110}
    for item in page.entries:  # the dashboard's day counting, the one status rule
        assert item.days_overdue == due_dates.deadline_status(item.entry, now).days_overdue
        assert item.entry.deadline_status_name(due_dates.status_cutoffs(now)) == \
            "very_overdue"
        assert item.due_at == item.entry.due_at
        assert [(n.action, n.days) for n in item.notices] == [
            ("remind", 30), ("remind", 7), ("mark_overdue", 0), ("mark_very_overdue", 90)]
        assert all(n.due_at == item.due_at for n in item.notices)
        assert item.notices[2].at == item.due_at  # "overdue" takes effect at the due moment
        assert item.agendas == () and item.on_agenda is None
    # the Python twin agrees with the SQL list
    awaited = session.scalars(select(CaseAddressee)).all()
    cutoffs = due_dates.status_cutoffs(now)
    assert sum(e.deadline_status_name(cutoffs) == "very_overdue" for e in awaited) == 4


def test_the_list_is_paged_in_its_order_and_scoped(session, secretariat, ministry_nl, cases):
    now = cases["now"]
    first = escalation.escalation_list(session, now, actor=secretariat, per_page=3)
    assert listed(first) == [[("801/3", "LU"), ("801/1", "LU")], [("801/3", "NL")]]
    assert (first.pages, first.has_next, first.has_prev) == (2, True, False)
    second = escalation.escalation_list(session, now, actor=secretariat, page=2, per_page=3)
    assert listed(second) == [[("801/1", "NL")]]
    beyond = escalation.escalation_list(session, now, actor=secretariat, page=99, per_page=3)
    assert beyond.page == 2 and listed(beyond) == listed(second)
    assert listed(escalation.escalation_list(session, now, actor=ministry_nl)) == \
        [[("801/3", "NL"), ("801/1", "NL")]]
    exported = [(e.entry.recommendation.doc_number, e.entry.addressee_code)
                for e in escalation.iter_escalated(session, now, actor=secretariat, chunk=3)]
    assert exported == [pair for g in listed(first) + listed(second) for pair in g]
    # ten days earlier only 801/3 was very overdue
    earlier = escalation.escalation_list(session, now - timedelta(days=11), actor=secretariat)
    assert listed(earlier) == [[("801/3", "LU")], [("801/3", "NL")]]


def events(session, action=escalation.PUT_ON_AGENDA):
    return session.scalar(select(func.count()).select_from(Event).where(Event.action == action))


def test_put_on_agenda_writes_one_event_per_entry_and_the_list_shows_it(
        session, secretariat, cases):
    now = cases["now"]
    lu, nl = cases["801/1"].entry("LU"), cases["801/1"].entry("NL")
    recorded = escalation.put_on_agenda(session, secretariat, [lu, nl, lu],
                                        session_label=f"  {PLENARY} ", now=now)
    assert len(recorded) == 2 and events(session) == 2
    for ev, entry in zip(recorded, (lu, nl), strict=True):
        assert (ev.action, ev.entity, ev.addressee_code, ev.actor) == (
            "put_on_agenda", "deadline", entry.addressee_code, "anna")
        assert ev.data == {"session": PLENARY,
                           "due_at": {entry.addressee_code: history.format_utc(entry.due_at)}}
        assert ev.reason == PLENARY  # the timeline shows it
    session.commit()
    page = escalation.escalation_list(session, now + timedelta(hours=1), actor=secretariat)
    marks = {(e.entry.recommendation.doc_number, e.entry.addressee_code): e.on_agenda
             for e in page.entries}
    assert marks[("801/1", "LU")].session_label == PLENARY
    assert marks[("801/1", "LU")].at == now and marks[("801/1", "LU")].actor == "anna"
    assert marks[("801/3", "LU")] is None
    # the same session again is refused; a later one is recorded
    with pytest.raises(errors.ValidationError) as refused:
        escalation.put_on_agenda(session, secretariat, nl, session_label=PLENARY, now=now)
    assert refused.value.rule == "agenda_already_on_it"
    assert refused.value.params["session"] == PLENARY
    escalation.put_on_agenda(session, secretariat, nl, session_label="Vaste Commissie, mei 2027",
                             now=now + timedelta(days=2))
    session.commit()
    item = next(e for e in escalation.escalation_list(session, now + timedelta(days=3),
                                                      actor=secretariat).entries
                if e.entry.id == nl.id)
    assert [m.session_label for m in item.agendas] == [PLENARY, "Vaste Commissie, mei 2027"]
    assert item.on_agenda.session_label == "Vaste Commissie, mei 2027"
    assert events(session) == 3
    assert history.verify_history(session).ok
    # the history's replay of the case reads the new events
    snap = history.state_as_of(session, cases["801/1"].id, now + timedelta(days=3))
    assert snap.addressees["NL"]["due_at"] == history.format_utc(nl.due_at)


@pytest.mark.parametrize("label, rule", [("", "required"), ("   ", "required"),
                                          ("x" * 121, "too_long"), ("a\x00b", "unstorable_text")])
def test_a_bad_session_label_is_refused(session, secretariat, cases, label, rule):
    with pytest.raises(errors.ValidationError) as refused:
        escalation.put_on_agenda(session, secretariat, cases["801/1"].entry("NL"),
                                 session_label=label, now=cases["now"])
    assert refused.value.rule == rule and refused.value.field == "session_label"
    assert events(session) == 0


def test_what_is_not_very_overdue_any_more_and_other_roles_are_refused(
        session, secretariat, ministry_nl, auditor, cases):
    now = cases["now"]
    rec = cases["801/1"]
    with pytest.raises(errors.ValidationError) as refused:
        escalation.put_on_agenda(session, secretariat, [], session_label=PLENARY, now=now)
    assert refused.value.rule == "agenda_entries_chosen"
    # answered in time, only overdue, extended meanwhile: nothing is written for any
    due_dates.grant_extension(session, secretariat, rec.entry("LU"), reason="Verkiezingen",
                              days=200, now=now - timedelta(hours=2))
    session.commit()
    for entry in (rec.entry("BE-FED"), cases["801/2"].entry("NL"), rec.entry("LU")):
        with pytest.raises(errors.ValidationError) as refused:
            escalation.put_on_agenda(session, secretariat, [rec.entry("NL"), entry],
                                     session_label=PLENARY, now=now)
        assert refused.value.rule == "agenda_very_overdue_only"
        assert refused.value.params == {"addressee": entry.addressee_code,
                                        "doc_number": entry.recommendation.doc_number}
    assert events(session) == 0
    assert ("801/1", "LU") not in {(e.entry.recommendation.doc_number, e.entry.addressee_code)
                                   for e in escalation.escalation_list(
                                       session, now, actor=secretariat).entries}
    for who in (ministry_nl, auditor, Actor("sweep", "system", "BNL-PARL")):
        with pytest.raises(errors.PermissionDenied):
            escalation.put_on_agenda(session, who, rec.entry("NL"), session_label=PLENARY,
                                     now=now)
    assert events(session) == 0


def test_entries_are_chosen_by_id_within_scope(session, secretariat, ministry_nl, cases):
    rec = cases["801/1"]
    ids = [rec.entry("NL").id, rec.entry("LU").id]
    assert escalation.entries_by_id(session, secretariat, [*ids, ids[0]]) == \
        [rec.entry("NL"), rec.entry("LU")]
    with pytest.raises(errors.NotInScope) as missing:
        escalation.entries_by_id(session, secretariat, [ids[0], 999_999])
    assert missing.value.rule == "entry_in_scope" and missing.value.params == {"id": 999_999}
    with pytest.raises(errors.NotInScope):
        escalation.entries_by_id(session, ministry_nl, ids)  # LU's is not the ministry's
