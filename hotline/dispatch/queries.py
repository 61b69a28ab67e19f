"""Read side of dispatch: the dispatcher queue (with its own clock), review queues, the
supervisor's arbitration queue, the department inbox and an order's co-handling facts."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from hotline.core.access import owned_filter, village_work_filter, visible
from hotline.core.db import AGGREGATE_COLUMNS, aware, row_to_dict, utcnow
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.dispatch.orm import AssistTaskRow
from hotline.workorders import views
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import CLOSED_STATES, Role, Status

LIMIT = 500
# What a list item shows (views.order_view brief=True), read as plain rows: building 50 ORM
# objects with every column (suggestions JSON, query code...) cost more than the query on the
# inbox, the page a unit polls most (docs/design/architecture.md §9.3).
# The aggregate's columns come from the one mapper (core.db).
BRIEF_COLUMNS = tuple(WorkOrderRow.__table__.c[n]
                      for n in AGGREGATE_COLUMNS + ("created_by", "version"))


def _history(session, ids) -> dict[int, list[TransitionRow]]:
    out: dict[int, list] = defaultdict(list)
    if ids:
        for t in session.execute(select(TransitionRow).where(TransitionRow.order_id.in_(ids))
                                 .order_by(TransitionRow.order_id, TransitionRow.seq)).scalars():
            out[t.order_id].append(t)
    return out


def _returns(hist) -> list:
    return [t for t in hist if t.action == "request_return"]


def dispatch_due(engine, row, hist, now: datetime | None = None):
    """The dispatcher queue's clock, from the SLA engine (docs/design/domain.md §4.4: received
    before 12:00 on a working day -> same day, else by 12:00 of the next working day;
    urgent/critical within 5 minutes, 24x7). `engine`: the runtime's (rt.config.sla_engine)."""
    facts = {"received_at": aware(row.received_at), "appeal_type": row.appeal_type,
             "urgency": row.urgency, "rapid_item": row.rapid_item}
    events = [{"action": t.action, "at": aware(t.at), "data": t.data or {}} for t in hist]
    for d in engine.deadlines(facts, events, now):
        if d.clock == "dispatch":
            return d
    return None


def dispatch_queue(rt, actor: Actor, now: datetime | None = None) -> dict:
    """待派单: orders the classifier was unsure of, earliest dispatch deadline first."""
    _centre(actor)
    now = now or utcnow()
    with rt.uow() as uow:
        rows = uow.session.execute(select(WorkOrderRow).where(
            WorkOrderRow.status == Status.PENDING_DISPATCH).order_by(WorkOrderRow.id)
            .limit(LIMIT)).scalars().all()
        hist = _history(uow.session, [r.id for r in rows])
        items = []
        for r in rows:
            v = views.order_view(rt, row_to_dict(r), actor, brief=True)
            v["suggestions"] = r.suggestions
            d = dispatch_due(rt.config.sla_engine, r, hist[r.id], now)
            v["dispatch_due"] = views.iso(d.due) if d else None
            v["dispatch_rule"] = d.reason if d else None
            v["dispatch_overdue"] = bool(d and now > d.due)
            # time left in working time, from the SLA engine (docs/design/ux.md §2)
            v["time_left"] = rt.config.sla_engine.time_left(d.due, now, d.natural).as_dict() \
                if d else None
            v["queue_reason"] = queue_reason(hist[r.id])
            items.append(v)
    items.sort(key=lambda v: v["dispatch_due"] or "9999")
    _log_reads(rt, actor, items)
    return {"items": items, "total": len(items)}


QUEUE_WHY = {"no_model": "未发布分类模型，需人工分派",
             "classifier_abstained": "分类器无把握，需人工分派",
             "vague": "诉求内容不明确，需人工判断",
             "emergency": "紧急警情，须立即转紧急热线",
             "rapid_no_town": "快速响应事项，未能确定所在镇街",
             "emergency_waived": "话务员判断不是紧急警情，需人工分派"}


def queue_reason(hist) -> str | None:
    """Why the order waits in the queue, in Chinese: the triage's reasons recorded on the
    `queue` transition (issue 14, Build 1), else the label of its reason code."""
    q = next((t for t in reversed(hist) if t.action == "queue"), None)
    if q is None:
        return None
    data = q.data or {}
    reasons = [x for x in data.get("reasons") or [] if isinstance(x, str) and x]
    return "；".join(reasons) if reasons else QUEUE_WHY.get(data.get("why"))


def _log_reads(rt, actor: Actor, items, kind: str = "list", uow=None) -> None:
    """PIPL access log (个人信息保护法; privacy/service.py): queues and the inbox show callers'
    names and (masked for departments) phones, so their reads are logged like the order list's."""
    from hotline.privacy import service as privacy
    privacy.record_access(rt, actor, kind, [it["id"] for it in items], uow=uow)


REVIEW_KINDS = {"returns": Status.RETURN_REQUESTED, "replies": Status.REPLIED,
                "extensions": Status.EXTENSION_REQUESTED,
                "suspensions": Status.SUSPENSION_REQUESTED}
_REQUEST = {"returns": "request_return", "replies": "reply", "extensions": "request_extension",
            "suspensions": "request_suspension"}


def _centre(actor: Actor) -> None:
    if actor.role not in (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, Role.LEADER):
        raise NotPermitted("只有派单员或督办人员可以查看此队列")


def review_queue(rt, actor: Actor, kind: str) -> dict:
    """Dispatcher review queues. A FIRST return is the dispatcher's; a second one is in the
    arbitration queue only (docs/design/domain.md §6.4)."""
    _centre(actor)
    if kind not in REVIEW_KINDS:
        raise RuleViolation(f"未知审核类型 {kind}, 可选: {', '.join(REVIEW_KINDS)}", field="kind")
    return _requests(rt, actor, REVIEW_KINDS[kind], _REQUEST[kind],
                     (lambda n: n < 2) if kind == "returns" else (lambda n: True))


def arbitration_queue(rt, actor: Actor) -> dict:
    """裁定: orders returned a second time (by any unit), for supervisors."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN, Role.LEADER):
        raise NotPermitted("只有督办人员可以查看裁定队列")
    return _requests(rt, actor, Status.RETURN_REQUESTED, "request_return", lambda n: n >= 2)


def _requests(rt, actor, status, request_action, keep) -> dict:
    with rt.uow() as uow:
        rows = uow.session.execute(select(WorkOrderRow).where(WorkOrderRow.status == status)
                                   .order_by(WorkOrderRow.id).limit(LIMIT)).scalars().all()
        hist = _history(uow.session, [r.id for r in rows])
        items = []
        for r in rows:
            h = hist[r.id]
            if not keep(len(_returns(h))):
                continue
            v = views.order_view(rt, row_to_dict(r), actor, brief=True)
            req = next((t for t in reversed(h) if t.action == request_action), None)
            v["request"] = views.transition_view(req) if req else None
            v["returns"] = [views.transition_view(t) for t in _returns(h)]
            items.append(v)
    _log_reads(rt, actor, items)
    return {"items": items, "total": len(items)}


# ---- the department inbox (tabs; the SLA issue adds 即将超时 / 已超时 by appending here) ----

def _sent_back(h) -> bool:
    last = next((t for t in reversed(h) if t.action in ("reply", "send_back")), None)
    return last is not None and last.action == "send_back"


# key -> (label, statuses, predicate on the history or None). Order = tab order on the page.
INBOX_TABS: dict[str, tuple] = {
    "to_sign": ("待签收", (Status.DISPATCHED, Status.REOPENED), None),
    "in_progress": ("办理中", (Status.SIGNED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED,
                            Status.SUSPENSION_REQUESTED, Status.SUSPENDED),
                    lambda h: not _sent_back(h)),
    "return_pending": ("退单审核中", (Status.RETURN_REQUESTED,), None),
    "sent_back": ("被回退", (Status.IN_PROGRESS,), _sent_back),
}


def tab_of(status: str | None, sent_back: bool) -> str | None:
    """The inbox tab an order the unit leads is in (None: in no tab), the same rule as
    `_tab_filter`; the per-unit counters (dispatch/counters.py) count by it."""
    for key, (_, statuses, pred) in INBOX_TABS.items():
        if status in {str(x) for x in statuses} and bool(sent_back) == (pred is _sent_back):
            return key
    return None


# --- 二级派单 (issue 17; docs/design/domain.md §6.8): a town's orders in its villages' hands, and
# a village's own tabs (its inbox holds only what its town passed to it)
TOWN_VILLAGE_TABS: dict[str, tuple] = {
    "at_village": ("村（社区）办理中", (Status.VILLAGE_DISPATCHED, Status.VILLAGE_SIGNED), None),
    "village_reported": ("村（社区）上报待审核", (Status.VILLAGE_REPORTED,), None),
}
VILLAGE_TABS: dict[str, tuple] = {
    "to_sign": ("待签收", (Status.VILLAGE_DISPATCHED,), None),
    "in_progress": ("办理中", (Status.VILLAGE_SIGNED,), None),
    "reported": ("已上报待审核", (Status.VILLAGE_REPORTED,), None),
}


def _tabs_for(rt, actor: Actor) -> dict[str, tuple]:
    if rt.city.is_village(actor.unit):
        return VILLAGE_TABS
    if rt.city.villages_of(actor.unit):     # a town with villages to pass orders to
        return {**INBOX_TABS, **TOWN_VILLAGE_TABS}
    return INBOX_TABS
# --- end 二级派单 ---


def _tab_filter(key: str, tabs: dict[str, tuple] = INBOX_TABS):
    """SQL for one inbox tab: its statuses and the stored 被回退 flag, so every tab is a
    range of the (unit, status, sent_back, id) index."""
    _, statuses, pred = tabs[key]
    return (WorkOrderRow.status.in_([str(x) for x in statuses])
            & (WorkOrderRow.sent_back == (pred is _sent_back)))


def inbox(rt, actor: Actor, tab: str = "to_sign", page: int = 1, per_page: int = 50) -> dict:
    """One tab of the unit's inbox (a page of it) plus the count of every tab, and the unit's
    协办 tasks. Counting and filtering happen in SQL on the (unit, status, id) index, so the
    cost follows the unit's open orders, not the whole table (inbox p99 on 1 M orders)."""
    from hotline.dispatch import counters
    if actor.role != Role.DEPARTMENT or not actor.unit:
        raise NotPermitted("收件箱仅供承办单位使用")
    tabs = _tabs_for(rt, actor)
    if tab not in tabs and tab != "assist":
        raise RuleViolation(f"未知标签 {tab}", field="tab")
    # the tabs hold the orders the unit leads (a village: those its town passed to it)
    mine = village_work_filter(actor) if tabs is VILLAGE_TABS else owned_filter(actor)
    with rt.uow() as uow:
        # the tab counts of a unit's own inbox are its counters, kept in step by every save of
        # an order (dispatch/counters.py; issue 15, Build 4): a few primary-key rows, not a
        # count. The 二级派单 tabs (a town's orders at its villages, a village's own) are
        # counted by one GROUP BY on the (unit, status, sent_back, id) index (issue 17).
        stored = counters.counts(uow.session, actor.unit) if tabs is not VILLAGE_TABS else {}
        extra = {k: v for k, v in tabs.items() if k not in INBOX_TABS or tabs is VILLAGE_TABS}
        by_key = {(st, bool(sb)): n for st, sb, n in uow.session.execute(
            select(WorkOrderRow.status, WorkOrderRow.sent_back, func.count()).where(mine)
            .where(WorkOrderRow.status.in_(sorted({str(x) for _, ss, _ in extra.values()
                                                   for x in ss})))
            .group_by(WorkOrderRow.status, WorkOrderRow.sent_back)).all()} if extra else {}
        counts, items = {}, []
        for key, (_, ss, pred) in tabs.items():
            counts[key] = (sum(by_key.get((str(x), pred is _sent_back), 0) for x in ss)
                           if key in extra else stored.get(key, 0))
        # ---- issue 15 (workspace): each item's running clock with its time left, read in
        # the page's own statement (its sla_order_state row, docs/design/ux.md §2)
        from hotline.sla.orm import SlaOrderStateRow
        from hotline.sla.service import CLOCK_COLUMNS, stored_clock_view
        now = utcnow()
        if tab in tabs:
            rows = uow.session.execute(
                select(*BRIEF_COLUMNS, *CLOCK_COLUMNS).outerjoin(
                    SlaOrderStateRow, SlaOrderStateRow.order_id == WorkOrderRow.id)
                .where(mine, _tab_filter(tab, tabs))
                # rapid-response orders first (issue 15, docs/design/ux.md §2)
                .order_by(WorkOrderRow.rapid_item.is_(None), WorkOrderRow.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)).all()
            items = [dict(views.order_view(rt, r._mapping, actor, brief=True),
                          sla=stored_clock_view(rt, r._mapping, now)) for r in rows]
        # 协办 lists work still to do: a closed order (办结, 并单, ...) leaves the tab
        tasks = uow.session.execute(select(AssistTaskRow, *BRIEF_COLUMNS, *CLOCK_COLUMNS).join(
            WorkOrderRow, WorkOrderRow.id == AssistTaskRow.order_id).outerjoin(
            SlaOrderStateRow, SlaOrderStateRow.order_id == WorkOrderRow.id).where(
            AssistTaskRow.unit == actor.unit,
            WorkOrderRow.status.not_in(sorted(str(x) for x in CLOSED_STATES)))
            .order_by(AssistTaskRow.due_at).limit(LIMIT)).all()
        counts["assist"] = len(tasks)
        if tab == "assist":     # the other tabs only count the unit's 协办 tasks
            items = [dict(views.order_view(rt, r._mapping, actor, brief=True),
                          assist_task=task_view(r[0]),
                          sla=stored_clock_view(rt, r._mapping, now)) for r in tasks]
        # the read and its access-log rows in one transaction: one commit per inbox request
        _log_reads(rt, actor, items, "inbox", uow)
        uow.commit()
    items.sort(key=lambda it: not it.get("rapid_item"))   # stable: keeps the id order
    total = counts.get(tab, len(items))
    return {"tab": tab, "items": items, "total": total, "page": page, "per_page": per_page,
            "counts": counts,
            "tabs": [{"key": k, "label": v[0]} for k, v in tabs.items()]
            + [{"key": "assist", "label": "协办"}]}


def task_view(t: AssistTaskRow) -> dict:
    return {"unit": t.unit, "task": t.task, "due": views.iso(t.due_at), "inputs": t.inputs,
            "last_input_at": views.iso(t.last_input_at), "created_by": t.created_by}


def order_dispatch_facts(rt, actor: Actor, order_id: int) -> dict:
    """Co-handling tasks with the assistants' inputs (visible to the lead), merged orders,
    and the return requests of one order."""
    with rt.uow() as uow:
        row = uow.session.get(WorkOrderRow, order_id)
        if row is None or not visible(row, actor):
            raise NotFound("工单不存在")
        h = _history(uow.session, [order_id])[order_id]
        tasks = uow.session.execute(select(AssistTaskRow).where(
            AssistTaskRow.order_id == order_id).order_by(AssistTaskRow.id)).scalars().all()
        inputs = [t for t in h if t.action == "assist_input"]
        children = uow.session.execute(select(WorkOrderRow.id, WorkOrderRow.number).where(
            WorkOrderRow.master_id == order_id)).all()
        master = uow.session.get(WorkOrderRow, row.master_id) if row.master_id else None
        own_assist = actor.role == Role.DEPARTMENT and actor.unit != row.unit
        return {
            "order_id": order_id, "lead_unit": row.unit, "first_unit": row.first_unit,
            "assist_tasks": [dict(task_view(t), inputs_detail=[
                {"at": views.iso(i.at), "by": i.actor, "input": (i.data or {}).get("input")}
                for i in inputs if i.unit == t.unit]) for t in tasks
                if not own_assist or t.unit == actor.unit],
            "merged_orders": [{"id": i, "number": n} for i, n in children],
            "master": {"id": master.id, "number": master.number} if master else None,
            "returns": [views.transition_view(t) for t in _returns(h)],
            "returns_requested": len(_returns(h)),
        }
