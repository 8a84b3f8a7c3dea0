"""The addressees (governments, the Committee of Ministers) and their declared closing days;
the names of the Parliament's committees, themes and kinds of session in each language."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import deadlines, errors, history
from workflow.actors import Actor
from workflow.cases.models import Addressee, ClosingDay
from workflow.checks import clean_text, require_role, resolve_now
from workflow.lifecycle import (
    SECRETARIAT,
)


def load_catalogue() -> list[dict]:
    text = resources.files("workflow").joinpath("data/addressees.json").read_text("utf-8")
    return json.loads(text)["addressees"]


BODY_KINDS = ("committees", "themes", "sessions")


@cache
def _bodies() -> dict[str, dict[str, dict[str, str]]]:
    """Per kind, each declared name (in any language, lower case) -> its names by
    language (``data/bodies.json``)."""
    text = resources.files("workflow").joinpath("data/bodies.json").read_text("utf-8")
    data = json.loads(text)
    return {kind: {name.casefold(): item["name"] for item in data[kind]
                   for name in (*item["name"].values(), item["code"])} for kind in BODY_KINDS}


def body_names(kind: str, stored: str) -> dict[str, str] | None:
    """The names by language (nl, fr, en) of the committee or theme a recommendation
    stores as ``stored`` (its name in any of them), or None when it is not declared."""
    return _bodies()[kind].get((stored or "").strip().casefold())


def session_parts(stored: str) -> tuple[dict[str, str], str] | None:
    """A session label as (the names by language of its kind, the rest): "Plenaire
    zitting 2026-03" gives the plenary session's names and "2026-03". None when the
    label does not begin with a declared kind of session."""
    text = (stored or "").strip()
    for name, names in _bodies()["sessions"].items():
        if text.casefold().startswith(name) and (len(text) == len(name)
                                                  or not text[len(name)].isalnum()):
            return names, text[len(name):].strip()
    return None


def sync_addressees(session: Session, catalogue: Iterable[Mapping] | None = None) -> int:
    """Insert or update the addressees from the catalogue; returns how many."""
    count = 0
    for item in catalogue if catalogue is not None else load_catalogue():
        cal = item.get("calendar") or {}
        calendar = deadlines.Calendar(item["code"], cal.get("country"), cal.get("subdivision"))
        try:
            calendar.validate()
        except deadlines.DeadlineError as exc:
            raise errors.ValidationError(f"addressee {item['code']}: {exc}",
                                         field="calendar") from exc
        row = session.get(Addressee, item["code"]) or Addressee(code=item["code"])
        row.name_nl, row.name_fr, row.name_en = (item["name"][k] for k in ("nl", "fr", "en"))
        row.is_collective = bool(item.get("collective", False))
        row.holiday_country = cal.get("country")
        row.holiday_subdivision = cal.get("subdivision")
        row.annual_closing_days = json.dumps(item.get("annual_closing_days", []))
        session.add(row)
        count += 1
    session.flush()
    return count


def get_addressee(session: Session, code: str) -> Addressee:
    row = session.get(Addressee, code)
    if row is None:
        known = ", ".join(session.scalars(select(Addressee.code).order_by(Addressee.code)))
        raise errors.UnknownAddressee(f"unknown addressee {code!r}; known: {known}",
                                      field="addressee")
    return row


def set_closing_day(session: Session, actor: Actor, code: str, day: date, *, note: str = "",
                    is_open: bool = False, remove: bool = False,
                    now: datetime | None = None) -> None:
    """Declare a closing day (or, ``is_open``, a holiday that is a working day after all),
    or ``remove`` such a declaration. Stored due dates do not move: see
    :func:`stale_due_dates` and :func:`recompute_due_date`."""
    now = resolve_now(now)
    require_role(actor, SECRETARIAT, "change a calendar")
    addressee = get_addressee(session, code)
    existing = next((cd for cd in addressee.closing_days if cd.day == day), None)
    if remove:
        if existing is None:
            raise errors.ValidationError(f"{day} is not a declared day of {code}", field="day")
        addressee.closing_days.remove(existing)
    elif existing is not None:
        existing.is_open, existing.note = is_open, clean_text(note, "note", limit=200)
    else:
        addressee.closing_days.append(ClosingDay(day=day, is_open=is_open,
                                                 note=clean_text(note, "note", limit=200)))
    history.record(session, actor=actor, action="remove_closing_day" if remove else
                   "set_closing_day", entity="calendar", now=now, addressee_code=code,
                   reason=note, payload={"day": day.isoformat(), "is_open": is_open})
    session.flush()
