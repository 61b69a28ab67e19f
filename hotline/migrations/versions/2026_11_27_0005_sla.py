"""sla clocks, escalation steps

Revision ID: 0005_sla
Revises: 0004_open311
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_sla"
down_revision = "0004_open311"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sla_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("warn_at", TS, nullable=False),
        sa.Column("due", TS, nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_sla_warnings_order_id", "sla_warnings", ["order_id"])
    op.create_table(
        "sla_order_state",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("clock", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("due", TS, nullable=False),
        sa.Column("overdue_since", TS, nullable=True),
        sa.Column("ladder", sa.String(32), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"]),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_sla_order_state_status_unit_due", "sla_order_state",
                    ["status", "unit", "due"])
    op.create_table(
        "sla_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(512), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("deliver_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_sla_deliveries_pending", "sla_deliveries", ["sent_at", "deliver_at"])


def downgrade() -> None:
    op.drop_index("ix_sla_deliveries_pending", table_name="sla_deliveries")
    op.drop_table("sla_deliveries")
    op.drop_index("ix_sla_order_state_status_unit_due", table_name="sla_order_state")
    op.drop_table("sla_order_state")
    op.drop_index("ix_sla_warnings_order_id", table_name="sla_warnings")
    op.drop_table("sla_warnings")
