"""An index on the plenary session of recommendations: the session's recommendations to
transmit together, and the list of sessions (a loose index scan).

Revision ID: 0013
Revises: 0008
"""

from alembic import op

revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_recommendation_session_state', 'recommendation',
                    ['session_label', 'state'], unique=False)


def downgrade():
    op.drop_index('ix_recommendation_session_state', table_name='recommendation')
