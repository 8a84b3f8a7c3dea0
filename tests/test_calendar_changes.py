"""Previewing and applying a change of an addressee's calendar: which open due dates a
closing day moves, computed without writing anything, then applied with one history
event for the calendar and one per recomputed due date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from workflow import clock, errors
from workflow.cases import due_dates, registration
from workflow.cases import transitions as transitions_ops
from workflow.cases.models import first_notice_at
from workflow.deadlines import policy as deadline_policy
from workflow.models import Event

NOW = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # a Thursday
SENT = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # a Monday


def _case(session, actor, doc, rule, addressees=("NL",)):
    rec = registration.register_recommendation(
        session, actor, doc_number=doc, adopted_on=date(2024, 2, 26), addressees=list(addressees),
        title_nl=f"Aanbeveling {doc}", deadline_rule=rule, now=SENT - timedelta(days=1))
    transitions_ops.transmit(session, actor, rec, now=SENT)
    session.commit()
    return rec


def _events(session) -> list[tuple[str, str | None]]:
    return list(session.execute(select(Event.action, Event.addressee_code).order_by(Event.seq)))


@pytest.fixture
def cases(session, secretariat):
    """NL entries counted in 20 working days (with BE-FED) and in 6 months."""
    working = _case(session, secretariat, "770/1", "20 working days", ("NL", "BE-FED"))
    months = _case(session, secretariat, "770/2", "6 months")
    return working, months


def test_preview_lists_exactly_the_moved_due_dates_and_writes_nothing(session, secretariat,
                                                                      cases):
    working, _months = cases
    entry = working.entry("NL")
    old_day = clock.brussels_date(entry.due_at)
    before = session.scalar(select(func.count(Event.id)))
    preview = due_dates.preview_calendar_change(session, "NL", old_day, now=NOW)
    assert [m.entry for m in preview.moved] == [entry]
    [moved] = preview.moved
    assert moved.old_due_at == entry.due_at
    assert moved.new.due_date > old_day and moved.new.due_date.weekday() < 5
    assert any(s.kind == "skipped" and s.values["reason"] == "closing_day"
               for s in moved.new.explanation)
    # nothing written, nothing pending, nothing flushed
    assert not session.new and not session.dirty and not session.deleted
    assert entry.due_at == moved.old_due_at
    assert entry.addressee.closing_days == []
    session.rollback()
    assert session.scalar(select(func.count(Event.id))) == before
    assert clock.brussels_date(working.entry("NL").due_at) == old_day
    # the same day for Belgium moves nothing (its own calendar)
    assert due_dates.preview_calendar_change(session, "BE-FED", old_day, now=NOW).moved == ()


def test_apply_sets_the_day_and_recomputes_each_moved_due_date(session, secretariat, cases):
    working, months = cases
    entry = working.entry("NL")
    old_day = clock.brussels_date(entry.due_at)
    preview = due_dates.preview_calendar_change(session, "NL", old_day, now=NOW)
    count = len(_events(session))
    applied = due_dates.apply_calendar_change(session, secretariat, "NL", old_day,
                                              reason="Verhuizing", expected_digest=preview.digest,
                                              now=NOW)
    session.commit()
    assert _events(session)[count:] == [("set_closing_day", "NL"), ("recompute_due", "NL")]
    assert entry.due_at == preview.moved[0].new.due_at == applied.moved[0].new.due_at
    assert months.entry("NL").due_at == due_dates.compute_entry_due(months.entry("NL")).due_at
    # the reminders follow the new date
    assert entry.live_due_at == entry.due_at
    assert entry.next_notice_at == first_notice_at(entry.due_at, deadline_policy.current())
    # what is still listed as stale (its calendar fingerprint covers the day) keeps its date
    stale = due_dates.stale_due_dates(session)
    assert [e for e, _ in stale] == [months.entry("NL")]
    assert all(fresh.due_at == e.due_at for e, fresh in stale)


def test_apply_refuses_when_the_moves_changed_since_the_preview(session, secretariat, cases):
    working, _ = cases
    day = clock.brussels_date(working.entry("NL").due_at)
    stale = due_dates.preview_calendar_change(session, "NL", day, now=NOW).digest
    due_dates.grant_extension(session, secretariat, working.entry("NL"), reason="x", days=5,
                              now=NOW)
    with pytest.raises(errors.ConflictError) as caught:
        due_dates.apply_calendar_change(session, secretariat, "NL", day, reason="x",
                                        expected_digest=stale, now=NOW)
    assert caught.value.rule == "calendar_preview_changed"


@pytest.mark.parametrize(("day", "kwargs", "rule"), [
    (date(2024, 5, 4), {}, "weekend_day"),
    (date(2024, 12, 25), {}, "already_holiday"),
    (date(2024, 5, 7), {"is_open": True}, "already_working_day"),
    (date(2024, 5, 7), {"remove": True}, "not_declared"),
    (date(2021, 5, 7), {}, "calendar_day_range"),
    (date(2040, 5, 7), {}, "calendar_day_range"),
])
def test_pointless_or_far_changes_are_refused(session, day, kwargs, rule):
    with pytest.raises(errors.ValidationError) as caught:
        due_dates.preview_calendar_change(session, "NL", day, now=NOW, **kwargs)
    assert caught.value.rule == rule and caught.value.field == "day"


def test_a_declared_day_cannot_be_declared_again(session, secretariat):
    due_dates.apply_calendar_change(session, secretariat, "NL", date(2024, 5, 7), reason="x",
                                    now=NOW)
    with pytest.raises(errors.ValidationError) as caught:
        due_dates.preview_calendar_change(session, "NL", date(2024, 5, 7), now=NOW)
    assert caught.value.rule == "already_closing_day"
    removed = due_dates.preview_calendar_change(session, "NL", date(2024, 5, 7), remove=True,
                                                now=NOW)
    assert removed.moved == ()


def test_an_annual_closing_day_can_be_opened_not_removed(session):
    # the Flemish government closes on 11 July every year (catalogue)
    with pytest.raises(errors.ValidationError) as caught:
        due_dates.preview_calendar_change(session, "BE-VLG", date(2024, 7, 11), remove=True,
                                          now=NOW)
    assert caught.value.rule == "annual_closing_day"
    with pytest.raises(errors.ValidationError) as caught:
        due_dates.preview_calendar_change(session, "BE-VLG", date(2024, 7, 11), now=NOW)
    assert caught.value.rule == "already_closing_day"
    assert due_dates.preview_calendar_change(session, "BE-VLG", date(2024, 7, 11),
                                             is_open=True, now=NOW).moved == ()


def test_unknown_addressee(session):
    with pytest.raises(errors.UnknownAddressee):
        due_dates.preview_calendar_change(session, "XX", date(2024, 5, 7), now=NOW)
