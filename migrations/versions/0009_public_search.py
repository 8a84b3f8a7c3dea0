"""Indexes of the public side's filters and lists: published recommendations by state
(the public index's state filter, newest first) and published answers by the day they
were received (the latest answers on the visitors' home page).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_recommendation_published_state', 'recommendation',
     ['is_published', 'state', 'adopted_on']),
    ('ix_answer_published_received', 'answer', ['is_published', 'received_on']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
