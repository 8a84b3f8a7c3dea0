"""Facts of historic records the import format carries: an English title of a
recommendation, and whether the text of a reply is on record (a reply known only by
the date it was received). A final answer known only by its date may have no
position on record: the rule "a final answer has a position" moves from the
addressee's entry to the answer, where it holds unless the text is not on record.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.Text(), server_default='',
                                      nullable=False))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_text_on_record', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))
        batch_op.create_check_constraint(
            'final_has_position',
            "status <> 'submitted' OR kind <> 'final' OR position IS NOT NULL "
            "OR NOT is_text_on_record")
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_case_addressee_answered_has_position'),
                                 type_='check')


def downgrade():
    # An entry answered without a position on record cannot satisfy the old rule: say so
    # rather than fail on the constraint.
    unknown = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM case_addressee WHERE state = 'answered' AND position IS NULL"
    )).scalar()
    if unknown:
        raise RuntimeError(
            f"cannot go below 0011: {unknown} addressee entries are answered with no position "
            "on record (replies known only by their date), which the older schema forbids")
    with op.batch_alter_table('case_addressee', schema=None) as batch_op:
        batch_op.create_check_constraint('answered_has_position',
                                         "state <> 'answered' OR position IS NOT NULL")
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_answer_final_has_position'), type_='check')
        batch_op.drop_column('is_text_on_record')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_column('title_en')
