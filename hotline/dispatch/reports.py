"""Return report (退单统计): per unit and per agent, from the append-only history.

Per unit (docs/design/domain.md §8.5 退单率, split 合理退单 / 不当退单): returns requested, approved by a
dispatcher (合理, counts against nobody unless attributed), rejected (不当退单), and
arbitration outcomes (reassigned = the unit was right; kept = the unit must handle it).
Per agent: returns attributed to the agent's intake error, over the orders they logged.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.workorders import views
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

ACTIONS = ("request_return", "approve_return", "reject_return", "arbitrate", "arbitrate_keep")
UNIT_FIELDS = ("requested", "approved", "rejected", "arbitration_reassigned",
               "arbitration_kept")


def returns_report(rt, actor: Actor, start: datetime, end: datetime) -> dict:
    if actor.role not in (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN):
        raise NotPermitted("无权查看退单统计")
    if end <= start:
        raise RuleViolation("结束时间须晚于开始时间", field="to")
    units: dict[str, dict] = defaultdict(lambda: dict.fromkeys(UNIT_FIELDS, 0))
    agents: dict[str, dict] = defaultdict(lambda: {"attributed_returns": 0, "orders": 0})
    categories: dict[str, int] = defaultdict(int)
    with rt.uow() as uow:
        trs = uow.session.execute(select(TransitionRow).where(
            TransitionRow.action.in_(ACTIONS), TransitionRow.at >= start,
            TransitionRow.at < end)).scalars().all()
        for t in trs:
            d = t.data or {}
            if t.action == "request_return":
                units[t.unit]["requested"] += 1
            elif t.action == "approve_return":
                units[d.get("from_unit")]["approved"] += 1
            elif t.action == "reject_return":
                units[d.get("unit")]["rejected"] += 1
            elif t.action == "arbitrate":
                units[d.get("from_unit")]["arbitration_reassigned"] += 1
            elif t.action == "arbitrate_keep":
                units[d.get("unit")]["arbitration_kept"] += 1
            if t.action in ("approve_return", "arbitrate"):
                if d.get("attributed_to") == "agent" and d.get("attributed_agent"):
                    agents[d["attributed_agent"]]["attributed_returns"] += 1
                if d.get("attributed_to") == "category" and d.get("attributed_category"):
                    categories[d["attributed_category"]] += 1
        logged = uow.session.execute(select(WorkOrderRow.created_by, func.count()).where(
            WorkOrderRow.received_at >= start, WorkOrderRow.received_at < end)
            .group_by(WorkOrderRow.created_by)).all()
    for who, n in logged:
        if who in agents or n:
            agents[who]["orders"] = n
    names = rt.city.units
    unit_rows = [dict(unit=u, unit_name=names[u].name if u in names else u, **c)
                 for u, c in sorted(units.items(), key=lambda kv: str(kv[0])) if u]
    agent_rows = [dict(agent=a, **c, rate_percent=round(
        100.0 * c["attributed_returns"] / c["orders"], 2) if c["orders"] else None)
        for a, c in sorted(agents.items())]
    totals = {k: sum(r[k] for r in unit_rows) for k in UNIT_FIELDS}
    return {"from": views.iso(start), "to": views.iso(end), "units": unit_rows,
            "agents": agent_rows, "categories": [
                {"category": c, "attributed_returns": n} for c, n in sorted(categories.items())],
            "totals": totals}
