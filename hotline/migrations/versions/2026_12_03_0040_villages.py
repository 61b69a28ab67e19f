"""villages: units.parent (a village's town), work_orders.village (二级派单) and
assist_tasks.first_input_at (协办 clock met), issue 17

Revision ID: 0040_villages
Revises: 0030_search
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0040_villages"
down_revision = "0030_search"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # plain ADD COLUMNs (no table rebuild on SQLite: work_orders is referenced by many tables)
    op.add_column("units", sa.Column("parent", sa.String(64), nullable=True))
    op.add_column("work_orders", sa.Column("village", sa.String(64), nullable=True))
    op.create_index("ix_work_orders_village_status", "work_orders", ["village", "status", "id"])
    op.add_column("assist_tasks", sa.Column("first_input_at", TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assist_tasks") as b:
        b.drop_column("first_input_at")
    op.drop_index("ix_work_orders_village_status", table_name="work_orders")
    with op.batch_alter_table("work_orders") as b:
        b.drop_column("village")
    with op.batch_alter_table("units") as b:
        b.drop_column("parent")
