"""The committee's judgement of each answer (on the answer, counted on its addressee
entry for the scoreboard) and the governments' published comments (right of reply).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judgement', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('judgement_note', sa.Text(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('judged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('judged_by', sa.String(length=80), nullable=True))
        batch_op.create_check_constraint(
            'judgement',
            "judgement IS NULL OR judgement IN ('satisfactory', 'partly_satisfactory', "
            "'unsatisfactory')")
        batch_op.create_check_constraint(
            'judged_when_submitted',
            "judgement IS NULL OR (status = 'submitted' AND judged_at IS NOT NULL)")

    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        for column in ('judged_satisfactory', 'judged_partly_satisfactory',
                       'judged_unsatisfactory'):
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default='0',
                                          nullable=False))

    # Judgements recorded before a downgrade are in the history: the latest of each answer
    # comes back on the answer, and the counts on the entries (the scoreboard's replay).
    _restore_judgements()

    op.create_table('reply_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('addressee_code', sa.String(length=16), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('author_org', sa.String(length=32), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('hidden_by', sa.String(length=80), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("NOT is_hidden OR (hidden_at IS NOT NULL AND hidden_reason <> '')",
                       name=op.f('ck_reply_comment_hidden_has_reason')),
    sa.ForeignKeyConstraint(['addressee_code'], ['addressee.code'],
                            name=op.f('fk_reply_comment_addressee_code_addressee')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'],
                            name=op.f('fk_reply_comment_recommendation_id_recommendation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_comment'))
    )
    with op.batch_alter_table('reply_comment', schema=None) as batch_op:
        batch_op.create_index('ix_reply_comment_addressee',
                              ['addressee_code', 'recommendation_id', 'posted_at'],
                              unique=False)
        batch_op.create_index('ix_reply_comment_posted', ['posted_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_comment_recommendation_id'),
                              ['recommendation_id'], unique=False)


def _restore_judgements():
    import json

    from sqlalchemy.orm import Session

    from workflow.base import UTCDateTime
    from workflow.publishing import figures

    bind = op.get_bind()
    event, answer = sa.table('event', sa.column('seq'), sa.column('action'),
                             sa.column('entity'), sa.column('actor'), sa.column('reason'),
                             sa.column('payload'), sa.column('recorded_at', UTCDateTime())), \
        sa.table('answer', sa.column('id'), sa.column('judgement'),
                 sa.column('judgement_note'), sa.column('judged_at', UTCDateTime()),
                 sa.column('judged_by'))
    latest = {}
    for row in bind.execute(sa.select(event.c.actor, event.c.reason, event.c.payload,
                                      event.c.recorded_at)
                            .where(event.c.entity == 'assessment',
                                   event.c.action == 'assess_answer').order_by(event.c.seq)):
        data = json.loads(row.payload)
        latest[data['answer_id']] = (data['judgement'], row.reason or '', row.recorded_at,
                                     row.actor)
    for answer_id, (judgement, note, at, actor) in latest.items():
        bind.execute(answer.update().where(answer.c.id == answer_id).values(
            judgement=judgement, judgement_note=note, judged_at=at,
            judged_by=actor))
    session = Session(bind=bind)
    figures.rebuild(session)
    session.flush()


def downgrade():
    with op.batch_alter_table('reply_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_comment_recommendation_id'))
        batch_op.drop_index('ix_reply_comment_posted')
        batch_op.drop_index('ix_reply_comment_addressee')
    op.drop_table('reply_comment')

    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_column('judged_unsatisfactory')
        batch_op.drop_column('judged_partly_satisfactory')
        batch_op.drop_column('judged_satisfactory')

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_answer_judged_when_submitted'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_answer_judgement'), type_='check')
        batch_op.drop_column('judged_by')
        batch_op.drop_column('judged_at')
        batch_op.drop_column('judgement_note')
        batch_op.drop_column('judgement')
