"""The scoreboard's figures on each addressee entry (transmission date, when the due
time in force took effect, the first final reply, on time, waived), so that the
scoreboard is SQL aggregates instead of a replay of the history per request. Existing
rows are filled from the event history.

Revision ID: 0005
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transmitted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_set_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_final_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('days_to_answer', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_on_time', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('is_waived', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    # The backfill replays the history (the scoreboard's reference replay), one case at
    # a time, and writes the rows in batches.
    from sqlalchemy.orm import Session

    from workflow.publishing import figures

    session = Session(bind=op.get_bind())
    figures.rebuild(session)
    session.flush()

    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.create_index('ix_case_addressee_org_days', ['addressee_code', 'days_to_answer'],
                              unique=False)
        batch_op.create_check_constraint(
            'first_final_counts',
            "first_final_at IS NULL OR (transmitted_on IS NOT NULL AND "
            "days_to_answer IS NOT NULL AND NOT is_waived)")


def downgrade():
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_case_addressee_first_final_counts'),
                                 type_='check')
        batch_op.drop_index('ix_case_addressee_org_days')
        batch_op.drop_column('is_waived')
        batch_op.drop_column('is_on_time')
        batch_op.drop_column('days_to_answer')
        batch_op.drop_column('first_final_at')
        batch_op.drop_column('due_set_at')
        batch_op.drop_column('transmitted_on')
