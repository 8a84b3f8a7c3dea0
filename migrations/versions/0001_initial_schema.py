"""Initial schema: addressees and calendars, users, recommendations, answers,
deadline adjustments and the append-only, hash-chained event history.

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('addressee',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('is_collective', sa.Boolean(), nullable=False),
    sa.Column('holiday_country', sa.String(length=8), nullable=True),
    sa.Column('holiday_subdivision', sa.String(length=8), nullable=True),
    sa.Column('annual_closing_days', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_addressee'))
    )
    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_number', sa.String(length=32), nullable=False),
    sa.Column('title_nl', sa.Text(), nullable=False),
    sa.Column('title_fr', sa.Text(), nullable=False),
    sa.Column('text_nl', sa.Text(), nullable=False),
    sa.Column('text_fr', sa.Text(), nullable=False),
    sa.Column('committee', sa.String(length=120), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('session_label', sa.String(length=120), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=False),
    sa.Column('deadline_rule', sa.String(length=40), nullable=False),
    sa.Column('state', sa.Enum('adopted', 'transmitted', 'awaiting_answers', 'follow_up_requested', 'answered', 'under_assessment', 'monitoring', 'closed', 'reopened', name='recommendation_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('closure_reason', sa.Enum('implemented', 'no_action_needed', 'not_implemented', 'superseded', 'lapsed', 'no_reply_possible', name='closure_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('transmitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(state = 'closed' AND closure_reason IS NOT NULL) OR (state <> 'closed' AND closure_reason IS NULL)", name=op.f('ck_recommendation_closed_has_reason')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation')),
    sa.UniqueConstraint('doc_number', name=op.f('uq_recommendation_doc_number'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.Enum('secretariat', 'ministry', 'auditor', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organisation', sa.String(length=32), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('case_addressee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('addressee_code', sa.String(length=16), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'interim_reply', 'answered', 'declined', 'waived', name='answer_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.Enum('agrees', 'partly_agrees', 'disagrees', 'takes_note', name='position', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('deadline_rule', sa.String(length=40), nullable=False),
    sa.Column('clock_start', sa.Date(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('calendar_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('due_computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state <> 'answered' OR position IS NOT NULL", name=op.f('ck_case_addressee_answered_has_position')),
    sa.CheckConstraint('due_at IS NULL OR clock_start IS NOT NULL', name=op.f('ck_case_addressee_due_has_start')),
    sa.ForeignKeyConstraint(['addressee_code'], ['addressee.code'], name=op.f('fk_case_addressee_addressee_code_addressee')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_case_addressee_recommendation_id_recommendation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_addressee')),
    sa.UniqueConstraint('recommendation_id', 'addressee_code', name=op.f('uq_case_addressee_recommendation_id'))
    )
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_addressee_addressee_code'), ['addressee_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_addressee_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_addressee_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('closing_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('addressee_code', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['addressee_code'], ['addressee.code'], name=op.f('fk_closing_day_addressee_code_addressee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closing_day')),
    sa.UniqueConstraint('addressee_code', 'day', name=op.f('uq_closing_day_addressee_code'))
    )
    with op.batch_alter_table('closing_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closing_day_addressee_code'), ['addressee_code'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('doc_number', sa.String(length=32), nullable=True),
    sa.Column('addressee_code', sa.String(length=16), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('actor_org', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_event_recommendation_id_recommendation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('hash', name=op.f('uq_event_hash')),
    sa.UniqueConstraint('seq', name=op.f('uq_event_seq'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_effective_at'), ['effective_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_addressee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Enum('agrees', 'partly_agrees', 'disagrees', 'takes_note', name='position', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('text_nl', sa.Text(), nullable=False),
    sa.Column('text_fr', sa.Text(), nullable=False),
    sa.Column('letter_date', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('author_org', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('interim', 'final', 'declined')", name=op.f('ck_answer_kind')),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_answer_status')),
    sa.CheckConstraint('letter_date IS NULL OR received_on IS NULL OR letter_date <= received_on', name=op.f('ck_answer_letter_not_after_receipt')),
    sa.ForeignKeyConstraint(['case_addressee_id'], ['case_addressee.id'], name=op.f('fk_answer_case_addressee_id_case_addressee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_case_addressee_id'), ['case_addressee_id'], unique=False)

    op.create_table('deadline_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_addressee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('new_date', sa.Date(), nullable=True),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('extension_date', 'extension_days', 'clock_stop')", name=op.f('ck_deadline_adjustment_kind')),
    sa.CheckConstraint('end_on IS NULL OR start_on <= end_on', name=op.f('ck_deadline_adjustment_stop_in_order')),
    sa.ForeignKeyConstraint(['case_addressee_id'], ['case_addressee.id'], name=op.f('fk_deadline_adjustment_case_addressee_id_case_addressee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_adjustment'))
    )
    with op.batch_alter_table('deadline_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_adjustment_case_addressee_id'), ['case_addressee_id'], unique=False)

    op.create_table('extension_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_addressee_id', sa.Integer(), nullable=False),
    sa.Column('requested_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'granted', 'refused')", name=op.f('ck_extension_request_status')),
    sa.ForeignKeyConstraint(['case_addressee_id'], ['case_addressee.id'], name=op.f('fk_extension_request_case_addressee_id_case_addressee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request'))
    )
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_request_case_addressee_id'), ['case_addressee_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_attachment_answer_id_answer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_answer_id'), ['answer_id'], unique=False)


    _event_append_only()


# The history is append-only in the database too, whatever client writes to it.
PG_FUNCTION = """
CREATE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event history is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""


def _event_append_only():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER event_no_update_delete BEFORE UPDATE OR DELETE ON event "
                   "FOR EACH ROW EXECUTE FUNCTION event_append_only()")
        op.execute("CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION event_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event "
                       f"BEGIN SELECT RAISE(ABORT, 'event history is append-only: {verb} "
                       "refused'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_no_truncate ON event")
        op.execute("DROP TRIGGER IF EXISTS event_no_update_delete ON event")
        op.execute("DROP FUNCTION IF EXISTS event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_no_update")
        op.execute("DROP TRIGGER IF EXISTS event_no_delete")
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_answer_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_request_case_addressee_id'))

    op.drop_table('extension_request')
    with op.batch_alter_table('deadline_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_adjustment_case_addressee_id'))

    op.drop_table('deadline_adjustment')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_case_addressee_id'))

    op.drop_table('answer')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_event_effective_at'))

    op.drop_table('event')
    with op.batch_alter_table('closing_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closing_day_addressee_code'))

    op.drop_table('closing_day')
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_addressee_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_case_addressee_due_at'))
        batch_op.drop_index(batch_op.f('ix_case_addressee_addressee_code'))

    op.drop_table('case_addressee')
    op.drop_table('user_account')
    op.drop_table('recommendation')
    op.drop_table('addressee')
