"""``followup token create|list|revoke``: personal API tokens."""

from __future__ import annotations

import click
from sqlalchemy import select

from workflow.accounts import tokens
from workflow.models import User

from .transaction import transaction


@click.group("token")
def token() -> None:
    """Personal API tokens (sent as 'Authorization: Bearer <token>')."""


@token.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. the script using it.")
def create(username: str, name: str) -> None:
    """Create a token for USERNAME; the token is printed once and stored only hashed."""
    with transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        created = tokens.create_token(session, user, name)
        token_id = created.token.id
    click.echo(f"token {token_id} for {username} ({user.role}, {user.organisation}):")
    click.echo(created.secret)
    click.echo("Copy it now: it is not shown again.", err=True)


@token.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
def list_tokens(username: str | None) -> None:
    """List tokens (never their secrets)."""
    with transaction() as session:
        rows = tokens.all_tokens(session)
        for t in rows:
            if username and t.user.username != username:
                continue
            used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
            status = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            click.echo(f"{t.id:>4}  {t.user.username:24} {t.name[:30]:30} {t.prefix}...  "
                       f"created {t.created_at:%Y-%m-%d}  used {used}  {status}")
        if not rows:
            click.echo("no API tokens")


@token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID: calls with it are refused from now on."""
    with transaction() as session:
        t = tokens.revoke(session, tokens.get_token(session, token_id))
        name = t.name
    click.echo(f"token {token_id} ({name}) revoked")
