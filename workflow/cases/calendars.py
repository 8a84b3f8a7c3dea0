"""Working-day calendars of the addressees, built from the database, and one year of
such a calendar as data (the secretariat's calendar page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from workflow import deadlines
from workflow.cases.models import Addressee

# Annual closing days (MM-DD) are expanded over this span of years.
_YEARS = range(1990, 2101)
FIRST_YEAR, LAST_YEAR = _YEARS[0], _YEARS[-1]


def declarations_of(addressee: Addressee) -> dict[date, bool]:
    """The days the secretariat declared for this addressee: ``{day: is_open}``."""
    return {cd.day: cd.is_open for cd in addressee.closing_days}


def annual_dates(addressee: Addressee, year: int) -> set[date]:
    """The addressee's annual closing days (catalogue, MM-DD) that exist in ``year``."""
    return _annual_in([tuple(int(part) for part in mmdd.split("-"))
                       for mmdd in addressee.annual_days], year)


def _annual_in(month_days: list[tuple[int, int]], year: int) -> set[date]:
    out = set()
    for month, day in month_days:
        try:
            out.add(date(year, month, day))
        except ValueError:  # 02-29 outside a leap year
            continue
    return out


def calendar_for(addressee: Addressee,
                 declarations: Mapping[date, bool] | None = None) -> deadlines.Calendar:
    """The addressee's calendar; ``declarations`` (``{day: is_open}``) replaces the
    declared days stored, for a calendar as it would be after a change."""
    if declarations is None:
        declarations = declarations_of(addressee)
    return _calendar(addressee.code, addressee.holiday_country, addressee.holiday_subdivision,
                     addressee.annual_closing_days, frozenset(declarations.items()))


@lru_cache(maxsize=512)
def _calendar(code: str, country: str | None, subdivision: str | None, annual_json: str | None,
              declarations: frozenset[tuple[date, bool]]) -> deadlines.Calendar:
    """Built once per distinct input: expanding the annual days over every year kept is
    the costly part, and every due date of an addressee needs the same calendar."""
    closed = {day for day, is_open in declarations if not is_open}
    opened = {day for day, is_open in declarations if is_open}
    annual = [tuple(int(part) for part in mmdd.split("-"))
              for mmdd in Addressee.parse_annual_days(annual_json)]
    for year in _YEARS:
        closed.update(_annual_in(annual, year))
    return deadlines.Calendar(code=code, country=country, subdivision=subdivision,
                              closed_days=frozenset(closed - opened),
                              open_days=frozenset(opened))


@dataclass(frozen=True)
class CalendarDay:
    """One day of a year that is not an ordinary working day, or a declared exception.

    ``kind``: ``holiday`` (a public holiday), ``annual_closing_day`` (every year, from the
    catalogue), ``closing_day`` (declared by the secretariat) or ``declared_working``
    (a holiday or annual closing day declared a working day). ``holiday`` is the English
    name of the public holiday on that day (or None); ``country`` and ``subdivision``
    name it in another language (:func:`workflow.deadlines.holiday_names`).
    ``is_working`` says whether the day counts as a working day.
    """

    day: date
    kind: str
    holiday: str | None
    country: str | None
    subdivision: str | None
    note: str
    is_weekend: bool
    is_working: bool


def calendar_year(addressee: Addressee, year: int) -> list[CalendarDay]:
    """The public holidays, annual and declared closing days and declared working days
    of ``year``, in date order (weekends are not listed, except a holiday on one)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise deadlines.DeadlineError(
            f"year {year} is outside the calendars kept ({FIRST_YEAR}-{LAST_YEAR})",
            rule="calendar_year", params={"year": year, "low": FIRST_YEAR, "high": LAST_YEAR})
    calendar = calendar_for(addressee)
    holidays = calendar.holidays_in(year)
    annual = annual_dates(addressee, year)
    notes = {cd.day: cd for cd in addressee.closing_days if cd.day.year == year}
    days = sorted(set(holidays) | annual | set(notes))
    out = []
    for d in days:
        declared = notes.get(d)
        if declared is not None and declared.is_open:
            kind = "declared_working"
        elif declared is not None:
            kind = "closing_day"
        elif d in annual:
            kind = "annual_closing_day"
        else:
            kind = "holiday"
        out.append(CalendarDay(day=d, kind=kind, holiday=holidays.get(d),
                               country=addressee.holiday_country,
                               subdivision=addressee.holiday_subdivision,
                               note=declared.note if declared is not None else "",
                               is_weekend=d.weekday() >= 5,
                               is_working=calendar.is_working_day(d)))
    return out
