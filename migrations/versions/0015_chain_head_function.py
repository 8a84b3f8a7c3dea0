"""PostgreSQL: take the history's append lock and read the chain's head in one statement.

A VOLATILE function takes a fresh snapshot for each query it runs, so the head it reads
after the lock is granted includes the event the previous holder committed meanwhile
(a plain statement would read it from a snapshot taken before the wait). SQLite has no
such lock (its write lock serialises appends): nothing to do there.

Revision ID: 0015
Revises: 0013
"""

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""
        CREATE FUNCTION followup_chain_head(lock_key bigint, OUT seq bigint, OUT hash text)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            SELECT e.seq, e.hash INTO seq, hash FROM event AS e ORDER BY e.seq DESC LIMIT 1;
        END $$""")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP FUNCTION followup_chain_head(bigint)")
