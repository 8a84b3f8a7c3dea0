"""An index on the plenary session of recommendations: the session's recommendations to
transmit together, and the list of sessions (a loose index scan).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_recommendation_session_state', 'recommendation',
                    ['session_label', 'state'], unique=False)


def downgrade():
    op.drop_index('ix_recommendation_session_state', table_name='recommendation')
