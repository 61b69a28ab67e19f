"""work_orders.sent_back: the 被回退 inbox tab as an index scan

Revision ID: 0008_sent_back
Revises: 0007_classify
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_sent_back"
down_revision = "0007_classify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN (SQLite supports it): a batch copy of work_orders would
    # trip the foreign keys that point at it on a database with data
    op.add_column("work_orders", sa.Column("sent_back", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.create_index("ix_work_orders_unit_status_sent_back", "work_orders",
                    ["unit", "status", "sent_back", "id"], unique=False)
    # existing rows: derived from the history (latest reply / send_back is a send_back)
    op.execute("""
        UPDATE work_orders SET sent_back = (
            SELECT t.action = 'send_back' FROM transitions t
            WHERE t.order_id = work_orders.id AND t.action IN ('reply', 'send_back')
            ORDER BY t.seq DESC LIMIT 1)
        WHERE status = 'in_progress' AND EXISTS (
            SELECT 1 FROM transitions t WHERE t.order_id = work_orders.id
            AND t.action = 'send_back')
    """)


def downgrade() -> None:
    with op.batch_alter_table("work_orders") as batch_op:
        batch_op.drop_index("ix_work_orders_unit_status_sent_back")
        batch_op.drop_column("sent_back")
