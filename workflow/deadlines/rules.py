"""Answer deadlines: rules, holiday calendars, due dates and their explanation.

Pure functions, no database. A deadline starts on a *start date* (day zero, usually the
date the recommendation was transmitted), follows a :class:`DeadlineRule` ("6 months",
"20 working days", ...) on an addressee's :class:`Calendar` (public holidays of BE, NL,
LU or North Rhine-Westphalia, plus closing days the secretariat adds), then any
:class:`Adjustment` (extensions, clock stops) in order. The result is due at 17:00
Europe/Brussels on a working day, stored as a UTC datetime, together with a step-by-step
explanation and a fingerprint of the calendar days that were relevant.

The explanation is data (:class:`Step`: a kind and its values, holidays with their
English names and the calendar to name them in another language with
:func:`holiday_names`); user interfaces word it in their own language. The English
sentences of ``DueDate.steps`` are for logs and the command line; their dates use
built-in English names, never the process locale.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

__all__ = [
    "BRUSSELS",
    "DEFAULT_RULE",
    "DUE_TIME",
    "Adjustment",
    "Calendar",
    "DeadlineError",
    "DeadlineRule",
    "DueDate",
    "Step",
    "UnknownCalendar",
    "add_working_days",
    "compute_due",
    "due_at_for",
    "explain_due_date",
    "holiday_names",
    "next_working_day",
    "working_days_between",
]

BRUSSELS = ZoneInfo("Europe/Brussels")
DUE_TIME = time(17, 0)

RULE_KINDS = ("months", "calendar_days", "working_days", "fixed_date")
ADJUSTMENT_KINDS = ("extension_date", "extension_days", "clock_stop")
MAX_DAYS = 3650
MAX_MONTHS = 120

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
COUNTRY_NAMES = {
    "BE": "Belgium",
    "NL": "Netherlands",
    "LU": "Luxembourg",
    "DE": "Germany",
    "FR": "France",
}

WEEKEND = "weekend"
CLOSING_DAY = "closing day"

RULE_EXAMPLES = '"6 months", "30 calendar days", "20 working days" or a date such as "2027-03-01"'


class DeadlineError(ValueError):
    """A bad deadline rule, calendar or date input; the message says what to do.

    ``rule`` names the check that failed and ``params`` its values (where given), so that
    a user interface can word the message in another language."""

    def __init__(self, message: str, *, rule: str | None = None,
                 params: Mapping[str, object] | None = None):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.params = dict(params or {})


class UnknownCalendar(DeadlineError):
    """The ``holidays`` package does not know the calendar's country or subdivision."""


# --------------------------------------------------------------------------- formatting


def format_date(d: date) -> str:
    """``Thursday 2 May 2024`` without depending on the process locale."""
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check_date(value: object, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DeadlineError(
            f"{name} must be a date such as date(2024, 5, 2), not {value!r} "
            f"(pass a datetime's .date() if you have a datetime)"
        )
    return value


def _check_aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise DeadlineError(f"{name} must be a timezone-aware datetime, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise DeadlineError(
            f"{name} must be timezone-aware (got naive {value.isoformat()}); "
            f"use e.g. datetime(..., tzinfo=UTC)"
        )
    return value


def _check_count(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeadlineError(
            f"{name} must be a whole number between {low} and {high}, not {value!r}"
        )
    if not low <= value <= high:
        raise DeadlineError(f"{name} must be between {low} and {high}, got {value}")
    return value


# --------------------------------------------------------------------------- rules

_RULE_RE = re.compile(
    r"^(?P<n>[+-]?\d+)\s+(?P<unit>(?:calendar\s+)?months?|calendar\s+days?|working\s+days?|days?)$",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"^(?:fixed\s+date\s+)?(?P<d>\d{4}-\d{2}-\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class DeadlineRule:
    """How the answer deadline is counted from the start date (day zero)."""

    kind: str
    amount: int | None = None
    fixed_date: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise DeadlineError(
                f"unknown deadline rule kind {self.kind!r}; use one of {', '.join(RULE_KINDS)}"
            )
        if self.kind == "fixed_date":
            if self.fixed_date is None:
                raise DeadlineError('a "fixed_date" rule needs fixed_date, e.g. date(2027, 3, 1)')
            _check_date(self.fixed_date, "fixed_date")
            if self.amount is not None:
                raise DeadlineError('a "fixed_date" rule takes no amount; leave amount empty')
            return
        if self.fixed_date is not None:
            raise DeadlineError(f'a "{self.kind}" rule takes no fixed_date; leave it empty')
        if self.amount is None:
            raise DeadlineError(f'a "{self.kind}" rule needs an amount, e.g. {self._example()}')
        high = MAX_MONTHS if self.kind == "months" else MAX_DAYS
        _check_count(self.amount, f"the number of {self.kind.replace('_', ' ')}", 1, high)

    def _example(self) -> str:
        return {"months": "6", "calendar_days": "30", "working_days": "20"}[self.kind]

    @classmethod
    def parse(cls, text: str) -> DeadlineRule:
        """Read ``"6 months"``, ``"30 calendar days"``, ``"20 working days"``, ``"2027-03-01"``."""
        if not isinstance(text, str):
            raise DeadlineError(f"a deadline rule must be text such as {RULE_EXAMPLES}",
                                rule="rule_empty")
        cleaned = " ".join(text.split())
        if not cleaned:
            raise DeadlineError(f"the deadline rule is empty; write e.g. {RULE_EXAMPLES}",
                                rule="rule_empty")
        m = _DATE_RE.match(cleaned)
        if m:
            try:
                fixed = date.fromisoformat(m["d"])
            except ValueError:
                raise DeadlineError(
                    f"{m['d']!r} is not a real date; write a fixed due date as YYYY-MM-DD, "
                    f"e.g. 2027-03-01", rule="rule_not_a_date", params={"text": m["d"]}
                ) from None
            return cls("fixed_date", fixed_date=fixed)
        m = _RULE_RE.match(cleaned)
        if not m:
            raise DeadlineError(
                f"cannot read the deadline rule {text!r}; write e.g. {RULE_EXAMPLES}",
                rule="deadline_rule", params={"text": cleaned},
            )
        unit = m["unit"].lower()
        if unit in ("day", "days"):
            raise DeadlineError(
                f"{text!r} is ambiguous: say {m['n']} calendar days or {m['n']} working days",
                rule="rule_ambiguous", params={"text": cleaned, "num": int(m["n"])},
            )
        kind = "months" if "month" in unit else unit.split()[0] + "_days"
        amount = int(m["n"])
        if amount < 1:
            raise DeadlineError(
                f"the deadline rule {text!r} must count at least 1; write e.g. {RULE_EXAMPLES}",
                rule="rule_at_least_one", params={"text": cleaned},
            )
        high = MAX_MONTHS if kind == "months" else MAX_DAYS
        if amount > high:
            raise DeadlineError(
                f"the number of {kind.replace('_', ' ')} must be between 1 and {high}, "
                f"got {amount}",
                rule="rule_too_many_months" if kind == "months" else "rule_too_many_days",
                params={"text": cleaned, "kind": kind, "high": high, "num": amount},
            )
        return cls(kind, amount)

    def describe(self) -> str:
        """Human description: ``6 calendar months``, ``20 working days``, ``fixed date ...``."""
        if self.kind == "fixed_date":
            return f"fixed date {self.fixed_date.isoformat()}"  # type: ignore[union-attr]
        n = self.amount or 0
        if self.kind == "months":
            return _plural(n, "calendar month")
        if self.kind == "calendar_days":
            return _plural(n, "calendar day")
        return _plural(n, "working day")

    def to_text(self) -> str:
        """The canonical text that :meth:`parse` reads back to an equal rule."""
        if self.kind == "fixed_date":
            return self.fixed_date.isoformat()  # type: ignore[union-attr]
        n = self.amount or 0
        if self.kind == "months":
            return _plural(n, "month")
        if self.kind == "calendar_days":
            return _plural(n, "calendar day")
        return _plural(n, "working day")


DEFAULT_RULE = DeadlineRule("months", 6)  # Council of Europe target


# --------------------------------------------------------------------------- calendars


@functools.lru_cache(maxsize=1)
def _supported() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(
        {c: tuple(s) for c, s in holidays.list_supported_countries(include_aliases=False).items()}
    )


@functools.lru_cache(maxsize=1)
def _localized() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({c: tuple(v) for c, v in holidays.list_localized_countries().items()})


def _unknown_country(country: str) -> UnknownCalendar:
    return UnknownCalendar(
        f"the holidays package has no calendar for country {country!r}; use an upper-case "
        f"ISO 3166-1 code such as BE, NL, LU or DE (supported: {', '.join(sorted(_supported()))})"
    )


def _unknown_subdivision(country: str, subdivision: str) -> UnknownCalendar:
    subs = _supported().get(country, ())
    if not subs:
        hint = f"{country} has no subdivisions; leave the subdivision empty"
    else:
        hint = f"use one of {', '.join(subs)}"
        if country == "DE":
            hint += " (NW is North Rhine-Westphalia)"
    return UnknownCalendar(
        f"the holidays package has no subdivision {subdivision!r} for country {country}; {hint}"
    )


@functools.lru_cache(maxsize=1024)
def _holiday_parts(
    country: str, subdivision: str | None, year: int, language: str | None
) -> Mapping[date, tuple[str, ...]]:
    """Public holidays of one country/subdivision in one year: ``{date: (name, ...)}``
    (two holidays can share a day), named in ``language`` (``None``: English where the
    package has it, else the country's own language)."""
    if country not in _supported():
        raise _unknown_country(country)
    if subdivision is not None and subdivision not in _supported()[country]:
        raise _unknown_subdivision(country, subdivision)
    if language is None:
        language = "en_US" if "en_US" in _localized().get(country, ()) else None
    try:
        found = holidays.country_holidays(
            country, subdiv=subdivision, years=year, language=language
        )
    except NotImplementedError as exc:  # pragma: no cover - guarded by the checks above
        raise UnknownCalendar(f"{exc}; check the calendar's country and subdivision") from exc
    names = {
        d: tuple(part.strip() for part in name.split(";"))
        for d, name in found.items()
        if d.year == year
    }
    return MappingProxyType(names)


@functools.lru_cache(maxsize=1024)
def _holidays_for(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """Public holidays of one country/subdivision in one year: ``{date: English name}``."""
    parts = _holiday_parts(country, subdivision, year, None)
    return MappingProxyType({d: " and ".join(names) for d, names in parts.items()})


def holiday_languages(country: str) -> tuple[str, ...]:
    """The languages in which the ``holidays`` package names this country's holidays."""
    return _localized().get(country, ())


def holiday_names(
    country: str | None, subdivision: str | None, d: date, language: str
) -> tuple[str, ...]:
    """The names of the public holidays on ``d`` in ``language`` (``"nl"``, ``"fr"``,
    ``"en"``), in English when the package has no names in that language for the
    country; empty if ``d`` is no public holiday there."""
    if country is None:
        return ()
    _check_date(d, "the day")
    wanted = "en_US" if language == "en" else language
    offered = holiday_languages(country)
    lang = wanted if wanted in offered else None
    return _holiday_parts(country, subdivision, d.year, lang).get(d, ())


def _day_set(value: object, name: str) -> frozenset[date]:
    if isinstance(value, (str, bytes, date)) or not isinstance(value, Iterable):
        raise DeadlineError(f"{name} must be a set of dates, not {value!r}")
    return frozenset(_check_date(d, f"each of {name}") for d in value)


@dataclass(frozen=True)
class Calendar:
    """Working days of one addressee: weekends, public holidays, secretariat changes."""

    code: str
    country: str | None
    subdivision: str | None = None
    closed_days: frozenset[date] = frozenset()
    open_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise DeadlineError('a calendar needs a code such as "BE", "NL", "LU" or "NRW"')
        if self.country is not None and (not isinstance(self.country, str) or not self.country):
            raise DeadlineError(
                f'country must be a code such as "BE" or None, not {self.country!r}'
            )
        if self.subdivision is not None:
            if self.country is None:
                raise DeadlineError(
                    f"calendar {self.code} has subdivision {self.subdivision!r} but no country; "
                    f'set country (e.g. "DE" for subdivision "NW") or drop the subdivision'
                )
            if not isinstance(self.subdivision, str) or not self.subdivision:
                raise DeadlineError(
                    f'subdivision must be a code such as "NW" or None, not {self.subdivision!r}'
                )
        closed = _day_set(self.closed_days, "closed_days")
        opened = _day_set(self.open_days, "open_days")
        both = sorted(closed & opened)
        if both:
            raise DeadlineError(
                f"calendar {self.code}: {', '.join(d.isoformat() for d in both)} cannot be both a "
                f"closing day and a declared working day; remove it from one of the two lists"
            )
        object.__setattr__(self, "closed_days", closed)
        object.__setattr__(self, "open_days", opened)

    def validate(self) -> None:
        """Raise :class:`UnknownCalendar` if ``holidays`` does not know country/subdivision."""
        if self.country is None:
            return
        if self.country not in _supported():
            raise _unknown_country(self.country)
        if self.subdivision is not None and self.subdivision not in _supported()[self.country]:
            raise _unknown_subdivision(self.country, self.subdivision)

    def holidays_in(self, year: int) -> Mapping[date, str]:
        """The public holidays of ``year`` (before open_days/closed_days are applied)."""
        if self.country is None:
            return MappingProxyType({})
        return _holidays_for(self.country, self.subdivision, year)

    def non_working_reason(self, d: date) -> str | None:
        """None on a working day; else ``weekend``, the holiday's name or ``closing day``."""
        _check_date(d, "the day")
        if d.weekday() >= 5:
            return WEEKEND
        if d not in self.open_days:
            name = self.holidays_in(d.year).get(d)
            if name:
                return name
        if d in self.closed_days:
            return CLOSING_DAY
        return None

    def is_working_day(self, d: date) -> bool:
        return self.non_working_reason(d) is None

    def describe(self) -> str:
        """``BE (Belgium holidays)``, ``NRW (Germany holidays, subdivision NW)``, ..."""
        return _describe_calendar(
            {
                "calendar": self.code,
                "country": self.country,
                "subdivision": self.subdivision,
                "closing_days": len(self.closed_days),
                "declared_working": len(self.open_days),
            }
        )

    def non_working_weekdays(self, first_year: int, last_year: int) -> list[date]:
        """Sorted Monday-Friday dates in those years that are not working days."""
        days: set[date] = set()
        for year in range(first_year, last_year + 1):
            days.update(d for d in self.holidays_in(year) if d.weekday() < 5)
        days -= self.open_days
        days.update(
            d for d in self.closed_days if first_year <= d.year <= last_year and d.weekday() < 5
        )
        return sorted(days)

    def fingerprint(self, first_year: int, last_year: int) -> str:
        """sha256 hex of code, country, subdivision and every weekday non-working date.

        Holiday names are left out on purpose: a renamed holiday does not move a deadline.
        """
        _check_count(first_year, "first_year", 1, 9998)
        _check_count(last_year, "last_year", first_year, 9998)
        canonical = json.dumps(
            {
                "code": self.code,
                "country": self.country,
                "subdivision": self.subdivision,
                "non_working": [
                    d.isoformat() for d in self.non_working_weekdays(first_year, last_year)
                ],
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- day arithmetic


def next_working_day(d: date, calendar: Calendar) -> tuple[date, list[tuple[date, str]]]:
    """``d`` itself if it is a working day, else the next one, with the days skipped."""
    _check_date(d, "the date")
    skipped: list[tuple[date, str]] = []
    reason = calendar.non_working_reason(d)
    while reason is not None:
        skipped.append((d, reason))
        d += timedelta(days=1)
        reason = calendar.non_working_reason(d)
    return d, skipped


def add_working_days(
    start: date, n: int, calendar: Calendar
) -> tuple[date, list[tuple[date, str]]]:
    """Count ``n`` working days forward from ``start`` (day zero); return the due date and
    every non-working day skipped on the way, with its reason."""
    _check_date(start, "start")
    _check_count(n, "the number of working days", 0, MAX_DAYS)
    skipped: list[tuple[date, str]] = []
    d = start
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        reason = calendar.non_working_reason(d)
        if reason is None:
            counted += 1
        else:
            skipped.append((d, reason))
    return d, skipped


def working_days_between(a: date, b: date, calendar: Calendar) -> int:
    """Working days in ``(a, b]``; negative (minus those in ``(b, a]``) if ``b < a``."""
    _check_date(a, "a")
    _check_date(b, "b")
    if b < a:
        return -working_days_between(b, a, calendar)
    count = 0
    d = a + timedelta(days=1)
    while d <= b:
        if calendar.is_working_day(d):
            count += 1
        d += timedelta(days=1)
    return count


def _working_days_in(start: date, end: date, calendar: Calendar) -> int:
    """Working days in the inclusive period ``[start, end]``."""
    return working_days_between(start - timedelta(days=1), end, calendar)


def due_at_for(d: date) -> datetime:
    """17:00 Europe/Brussels on ``d`` as a UTC-aware datetime."""
    _check_date(d, "the due date")
    return datetime.combine(d, DUE_TIME, tzinfo=BRUSSELS).astimezone(UTC)


# --------------------------------------------------------------------------- adjustments


@dataclass(frozen=True)
class Adjustment:
    """A change applied after the base rule, in order: extension or clock stop."""

    kind: str
    new_date: date | None = None
    days: int | None = None
    start: date | None = None
    end: date | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ADJUSTMENT_KINDS:
            raise DeadlineError(
                f"unknown adjustment kind {self.kind!r}; use one of {', '.join(ADJUSTMENT_KINDS)}"
            )
        needed = {
            "extension_date": ("new_date",),
            "extension_days": ("days",),
            "clock_stop": ("start", "end"),
        }[self.kind]
        for name in ("new_date", "days", "start", "end"):
            value = getattr(self, name)
            if name in needed and value is None:
                raise DeadlineError(f'a "{self.kind}" adjustment needs {name}')
            if name not in needed and value is not None:
                raise DeadlineError(f'a "{self.kind}" adjustment takes no {name}; leave it empty')
        if not isinstance(self.reason, str):
            raise DeadlineError(f"the adjustment reason must be text, not {self.reason!r}")
        if self.kind == "extension_date":
            _check_date(self.new_date, "the extension's new date")
        elif self.kind == "extension_days":
            _check_count(self.days, "the extension's number of days", 1, MAX_DAYS)
        else:
            _check_date(self.start, "the clock stop's start")
            _check_date(self.end, "the clock stop's end")
            if self.start > self.end:  # type: ignore[operator]
                raise DeadlineError(
                    f"the clock stop starts {self.start} after it ends {self.end}; "
                    f"give start <= end (both days included)"
                )


# --------------------------------------------------------------------------- due dates


@dataclass(frozen=True)
class Step:
    """One step of a due-date explanation, as data: a ``kind`` and its ``values``.

    Kinds and their values (dates are :class:`date`, ``reason`` is the free text of an
    adjustment, possibly empty):

    - ``start``: ``date`` (day zero)
    - ``rule``: ``rule`` (:class:`DeadlineRule`), ``calendar`` (code), ``country``,
      ``subdivision``, ``closing_days``, ``declared_working`` (counts of added days)
    - ``skipped``: ``date``, ``until`` (the Sunday of a weekend, else None),
      ``reason`` (``weekend``, ``holiday`` or ``closing_day``), ``holiday`` (English
      name, or None), ``country``, ``subdivision`` (to name the holiday in another language)
    - ``counted``: ``rule``, ``date`` (after counting working days)
    - ``added``: ``rule``, ``date``, ``missing_day`` and ``month`` (when the day of the
      month does not exist in the target month, else None)
    - ``fixed``: ``date``
    - ``moved``: ``date`` (the next working day)
    - ``extension_date``: ``date``, ``reason``
    - ``extension_working_days``: ``days``, ``reason``; then ``extended``: ``date``
    - ``extension_calendar_days``: ``days``, ``reason``, ``date``
    - ``clock_stop``: ``start``, ``end``, ``reason``, ``days``, ``unit`` (``working_days`` or
      ``calendar_days``), ``date`` (the new date for calendar days, else None); after
      working days ``moved_to``: ``date``
    - ``due``: ``date``, ``due_at`` (UTC datetime at 17:00 Brussels)

    About a stored entry (added by the operations): ``not_transmitted``: ``doc_number``;
    ``clock_stopped``: ``start``, ``reason`` (a stop still running); ``calendar_changed``
    (the stored due date was computed on other holidays or closing days).
    """

    kind: str
    values: Mapping[str, object]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def text(self) -> str:
        """The step as one English sentence (logs, the command line)."""
        return _english(self)


def _step(kind: str, **values: object) -> Step:
    return Step(kind, values)


def _reason(reason: object, template: str = " (reason: {})") -> str:
    text = str(reason or "").strip()
    return template.format(text) if text else ""


# Steps that only name a date.
_DATE_SENTENCES = {
    "start": "Start: {} (day zero).",
    "fixed": "Fixed due date: {}.",
    "moved": "Moved to the next working day: {}.",
    "extended": "Extended to {}.",
    "moved_to": "Moved to {}.",
}


def _english(step: Step) -> str:
    v = step.values
    kind = step.kind
    if kind in _DATE_SENTENCES:
        return _DATE_SENTENCES[kind].format(format_date(v["date"]))
    if kind == "rule":
        return f"Rule: {v['rule'].describe()}, calendar {_describe_calendar(v)}."
    if kind == "skipped":
        if v["until"] is not None:
            return f"Skipped {format_date(v['date'])} and {format_date(v['until'])}: weekend."
        reason = {"weekend": WEEKEND, "closing_day": CLOSING_DAY}.get(v["reason"], v["holiday"])
        return f"Skipped {format_date(v['date'])}: {reason}."
    if kind == "counted":
        return f"Counted {v['rule'].describe()}: {format_date(v['date'])}."
    if kind == "added":
        note = ""
        if v["missing_day"] is not None:
            note = f" (day {v['missing_day']} does not exist in {MONTH_NAMES[v['month'] - 1]})"
        return f"Added {v['rule'].describe()}: {format_date(v['date'])}{note}."
    if kind == "extension_date":
        return f"Extension: new due date {format_date(v['date'])}{_reason(v['reason'])}."
    if kind == "extension_working_days":
        return f"Extension: +{_plural(v['days'], 'working day')}{_reason(v['reason'])}."
    if kind == "extension_calendar_days":
        return (
            f"Extension: +{_plural(v['days'], 'calendar day')}{_reason(v['reason'])}: "
            f"{format_date(v['date'])}."
        )
    if kind == "clock_stop":
        head = f"Clock stopped {v['start']} to {v['end']}{_reason(v['reason'], ' ({})')}"
        unit = "working day" if v["unit"] == "working_days" else "calendar day"
        tail = f": {format_date(v['date'])}" if v["date"] is not None else ""
        return f"{head}: +{_plural(v['days'], unit)}{tail}."
    if kind == "due":
        return (
            f"Due: {format_date(v['date'])} at {DUE_TIME:%H:%M} Europe/Brussels "
            f"({v['due_at']:%H:%M} UTC)."
        )
    if kind == "not_transmitted":
        return (
            f"No due date yet: recommendation {v['doc_number']} has not been transmitted."
        )
    if kind == "clock_stopped":
        return (
            f"The clock is stopped since {v['start']}{_reason(v['reason'], ' ({})')}; "
            "the due date moves when it resumes."
        )
    if kind == "calendar_changed":
        return (
            "Note: the calendar changed since this due date was stored; the stored date "
            "stands until the secretariat recomputes it."
        )
    raise DeadlineError(f"unknown explanation step {kind!r}")


def _describe_calendar(v: Mapping[str, object]) -> str:
    if v["country"] is None:
        base = "no public holidays, closing days only"
    else:
        base = f"{COUNTRY_NAMES.get(v['country'], v['country'])} holidays"
        if v["subdivision"]:
            base += f", subdivision {v['subdivision']}"
    extras = []
    if v["closing_days"]:
        extras.append(_plural(v["closing_days"], "extra closing day"))
    if v["declared_working"]:
        extras.append(_plural(v["declared_working"], "holiday") + " declared working")
    if extras:
        base += "; " + ", ".join(extras)
    return f"{v['calendar']} ({base})"


@dataclass(frozen=True)
class DueDate:
    due_date: date
    due_at: datetime
    fingerprint: str
    explanation: tuple[Step, ...]

    @property
    def steps(self) -> tuple[str, ...]:
        """The explanation in English, one sentence per step."""
        return tuple(step.text() for step in self.explanation)


def _skip_steps(skipped: Sequence[tuple[date, str]], calendar: Calendar) -> list[Step]:
    """One step per skipped day; a Saturday+Sunday pair shares one step."""
    out: list[Step] = []
    i = 0
    while i < len(skipped):
        d, reason = skipped[i]
        if (
            reason == WEEKEND
            and i + 1 < len(skipped)
            and skipped[i + 1] == (d + timedelta(days=1), WEEKEND)
        ):
            out.append(_skip(d, WEEKEND, calendar, until=skipped[i + 1][0]))
            i += 2
            continue
        out.append(_skip(d, reason, calendar))
        i += 1
    return out


def _skip(d: date, reason: str, calendar: Calendar, until: date | None = None) -> Step:
    kind = {WEEKEND: "weekend", CLOSING_DAY: "closing_day"}.get(reason, "holiday")
    return _step(
        "skipped",
        date=d,
        until=until,
        reason=kind,
        holiday=reason if kind == "holiday" else None,
        country=calendar.country,
        subdivision=calendar.subdivision,
    )


def _roll(d: date, calendar: Calendar, steps: list[Step]) -> date:
    rolled, skipped = next_working_day(d, calendar)
    if skipped:
        steps.extend(_skip_steps(skipped, calendar))
        steps.append(_step("moved", date=rolled))
    return rolled


def compute_due(
    start: date,
    rule: DeadlineRule,
    calendar: Calendar,
    adjustments: Sequence[Adjustment] = (),
) -> DueDate:
    """The due date and time of an answer, with every step of the computation as data
    (``explanation``) and in English (``steps``)."""
    _check_date(start, "start")
    if not isinstance(rule, DeadlineRule):
        raise DeadlineError("rule must be a DeadlineRule (e.g. DeadlineRule.parse('6 months'))")
    if not isinstance(calendar, Calendar):
        raise DeadlineError("calendar must be a Calendar, e.g. Calendar('BE', 'BE')")
    calendar.validate()
    adjustments = tuple(adjustments)
    for adj in adjustments:
        if not isinstance(adj, Adjustment):
            raise DeadlineError(f"each adjustment must be an Adjustment, not {adj!r}")
    try:
        return _compute(start, rule, calendar, adjustments)
    except OverflowError:
        raise DeadlineError(
            f"the due date for start {start} falls outside the supported calendar; "
            f"check the start date and the rule", rule="due_out_of_range",
            params={"start": start},
        ) from None


def _compute(
    start: date, rule: DeadlineRule, calendar: Calendar, adjustments: tuple[Adjustment, ...]
) -> DueDate:
    working = rule.kind == "working_days"
    steps = [
        _step("start", date=start),
        _step(
            "rule",
            rule=rule,
            calendar=calendar.code,
            country=calendar.country,
            subdivision=calendar.subdivision,
            closing_days=len(calendar.closed_days),
            declared_working=len(calendar.open_days),
        ),
    ]
    if rule.kind == "working_days":
        due, skipped = add_working_days(start, rule.amount, calendar)  # type: ignore[arg-type]
        steps.extend(_skip_steps(skipped, calendar))
        steps.append(_step("counted", rule=rule, date=due))
    elif rule.kind == "fixed_date":
        fixed: date = rule.fixed_date  # type: ignore[assignment]
        if fixed < start:
            raise DeadlineError(
                f"the fixed due date {fixed} is before the start date {start}; "
                f"give a later due date or another rule", rule="fixed_before_start",
                params={"date": fixed, "start": start},
            )
        if fixed == start:
            raise DeadlineError(
                f"the fixed due date {fixed} is the start date itself; give a later due date",
                rule="fixed_before_start", params={"date": fixed, "start": start},
            )
        steps.append(_step("fixed", date=fixed))
        due = _roll(fixed, calendar, steps)
    else:
        missing_day = month = None
        if rule.kind == "months":
            raw = start + relativedelta(months=rule.amount)
            if raw.day != start.day:
                missing_day, month = start.day, raw.month
        else:
            raw = start + timedelta(days=rule.amount)  # type: ignore[arg-type]
        steps.append(_step("added", rule=rule, date=raw, missing_day=missing_day, month=month))
        due = _roll(raw, calendar, steps)

    for adj in adjustments:
        due = _apply(adj, due, working, calendar, steps)

    due_at = due_at_for(due)
    steps.append(_step("due", date=due, due_at=due_at))
    return DueDate(
        due_date=due,
        due_at=due_at,
        fingerprint=calendar.fingerprint(start.year, due.year + 1),
        explanation=tuple(steps),
    )


def _apply(
    adj: Adjustment, due: date, working: bool, calendar: Calendar, steps: list[Step]
) -> date:
    if adj.kind == "extension_date":
        new: date = adj.new_date  # type: ignore[assignment]
        if new <= due:
            raise DeadlineError(
                f"the extension date {new} is not later than the current due date {due}; "
                f"give a date after {due}"
            )
        steps.append(_step("extension_date", date=new, reason=adj.reason.strip()))
        return _roll(new, calendar, steps)

    if adj.kind == "extension_days":
        days: int = adj.days  # type: ignore[assignment]
        if working:
            steps.append(_step("extension_working_days", days=days, reason=adj.reason.strip()))
            new, skipped = add_working_days(due, days, calendar)
            steps.extend(_skip_steps(skipped, calendar))
            steps.append(_step("extended", date=new))
            return new
        new = due + timedelta(days=days)
        steps.append(
            _step("extension_calendar_days", days=days, reason=adj.reason.strip(), date=new)
        )
        return _roll(new, calendar, steps)

    stop_start: date = adj.start  # type: ignore[assignment]
    stop_end: date = adj.end  # type: ignore[assignment]
    if working:
        stopped = _working_days_in(stop_start, stop_end, calendar)
        steps.append(
            _step("clock_stop", start=stop_start, end=stop_end, reason=adj.reason.strip(),
                  days=stopped, unit="working_days", date=None)
        )
        if stopped == 0:
            return due
        new, skipped = add_working_days(due, stopped, calendar)
        steps.extend(_skip_steps(skipped, calendar))
        steps.append(_step("moved_to", date=new))
        return new
    stopped = (stop_end - stop_start).days + 1
    new = due + timedelta(days=stopped)
    steps.append(
        _step("clock_stop", start=stop_start, end=stop_end, reason=adj.reason.strip(),
              days=stopped, unit="calendar_days", date=new)
    )
    return _roll(new, calendar, steps)


def explain_due_date(
    start: date,
    rule: DeadlineRule,
    calendar: Calendar,
    adjustments: Sequence[Adjustment] = (),
) -> list[str]:
    """The explanation of :func:`compute_due`, one English sentence per step."""
    return list(compute_due(start, rule, calendar, adjustments).steps)
