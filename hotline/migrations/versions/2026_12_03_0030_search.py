"""order search and inbox counters (issue 15, Build 3 and 4): work_orders.search_text with its
full-text index (SQLite: FTS5 table work_orders_fts; PostgreSQL: GIN on
to_tsvector('simple', search_text)), an index on query_code, an index of the orders with assisting units (a unit's
visibility, core/access.py), and the per-unit inbox counters
(hotline/workorders/search.py, hotline/dispatch/counters.py)

Revision ID: 0030_search
Revises: 0020_knowledge
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0030_search"
down_revision = "0020_knowledge"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("work_orders", sa.Column("search_text", sa.Text(), nullable=True))
    op.create_index("ix_work_orders_query_code", "work_orders", ["query_code"])
    assisted = sa.text("CAST(assist_units AS TEXT) <> '[]'")
    op.create_index("ix_work_orders_assisted", "work_orders", ["id"],
                    postgresql_where=assisted, sqlite_where=assisted)
    op.create_table(
        "inbox_counts",
        sa.Column("unit", sa.String(64), primary_key=True),
        sa.Column("tab", sa.String(32), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False))
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        # contentless: the terms live in work_orders.search_text, the table holds the index
        op.execute("CREATE VIRTUAL TABLE work_orders_fts USING fts5("
                   "search_text, content='', tokenize='unicode61')")
    _backfill_terms(bind, sqlite)
    if not sqlite:
        op.execute("CREATE INDEX ix_work_orders_search ON work_orders "
                   "USING gin (to_tsvector('simple', search_text))")
    from sqlalchemy.orm import Session

    from hotline.dispatch.counters import rebuild
    session = Session(bind=bind)
    rebuild(session)
    session.flush()


def _backfill_terms(bind, sqlite: bool) -> None:
    """The terms of every existing order (title, content and address never change)."""
    from hotline.workorders.domain.search import document_terms
    last = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, title, content, address FROM work_orders WHERE id > :last "
            "ORDER BY id LIMIT :n"), {"last": last, "n": BATCH}).all()
        if not rows:
            return
        values = [{"i": r[0], "t": document_terms(r[1], r[2], r[3])} for r in rows]
        bind.execute(sa.text("UPDATE work_orders SET search_text = :t WHERE id = :i"), values)
        if sqlite:
            bind.execute(sa.text("INSERT INTO work_orders_fts (rowid, search_text) "
                                 "VALUES (:i, :t)"), values)
        last = rows[-1][0]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS work_orders_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_work_orders_search")
    op.drop_table("inbox_counts")
    op.drop_index("ix_work_orders_assisted", table_name="work_orders")
    op.drop_index("ix_work_orders_query_code", table_name="work_orders")
    op.drop_column("work_orders", "search_text")
