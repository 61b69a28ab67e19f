"""Order search and the staff order list (issue 15, Build 3): one query for every staff role,
narrowed by the one visibility rule (core/access.visible_filter), with filters, sorting and
paging (docs/design/architecture.md §9.7).

The box `q` is read as what it looks like:
* an order number (DG20261203...): that order, exactly (the API's `q` always did this);
* a phone number: the orders of that caller, for the roles that see callers' phones (units
  see them masked, so a unit's search by phone finds nothing: docs/design/domain.md §10);
* six digits: the orders with that 查询码, for the centre roles (units are never shown it);
* anything else: full-text search over title, content and address (Chinese words and
  bigrams, domain/search.py), on SQLite through the FTS5 table `work_orders_fts`, on
  PostgreSQL through the GIN index on the stored column search_tsv, strip(to_tsvector(
  'simple', search_text)) written by a trigger with the text (migration 0060_search_perf).

The FTS5 table, the column and the GIN index are made by migrations 0030_search and
0060_search_perf for one backend each and are not in the SQLAlchemy metadata (SEARCH_OBJECTS
names them for the schema comparison).
SQLite's FTS rows are written by `index_hook`, an after-save hook, in the transaction that
inserts the order; an order's title, content and address never change afterwards, so nothing
else writes them. PostgreSQL's trigger, column and index follow search_text by themselves.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import asc, desc, func, literal_column, or_, select, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from hotline.core import hooks
from hotline.core.access import visible_filter
from hotline.core.orm import WorkOrderRow
from hotline.workorders import views
from hotline.workorders.domain.search import as_phone, as_query_code, query_terms
from hotline.workorders.domain.workflow import Role

FTS_TABLE = "work_orders_fts"
PG_INDEX = "ix_work_orders_search"
# Schema objects of the search made outside the metadata (one backend each).
PG_COLUMN = "search_tsv"
SEARCH_OBJECTS = frozenset({FTS_TABLE, f"{FTS_TABLE}_data", f"{FTS_TABLE}_idx",
                            f"{FTS_TABLE}_docsize", f"{FTS_TABLE}_config", PG_INDEX, PG_COLUMN})
# Counting stops here ("超过 1000 条"; paging goes on): a count visits every row it counts,
# and at 1 M orders a cap of 10,000 cost up to seconds (bench/results/search.md).
COUNT_CAP = 1_000
# PostgreSQL's memory for a text search's bitmap (SET LOCAL, that transaction only): with the
# default 4 MB the bitmap of a common word (88,000 of 1 M orders) turns lossy and its count
# rechecks every row of every page it touches (100 ms against 50, bench/results/search.md)
TEXT_WORK_MEM = "16MB"
_NUMBER = re.compile(r"^[A-Za-z]{1,4}[0-9]{6,20}$")

# sort key -> column (the list's sortable columns; "-" prefix = descending)
SORTS = {"received_at": WorkOrderRow.id,    # ids grow with intake: the index order
         "number": WorkOrderRow.number,
         "status": WorkOrderRow.status}
SORT_KEYS = (*SORTS, "due")   # due: the running clock's deadline (sla_order_state)
DEFAULT_SORT = "-received_at"


def _sees_callers(actor) -> bool:
    """Phones and 查询码 in full: the centre roles (views.caller_view masks them for units)."""
    return actor.role != Role.DEPARTMENT


def index_hook(rt, uow, order, row) -> None:
    """After-save hook (core/bootstrap.py): a new order's terms into SQLite's FTS5 table, in
    the order's own transaction. PostgreSQL indexes the column itself."""
    if order.id is None or not hooks.is_new(row):
        return
    if uow.session.get_bind().dialect.name != "sqlite":
        return
    # no autoflush: intake sends the new order in its one flush, after every hook
    with uow.session.no_autoflush:
        uow.session.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, search_text) "
                                 "VALUES (:id, :t)"), {"id": order.id, "t": row.search_text or ""})


def _text_match(dialect: str, terms: list[str]) -> ColumnElement:
    if dialect == "postgresql":
        # the stored column under the GIN index (migration 0060_search_perf): a row the
        # planner filters costs a comparison, not a to_tsvector of its text
        return literal_column(f"{WorkOrderRow.__tablename__}.{PG_COLUMN}").op("@@")(
            func.plainto_tsquery(literal_column("'simple'"), " ".join(terms)))
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return WorkOrderRow.id.in_(select(literal_column("rowid")).select_from(text(FTS_TABLE))
                               .where(text(f"{FTS_TABLE} MATCH :fts_match")
                                      .bindparams(fts_match=match)))


def search_condition(dialect: str, actor, q: str) -> ColumnElement | None:
    """The WHERE clause of the search box's text `q` for `actor` (module docstring); None
    when `q` holds nothing to search for."""
    q = q.strip()
    kind = _box_kind(q)
    if kind is None:
        return None
    if kind == "number":
        return WorkOrderRow.number == q.upper()
    if kind == "phone_or_code":
        phone, code = as_phone(q), as_query_code(q)
        conds = [WorkOrderRow.number == q]
        if _sees_callers(actor):
            if phone:
                conds.append(WorkOrderRow.caller_phone.in_(sorted({q, phone})))
            if code:
                conds.append(WorkOrderRow.query_code == code)
        return or_(*conds)
    terms = query_terms(q)
    if not terms:
        return None
    return _text_match(dialect, terms)


def _box_kind(q: str | None) -> str | None:
    """What the search box holds (module docstring): "number" (an order number),
    "phone_or_code" (a phone number or a 查询码), "text" (words), or None (nothing)."""
    q = (q or "").strip()
    if not q:
        return None
    if _NUMBER.match(q):
        return "number"
    if as_phone(q) or as_query_code(q):
        return "phone_or_code"
    return "text"


def _day_start(d) -> datetime:
    """The instant a city calendar day begins, in UTC: timestamps are stored in UTC, and SQLite
    compares the stored text, so a +08:00 bound would be read as a UTC one (8 hours off)."""
    return datetime.combine(d, time.min, tzinfo=views.TZ).astimezone(timezone.utc)


def build_query(dialect: str, actor, f: dict, overdue_join=None):
    """The filtered select of work_orders rows (no order, no limit). `overdue_join`: an SLA
    state entity the caller joins (inner) for "overdue only": the filter is then that row's
    status, so PostgreSQL can walk the overdue orders by deadline (ix_sla_order_state_overdue_due)
    instead of sorting every overdue order."""
    from hotline.sla.orm import SlaOrderStateRow
    q = select(WorkOrderRow).where(visible_filter(actor))   # docs/design/domain.md §3.7
    if f.get("q"):
        cond = search_condition(dialect, actor, f["q"])
        if cond is not None:
            q = q.where(cond)
    if f.get("status"):
        q = q.where(WorkOrderRow.status.in_(f["status"]))
    if f.get("statuses"):
        q = q.where(WorkOrderRow.status.in_(f["statuses"]))
    for key in ("unit", "town", "category", "appeal_type"):
        if f.get(key):
            q = q.where(getattr(WorkOrderRow, key) == f[key])
    if f.get("rapid") is not None:
        q = q.where(WorkOrderRow.rapid_item.is_not(None) if f["rapid"]
                    else WorkOrderRow.rapid_item.is_(None))
    if f.get("received_from"):
        q = q.where(WorkOrderRow.received_at >= _day_start(f["received_from"]))
    if f.get("received_to"):   # the whole last day
        q = q.where(WorkOrderRow.received_at < _day_start(f["received_to"] + timedelta(days=1)))
    if f.get("overdue") and overdue_join is not None:
        # an order has one sla_order_state row at most: the join keeps each order once
        return q.join(overdue_join, overdue_join.order_id == WorkOrderRow.id).where(
            overdue_join.status == "overdue")
    # an alias: the page's query also joins sla_order_state for its columns
    st = aliased(SlaOrderStateRow)
    overdue = (select(st.order_id).where(st.order_id == WorkOrderRow.id,
                                         st.status == "overdue").exists())
    if f.get("overdue") is not None:
        q = q.where(overdue if f["overdue"] else ~overdue)
    return q


def page_queries(dialect: str, actor, f: dict) -> tuple:
    """(the page's select, with the SLA summary columns; the capped count's select) of the
    filters `f` (validated by the API's schema)."""
    from hotline.sla.orm import SlaOrderStateRow
    page, per_page = f.get("page", 1), f.get("per_page", 20)
    sort = f.get("sort") or DEFAULT_SORT
    key, descending = sort.lstrip("-"), sort.startswith("-")
    col = SlaOrderStateRow.due if key == "due" else SORTS[key]
    if key == "received_at" and (f.get("received_from") or f.get("received_to")):
        # the same order, written so that PostgreSQL cannot walk the primary key: it takes
        # the rows of a date range to be spread over all ids and would read every newer
        # order to find the range's newest (86,000 rows for a range a month back,
        # bench/results/search.md); the range's (received_at, id) index entries and a top-N
        # sort cost what the range holds
        col = col + 0
    order = desc(col) if descending else asc(col)
    if key == "due":
        # orders without a running clock last either way: NULLS LAST (not a leading
        # "due IS NULL" key), so the index on the overdue orders' deadlines gives the order
        order = order.nulls_last()
    if f.get("overdue"):
        # overdue only: every order has its SLA row, so the join is an inner one
        q = build_query(dialect, actor, f, overdue_join=SlaOrderStateRow)
        sortable = q
    else:
        q = build_query(dialect, actor, f)
        # the deadline to sort by (one SLA row per order at most)
        sortable = q.outerjoin(SlaOrderStateRow, SlaOrderStateRow.order_id == WorkOrderRow.id)
    # the page's ids first, then their rows: the sort and the limit run over the narrow
    # columns an index holds (a date range, a unit's order_units) and only the page's
    # rows are read whole and joined to their SLA state (bench/results/search.md)
    ids = sortable.with_only_columns(WorkOrderRow.id).order_by(order, WorkOrderRow.id.desc()) \
        .limit(per_page).offset((page - 1) * per_page).subquery()
    page_q = (select(WorkOrderRow, SlaOrderStateRow.status, SlaOrderStateRow.due,
                     SlaOrderStateRow.clock)
              .join(ids, ids.c.id == WorkOrderRow.id)
              .outerjoin(SlaOrderStateRow, SlaOrderStateRow.order_id == WorkOrderRow.id)
              .order_by(order, WorkOrderRow.id.desc()))
    count_q = select(func.count()).select_from(
        q.with_only_columns(WorkOrderRow.id).limit(COUNT_CAP + 1).subquery())
    return page_q, count_q


def list_orders(rt, actor, f: dict, log_access: bool = True) -> dict:
    """One page of the orders `actor` may see that match the filters `f` (validated by the
    API's schema), sorted; `total` is exact up to COUNT_CAP (`total_exact` says so). The
    read and its access-log rows (PIPL, docs/design/domain.md §10.2) are one transaction."""
    from hotline.privacy import service as privacy
    page, per_page = f.get("page", 1), f.get("per_page", 20)
    sort = f.get("sort") or DEFAULT_SORT
    with rt.uow() as uow:
        dialect = uow.session.get_bind().dialect.name
        page_q, count_q = page_queries(dialect, actor, f)
        if dialect == "postgresql" and _box_kind(f.get("q")) == "text":
            uow.session.execute(text(f"SET LOCAL work_mem = '{TEXT_WORK_MEM}'"))
        rows = uow.session.execute(page_q).all()
        if page == 1 and len(rows) < per_page:
            total = len(rows)    # the whole result is on this page: nothing left to count
        else:
            total = uow.session.execute(count_q).scalar_one()
        items = []
        for r, sla_status, sla_due, sla_clock in rows:
            v = views.order_view(rt, _brief(r), actor, brief=True)
            v["sla"] = ({"status": sla_status, "due": views.iso(sla_due), "clock": sla_clock}
                        if sla_status is not None else None)
            items.append(v)
        if log_access:
            privacy.record_access(rt, actor, "list", [i["id"] for i in items], uow=uow)
        uow.commit()
    return {"items": items, "total": min(total, COUNT_CAP), "total_exact": total <= COUNT_CAP,
            "page": page, "per_page": per_page, "sort": sort}


def _brief(row) -> dict:
    from hotline.core.db import row_to_dict
    return row_to_dict(row)
