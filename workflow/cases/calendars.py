"""Working-day calendars of the addressees, built from the database."""

from __future__ import annotations

from datetime import date

from workflow import deadlines
from workflow.cases.models import Addressee

# Annual closing days (MM-DD) are expanded over this span of years.
_YEARS = range(1990, 2101)


def calendar_for(addressee: Addressee) -> deadlines.Calendar:
    closed = {cd.day for cd in addressee.closing_days if not cd.is_open}
    opened = {cd.day for cd in addressee.closing_days if cd.is_open}
    for mmdd in addressee.annual_days:
        month, day = (int(part) for part in mmdd.split("-"))
        closed.update(date(year, month, day) for year in _YEARS)
    return deadlines.Calendar(
        code=addressee.code,
        country=addressee.holiday_country,
        subdivision=addressee.holiday_subdivision,
        closed_days=frozenset(closed - opened),
        open_days=frozenset(opened),
    )
