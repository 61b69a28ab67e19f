"""Per-unit inbox counters (issue 15, Build 4): how many orders each unit leads in each inbox
tab, kept in the transaction of every save of an order, so the inbox reads its tab counts as a
few primary-key rows instead of counting the unit's open orders on every poll.

Which tab an order is in is asked of the inbox's one tab table (`queries.tab_of`, from
INBOX_TABS); the repository remembers each order's (unit, status, 被回退) before the
transaction changed it (`WorkOrderRepository.before`), and the after-save hook below moves one
count from the old tab to the new one. `recount` derives the same numbers from the orders
(the migration's backfill and the test that walks transitions and compares).
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hotline.core.orm import WorkOrderRow
from hotline.dispatch.orm import InboxCountRow


def after_save(rt, uow, order, row) -> None:
    """After-save hook (wired in core/bootstrap.py): move the order between its unit's tabs."""
    from hotline.dispatch.queries import tab_of
    if order.id is None or order.id not in uow.orders.before:
        return
    before = uow.orders.before.pop(order.id)
    old = (before[0], tab_of(before[1], before[2])) if before else (None, None)
    src = row if row is not None else order
    sent_back = bool(row.sent_back) if row is not None else order.is_sent_back()
    new = (src.unit, tab_of(src.status, sent_back))
    if old == new:
        return
    # one key before the other, always in the same order: two transactions moving orders
    # between the same two tabs lock the counter rows in one order (no deadlock)
    # no autoflush: intake sends the new order in its one flush, after every hook
    with uow.session.no_autoflush:
        for key, delta in sorted(((old, -1), (new, 1)),
                                 key=lambda kd: (str(kd[0][0]), str(kd[0][1]))):
            if key[0] and key[1]:
                _add(uow.session, key[0], key[1], delta)


def _add(session, unit: str, tab: str, delta: int) -> None:
    if delta < 0:
        session.execute(update(InboxCountRow).where(
            InboxCountRow.unit == unit, InboxCountRow.tab == tab)
            .values(n=InboxCountRow.n + delta))
        return
    dialect = session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(InboxCountRow)
    session.execute(ins.values(unit=unit, tab=tab, n=delta).on_conflict_do_update(
        index_elements=["unit", "tab"], set_={"n": InboxCountRow.n + delta}))


def counts(session, unit: str) -> dict[str, int]:
    """The stored counts of one unit's tabs (tabs without a row: 0)."""
    return {t: n for t, n in session.execute(
        select(InboxCountRow.tab, InboxCountRow.n).where(InboxCountRow.unit == unit))}


def recount(session) -> dict[tuple[str, str], int]:
    """{(unit, tab): n} counted from the orders themselves (non-zero entries only)."""
    from hotline.dispatch.queries import tab_of
    out: dict[tuple[str, str], int] = {}
    for unit, status, sent_back, n in session.execute(
            select(WorkOrderRow.unit, WorkOrderRow.status, WorkOrderRow.sent_back, func.count())
            .where(WorkOrderRow.unit.is_not(None))
            .group_by(WorkOrderRow.unit, WorkOrderRow.status, WorkOrderRow.sent_back)):
        tab = tab_of(status, bool(sent_back))
        if tab:
            out[(unit, tab)] = out.get((unit, tab), 0) + n
    return out


def stored(session) -> dict[tuple[str, str], int]:
    """{(unit, tab): n} as stored (non-zero entries only)."""
    return {(u, t): n for u, t, n in session.execute(
        select(InboxCountRow.unit, InboxCountRow.tab, InboxCountRow.n)) if n}


def rebuild(session) -> None:
    """Replace every counter by a recount (the migration's backfill; repair after a bulk load
    that bypassed the unit of work)."""
    session.execute(InboxCountRow.__table__.delete())
    rows = [{"unit": u, "tab": t, "n": n} for (u, t), n in recount(session).items()]
    if rows:
        session.execute(InboxCountRow.__table__.insert(), rows)
