"""dispatch (co-handling, routing rules, two-15% flags)

Revision ID: 0002_dispatch
Revises: 9f8cec3036a2
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002_dispatch"
down_revision = "9f8cec3036a2"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assist_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("inputs", sa.Integer(), nullable=False),
        sa.Column("last_input_at", TS, nullable=True),
        sa.UniqueConstraint("order_id", "unit", name="uq_assist_tasks_order_unit"))
    op.create_index("ix_assist_tasks_unit", "assist_tasks", ["unit", "order_id"])
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("lead", sa.String(64), nullable=False),
        sa.Column("assist", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False))
    op.create_index("ix_routing_rules_category", "routing_rules", ["category", "town"])
    op.create_table(
        "return_flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rate_percent", sa.Float(), nullable=False),
        sa.Column("window_from", TS, nullable=False),
        sa.Column("window_to", TS, nullable=False),
        sa.Column("flagged_at", TS, nullable=False),
        sa.Column("intake_blocked", sa.Boolean(), nullable=False),
        sa.Column("cleared_at", TS, nullable=True),
        sa.Column("cleared_by", sa.String(64), nullable=True),
        sa.Column("clear_reason", sa.Text(), nullable=True))
    op.create_index("ix_return_flags_open", "return_flags", ["kind", "subject", "cleared_at"])


def downgrade() -> None:
    op.drop_index("ix_return_flags_open", table_name="return_flags")
    op.drop_table("return_flags")
    op.drop_index("ix_routing_rules_category", table_name="routing_rules")
    op.drop_table("routing_rules")
    op.drop_index("ix_assist_tasks_unit", table_name="assist_tasks")
    op.drop_table("assist_tasks")
