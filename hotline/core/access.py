"""Who sees an order: one predicate and its SQL filter (docs/design/architecture.md §7.2).

Centre roles (agent, dispatcher, supervisor, leader, admin, and the system) see every order; a
department user sees an order its unit leads or assists on (docs/design/domain.md §3.7). Every
read path asks `visible` of a loaded order or filters its query with `visible_filter`; an order
a user may not see answers 404, never 403. tests/integration/test_access_predicate.py checks
that the predicate and the filter agree.

二级派单 (docs/design/domain.md §6.8): a village sees the orders its town passed to it (the
order's `village`), and nothing else; the town keeps seeing them as their owner.

`owned` / `owned_filter` narrow that to the orders the unit leads: the unit's own work (the
inbox tabs, its SLA lists). They never widen what `visible` allows.
"""
from __future__ import annotations

import json

from sqlalchemy import Text, cast, false, true
from sqlalchemy.sql.elements import ColumnElement

from hotline.core.orm import WorkOrderRow
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role


def _get(order, name: str):
    return order[name] if isinstance(order, dict) else getattr(order, name)


def _get_opt(order, name: str):
    """A column a caller's mapping may leave out (an order no town passed on has none)."""
    return order.get(name) if isinstance(order, dict) else getattr(order, name, None)


def _scoped(actor: Actor) -> bool:
    return actor.role == Role.DEPARTMENT


def visible(order, actor: Actor) -> bool:
    """May `actor` see `order` (a row, an aggregate or a row mapping)?"""
    if not _scoped(actor):
        return True
    return bool(actor.unit) and (_get(order, "unit") == actor.unit
                                 or actor.unit in (_get(order, "assist_units") or [])
                                 or _get_opt(order, "village") == actor.unit)


def visible_filter(actor: Actor, table=WorkOrderRow) -> ColumnElement:
    """`visible` as a WHERE clause on work_orders (or an alias of it)."""
    if not _scoped(actor):
        return true()
    if not actor.unit:
        return false()
    # "has assisting units at all" first: the same rule, written so that each arm of the OR
    # is an index range (the unit's, and the partial index ix_work_orders_assisted of the few
    # orders with assisting units) instead of a LIKE over every row's JSON (issue 15: the
    # unit's search over 1 M orders); a village sees the orders passed to it (issue 17)
    return ((table.unit == actor.unit)
            | ((cast(table.assist_units, Text) != "[]")
               & _json_list_has(table.assist_units, actor.unit))
            | (table.village == actor.unit))


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


def _json_list_has(column, code: str) -> ColumnElement:
    """The JSON list in `column` holds the string `code`, on SQLite and PostgreSQL alike.
    The list is stored as its JSON text (json.dumps of a list of unit codes), where each
    element appears as its own JSON string literal between separators, so matching the
    literal `json.dumps(code)` (quotes included) finds exactly the equal element; LIKE's
    wildcards in it are escaped."""
    needle = json.dumps(code).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, Text).like(f"%{needle}%", escape="\\")
