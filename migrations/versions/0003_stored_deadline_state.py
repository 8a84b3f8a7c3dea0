"""Stored deadline state on each addressee entry: whether an answer is still awaited,
the running clock stop, and the due moment that counts for overdue (indexed), so that
lists filter and sort by deadline status in SQL.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None



def upgrade():
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_awaited', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('clock_stopped_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('live_due_at', sa.DateTime(timezone=True), nullable=True))

    # The states as of this revision, written out: a migration is a snapshot of the rule
    # (workflow.lifecycle.answer_awaited) at the time, not a reference to today's code.
    op.execute(
        "UPDATE case_addressee SET is_awaited = (state IN ('pending', 'interim_reply') "
        "AND recommendation_id IN (SELECT id FROM recommendation WHERE state IN "
        "('transmitted', 'awaiting_answers', 'follow_up_requested')))")
    op.execute(
        "UPDATE case_addressee SET clock_stopped_on = (SELECT max(d.start_on) FROM "
        "deadline_adjustment d WHERE d.case_addressee_id = case_addressee.id "
        "AND d.kind = 'clock_stop' AND d.end_on IS NULL)")
    op.execute(
        "UPDATE case_addressee SET live_due_at = due_at WHERE is_awaited AND is_required "
        "AND clock_stopped_on IS NULL")

    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_addressee_live_due_at'), ['live_due_at'],
                              unique=False)
        batch_op.create_index('ix_case_addressee_org_awaited',
                              ['addressee_code', 'is_awaited', 'due_at'], unique=False)
        batch_op.create_check_constraint(
            'live_due_counts',
            "live_due_at IS NULL OR (is_awaited AND is_required AND clock_stopped_on IS NULL "
            "AND live_due_at = due_at)")


def downgrade():
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_case_addressee_live_due_counts'), type_='check')
        batch_op.drop_index('ix_case_addressee_org_awaited')
        batch_op.drop_index(batch_op.f('ix_case_addressee_live_due_at'))
        batch_op.drop_column('live_due_at')
        batch_op.drop_column('clock_stopped_on')
        batch_op.drop_column('is_awaited')
