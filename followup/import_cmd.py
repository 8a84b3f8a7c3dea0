"""``followup import FILE``: load historic recommendations (docs/import-format.md)."""

from __future__ import annotations

import sys

import click

from workflow.importing import importer

from .transaction import transaction

PROGRESS_FROM = 10  # records; shorter imports need no progress bar


class _Progress:
    """A click progress bar, opened when the import knows how many records it applies."""

    def __init__(self):
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _skipped(report) -> None:
    for doc in report.skipped:
        click.echo(f"skipped {doc}: already in the database, the same")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="Default: from the file name (.csv, .json) or its content.")
@click.option("--dry-run", is_flag=True, help="Check and apply, then roll back: writes nothing.")
def import_cmd(file: str, fmt: str | None, dry_run: bool) -> None:
    """Import historic recommendations, addressees, answers and closures from a CSV
    or JSON FILE. Every problem is listed with its line; if there is one, nothing is
    imported. Document numbers already in the database are skipped when the file says
    the same; when it says something else, each difference is a problem (field, stored
    value, imported value) and nothing is imported."""
    name, content = importer.read_file(file)
    progress = _Progress()
    with transaction(commit=not dry_run) as session:
        try:
            report = importer.import_file(session, name, content, fmt=fmt, progress=progress)
        finally:
            progress.close()
        if not report.ok:
            _skipped(report)
            click.echo(f"{len(report.problems)} problem(s) in {name}; nothing was imported:",
                       err=True)
            for problem in report.problems:
                click.echo(f"  {problem.describe()}", err=True)
            sys.exit(1)  # leaves the transaction: rolled back
    _skipped(report)
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {len(report.created)} recommendation(s) ({report.events} history "
               f"events), skipped {len(report.skipped)} already present")
