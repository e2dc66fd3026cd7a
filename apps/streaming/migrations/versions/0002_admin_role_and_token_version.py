"""Accounts: the admin role and a per-user token version.

``users.is_admin`` replaces ADMIN_EMAILS (which let whoever registered a listed address first
become admin); only ``python -m apps.streaming grant-admin EMAIL`` sets it. ``users.token_version``
is copied into every access token and checked on each request; deleting the account or changing
the password bumps it (or removes the row), which revokes every outstanding token.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("token_version", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_version")
        batch.drop_column("is_admin")
