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
from hotline.dispatch.orm import AssistTaskRow
from hotline.workorders.domain.model import Actor, RuleViolation, WorkOrder
from hotline.workorders.domain.workflow import CLOSED_STATES

TZ = ZoneInfo("Asia/Shanghai")


def return_window_end(rt):
    """退单 window: default "until the end of the next working day" after dispatch
    (吕梁 1 工作日, docs/design/domain.md §6.2), in the city's working calendar (调休 included: dispatched
    Tue 2025-09-30 10:00 -> closes 2025-10-09 23:59:59 after the National Day holiday)."""
    return return_window(rt.config.sla_engine.calendar, rt.config.dispatch.window_working_days)


_UNIT_KEYS = ("unit", "suggested_unit")


def before_action(rt, uow, order: WorkOrder, actor: Actor, action: str, payload: dict,
                  at: datetime | None = None) -> None:
    """Validation and enrichment that need the database or configuration. `at`: when the
    action happens (the demo history replays the past); now by default."""
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
        _before_reply_due(rt, order, at or utcnow())
    if action == "approve_extension":
        _approval_within_request(rt, order, data)
    if action in ("link_repeat", "reopen_repeat"):   # issue 17
        _repeat_of(uow, order, action, data)


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


def _legal_reply_due(rt, order: WorkOrder, now: datetime):
    """The running legal reply deadline of the order at `now` (the SLA engine's, the one rule
    for every clock), or None when none runs."""
    running = [d for d in rt.config.sla_engine.deadlines(order, order.history, now)
               if d.clock == "reply" and d.target == "legal" and d.running_at(now)]
    return running[0].due if running else None


def _before_reply_due(rt, order: WorkOrder, now: datetime) -> None:
    """An extension is asked for before the legal reply deadline, not after it has passed
    (docs/design/domain.md §4.5: 延期 is requested in time; an overdue order is answered, not
    extended — issue 14 found a request 40 days after dispatch accepted)."""
    due = _legal_reply_due(rt, order, now)
    if due is not None and now > due:
        local = due.astimezone(TZ).strftime("%Y年%m月%d日 %H:%M")
        raise RuleViolation(f"答复期限 {local} 已过, 不能再申请延期, 请尽快答复",
                            field="days")


def _approval_within_request(rt, order: WorkOrder, data: dict) -> None:
    """The centre approves at most what the unit asked for, and the policy's caps hold for
    the approval as for the request (an approval for 60 days went through, issue 14)."""
    req = order.last("request_extension")
    asked = int((req.data or {}).get("days") or 0) if req else 0
    raw = data.get("days")
    try:
        days = int(raw) if raw not in (None, "") else asked
    except (TypeError, ValueError):
        raise RuleViolation("延期天数必须为正整数", field="days") from None
    if asked and days > asked:
        raise RuleViolation(f"批准天数不能超过申请的 {asked} 个工作日", field="days")
    _extension_within_policy(rt, order, {"days": days})
    data["days"] = days


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


def _repeat_of(uow, order: WorkOrder, action: str, data: dict) -> None:
    """重复诉求 (issue 17, Build 5): the unit and category a repeat counts against, kept on the
    transition (the repeat report reads them from the history): the earlier order's for a
    link, the reopened order's own for a reopening."""
    if action == "reopen_repeat":
        data["repeat_unit"], data["repeat_category"] = order.unit, order.category
        return
    try:
        earlier_id = int(data.get("earlier_id"))
    except (TypeError, ValueError):
        return   # the aggregate names the missing/invalid field
    earlier = uow.session.get(WorkOrderRow, earlier_id)
    if earlier is None or earlier_id == order.id:
        raise RuleViolation(f"原工单 {earlier_id} 不存在", field="data.earlier_id")
    data.update(earlier_number=earlier.number, repeat_unit=earlier.unit or earlier.first_unit,
                repeat_category=earlier.category)


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
    if t.action == "approve_extension":
        # tell the unit and the caller the new date: recorded on the approval itself
        due = _legal_reply_due(rt, order, t.at)
        if due is not None:
            t.data["new_due"] = due.astimezone(timezone.utc).isoformat()
    if t.action in ("approve_return", "arbitrate") and \
            t.data.get("attributed_to") in ("agent", "category"):
        uow.dispatch_two15 = t     # evaluated once the transition is flushed (after_save)
    if t.action in ("arbitrate", "arbitrate_keep") and t.data.get("save_rule"):
        # the binding ruling is stored and reused as a routing rule (docs/design/domain.md §6.4)
        if not order.category:
            raise RuleViolation("工单无分类, 裁定不能保存为派单规则", field="data.save_rule")
        from hotline.dispatch.routing import save_rule
        rule = save_rule(rt, uow, category=order.category,
                         town=t.data.get("rule_town") or order.town, lead=order.unit,
                         assist=order.assist_units, at=t.at, order_id=order.id, note=t.reason,
                         by=actor.username)
        t.data["routing_rule_id"] = rule.id
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

