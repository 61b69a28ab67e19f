"""Who sees an order: one predicate and its SQL filter (docs/design/architecture.md §7.2).

Centre roles (agent, dispatcher, supervisor, leader, admin, and the system) see every order; a
department user sees an order its unit leads or assists on (docs/design/domain.md §3.7). Every
read path asks `visible` of a loaded order or filters its query with `visible_filter`; an order
a user may not see answers 404, never 403. tests/integration/test_access_predicate.py checks
that the predicate and the filter agree.

二级派单 (docs/design/domain.md §6.8): a village sees the orders its town passed to it (the
order's `village`), and nothing else; the town keeps seeing them as their owner.

The rule is `scope_units` (lead unit, assisting units, the village): `visible` asks it of a
loaded order; the SQL filter reads the order_units rows written from it in the order's own
flush (core/orm.OrderUnitRow), one index range per unit (issue 15, the search at 1 M orders).

`owned` / `owned_filter` narrow that to the orders the unit leads: the unit's own work (the
inbox tabs, its SLA lists). They never widen what `visible` allows.
"""
from __future__ import annotations

from sqlalchemy import delete, false, insert, select, true
from sqlalchemy.sql.elements import ColumnElement

from hotline.core.orm import SCOPE_COLUMNS, OrderUnitRow, WorkOrderRow
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role


def _get(order, name: str):
    return order[name] if isinstance(order, dict) else getattr(order, name)


def _get_opt(order, name: str):
    """A column a caller's mapping may leave out (an order no town passed on has none)."""
    return order.get(name) if isinstance(order, dict) else getattr(order, name, None)


def _scoped(actor: Actor) -> bool:
    return actor.role == Role.DEPARTMENT


def scope_units(order) -> set[str]:
    """The units that see `order` (a row, an aggregate or a row mapping): its lead unit, its
    assisting units and the village its town passed it to (docs/design/domain.md §3.7, §6.8).
    The one rule: `visible` asks it of a loaded order, and the order_units rows that
    `visible_filter` reads are written from it (core/orm.OrderUnitRow)."""
    units = {_get(order, "unit"), *(_get(order, "assist_units") or []),
             _get_opt(order, "village")}
    return {u for u in units if u}


def visible(order, actor: Actor) -> bool:
    """May `actor` see `order` (a row, an aggregate or a row mapping)?"""
    if not _scoped(actor):
        return True
    return bool(actor.unit) and actor.unit in scope_units(order)


def visible_filter(actor: Actor, table=WorkOrderRow) -> ColumnElement:
    """`visible` as a WHERE clause on work_orders (or an alias of it): the order is one of
    the unit's order_units rows, a range of that table's primary key (unit, order_id) that
    PostgreSQL and SQLite read in id order, newest first, without touching the orders the
    unit does not see (issue 15: a unit's list over 1 M orders, bench/results/search.md)."""
    if not _scoped(actor):
        return true()
    if not actor.unit:
        return false()
    return table.id.in_(select(OrderUnitRow.order_id).where(OrderUnitRow.unit == actor.unit))


# an order's id and the columns `scope_units` reads (core/orm.SCOPE_COLUMNS)
_SCOPE_SOURCE = (WorkOrderRow.id, *(getattr(WorkOrderRow, c) for c in SCOPE_COLUMNS))


def stored_scope(session) -> set[tuple[int, str]]:
    """{(order id, unit)} as stored in order_units."""
    return {(o, u) for o, u in session.execute(select(OrderUnitRow.order_id, OrderUnitRow.unit))}


def derived_scope(session) -> set[tuple[int, str]]:
    """{(order id, unit)} derived from the orders themselves by `scope_units`."""
    return {(r.id, u) for r in session.execute(select(*_SCOPE_SOURCE))
            for u in scope_units(r._mapping)}


def rebuild_scope(session, batch: int = 5000) -> None:
    """Replace order_units by what the orders say (the migration's backfill; repair after a
    bulk load that bypassed the ORM), a page of orders at a time."""
    session.execute(delete(OrderUnitRow))
    last = 0
    while True:
        page = session.execute(select(*_SCOPE_SOURCE).where(WorkOrderRow.id > last)
                               .order_by(WorkOrderRow.id).limit(batch)).all()
        if not page:
            return
        rows = [{"order_id": r.id, "unit": u} for r in page for u in sorted(scope_units(r._mapping))]
        if rows:
            session.execute(insert(OrderUnitRow), rows)
        last = page[-1].id


def owned(order, actor: Actor) -> bool:
    """The department leads the order (a centre role: every order)."""
    return not _scoped(actor) or (bool(actor.unit) and _get(order, "unit") == actor.unit)


def owned_filter(actor: Actor, table=WorkOrderRow) -> ColumnElement:
    """`owned` as a WHERE clause: a range of the (unit, status, ...) indexes."""
    if not _scoped(actor):
        return true()
    if not actor.unit:
        return false()
    return table.unit == actor.unit


def village_work_filter(actor: Actor, table=WorkOrderRow) -> ColumnElement:
    """A village's own work (二级派单, docs/design/domain.md §6.8): the orders its town passed to
    it, a range of the (village, status, id) index. Narrower than `visible_filter`, like
    `owned_filter` for a unit that leads."""
    if not _scoped(actor) or not actor.unit:
        return false()
    return table.village == actor.unit
