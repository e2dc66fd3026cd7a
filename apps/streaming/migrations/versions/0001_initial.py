"""Initial schema: titles, title_genres, users, watchlist.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "titles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("title_lower", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("rating", sa.Float, nullable=False),
        sa.Column("duration_seconds", sa.Integer, nullable=False),
        sa.Column("poster", sa.String(500), nullable=False),
        sa.Column("media_key", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_titles_title_lower", "titles", ["title_lower"])
    op.create_table(
        "title_genres",
        sa.Column("title_id", sa.String(64), sa.ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("genre", sa.String(40), primary_key=True),
    )
    op.create_index("ix_title_genres_genre", "title_genres", ["genre"])
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "watchlist",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("title_id", sa.String(64), sa.ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_watchlist_title_id", "watchlist", ["title_id"])


def downgrade() -> None:
    op.drop_table("watchlist")
    op.drop_table("users")
    op.drop_table("title_genres")
    op.drop_table("titles")
