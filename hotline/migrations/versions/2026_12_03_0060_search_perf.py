"""issue 15 (Build 3, the search at 1 M orders; bench/results/search.md): the units that see
each order as rows (order_units, core/orm.OrderUnitRow, replacing the partial index of the
orders with assisting units), PostgreSQL's stored tsvector column search_tsv with the GIN
index moved onto it (hotline/workorders/search.py), and indexes for the list's filters: a
town's orders by status, the rapid-response orders, the overdue orders by deadline

Revision ID: 0060_search_perf
Revises: 0051_callcentre
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0060_search_perf"
down_revision = "0051_callcentre"
branch_labels = None
depends_on = None

ASSISTED = sa.text("CAST(assist_units AS TEXT) <> '[]'")
RAPID = sa.text("rapid_item IS NOT NULL")
OVERDUE = sa.text("status = 'overdue'")
TSV_FUNCTION = "work_orders_search_tsv"
TSV_OF = "strip(to_tsvector('simple', coalesce({}, '')))"    # of a text column


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "order_units",
        sa.Column("unit", sa.String(64), primary_key=True),
        sa.Column("order_id", sa.Integer(),
                  sa.ForeignKey("work_orders.id", ondelete="CASCADE"), primary_key=True))
    op.create_index("ix_order_units_order_id", "order_units", ["order_id"])
    from sqlalchemy.orm import Session

    from hotline.core.access import rebuild_scope
    session = Session(bind=bind)
    rebuild_scope(session)
    session.flush()
    op.drop_index("ix_work_orders_assisted", table_name="work_orders")
    op.create_index("ix_work_orders_town_status", "work_orders", ["town", "status", "id"])
    op.drop_index("ix_work_orders_received_at", table_name="work_orders")
    op.create_index("ix_work_orders_received_at", "work_orders", ["received_at", "id"])
    op.create_index("ix_work_orders_rapid", "work_orders", ["id"],
                    postgresql_where=RAPID, sqlite_where=RAPID)
    op.create_index("ix_sla_order_state_overdue_due", "sla_order_state", ["due", "order_id"],
                    postgresql_where=OVERDUE, sqlite_where=OVERDUE)
    if bind.dialect.name == "postgresql":
        # stored, so a search does not recompute to_tsvector for every row it filters;
        # without positions (strip): a query is an AND of terms (plainto_tsquery), never a
        # phrase, and the row is a third smaller. Written by a trigger when search_text is
        # (intake; its text never changes), not a generated column: PostgreSQL recomputes
        # those on every UPDATE of the row, ~50 us each, and the SLA sweep updates thousands
        # of orders' next check per tick (bench/results/search.md)
        op.execute("DROP INDEX IF EXISTS ix_work_orders_search")
        op.execute("ALTER TABLE work_orders ADD COLUMN search_tsv tsvector")
        op.execute(f"CREATE FUNCTION {TSV_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN NEW.search_tsv := {TSV_OF.format('NEW.search_text')}; RETURN NEW; END $$")
        op.execute(f"UPDATE work_orders SET search_tsv = {TSV_OF.format('search_text')}")
        op.execute(f"CREATE TRIGGER {TSV_FUNCTION} BEFORE INSERT OR UPDATE OF search_text "
                   f"ON work_orders FOR EACH ROW EXECUTE FUNCTION {TSV_FUNCTION}()")
        op.execute("CREATE INDEX ix_work_orders_search ON work_orders USING gin (search_tsv)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_work_orders_search")
        op.execute(f"DROP TRIGGER IF EXISTS {TSV_FUNCTION} ON work_orders")
        op.execute(f"DROP FUNCTION IF EXISTS {TSV_FUNCTION}()")
        op.execute("ALTER TABLE work_orders DROP COLUMN search_tsv")
        op.execute("CREATE INDEX ix_work_orders_search ON work_orders "
                   "USING gin (to_tsvector('simple', search_text))")
    op.drop_index("ix_sla_order_state_overdue_due", table_name="sla_order_state")
    op.drop_index("ix_work_orders_rapid", table_name="work_orders")
    op.drop_index("ix_work_orders_town_status", table_name="work_orders")
    op.drop_index("ix_work_orders_received_at", table_name="work_orders")
    op.create_index("ix_work_orders_received_at", "work_orders", ["received_at"])
    op.create_index("ix_work_orders_assisted", "work_orders", ["id"],
                    postgresql_where=ASSISTED, sqlite_where=ASSISTED)
    op.drop_index("ix_order_units_order_id", table_name="order_units")
    op.drop_table("order_units")
