"""An index on the recommendations' plenary session: publishing the answers of a session
finds its recommendations, and the choice of sessions lists the distinct labels, through
it.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_recommendation_session', 'recommendation',
                    ['session_label', 'adopted_on'], unique=False)


def downgrade():
    op.drop_index('ix_recommendation_session', table_name='recommendation')
