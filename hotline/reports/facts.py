"""Keeps the scoring rollup (unit_facts) in step with every change of an order or its
surveys, inside the same transaction: reports read one narrow table
(docs/design/architecture.md §9.5).

The rows are derived from the append-only history, so `rebuild_facts` can recompute them all
after a change of formula, calendar or policy (docs/design/architecture.md §3.2)."""
from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from hotline.core import hooks
from hotline.core.db import aware, utcnow
from hotline.survey.domain.facts import derive
from hotline.survey.orm import UnitFactRow

TZ = ZoneInfo("Asia/Shanghai")


def _deadlines(rt, order, now):
    return rt.config.sla_engine.deadlines(order, order.history, now)


def _utc(dt):
    return aware(dt).astimezone(timezone.utc) if dt is not None else None


def refresh_facts(rt, uow, order, row=None) -> None:
    """Rewrite the (order, unit) fact rows of one order (AFTER_SAVE hook)."""
    if order.id is None:
        return
    # a new order (intake, not flushed yet) has no surveys and no fact rows to replace
    new = hooks.is_new(row)
    surveys = [] if new else [
        {"unit": s.unit, "status": s.status, "resolved": s.resolved,
         "satisfaction": s.satisfaction, "excluded": s.excluded, "contacted": s.contacted}
        for s in uow.surveys.for_order(order.id)]
    facts = derive(order, order.history, _deadlines(rt, order, utcnow()), surveys)
    if not new:
        uow.session.execute(delete(UnitFactRow).where(UnitFactRow.order_id == order.id))
    for f in facts:
        d = f.as_dict()
        d.pop("anonymous", None)
        for k in ("assigned_at", "sign_due_at", "signed_at", "contact_due_at", "contacted_at",
                  "reply_due_at", "replied_at", "assist_due_at", "assist_done_at"):
            d[k] = _utc(d[k])
        local = d["assigned_at"].astimezone(TZ).date()
        uow.session.add(UnitFactRow(day=local, week=local - timedelta(days=local.weekday()),
                                    month=f"{local:%Y-%m}", **d))
    if not new:   # a new order's rows go out in the intake's one flush
        uow.session.flush()


def refresh_order(rt, uow, order_id: int) -> None:
    order = uow.orders.get(order_id)
    if order is not None:
        refresh_facts(rt, uow, order)


def rebuild_facts(rt, batch: int = 500) -> int:
    """Recompute every order's facts (after a change of policy or calendar)."""
    from hotline.core.orm import WorkOrderRow
    done, last = 0, 0
    while True:
        with rt.uow() as uow:
            ids = list(uow.session.execute(select(WorkOrderRow.id).where(WorkOrderRow.id > last)
                                           .order_by(WorkOrderRow.id).limit(batch)).scalars())
            if not ids:
                return done
            for oid in ids:
                refresh_order(rt, uow, oid)
            uow.commit()
            done, last = done + len(ids), ids[-1]

