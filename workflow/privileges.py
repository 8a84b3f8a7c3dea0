"""What the application's own database role may do (PostgreSQL).

Deployment with two roles: an **owner** role runs the migrations and owns every table;
the **application** role, the one the app servers connect as, gets only what the
application needs, and on the history (``event``) only SELECT and INSERT. Without
ownership it cannot ALTER a table or DISABLE its triggers, without UPDATE, DELETE and
TRUNCATE it cannot rewrite or cut the history, and without superuser rights it cannot
switch triggers off with ``session_replication_role``. The append-only triggers created
by the migrations stay a second line (they also bind the owner).

SQLite has no roles: a file's permissions are the only control there.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from workflow.history.models import Checkpoint, Event

APPEND_ONLY = (Event.__tablename__, Checkpoint.__tablename__)
READ_ONLY = ("alembic_version",)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_application_role(conn: Connection, role: str) -> list[str]:
    """Grant ``role`` what the application needs on the current schema (run as the
    owner, after the migrations; again after each upgrade). Returns the statements run."""
    if conn.dialect.name != "postgresql":
        raise ValueError("database roles exist only on PostgreSQL; on SQLite protect the "
                         "database file with the file system's permissions")
    if not ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain role name (lower-case letters, digits, _)")
    tables = list(conn.scalars(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename")))
    statements = [f'GRANT USAGE ON SCHEMA "{_schema(conn)}" TO "{role}"']
    for table in tables:
        statements.append(f'REVOKE ALL ON TABLE "{table}" FROM "{role}"')
        if table in APPEND_ONLY:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY:
            rights = "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f'GRANT {rights} ON TABLE "{table}" TO "{role}"')
    statements.append(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{_schema(conn)}" '
                      f'TO "{role}"')
    for statement in statements:
        conn.execute(text(statement))
    return statements


def _schema(conn: Connection) -> str:
    return conn.scalar(text("SELECT current_schema()"))
