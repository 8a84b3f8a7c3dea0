"""The optional in-process scheduler, for an install on a single host: ``followup serve
--sweep-every N`` runs the same sweep as ``followup sweep`` every N minutes in a
background thread of the server process (APScheduler). Cron stays the primary way (the
README gives the line); on several hosts, use cron or start the scheduler on all of them:
the sweep is safe to run concurrently either way."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from . import sweep_cmd

log = logging.getLogger("followup.scheduler")


def start(every: timedelta, *, send: bool = True) -> BackgroundScheduler:
    """Start sweeping now and then every ``every``; the caller shuts it down. A run that
    is still busy when the next is due makes that one wait (one run at a time)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(sweep_once, IntervalTrigger(seconds=every.total_seconds(), timezone=UTC),
                      kwargs={"send": send}, id="sweep", max_instances=1, coalesce=True,
                      misfire_grace_time=None,
                      next_run_time=datetime.now(UTC))
    scheduler.start()
    log.info("sweeping every %s", every)
    return scheduler


def sweep_once(*, send: bool = True) -> str | None:
    """One sweep; its summary line (or the failure) goes to the log, never up: a database
    away for a while must not stop the next runs."""
    try:
        warnings, line = sweep_cmd.run(send=send)
    except click.ClickException as exc:  # the command's own clear message
        log.error("sweep failed, nothing half-done (the next run takes it up): %s",
                  exc.message)
        return None
    except Exception:
        log.exception("sweep failed, nothing half-done (the next run takes it up)")
        return None
    for warning in warnings:
        log.warning("sweep: %s", warning)
    log.info(line)
    return line
