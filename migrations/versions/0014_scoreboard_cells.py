"""The scoreboard's summary: the stored figures of the addressee entries summed per cell
(addressee, adoption year, committee, transmission year, days to answer, awaited since,
late from), kept current by the operations' flushes, so that the public scoreboard reads
the cells instead of every entry; filled here from the entries in one statement. And the
index by which the scoreboard finds the case of the oldest pending request.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scoreboard_cell',
        sa.Column('addressee_code', sa.String(length=16), nullable=False),
        sa.Column('adopted_year', sa.Integer(), nullable=False),
        sa.Column('committee', sa.String(length=120), nullable=False),
        sa.Column('sent_year', sa.Integer(), nullable=False),
        sa.Column('days_to_answer', sa.Integer(), nullable=False),
        sa.Column('awaited_since', sa.Date(), nullable=False),
        sa.Column('late_from', sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in (
            'received', 'answered', 'on_time', 'waived', 'awaited', 'judged_satisfactory',
            'judged_partly_satisfactory', 'judged_unsatisfactory')),
        sa.PrimaryKeyConstraint('addressee_code', 'adopted_year', 'committee', 'sent_year',
                                'days_to_answer', 'awaited_since', 'late_from',
                                name=op.f('pk_scoreboard_cell')),
    )
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.create_index('ix_case_addressee_org_since', ['addressee_code', 'clock_start'],
                              unique=False)

    from sqlalchemy.orm import Session

    from workflow.publishing.models import rebuild_cells

    session = Session(bind=op.get_bind())
    rebuild_cells(session)
    session.flush()
    if op.get_bind().dialect.name == "postgresql":
        # the planner's statistics of the table filled in one go (without them it expects
        # a hundred addressees, and compiles the scoreboard's query: JIT)
        op.execute("ANALYZE scoreboard_cell")


def downgrade():
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_index('ix_case_addressee_org_since')
    op.drop_table('scoreboard_cell')
