"""History keyed by site and target: `scans.profile` names what a scan was pointed at (the
`--profile` name, `resolve:ADDRESSES`, or `default`). Scans recorded before have no such key:
they get the one they would have had without --profile and --resolve, `default`.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.add_column(
            sa.Column("profile", sa.Text, nullable=False, server_default="default"),
        )
    op.create_index("scans_by_site_target", "scans", ["site", "profile", "id"])


def downgrade() -> None:
    op.drop_index("scans_by_site_target", "scans")
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("profile")
