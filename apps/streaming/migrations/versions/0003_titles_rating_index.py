"""Index titles by (rating DESC, id): the order of the title list, search and the top-rated row.

Without it PostgreSQL answers ``ORDER BY rating DESC, id LIMIT n`` with a sequential scan of
``titles`` and a sort; with it, an index scan that stops after the page (issue 18).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_titles_rating_id", "titles", [sa.text("rating DESC"), "id"])


def downgrade() -> None:
    op.drop_index("ix_titles_rating_id", table_name="titles")
