"""Fleet runs: one row per run, one per (run, site) with its state, attempts and result, one
per attempt, and the periodic runs of `fleet schedule`.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_runs",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("artifacts", sa.Text, nullable=False),
        sa.Column("cancelled", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "fleet_sites",
        sa.Column("run", sa.Text, sa.ForeignKey("fleet_runs.name"), primary_key=True),
        sa.Column("site", sa.Text, primary_key=True),
        sa.Column("lock", sa.Text, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("worker", sa.Text),
        sa.Column("started_at", sa.Text),
        sa.Column("finished_at", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("exit_code", sa.Integer),
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id")),
        sa.Column("artifacts", sa.Text),
        sa.Column("peak_rss", sa.BigInteger),
    )
    op.create_index("fleet_sites_by_state", "fleet_sites", ["run", "state"])
    op.create_table(
        "fleet_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run", sa.Text, nullable=False),
        sa.Column("site", sa.Text, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("worker", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("outcome", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("fleet_attempts_by_site", "fleet_attempts", ["run", "site"])
    op.create_table(
        "fleet_schedules",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("cron", sa.Text, nullable=False),
        sa.Column("sites", sa.Text, nullable=False),
        sa.Column("artifacts", sa.Text, nullable=False),
        sa.Column("last_run", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("fleet_schedules")
    op.drop_table("fleet_attempts")
    op.drop_table("fleet_sites")
    op.drop_table("fleet_runs")
