"""The ``followup`` command line. Each command is one transaction, owned by
``followup.transaction``: it commits at the end, or rolls back and exits non-zero with
a clear message.
"""

from __future__ import annotations

import sys

import click

from workflow import accounts, clock, db, history
from workflow.actors import Actor
from workflow.cases import catalogue, due_dates, scope
from workflow.deadlines import policy
from workflow.lifecycle import LIFECYCLES, ROLES

from .transaction import transaction

CLI_ACTOR = Actor("cli", "secretariat", "BNL-PARL")


@click.group(help="Follow-up of Benelux Parliament recommendations.\n\n"
             "The database is DATABASE_URL (default: a SQLite file in ./instance).")
def cli() -> None:
    try:  # settings are read and validated once, when the command starts
        policy.configure()
    except policy.ConfigurationError as exc:
        raise click.ClickException(f"cannot start: {exc.message}") from exc


@cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (migrations) and load the addressee catalogue."""
    db.upgrade()
    with transaction() as session:
        count = catalogue.sync_addressees(session)
    click.echo(f"database ready at {db.database_url()}; {count} addressees")


def print_logins(users) -> None:
    click.echo("Demo logins (user name / password / role / organisation):")
    for username, password, role, org in users:
        click.echo(f"  {username:26} {password:20} {role:12} {org}")


@cli.command()
def demo() -> None:
    """Create the schema if needed and load demo data (only into an empty database)."""
    db.upgrade()
    with transaction() as session:
        from workflow.demo import load_demo

        result = load_demo(session)
    click.echo(f"loaded {result['recommendations']} demo recommendations")
    print_logins(result["users"])


@cli.command()
@click.option("--lifecycle", "which", type=click.Choice(sorted(LIFECYCLES)),
              default="recommendation", show_default=True)
@click.option("--case", "doc_number", help="Highlight the current state and path of this case.")
def diagram(which: str, doc_number: str | None) -> None:
    """Print a lifecycle as mermaid text."""
    current, path = None, ()
    if doc_number:
        with transaction() as session:
            rec = scope.find_recommendation(session, doc_number)
            current = rec.state
            path = tuple(e.to_state for e in history.case_events(session, rec.id)
                         if e.entity == "recommendation" and e.to_state)
    click.echo(LIFECYCLES[which].mermaid(current=current, path=path))


@cli.command("lifecycle-doc")
def lifecycle_doc() -> None:
    """Print the lifecycle reference (docs/lifecycle.md) generated from the code."""
    from workflow.lifecycle_doc import lifecycle_markdown

    click.echo(lifecycle_markdown(), nl=False)


@cli.command("grant-app-role")
@click.argument("role")
def grant_app_role(role: str) -> None:
    """PostgreSQL: give the application's ROLE only what it needs (SELECT and INSERT on
    the history). Run as the owner of the tables, after init-db and after each upgrade."""
    from workflow.privileges import grant_application_role

    engine = db.make_engine()
    try:
        with engine.begin() as conn:
            statements = grant_application_role(conn, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(f"{role}: {len(statements)} grants; on the history only SELECT and INSERT")


@cli.command("verify-history")
@click.option("--head", help="The head hash noted earlier: also detects removed newest events.")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help="A signed checkpoint kept earlier (JSON): proves the history still "
                   "contains its head unchanged.")
@click.option("--public-key", help="Accept the checkpoint only when signed with this key.")
def verify_history(head: str | None, checkpoint_file: str | None,
                   public_key: str | None) -> None:
    """Recompute the hash chain. Exit 0 when intact, 1 with the first broken link."""
    from workflow import errors as werr
    from workflow.history import checkpoints

    with transaction() as session:
        if checkpoint_file:
            try:
                signed = checkpoints.load_file(checkpoint_file)
            except werr.ValidationError as exc:
                raise click.ClickException(exc.message) from exc
            result = checkpoints.verify(session, signed, trusted_key=public_key)
            if result.ok and head:
                chain = history.verify_history(session, expected_head=head)
                result = result if chain.ok else chain
        else:
            result = history.verify_history(session, expected_head=head)
    click.echo(result.describe())
    if not result.ok:
        sys.exit(1)


@cli.command("explain-due")
@click.argument("doc_number")
@click.argument("addressee")
def explain_due(doc_number: str, addressee: str) -> None:
    """Explain, step by step, how an addressee's due date was computed."""
    with transaction() as session:
        rec = scope.find_recommendation(session, doc_number)
        entry = scope.entry_of(rec, addressee)
        for step in due_dates.explain_due(entry):
            click.echo(step.text())
        if entry.due_at is not None:
            status = due_dates.deadline_status(entry)
            click.echo(f"Status now: {status.status.replace('_', ' ')}"
                       + (f", {status.days_overdue} days overdue" if status.days_overdue else ""))


@cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organisation", required=True,
              help="Addressee code for a ministry (e.g. NL, BE-FED); free text otherwise.")
@click.option("--name", "full_name", default="")
@click.option("--email", default="")
@click.option("--locale", type=click.Choice(accounts.LOCALES), default=None)
@click.option("--admin", is_flag=True, help="May manage users in the web app.")
@click.password_option()
def create_user(username, role, organisation, full_name, email, locale, admin, password):
    """Create a user account (the password is asked for and stored hashed)."""
    with transaction() as session:
        accounts.create_user(session, username=username, password=password, role=role,
                             organisation=organisation, full_name=full_name, email=email,
                             locale=locale, is_admin=admin)
    click.echo(f"user {username} created ({role}, {organisation})")


@cli.command("closing-day")
@click.argument("addressee")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--note", default="")
@click.option("--open", "is_open", is_flag=True,
              help="Declare a public holiday a working day instead.")
@click.option("--remove", is_flag=True, help="Remove an earlier declaration.")
def closing_day(addressee, day, note, is_open, remove):
    """Add or remove a closing day in an addressee's calendar. Stored due dates do not
    move: list them with 'stale-due-dates' and recompute explicitly."""
    with transaction() as session:
        catalogue.set_closing_day(session, CLI_ACTOR, addressee, day.date(), note=note,
                                  is_open=is_open, remove=remove)
        stale = due_dates.stale_due_dates(session)
    click.echo(f"calendar of {addressee} updated; {len(stale)} due date(s) now differ from "
               "their calendar (see 'followup stale-due-dates')")


@cli.command("stale-due-dates")
@click.option("--recompute", is_flag=True, help="Recompute them (logged in the history).")
@click.option("--reason", default="calendar changed", show_default=True)
def stale_due_dates(recompute: bool, reason: str) -> None:
    """List open due dates computed with a calendar that has changed since."""
    with transaction() as session:
        stale = due_dates.stale_due_dates(session)
        for entry, fresh in stale:
            click.echo(f"{entry.recommendation.doc_number} {entry.addressee_code}: stored "
                       f"{clock.brussels_date(entry.due_at)}, calendar now gives {fresh.due_date}")
            if recompute:
                due_dates.recompute_due_date(session, CLI_ACTOR, entry, reason=reason)
        if not stale:
            click.echo("every stored due date matches its calendar")


cli.add_command(__import__("web.commands", fromlist=["serve"]).serve)
cli.add_command(__import__("followup.import_cmd", fromlist=["x"]).import_cmd)
cli.add_command(__import__("followup.sweep_cmd", fromlist=["x"]).sweep_cmd)
cli.add_command(__import__("followup.tokens_cmd", fromlist=["x"]).token)
cli.add_command(__import__("followup.fire_cmd", fromlist=["x"]).fire)
cli.add_command(__import__("followup.report_cmd", fromlist=["x"]).report)
cli.add_command(__import__("followup.checkpoint_cmd", fromlist=["x"]).checkpoint)
cli.add_command(__import__("followup.backup_cmd", fromlist=["x"]).backup)
cli.add_command(__import__("followup.backup_cmd", fromlist=["x"]).restore)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
