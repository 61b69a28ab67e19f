"""work_orders.idempotency_key: a retried intake returns the stored order

Revision ID: 0009_idempotency_key
Revises: 0008_sent_back
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_idempotency_key"
down_revision = "0008_sent_back"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (nullable, no default): no table rewrite on PostgreSQL, and no batch
    # copy of work_orders on SQLite (see 0008)
    op.add_column("work_orders", sa.Column("idempotency_key", sa.String(64), nullable=True))
    # partial: the million orders logged without a key cost the index nothing
    op.create_index("ux_work_orders_idempotency_key", "work_orders",
                    ["created_by", "idempotency_key"], unique=True,
                    postgresql_where=sa.text("idempotency_key IS NOT NULL"),
                    sqlite_where=sa.text("idempotency_key IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ux_work_orders_idempotency_key", table_name="work_orders")
    with op.batch_alter_table("work_orders") as batch_op:
        batch_op.drop_column("idempotency_key")
