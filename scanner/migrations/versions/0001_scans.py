"""The scans table, as the first store (SQLite `user_version` 1) made it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """`report` is report.json, zlib-compressed; the other columns make listing cheap."""
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("complete", sa.Integer, nullable=False),
        sa.Column("gate", sa.Text),
        sa.Column("critical", sa.Integer, nullable=False),
        sa.Column("high", sa.Integer, nullable=False),
        sa.Column("medium", sa.Integer, nullable=False),
        sa.Column("low", sa.Integer, nullable=False),
        sa.Column("info", sa.Integer, nullable=False),
        sa.Column("report", sa.LargeBinary, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("scans_by_site", "scans", ["site", "id"])


def downgrade() -> None:
    op.drop_table("scans")
