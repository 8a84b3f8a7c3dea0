"""``followup checkpoint``: the signing key, and signing the history's head (run it from
cron, e.g. every hour; each run is one stored, published checkpoint)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from workflow import clock
from workflow import errors as werr
from workflow.history import checkpoints

from .transaction import transaction


@click.group("checkpoint")
def checkpoint() -> None:
    """Signed checkpoints of the history's head (Ed25519)."""


@checkpoint.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def keygen(path: Path) -> None:
    """Create a signing key in PATH (readable by its owner only; keep it off the
    database server and back it up). Prints the public key to publish."""
    try:
        public = checkpoints.generate_key(path)
    except FileExistsError as exc:
        raise click.ClickException(f"{path} exists; a key is never overwritten") from exc
    click.echo(f"signing key written to {path}; set {checkpoints.KEY_VARIABLE}={path}")
    click.echo(f"public key (key id {checkpoints.key_id(public)}): {public}")


@checkpoint.command("create")
@click.option("--key", "key_path", help=f"The signing key (default: ${checkpoints.KEY_VARIABLE}).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the checkpoint to this JSON file.")
def create(key_path: str | None, output: Path | None) -> None:
    """Sign the current head of the history and store the checkpoint."""
    try:
        key = checkpoints.load_key(key_path)
    except werr.ValidationError as exc:
        raise click.ClickException(exc.message) from exc
    with transaction() as session:
        row = checkpoints.create(session, key, clock.utcnow())
        data = checkpoints.SignedHead.of(row).as_dict()
    text = json.dumps(data, indent=2)
    if output:
        output.write_text(text + "\n")
    click.echo(text)
