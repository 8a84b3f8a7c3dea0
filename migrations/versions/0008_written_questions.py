"""Written questions: the questions with their due date and the sweep's progress, the
notices recorded for them (once each), and the question a notification is about.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('written_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('addressee_code', sa.String(length=16), nullable=False),
    sa.Column('asker', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_on', sa.Date(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('calendar_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.Column('answered_by', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notices_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_notice_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('asked', 'answered', 'withdrawn')", name=op.f('ck_written_question_state')),
    sa.CheckConstraint("state <> 'answered' OR (answered_on IS NOT NULL AND answer_text <> '')", name=op.f('ck_written_question_answered_has_answer')),
    sa.CheckConstraint("next_notice_at IS NULL OR state = 'asked'", name=op.f('ck_written_question_notices_while_asked')),
    sa.ForeignKeyConstraint(['addressee_code'], ['addressee.code'], name=op.f('fk_written_question_addressee_code_addressee')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_written_question_recommendation_id_recommendation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_question')),
    sa.UniqueConstraint('number', name=op.f('uq_written_question_number'))
    )
    with op.batch_alter_table('written_question', schema=None) as batch_op:
        batch_op.create_index('ix_written_question_addressee_state', ['addressee_code', 'state', 'asked_on'], unique=False)
        batch_op.create_index('ix_written_question_asked', ['asked_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_written_question_next_notice_at'), ['next_notice_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_written_question_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index('ix_written_question_state_asked', ['state', 'asked_on'], unique=False)

    op.create_table('question_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('reminder', 'overdue', 'very_overdue')", name=op.f('ck_question_notice_kind')),
    sa.ForeignKeyConstraint(['question_id'], ['written_question.id'], name=op.f('fk_question_notice_question_id_written_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_notice')),
    sa.UniqueConstraint('question_id', 'due_at', 'kind', 'days', name=op.f('uq_question_notice_question_id'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_question_id_written_question'), 'written_question', ['question_id'], ['id'])


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_question_id_written_question'), type_='foreignkey')
        batch_op.drop_column('question_id')

    op.drop_table('question_notice')
    with op.batch_alter_table('written_question', schema=None) as batch_op:
        batch_op.drop_index('ix_written_question_state_asked')
        batch_op.drop_index(batch_op.f('ix_written_question_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_written_question_next_notice_at'))
        batch_op.drop_index('ix_written_question_asked')
        batch_op.drop_index('ix_written_question_addressee_state')

    op.drop_table('written_question')
