"""``followup fire``: carry out any lifecycle action from the command line, as a named
user, through the same dispatcher as the pages and the API (one transaction)."""

from __future__ import annotations

from datetime import date

import click
from sqlalchemy import select

from workflow import dispatch, errors
from workflow.actors import Actor
from workflow.cases import scope
from workflow.lifecycle import ANSWER, PARAM_KINDS, RECOMMENDATION
from workflow.models import User

from .cli import transaction


def parse_param(trigger, raw: str) -> tuple[str, object]:
    """``name=value`` -> (name, typed value), by the trigger's declared parameters."""
    name, sep, value = raw.partition("=")
    name = name.strip()
    if not sep or name not in trigger.params:
        given = ", ".join(trigger.params) or "nothing"
        raise errors.ValidationError(f"{raw!r}: {trigger.name} takes {given}, as name=value",
                                     field=name or "param")
    kind = PARAM_KINDS[name]
    try:
        if kind == "date":
            return name, date.fromisoformat(value)
        if kind == "int":
            return name, int(value)
    except ValueError:
        expected = "a date (YYYY-MM-DD)" if kind == "date" else "a whole number"
        raise errors.ValidationError(f"{name}: {value!r} is not {expected}",
                                     field=name) from None
    if kind == "list":
        return name, [part.strip() for part in value.split(",") if part.strip()]
    return name, value


@click.command("fire")
@click.argument("doc_number")
@click.argument("trigger")
@click.option("--as", "username", required=True, help="The user who acts (their role and "
              "organisation decide what is allowed).")
@click.option("--addressee", default=None, help="For an answer action: the addressee code.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A detail the action takes (see docs/lifecycle.md), e.g. -p reason=...")
def fire(doc_number: str, trigger: str, username: str, addressee: str | None,
         params: tuple[str, ...]) -> None:
    """Fire TRIGGER on recommendation DOC_NUMBER, e.g.
    ``followup fire 743/5Bis stop_clock --as secretariaat --addressee NL
    -p start=2024-05-13 -p reason="Wacht op het Comité van Ministers"``."""
    with transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None or not user.is_active:
            raise click.ClickException(f"no active user {username!r}")
        lifecycle = ANSWER if addressee else RECOMMENDATION
        trig = lifecycle.trigger(trigger)
        values = dict(parse_param(trig, raw) for raw in params)
        rec = scope.find_recommendation(session, doc_number)
        dispatch.fire(session, Actor.of(user), rec, trigger, addressee=addressee, **values)
        state = rec.state if addressee is None else rec.entry(addressee).state
    click.echo(f"{doc_number}: {trigger} done; {lifecycle.name} is now {state}")
