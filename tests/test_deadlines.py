"""Deadlines: rules, holiday calendars, due dates, explanations and status.

Every expected date was counted by hand on the real 2022-2027 calendars (and agrees with
the ``holidays`` package): Belgium 2024 Ascension Day Thu 9 May, Whit Monday Mon 20 May;
NL King's Day Thu 27 April 2023; NRW Corpus Christi Thu 30 May 2024; LU Europe Day
Fri 9 May 2025.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workflow.deadlines import (
    BRUSSELS,
    DEFAULT_RULE,
    DUE_TIME,
    Adjustment,
    Calendar,
    DeadlineError,
    DeadlineRule,
    DeadlineStatus,
    UnknownCalendar,
    add_working_days,
    compute_due,
    deadline_status,
    due_at_for,
    explain_due_date,
    next_working_day,
    reminder_dates,
    working_days_between,
)

BE = Calendar("BE", "BE")
NL = Calendar("NL", "NL")
LU = Calendar("LU", "LU")
NRW = Calendar("NRW", "DE", "NW")

WD20 = DeadlineRule("working_days", 20)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- constants


def test_constants():
    assert str(BRUSSELS) == "Europe/Brussels"
    assert (DUE_TIME.hour, DUE_TIME.minute) == (17, 0)
    assert DeadlineRule("months", 6) == DEFAULT_RULE
    assert issubclass(UnknownCalendar, DeadlineError)
    assert issubclass(DeadlineError, ValueError)


# --------------------------------------------------------------------------- calendars


def test_holiday_names_are_english_and_per_country():
    assert BE.non_working_reason(date(2024, 5, 9)) == "Ascension Day"
    assert BE.non_working_reason(date(2024, 5, 20)) == "Pentecost Monday"
    assert BE.non_working_reason(date(2024, 5, 1)) == "Labor Day"
    assert NL.non_working_reason(date(2023, 4, 27)) == "King's Day"
    assert NL.non_working_reason(date(2024, 5, 1)) is None
    assert NRW.non_working_reason(date(2024, 5, 30)) == "Corpus Christi"
    assert Calendar("DE", "DE").non_working_reason(date(2024, 5, 30)) is None
    assert BE.non_working_reason(date(2024, 5, 30)) is None
    assert LU.non_working_reason(date(2025, 5, 9)) == "Europe Day"
    assert BE.non_working_reason(date(2025, 5, 9)) is None


def test_two_holidays_on_one_day_are_both_named():
    # LU 2024: Ascension Day and Europe Day both fall on Thursday 9 May.
    assert LU.non_working_reason(date(2024, 5, 9)) == "Ascension Day and Europe Day"


def test_weekend_wins_over_holiday_and_plain_day_is_working():
    assert NL.non_working_reason(date(2024, 4, 27)) == "weekend"  # King's Day on a Saturday
    assert BE.non_working_reason(date(2024, 5, 19)) == "weekend"  # Pentecost Sunday
    assert BE.non_working_reason(date(2024, 5, 8)) is None
    assert BE.is_working_day(date(2024, 5, 8)) is True
    assert BE.is_working_day(date(2024, 5, 9)) is False
    assert BE.is_working_day(date(2024, 5, 11)) is False


def test_open_and_closed_days():
    cal = Calendar(
        "BE",
        "BE",
        closed_days=frozenset({date(2024, 5, 13)}),
        open_days=frozenset({date(2024, 5, 9), date(2024, 5, 11)}),
    )
    assert cal.non_working_reason(date(2024, 5, 9)) is None  # holiday declared working
    assert cal.non_working_reason(date(2024, 5, 11)) == "weekend"  # open_days never opens Sat
    assert cal.non_working_reason(date(2024, 5, 13)) == "closing day"
    assert cal.non_working_reason(date(2024, 5, 20)) == "Pentecost Monday"


def test_calendar_accepts_plain_sets_and_lists():
    cal = Calendar("BE", "BE", closed_days={date(2024, 5, 13)}, open_days=[date(2024, 5, 9)])
    assert cal.closed_days == frozenset({date(2024, 5, 13)})
    assert cal.open_days == frozenset({date(2024, 5, 9)})
    same = Calendar(
        "BE",
        "BE",
        closed_days=frozenset({date(2024, 5, 13)}),
        open_days=frozenset({date(2024, 5, 9)}),
    )
    assert cal == same and hash(cal) == hash(same)


def test_calendar_without_country_uses_closing_days_only():
    cal = Calendar("SEC", None, closed_days=frozenset({date(2024, 5, 10)}))
    cal.validate()
    assert cal.non_working_reason(date(2024, 5, 9)) is None
    assert cal.non_working_reason(date(2024, 5, 10)) == "closing day"
    assert add_working_days(date(2024, 5, 8), 2, cal)[0] == date(2024, 5, 13)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": "", "country": "BE"}, "needs a code"),
        ({"code": "X", "country": None, "subdivision": "NW"}, "no country"),
        ({"code": "X", "country": "BE", "closed_days": date(2024, 5, 1)}, "set of dates"),
        (
            {"code": "X", "country": "BE", "closed_days": {datetime(2024, 5, 1, tzinfo=UTC)}},
            "must be a date",
        ),
        (
            {
                "code": "X",
                "country": "BE",
                "closed_days": {date(2024, 5, 1)},
                "open_days": {date(2024, 5, 1)},
            },
            "2024-05-01 cannot be both",
        ),
    ],
)
def test_calendar_rejects_bad_input(kwargs, message):
    with pytest.raises(DeadlineError, match=message):
        Calendar(**kwargs)


def test_unknown_country():
    cal = Calendar("XX", "XX")
    with pytest.raises(UnknownCalendar, match="'XX'") as err:
        cal.validate()
    assert "BE" in str(err.value) and "NL" in str(err.value) and "LU" in str(err.value)
    with pytest.raises(UnknownCalendar):
        compute_due(date(2024, 5, 2), WD20, cal)
    with pytest.raises(UnknownCalendar):
        cal.is_working_day(date(2024, 5, 2))


def test_unknown_subdivision():
    cal = Calendar("NRW", "DE", "ZZ")
    with pytest.raises(UnknownCalendar, match="'ZZ'") as err:
        cal.validate()
    assert "NW" in str(err.value)
    with pytest.raises(UnknownCalendar, match="no subdivisions"):
        Calendar("LU", "LU", "ZZ").validate()
    with pytest.raises(UnknownCalendar):
        compute_due(date(2024, 5, 2), WD20, cal)


def test_known_calendars_validate():
    for cal in (BE, NL, LU, NRW):
        assert cal.validate() is None


def test_holidays_are_cached():
    from workflow import deadlines

    BE.non_working_reason(date(2031, 5, 29))
    before = deadlines.rules._holidays_for.cache_info()
    BE.non_working_reason(date(2031, 5, 29))
    after = deadlines.rules._holidays_for.cache_info()
    assert after.hits == before.hits + 1
    assert after.misses == before.misses


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_is_stable_and_a_sha256():
    fp = BE.fingerprint(2024, 2025)
    assert len(fp) == 64 and int(fp, 16) >= 0
    assert fp == Calendar("BE", "BE").fingerprint(2024, 2025)
    assert fp == BE.fingerprint(2024, 2025)


def test_fingerprint_changes_with_relevant_days_only():
    base = BE.fingerprint(2024, 2025)
    assert Calendar("BE", "BE", open_days={date(2024, 5, 9)}).fingerprint(2024, 2025) != base
    assert Calendar("BE", "BE", closed_days={date(2024, 5, 13)}).fingerprint(2024, 2025) != base
    # Not relevant: a closing day on a Saturday, an "open" ordinary day, a day outside the years.
    assert Calendar("BE", "BE", closed_days={date(2024, 5, 11)}).fingerprint(2024, 2025) == base
    assert Calendar("BE", "BE", open_days={date(2024, 5, 14)}).fingerprint(2024, 2025) == base
    assert Calendar("BE", "BE", closed_days={date(2030, 5, 14)}).fingerprint(2024, 2025) == base
    assert Calendar("BE", "BE", closed_days={date(2030, 5, 14)}).fingerprint(2024, 2030) != (
        BE.fingerprint(2024, 2030)
    )


def test_fingerprint_depends_on_identity_and_years():
    base = BE.fingerprint(2024, 2025)
    assert Calendar("BEL", "BE").fingerprint(2024, 2025) != base
    assert NL.fingerprint(2024, 2025) != base
    assert Calendar("DE", "DE").fingerprint(2024, 2025) != NRW.fingerprint(2024, 2025)
    assert BE.fingerprint(2024, 2026) != base
    with pytest.raises(DeadlineError):
        BE.fingerprint(2025, 2024)


# --------------------------------------------------------------------------- day arithmetic


def test_add_working_days_across_belgian_holidays():
    due, skipped = add_working_days(date(2024, 5, 2), 20, BE)
    assert due == date(2024, 6, 3)
    assert (date(2024, 5, 9), "Ascension Day") in skipped
    assert (date(2024, 5, 20), "Pentecost Monday") in skipped
    assert (date(2024, 5, 4), "weekend") in skipped
    assert len(skipped) == 12  # 5 weekends (10 days) + 2 holidays
    assert add_working_days(date(2024, 5, 8), 1, BE) == (
        date(2024, 5, 10),
        [(date(2024, 5, 9), "Ascension Day")],
    )
    assert add_working_days(date(2024, 5, 8), 0, BE) == (date(2024, 5, 8), [])
    with pytest.raises(DeadlineError):
        add_working_days(date(2024, 5, 8), -1, BE)


def test_saturday_start_equals_friday_start():
    friday = add_working_days(date(2024, 5, 3), 5, BE)[0]
    saturday = add_working_days(date(2024, 5, 4), 5, BE)[0]
    sunday = add_working_days(date(2024, 5, 5), 5, BE)[0]
    assert friday == saturday == sunday == date(2024, 5, 13)
    assert (
        compute_due(date(2024, 5, 4), WD20, BE).due_date
        == compute_due(date(2024, 5, 3), WD20, BE).due_date
        == date(2024, 6, 4)
    )


def test_next_working_day():
    assert next_working_day(date(2024, 5, 8), BE) == (date(2024, 5, 8), [])
    assert next_working_day(date(2024, 5, 18), BE) == (
        date(2024, 5, 21),
        [
            (date(2024, 5, 18), "weekend"),
            (date(2024, 5, 19), "weekend"),
            (date(2024, 5, 20), "Pentecost Monday"),
        ],
    )


def test_working_days_between():
    assert working_days_between(date(2024, 5, 8), date(2024, 5, 10), BE) == 1
    assert working_days_between(date(2024, 5, 10), date(2024, 5, 8), BE) == -1
    assert working_days_between(date(2024, 5, 8), date(2024, 5, 8), BE) == 0
    assert working_days_between(date(2024, 5, 2), date(2024, 6, 3), BE) == 20
    assert working_days_between(date(2024, 5, 2), date(2024, 6, 3), NRW) == 19
    assert working_days_between(date(2024, 6, 3), date(2024, 5, 2), BE) == -20


def test_due_at_is_17h_brussels_in_utc():
    summer = due_at_for(date(2024, 6, 3))
    winter = due_at_for(date(2024, 2, 29))
    assert summer == datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
    assert winter == datetime(2024, 2, 29, 16, 0, tzinfo=UTC)
    assert summer.utcoffset() == timedelta(0)
    # The days the clocks change: 31 March 2024 (CEST from 02:00) and 27 October 2024.
    assert due_at_for(date(2024, 3, 31)) == utc(2024, 3, 31, 15, 0)
    assert due_at_for(date(2024, 3, 30)) == utc(2024, 3, 30, 16, 0)
    assert due_at_for(date(2024, 10, 27)) == utc(2024, 10, 27, 16, 0)
    assert due_at_for(date(2024, 10, 26)) == utc(2024, 10, 26, 15, 0)
    with pytest.raises(DeadlineError):
        due_at_for(datetime(2024, 6, 3, 12, 0))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "rule", "description"),
    [
        ("6 months", DeadlineRule("months", 6), "6 calendar months"),
        ("1 month", DeadlineRule("months", 1), "1 calendar month"),
        ("30 calendar days", DeadlineRule("calendar_days", 30), "30 calendar days"),
        ("1 calendar day", DeadlineRule("calendar_days", 1), "1 calendar day"),
        ("20 working days", DeadlineRule("working_days", 20), "20 working days"),
        (
            "2027-03-01",
            DeadlineRule("fixed_date", fixed_date=date(2027, 3, 1)),
            "fixed date 2027-03-01",
        ),
    ],
)
def test_parse_to_text_round_trip(text, rule, description):
    assert DeadlineRule.parse(text) == rule
    assert rule.to_text() == text
    assert DeadlineRule.parse(rule.to_text()) == rule
    assert rule.describe() == description


def test_parse_is_lenient_about_spacing_case_and_describe_output():
    assert DeadlineRule.parse("  6   Months ") == DeadlineRule("months", 6)
    assert DeadlineRule.parse("6 calendar months") == DeadlineRule("months", 6)
    assert DeadlineRule.parse("20 WORKING DAYS") == DeadlineRule("working_days", 20)
    assert DeadlineRule.parse("fixed date 2027-03-01") == DeadlineRule(
        "fixed_date", fixed_date=date(2027, 3, 1)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("six months", '"6 months"'),
        ("6 weeks", '"20 working days"'),
        ("30 days", "30 calendar days or 30 working days"),
        ("0 months", "at least 1"),
        ("-3 working days", "at least 1"),
        ("121 months", "between 1 and 120"),
        ("3651 calendar days", "between 1 and 3650"),
        ("2027-02-30", "not a real date"),
        ("2027-3-1", '"2027-03-01"'),
    ],
)
def test_parse_errors_give_an_example(text, message):
    with pytest.raises(DeadlineError) as err:
        DeadlineRule.parse(text)
    assert message in str(err.value)


def test_parse_rejects_non_text():
    with pytest.raises(DeadlineError, match="6 months"):
        DeadlineRule.parse(6)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("weeks", 2), {}, "unknown deadline rule kind 'weeks'"),
        (("months", 0), {}, "between 1 and 120"),
        (("working_days", -5), {}, "between 1 and 3650"),
        (("months", None), {}, "needs an amount"),
        (("months", True), {}, "whole number"),
        (("calendar_days", 2.5), {}, "whole number"),
        (("fixed_date",), {}, "needs fixed_date"),
        (("fixed_date", 3), {"fixed_date": date(2027, 3, 1)}, "takes no amount"),
        (("months", 6), {"fixed_date": date(2027, 3, 1)}, "takes no fixed_date"),
    ],
)
def test_rule_validation(args, kwargs, message):
    with pytest.raises(DeadlineError, match=message):
        DeadlineRule(*args, **kwargs)


# --------------------------------------------------------------------------- compute_due


def test_working_days_due_date_and_fingerprint():
    due = compute_due(date(2024, 5, 2), WD20, BE)
    assert due.due_date == date(2024, 6, 3)
    assert due.due_at == utc(2024, 6, 3, 15, 0)
    assert due.fingerprint == BE.fingerprint(2024, 2025)
    assert isinstance(due.steps, tuple)


def test_same_start_and_rule_differ_per_addressee():
    # From Tuesday 30 April 2024: BE skips Labour Day 1 May; NL does not; NRW also skips
    # Corpus Christi (30 May). All three skip Ascension Day and Whit Monday.
    rule = DeadlineRule("working_days", 22)
    start = date(2024, 4, 30)
    assert compute_due(start, rule, NL).due_date == date(2024, 6, 3)
    assert compute_due(start, rule, BE).due_date == date(2024, 6, 4)
    assert compute_due(start, rule, LU).due_date == date(2024, 6, 4)
    assert compute_due(start, rule, NRW).due_date == date(2024, 6, 5)


def test_kings_day_and_europe_day_only_count_at_home():
    rule = DeadlineRule("working_days", 5)
    assert compute_due(date(2023, 4, 20), rule, BE).due_date == date(2023, 4, 27)
    assert compute_due(date(2023, 4, 20), rule, NL).due_date == date(2023, 4, 28)
    one = DeadlineRule("working_days", 1)
    assert compute_due(date(2025, 5, 8), one, BE).due_date == date(2025, 5, 9)
    assert compute_due(date(2025, 5, 8), one, LU).due_date == date(2025, 5, 12)


def test_months_clamp_to_month_end():
    assert compute_due(date(2023, 8, 31), DEFAULT_RULE, BE).due_date == date(2024, 2, 29)
    assert compute_due(date(2022, 8, 31), DEFAULT_RULE, BE).due_date == date(2023, 2, 28)
    assert compute_due(date(2024, 1, 15), DeadlineRule("months", 1), BE).due_date == date(
        2024, 2, 15
    )


def test_months_roll_forward_from_weekend_and_holiday():
    # 18 Nov 2023 + 6 months = Saturday 18 May 2024 -> Sat, Sun (Pentecost), Whit Monday.
    due = compute_due(date(2023, 11, 18), DEFAULT_RULE, BE)
    assert due.due_date == date(2024, 5, 21)
    assert due.steps[2:] == (
        "Added 6 calendar months: Saturday 18 May 2024.",
        "Skipped Saturday 18 May 2024 and Sunday 19 May 2024: weekend.",
        "Skipped Monday 20 May 2024: Pentecost Monday.",
        "Moved to the next working day: Tuesday 21 May 2024.",
        "Due: Tuesday 21 May 2024 at 17:00 Europe/Brussels (15:00 UTC).",
    )
    # Landing on the holiday itself.
    assert compute_due(date(2023, 11, 20), DEFAULT_RULE, BE).due_date == date(2024, 5, 21)
    assert compute_due(date(2023, 11, 20), DEFAULT_RULE, Calendar("X", None)).due_date == (
        date(2024, 5, 20)
    )


def test_calendar_days_roll_forward():
    rule = DeadlineRule("calendar_days", 10)
    assert compute_due(date(2024, 5, 1), rule, BE).due_date == date(2024, 5, 13)  # from Sat
    rule30 = DeadlineRule("calendar_days", 30)
    assert compute_due(date(2024, 4, 19), rule30, BE).due_date == date(2024, 5, 21)
    assert compute_due(date(2024, 4, 22), rule30, BE).due_date == date(2024, 5, 22)


def test_fixed_date():
    rule = DeadlineRule.parse("2027-03-01")
    due = compute_due(date(2026, 10, 1), rule, BE)
    assert due.due_date == date(2027, 3, 1)
    assert due.due_at == utc(2027, 3, 1, 16, 0)
    # Christmas Day 2024 (Wednesday): BE works on the 26th, NL has a second Christmas Day.
    xmas = DeadlineRule("fixed_date", fixed_date=date(2024, 12, 25))
    assert compute_due(date(2024, 10, 1), xmas, BE).due_date == date(2024, 12, 26)
    assert compute_due(date(2024, 10, 1), xmas, NL).due_date == date(2024, 12, 27)


def test_fixed_date_must_be_after_start():
    rule = DeadlineRule("fixed_date", fixed_date=date(2024, 1, 1))
    with pytest.raises(DeadlineError, match="the fixed due date 2024-01-01 is before the start"):
        compute_due(date(2024, 2, 1), rule, BE)
    with pytest.raises(DeadlineError, match="start date itself"):
        compute_due(date(2024, 1, 1), rule, BE)


def test_due_at_summer_and_winter():
    assert compute_due(date(2023, 8, 31), DEFAULT_RULE, BE).due_at == utc(2024, 2, 29, 16, 0)
    assert compute_due(date(2024, 5, 2), WD20, BE).due_at == utc(2024, 6, 3, 15, 0)


def test_extension_by_date():
    ext = Adjustment("extension_date", new_date=date(2024, 6, 14), reason="elections")
    due = compute_due(date(2024, 5, 2), WD20, BE, [ext])
    assert due.due_date == date(2024, 6, 14)
    assert "Extension: new due date Friday 14 June 2024 (reason: elections)." in due.steps
    # A Saturday rolls forward to Monday.
    sat = Adjustment("extension_date", new_date=date(2024, 6, 15))
    assert compute_due(date(2024, 5, 2), WD20, BE, [sat]).due_date == date(2024, 6, 17)


def test_extension_date_must_be_later():
    for bad in (date(2024, 6, 3), date(2024, 5, 31)):
        ext = Adjustment("extension_date", new_date=bad)
        with pytest.raises(DeadlineError, match="not later than the current due date 2024-06-03"):
            compute_due(date(2024, 5, 2), WD20, BE, [ext])


def test_extension_by_working_days():
    ext = Adjustment("extension_days", days=10, reason="government formation")
    due = compute_due(date(2024, 5, 2), WD20, BE, [ext])
    assert due.due_date == date(2024, 6, 17)
    assert "Extension: +10 working days (reason: government formation)." in due.steps


def test_extension_by_calendar_days_rolls_over_easter():
    # 29 Feb 2024 + 30 days = Saturday 30 March; Sunday 31 is Easter, Monday 1 April too.
    ext = Adjustment("extension_days", days=30)
    due = compute_due(date(2023, 8, 31), DEFAULT_RULE, BE, [ext])
    assert due.due_date == date(2024, 4, 2)
    assert "Extension: +30 calendar days: Saturday 30 March 2024." in due.steps
    assert "Skipped Monday 1 April 2024: Easter Monday." in due.steps
    assert due.due_at == utc(2024, 4, 2, 15, 0)  # summer time by then


def test_clock_stop_working_days():
    stop = Adjustment(
        "clock_stop", start=date(2024, 6, 1), end=date(2024, 6, 10), reason="reshuffle"
    )
    due = compute_due(date(2024, 5, 2), WD20, BE, [stop])
    assert due.due_date == date(2024, 6, 11)
    assert "Clock stopped 2024-06-01 to 2024-06-10 (reshuffle): +6 working days." in due.steps


def test_clock_stop_calendar_days():
    stop = Adjustment("clock_stop", start=date(2024, 1, 10), end=date(2024, 1, 19))
    due = compute_due(date(2023, 8, 31), DEFAULT_RULE, BE, [stop])
    assert due.due_date == date(2024, 3, 11)  # 29 Feb + 10 = Sunday 10 March -> Monday
    assert "Clock stopped 2024-01-10 to 2024-01-19: +10 calendar days: Sunday 10 March 2024." in (
        due.steps
    )


def test_clock_stop_over_a_weekend_only_changes_nothing_for_working_days():
    stop = Adjustment("clock_stop", start=date(2024, 5, 11), end=date(2024, 5, 12))
    assert compute_due(date(2024, 5, 2), WD20, BE, [stop]).due_date == date(2024, 6, 3)


def test_adjustments_apply_in_order():
    ext = Adjustment("extension_days", days=10)
    fixed = Adjustment("extension_date", new_date=date(2024, 6, 20))
    assert compute_due(date(2024, 5, 2), WD20, BE, [ext, fixed]).due_date == date(2024, 6, 20)
    with pytest.raises(DeadlineError, match="not later"):
        compute_due(date(2024, 5, 2), WD20, BE, [fixed, ext, fixed])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "postpone", "days": 3}, "unknown adjustment kind 'postpone'"),
        ({"kind": "extension_days"}, "needs days"),
        ({"kind": "extension_days", "days": 0}, "between 1 and 3650"),
        ({"kind": "extension_days", "days": 5, "new_date": date(2024, 6, 1)}, "no new_date"),
        ({"kind": "extension_date"}, "needs new_date"),
        ({"kind": "clock_stop", "start": date(2024, 6, 1)}, "needs end"),
        (
            {"kind": "clock_stop", "start": date(2024, 6, 10), "end": date(2024, 6, 1)},
            "start <= end",
        ),
    ],
)
def test_adjustment_validation(kwargs, message):
    with pytest.raises(DeadlineError, match=message):
        Adjustment(**kwargs)


def test_open_and_closed_days_change_due_date_and_fingerprint():
    plain = compute_due(date(2024, 5, 2), WD20, BE)
    opened = compute_due(date(2024, 5, 2), WD20, Calendar("BE", "BE", open_days={date(2024, 5, 9)}))
    closed = compute_due(
        date(2024, 5, 2), WD20, Calendar("BE", "BE", closed_days={date(2024, 5, 13)})
    )
    assert plain.due_date == date(2024, 6, 3)
    assert opened.due_date == date(2024, 5, 31)
    assert closed.due_date == date(2024, 6, 4)
    assert len({plain.fingerprint, opened.fingerprint, closed.fingerprint}) == 3
    assert "Skipped Monday 13 May 2024: closing day." in closed.steps
    assert not any("Ascension" in s for s in opened.steps)
    # An irrelevant change (closing a Sunday) leaves both the date and the fingerprint alone.
    sunday = compute_due(
        date(2024, 5, 2), WD20, Calendar("BE", "BE", closed_days={date(2024, 5, 12)})
    )
    assert (sunday.due_date, sunday.fingerprint) == (plain.due_date, plain.fingerprint)


def test_compute_due_input_validation():
    with pytest.raises(DeadlineError, match="must be a date"):
        compute_due(datetime(2024, 5, 2, tzinfo=UTC), WD20, BE)  # type: ignore[arg-type]
    with pytest.raises(DeadlineError, match="DeadlineRule"):
        compute_due(date(2024, 5, 2), "20 working days", BE)  # type: ignore[arg-type]
    with pytest.raises(DeadlineError, match="Calendar"):
        compute_due(date(2024, 5, 2), WD20, "BE")  # type: ignore[arg-type]
    with pytest.raises(DeadlineError, match="Adjustment"):
        compute_due(date(2024, 5, 2), WD20, BE, [{"kind": "extension_days"}])  # type: ignore[list-item]


# --------------------------------------------------------------------------- explanation


def test_explanation_exact_steps():
    steps = explain_due_date(date(2024, 5, 17), DeadlineRule("working_days", 1), BE)
    assert steps == [
        "Start: Friday 17 May 2024 (day zero).",
        "Rule: 1 working day, calendar BE (Belgium holidays).",
        "Skipped Saturday 18 May 2024 and Sunday 19 May 2024: weekend.",
        "Skipped Monday 20 May 2024: Pentecost Monday.",
        "Counted 1 working day: Tuesday 21 May 2024.",
        "Due: Tuesday 21 May 2024 at 17:00 Europe/Brussels (15:00 UTC).",
    ]


def test_explanation_names_every_skipped_holiday():
    steps = explain_due_date(date(2024, 4, 30), DeadlineRule("working_days", 22), NRW)
    assert steps == list(
        compute_due(date(2024, 4, 30), DeadlineRule("working_days", 22), NRW).steps
    )
    assert steps[1] == "Rule: 22 working days, calendar NRW (Germany holidays, subdivision NW)."
    for line in (
        "Skipped Wednesday 1 May 2024: Labor Day.",
        "Skipped Thursday 9 May 2024: Ascension Day.",
        "Skipped Monday 20 May 2024: Pentecost Monday.",
        "Skipped Thursday 30 May 2024: Corpus Christi.",
        "Skipped Saturday 4 May 2024 and Sunday 5 May 2024: weekend.",
    ):
        assert line in steps
    assert steps[-1] == "Due: Wednesday 5 June 2024 at 17:00 Europe/Brussels (15:00 UTC)."
    assert sum(s.startswith("Skipped") for s in steps) == 9  # 5 weekends + 4 holidays


def test_explanation_of_a_clamped_month_in_winter():
    assert explain_due_date(date(2023, 8, 31), DEFAULT_RULE, BE) == [
        "Start: Thursday 31 August 2023 (day zero).",
        "Rule: 6 calendar months, calendar BE (Belgium holidays).",
        "Added 6 calendar months: Thursday 29 February 2024 (day 31 does not exist in February).",
        "Due: Thursday 29 February 2024 at 17:00 Europe/Brussels (16:00 UTC).",
    ]


def test_explanation_of_a_saturday_start_skips_only_sunday():
    steps = explain_due_date(date(2024, 5, 4), DeadlineRule("working_days", 1), BE)
    assert steps[2] == "Skipped Sunday 5 May 2024: weekend."
    assert steps[-1] == "Due: Monday 6 May 2024 at 17:00 Europe/Brussels (15:00 UTC)."


def test_explanation_mentions_secretariat_changes_in_the_rule():
    cal = Calendar("BE", "BE", closed_days={date(2024, 5, 13)}, open_days={date(2024, 5, 9)})
    steps = explain_due_date(date(2024, 5, 2), WD20, cal)
    assert steps[1] == (
        "Rule: 20 working days, calendar BE (Belgium holidays; 1 extra closing day, "
        "1 holiday declared working)."
    )
    assert steps[-1] == "Due: Monday 3 June 2024 at 17:00 Europe/Brussels (15:00 UTC)."


# --------------------------------------------------------------------------- status


DUE_SUMMER = due_at_for(date(2024, 6, 3))  # 2024-06-03 15:00 UTC
DUE_OCTOBER = due_at_for(date(2024, 10, 25))  # Friday before the clocks go back: 15:00 UTC


def test_reminder_dates():
    assert reminder_dates(DUE_SUMMER) == [date(2024, 5, 4), date(2024, 5, 27)]
    assert reminder_dates(DUE_SUMMER, (7, 30, 7)) == [date(2024, 5, 4), date(2024, 5, 27)]
    assert reminder_dates(DUE_SUMMER, ()) == []
    with pytest.raises(DeadlineError):
        reminder_dates(datetime(2024, 6, 3, 17, 0))
    with pytest.raises(DeadlineError):
        reminder_dates(DUE_SUMMER, (0,))


def test_status_no_deadline():
    assert deadline_status(None, utc(2024, 5, 1)) == DeadlineStatus("no_deadline", 0, None)
    assert deadline_status(None, utc(2024, 5, 1), paused=True).status == "no_deadline"


def test_status_on_time_and_reminder():
    assert deadline_status(DUE_SUMMER, utc(2024, 4, 1, 12)) == DeadlineStatus(
        "on_time", 0, date(2024, 5, 4)
    )
    # The reminder window opens on the Brussels date 4 May: 3 May 22:00 UTC is already 4 May.
    assert deadline_status(DUE_SUMMER, utc(2024, 5, 3, 21, 59)) == DeadlineStatus(
        "on_time", 0, date(2024, 5, 4)
    )
    assert deadline_status(DUE_SUMMER, utc(2024, 5, 3, 22, 0)) == DeadlineStatus(
        "reminder", 0, date(2024, 5, 4)
    )
    assert deadline_status(DUE_SUMMER, utc(2024, 5, 10)) == DeadlineStatus(
        "reminder", 0, date(2024, 5, 27)
    )
    assert deadline_status(DUE_SUMMER, utc(2024, 5, 28)) == DeadlineStatus("reminder", 0, None)
    assert deadline_status(DUE_SUMMER, DUE_SUMMER).status == "reminder"  # at 17:00 sharp
    assert deadline_status(DUE_SUMMER, utc(2024, 5, 10), reminder_days=()).status == "on_time"
    assert deadline_status(DUE_SUMMER, utc(2024, 5, 10), reminder_days=(3,)) == DeadlineStatus(
        "on_time", 0, date(2024, 5, 31)
    )


def test_status_accepts_any_timezone():
    now = datetime(2024, 5, 4, 0, 30, tzinfo=BRUSSELS)  # = 3 May 22:30 UTC
    assert deadline_status(DUE_SUMMER, now).status == "reminder"


def test_status_overdue_from_one_second_after_17h():
    assert deadline_status(DUE_SUMMER, utc(2024, 6, 3, 15, 0, 1)) == DeadlineStatus(
        "overdue", 0, None
    )
    assert deadline_status(DUE_SUMMER, utc(2024, 6, 4, 14, 59)).days_overdue == 0
    assert deadline_status(DUE_SUMMER, utc(2024, 6, 4, 15, 0)).days_overdue == 1
    assert deadline_status(DUE_SUMMER, utc(2024, 6, 13, 16)) == DeadlineStatus("overdue", 10, None)


def test_days_overdue_counts_brussels_days_across_dst():
    # Due Friday 25 Oct 2024 17:00 CEST; the clocks go back on Sunday 27 October, so
    # three days later 17:00 Brussels is 16:00 UTC (72 hours would be 15:00 UTC).
    assert deadline_status(DUE_OCTOBER, utc(2024, 10, 28, 15, 30)).days_overdue == 2
    assert deadline_status(DUE_OCTOBER, utc(2024, 10, 28, 16, 0)).days_overdue == 3


def test_very_overdue_boundary_across_dst():
    # 90 days after 25 Oct 2024 is Thursday 23 January 2025, 17:00 CET = 16:00 UTC.
    assert deadline_status(DUE_OCTOBER, utc(2025, 1, 23, 15, 30)) == DeadlineStatus(
        "overdue", 89, None
    )
    assert deadline_status(DUE_OCTOBER, utc(2025, 1, 23, 16, 0)) == DeadlineStatus(
        "overdue", 90, None
    )
    assert deadline_status(DUE_OCTOBER, utc(2025, 1, 23, 16, 0, 1)) == DeadlineStatus(
        "very_overdue", 90, None
    )
    assert deadline_status(
        DUE_OCTOBER, utc(2024, 11, 5, 16), very_overdue_after_days=10
    ) == DeadlineStatus("very_overdue", 11, None)


def test_status_paused_overrides_everything_but_no_deadline():
    for now in (utc(2024, 4, 1), utc(2024, 5, 10), utc(2024, 6, 10), utc(2025, 6, 1)):
        assert deadline_status(DUE_SUMMER, now, paused=True) == DeadlineStatus("paused", 0, None)


def test_status_rejects_naive_and_bad_input():
    with pytest.raises(DeadlineError, match="timezone-aware"):
        deadline_status(DUE_SUMMER, datetime(2024, 5, 1, 12, 0))
    with pytest.raises(DeadlineError, match="timezone-aware"):
        deadline_status(None, datetime(2024, 5, 1, 12, 0))
    with pytest.raises(DeadlineError, match="due_at must be timezone-aware"):
        deadline_status(datetime(2024, 6, 3, 17, 0), utc(2024, 5, 1))
    with pytest.raises(DeadlineError):
        deadline_status(DUE_SUMMER, utc(2024, 5, 1), reminder_days=(30, -1))
    with pytest.raises(DeadlineError):
        deadline_status(DUE_SUMMER, utc(2024, 5, 1), very_overdue_after_days=0)


def test_fingerprint_covers_weekday_holidays_only():
    # Belgium 2024: National Day (21 July), Easter Sunday and Pentecost fall on Sundays.
    assert BE.non_working_weekdays(2024, 2024) == [
        date(2024, 1, 1),
        date(2024, 4, 1),
        date(2024, 5, 1),
        date(2024, 5, 9),
        date(2024, 5, 20),
        date(2024, 8, 15),
        date(2024, 11, 1),
        date(2024, 11, 11),
        date(2024, 12, 25),
    ]
    cal = Calendar("BE", "BE", closed_days={date(2024, 7, 22)}, open_days={date(2024, 5, 9)})
    assert date(2024, 7, 22) in cal.non_working_weekdays(2024, 2024)
    assert date(2024, 5, 9) not in cal.non_working_weekdays(2024, 2024)
