"""Indexes for the filters and sort orders of the paginated pages: recommendations by
state, adoption date, committee, theme and publication; an addressee's overdue entries;
open requests for more time; a case's timeline in order.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_recommendation_state_adopted', 'recommendation', ['state', 'adopted_on']),
    ('ix_recommendation_state_updated', 'recommendation', ['state', 'updated_at']),
    ('ix_recommendation_adopted', 'recommendation', ['adopted_on', 'id']),
    ('ix_recommendation_committee', 'recommendation', ['committee', 'adopted_on']),
    ('ix_recommendation_theme', 'recommendation', ['theme', 'adopted_on']),
    ('ix_recommendation_published', 'recommendation',
     ['is_published', 'adopted_on', 'doc_number']),
    ('ix_recommendation_published_committee', 'recommendation', ['is_published', 'committee']),
    ('ix_case_addressee_org_live', 'case_addressee', ['addressee_code', 'live_due_at']),
    ('ix_extension_request_status', 'extension_request', ['status', 'created_at']),
    ('ix_event_case_effective', 'event', ['recommendation_id', 'effective_at', 'seq']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
