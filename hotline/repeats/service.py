"""Repeat-appeal use cases (issue 17, Build 5). The service layer commits.

Both outcomes are transitions of the one table: `link_repeat` ends the new order on its
earlier order (重复诉求), `reopen_repeat` reopens a closed earlier order (the unit handles it
again, its 重办 clocks) and the new order is linked to it in the same transaction. The repeat
report counts the `link_repeat` and `reopen_repeat` transitions of a period by the unit and
category they count against (kept on each transition by workorders/rules.py)."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hotline.core.access import visible
from hotline.core.db import aware
from hotline.core.orm import TransitionRow
from hotline.intake.duplicates import earlier_orders
from hotline.intake.service import Conflict
from hotline.workorders import views
from hotline.workorders.commands import NotFound, get_order, save_steps, step
from hotline.workorders.domain.model import Actor, RuleViolation
from hotline.workorders.domain.workflow import Status


def earlier(rt, actor: Actor, order_id: int) -> dict:
    """The order's earlier related orders (for the order page and the agent)."""
    cfg = rt.config.cases["repeats"]
    with rt.uow() as uow:
        row = uow.orders.get_row(order_id)
        if row is None or not visible(row, actor):
            raise NotFound("工单不存在")
        items = earlier_orders(uow.orders, row.id, row.content, row.town, row.address,
                               row.caller_phone, aware(row.received_at),
                               cfg["window_days"], cfg["max_shown"])
    items = [i for i in items if i["id"] < order_id]   # earlier ones only
    for i in items:
        u = rt.city.units.get(i["unit"]) if i["unit"] else None
        i["unit_name"] = u.name if u else ""
    return {"items": items, "window_days": cfg["window_days"]}


def link(rt, actor: Actor, order_id: int, earlier_id: int, reopen: bool,
         reason: str | None) -> dict:
    """重复诉求: link the new order to its earlier one; `reopen`: first reopen the earlier,
    closed order (重启办理, reason required)."""
    with rt.uow() as uow:
        new = uow.orders.get(order_id)
        if new is None or not visible(uow.orders.row(order_id), actor):
            raise NotFound("工单不存在")
        old = uow.orders.get(earlier_id)
        if old is None:
            raise RuleViolation(f"原工单 {earlier_id} 不存在", field="earlier_id")
        if earlier_id >= order_id:
            raise RuleViolation("只能关联更早的工单", field="earlier_id")
        try:
            if reopen:
                if old.status != Status.CLOSED:
                    raise RuleViolation("原工单未办结, 无需重启; 请直接关联", field="reopen")
                known = len(old.history)
                t = step(rt, uow, old, actor, "reopen_repeat", {"reason": reason, "data": {}})
                save_steps(rt, uow, old, known, [t])
            known = len(new.history)
            t = step(rt, uow, new, actor, "link_repeat", {
                "reason": reason, "data": {"earlier_id": earlier_id, "reopened": reopen}})
            save_steps(rt, uow, new, known, [t])
            uow.commit()
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict("工单已被他人修改, 请刷新后重试 (version conflict)") from exc
    return get_order(rt, actor, order_id)


def report(rt, frm: date, to: date) -> dict:
    """Repeats per unit and category in [frm, to] (city days): linked repeats and reopenings."""
    lo = datetime.combine(frm, time(), views.TZ)
    hi = datetime.combine(to + timedelta(days=1), time(), views.TZ)
    with rt.uow() as uow:
        rows = uow.session.execute(select(TransitionRow.action, TransitionRow.data).where(
            TransitionRow.action.in_(("link_repeat", "reopen_repeat")),
            TransitionRow.at >= lo, TransitionRow.at < hi)).all()
    counts: Counter = Counter()
    for action, data in rows:
        d = data or {}
        counts[(d.get("repeat_unit"), d.get("repeat_category"), action)] += 1
    keys = sorted({(u, c) for u, c, _ in counts}, key=lambda k: (str(k[0]), str(k[1])))
    city = rt.city
    items = []
    for unit, cat in keys:
        u, c = city.units.get(unit or ""), city.categories.get(cat or "")
        items.append({"unit": unit, "unit_name": u.name if u else "未派单",
                      "category": cat, "category_name": c.name if c else "未分类",
                      "repeats": counts[(unit, cat, "link_repeat")],
                      "reopened": counts[(unit, cat, "reopen_repeat")]})
    items.sort(key=lambda i: (-i["repeats"], -i["reopened"], i["unit_name"]))
    return {"from": frm.isoformat(), "to": to.isoformat(), "items": items,
            "repeats": sum(i["repeats"] for i in items),
            "reopened": sum(i["reopened"] for i in items)}
