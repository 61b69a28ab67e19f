"""Rules around the aggregate that need configuration or other rows (首派 window, 协办 tasks,
merge links, 两个15%). Called by services/orders.act around `WorkOrder.apply`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.dispatch.domain.returns import return_window
from hotline.dispatch.orm import AssistTaskRow, RoutingRuleRow
from hotline.workorders.domain.model import Actor, RuleViolation, WorkOrder
from hotline.workorders.domain.workflow import CLOSED_STATES

TZ = ZoneInfo("Asia/Shanghai")


def return_window_end(rt):
    """退单 window: default "until the end of the next working day" after dispatch
    (吕梁 1 工作日, docs/design/domain.md §6.2), in the city's working calendar (调休 included: dispatched
    Tue 2025-09-30 10:00 -> closes 2025-10-09 23:59:59 after the National Day holiday)."""
    return return_window(rt.config.sla_engine.calendar, rt.config.dispatch.window_working_days)


_UNIT_KEYS = ("unit", "suggested_unit")


def before_action(rt, uow, order: WorkOrder, actor: Actor, action: str, payload: dict) -> None:
    """Validation and enrichment that need the database or configuration."""
    data = payload.get("data")
    if data is None:
        data = payload["data"] = {}
    for key in _UNIT_KEYS:
        unit = data.get(key)
        if unit is not None and unit not in rt.city.units:
            raise RuleViolation(f"未知单位代码 {unit}", field=f"data.{key}")
    if action == "subdispatch":
        _check_village(rt, order, data)
    elif action in ("dispatch", "approve_return", "arbitrate") and \
            rt.city.is_village(data.get("unit")):
        # villages receive orders only from their town (二级派单, docs/design/domain.md §6.8)
        raise RuleViolation("村（社区）不能由中心直接派单, 须由所属镇街二级派单",
                            field="data.unit")
    if action == "add_assist":
        _assist_due(rt, data)
    if action == "dispatch":
        for task in data.get("assist") or []:
            if not isinstance(task, dict) or task.get("unit") not in rt.city.units:
                raise RuleViolation("协办单位代码无效", field="data.assist")
            _assist_due(rt, task)
    if action in ("approve_return", "arbitrate"):
        # 两个15%: name who the return counts against (docs/design/domain.md §6.7)
        row = uow.orders.row(order.id)
        if data.get("attributed_to") == "agent":
            data["attributed_agent"] = row.created_by
        elif data.get("attributed_to") == "category":
            data["attributed_category"] = order.category
            if not order.category:
                raise RuleViolation("工单无分类, 不能归因于分类配置", field="data.attributed_to")
    if action == "merge":
        _check_master(uow, order, data)
    town = data.get("rule_town")
    if town is not None and town != "*" and town not in rt.city.towns:
        raise RuleViolation(f"未知镇街代码 {town}", field="data.rule_town")
    if action == "request_extension":
        _extension_within_policy(rt, order, data)


def _check_village(rt, order: WorkOrder, data: dict) -> None:
    """二级派单 (docs/design/domain.md §6.8): the order goes to one of the owning town's own
    villages and communities (config/villages.yaml), never to another town's."""
    unit = data.get("unit")
    if not unit:
        raise RuleViolation("须选择村（社区）", field="data.unit")
    u = rt.city.units.get(unit)
    if u is None or u.kind != "village":
        raise RuleViolation(f"{unit} 不是村（社区）", field="data.unit")
    if u.parent != order.unit:
        owner = rt.city.units.get(order.unit or "")
        raise RuleViolation(f"{u.name} 不属于{owner.name if owner else order.unit}, 只能派至本镇街的"
                            "村（社区）", field="data.unit")


def _extension_within_policy(rt, order: WorkOrder, data: dict) -> None:
    """延期: at most `extensions.max_count` approved extensions, each of 1 to
    `extensions.max_working_days` working days (config/sla.yaml; docs/design/domain.md §4.5)."""
    try:
        days = int(data.get("days", 0))
    except (TypeError, ValueError):
        days = 0
    approved = [int(t.data.get("days") or 0) for t in order.history
                if t.action == "approve_extension"]
    ok, why = rt.config.sla.extension_allowed(approved, days)
    if not ok:
        raise RuleViolation(why, field="days")


def _assist_due(rt, task: dict) -> None:
    """Each assisting unit has its own deadline: given as `due` (ISO) or `days` (working
    days from now), default from config/dispatch.yaml."""
    if task.get("unit") is not None and task["unit"] not in rt.city.units:
        raise RuleViolation(f"未知单位代码 {task['unit']}", field="data.unit")
    if task.get("due"):
        try:
            due = datetime.fromisoformat(str(task["due"]))
        except ValueError:
            raise RuleViolation("协办期限格式应为 ISO 8601", field="data.due") from None
        if due.tzinfo is None:
            due = due.replace(tzinfo=TZ)
    else:
        try:
            days = int(task.get("days") or rt.config.dispatch.assist_default_working_days)
        except (TypeError, ValueError):
            raise RuleViolation("协办天数须为正整数", field="data.days") from None
        if days < 1:
            raise RuleViolation("协办天数须为正整数", field="data.days")
        due = rt.config.sla_engine.calendar.add_working_days(utcnow(), days)
    task["due"] = due.isoformat()


def _check_master(uow, order: WorkOrder, data: dict) -> None:
    try:
        master_id = int(data.get("master_id"))
    except (TypeError, ValueError):
        return   # the aggregate names the missing/invalid field
    master = uow.session.get(WorkOrderRow, master_id)
    if master is None:
        raise RuleViolation(f"主工单 {master_id} 不存在", field="data.master_id")
    if master.status in CLOSED_STATES:
        raise RuleViolation(f"主工单 {master.number} 已办结, 不能并单", field="data.master_id")
    if master.master_id is not None:
        raise RuleViolation("主工单本身已被并单", field="data.master_id")
    data["master_number"] = master.number


def after_action(rt, uow, order: WorkOrder, actor: Actor, transition, payload: dict) -> None:
    """Rows derived from the transition: 协办 tasks (for assisting units' inboxes)."""
    t = transition
    tasks = (t.data.get("assist") or []) if t.action == "dispatch" else \
        [t.data] if t.action == "add_assist" else []
    for task in tasks:
        # stored in UTC like every timestamp: SQLite keeps no offset and reads back as UTC, so
        # a +08:00 wall clock stored as-is came back 8 h late (23:59:59 -> 07:59:59 next day)
        uow.session.add(AssistTaskRow(order_id=order.id, unit=task["unit"], task=task["task"],
                                      due_at=datetime.fromisoformat(task["due"])
                                      .astimezone(timezone.utc),
                                      created_at=t.at, created_by=actor.username, inputs=0))
    if t.action in ("approve_return", "arbitrate") and \
            t.data.get("attributed_to") in ("agent", "category"):
        uow.dispatch_two15 = t     # evaluated once the transition is flushed (after_save)
    if t.action in ("arbitrate", "arbitrate_keep") and t.data.get("save_rule"):
        # the binding ruling is stored and reused as a routing rule (docs/design/domain.md §6.4)
        if not order.category:
            raise RuleViolation("工单无分类, 裁定不能保存为派单规则", field="data.save_rule")
        rule = RoutingRuleRow(category=order.category, town=t.data.get("rule_town") or
                              order.town or "*", lead=order.unit,
                              assist=list(order.assist_units), valid_from=t.at.date(),
                              order_id=order.id, note=t.reason, active=True, created_at=t.at,
                              created_by=actor.username)
        uow.session.add(rule)
        uow.session.flush()
        t.data["routing_rule_id"] = rule.id
        from hotline.dispatch.routing import RULINGS_KEY
        uow.after_commit(lambda: rt.forget(RULINGS_KEY))   # this process routes by it at once
    if t.action == "assist_input":
        row = uow.session.execute(select(AssistTaskRow).where(
            AssistTaskRow.order_id == order.id, AssistTaskRow.unit == actor.unit)).scalar_one()
        row.inputs += 1
        row.last_input_at = t.at
        if row.first_input_at is None:   # meets the task's clock (协办 on-time rate, issue 17)
            row.first_input_at = t.at


def after_save(rt, uow, order, row) -> None:
    """After the new transition is flushed: evaluate the "two 15%" rule when a return was
    just attributed to an agent or a category (in the same transaction, so a flagged agent is
    blocked from the very next intake)."""
    last = getattr(uow, "dispatch_two15", None)
    if last is None:
        return
    uow.dispatch_two15 = None
    from hotline.dispatch.two15 import evaluate_after_return
    evaluate_after_return(rt, uow, last)

