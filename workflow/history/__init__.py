"""The tamper-evident history: recording events in the hash chain, verifying it, and
rebuilding a case's state at any moment."""

from workflow.history.log import (
    CHAIN_LOCK_KEY,
    GENESIS,
    Snapshot,
    Verification,
    canonical,
    case_events,
    chain_hash,
    dump_payload,
    event_fields,
    format_utc,
    iter_events,
    record,
    record_many,
    replay,
    state_as_of,
    verify_events,
    verify_history,
)

__all__ = [
    "CHAIN_LOCK_KEY",
    "GENESIS",
    "Snapshot",
    "Verification",
    "canonical",
    "case_events",
    "chain_hash",
    "dump_payload",
    "event_fields",
    "format_utc",
    "iter_events",
    "record",
    "record_many",
    "replay",
    "state_as_of",
    "verify_events",
    "verify_history",
]
