"""The sweep (its notices and runs), notifications (the in-app list and the e-mail
outbox), each entry's notice progress and each user's digest choice. Existing entries
with a live due moment get their first notice moment.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sweep_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('policy', sa.String(length=60), nullable=False),
    sa.Column('examined', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sweep_run'))
    )
    with op.batch_alter_table('sweep_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sweep_run_started_at'), ['started_at'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('addressee_code', sa.String(length=16), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_status', sa.String(length=12), nullable=False),
    sa.Column('mail_digest', sa.Boolean(), nullable=False),
    sa.Column('mail_attempts', sa.Integer(), nullable=False),
    sa.Column('mail_next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_error', sa.Text(), nullable=False),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mail_status IN ('queued', 'sent', 'failed', 'cancelled', 'no_address')", name=op.f('ck_notification_mail_status')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_notification_recommendation_id_recommendation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('event_seq', 'user_id', name=op.f('uq_notification_event_seq'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_outbox', ['mail_status', 'mail_next_at'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at', 'id'], unique=False)

    op.create_table('deadline_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_addressee_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('reminder', 'overdue', 'very_overdue')", name=op.f('ck_deadline_notice_kind')),
    sa.ForeignKeyConstraint(['case_addressee_id'], ['case_addressee.id'], name=op.f('fk_deadline_notice_case_addressee_id_case_addressee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_notice')),
    sa.UniqueConstraint('case_addressee_id', 'due_at', 'kind', 'days', name=op.f('uq_deadline_notice_case_addressee_id'))
    )
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notices_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_notice_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_addressee_next_notice_at'), ['next_notice_at'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_digest', sa.Boolean(), server_default=sa.false(), nullable=False))

    # The first notice moment of every live due moment, under the configured policy.
    from workflow.base import UTCDateTime
    from workflow.cases.models import first_notice_at
    from workflow.deadlines import policy

    conn, configured = op.get_bind(), policy.current()
    entry = sa.table('case_addressee', sa.column('id'), sa.column('live_due_at', UTCDateTime()),
                     sa.column('next_notice_at', UTCDateTime()))
    rows = conn.execute(sa.select(entry.c.id, entry.c.live_due_at)
                        .where(entry.c.live_due_at.is_not(None))).all()
    stmt = entry.update().where(entry.c.id == sa.bindparam('eid')).values(
        next_notice_at=sa.bindparam('at'))
    for start in range(0, len(rows), 5000):
        conn.execute(stmt, [{'eid': r.id, 'at': first_notice_at(r.live_due_at, configured)}
                            for r in rows[start:start + 5000]])


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('mail_digest')

    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_addressee_next_notice_at'))
        batch_op.drop_column('next_notice_at')
        batch_op.drop_column('notices_until')

    op.drop_table('deadline_notice')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_outbox')

    op.drop_table('notification')
    with op.batch_alter_table('sweep_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sweep_run_started_at'))

    op.drop_table('sweep_run')
