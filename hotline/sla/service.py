"""SLA in the service layer: the next check time after every save, the explain view, and the
即将超时 / 已超时 lists (rules in hotline/sla, docs/sla.md).

After every save of an order (same transaction, an after-save hook wired in
core/bootstrap.py) the clocks are derived from the history and two things are stored: `work_orders.next_check_at` (indexed: the sweep
reads only rows whose check is due) and the order's row in `sla_order_state` (the worst
running clock), so the lists are one indexed query and use the same data as the sweep.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, true, update
from sqlalchemy.orm.attributes import set_committed_value

from hotline.core import hooks
from hotline.core.access import village_work_filter, visible_filter
from hotline.core.db import aware, utcnow
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.sla.domain.clocks import OWNER_ACTIONS, Deadline, SlaEngine
from hotline.sla.orm import SlaOrderStateRow, SlaWarningRow
from hotline.workorders import views
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import REOPEN_ACTIONS, Role

LADDER = ("urge", "supervise", "escalate_leader")
LADDER_ZH = {"urge": "催办", "supervise": "督办", "escalate_leader": "挂牌督办"}
CLOCK_ZH = {"dispatch": "派单", "sign": "签收", "contact": "联系市民", "onsite": "到达现场",
            "reply": "答复", "feedback": "首次反馈",
            # issue 17: the village's clocks (二级派单) and each 协办 task's clock
            "village_sign": "村（社区）签收", "village_report": "村（社区）上报", "assist": "协办"}
TARGET_ZH = {"legal": "法定时限", "pledge": "服务承诺", "assist": "协办期限"}
STATUS_ZH = {"ok": "正常", "warning": "即将超时", "overdue": "已超时"}
_RANK = {"ok": 0, "warning": 1, "overdue": 2}
TABS = {"due_soon": "warning", "overdue": "overdue"}


def engine(rt) -> SlaEngine:
    """The runtime's SLA engine (policy + calendar from its configuration)."""
    return rt.config.sla_engine


@dataclass
class Evaluation:
    deadlines: list[Deadline]
    next_check_at: datetime | None
    state: dict | None           # the sla_order_state values, None when no clock runs


def _utc(t: datetime | None) -> datetime | None:
    return t.astimezone(timezone.utc) if t is not None else None


def ladder_reached(history, at: datetime | None = None) -> str | None:
    """The highest ladder step (催办 < 督办 < 挂牌督办) recorded in the current handling period
    (since the latest dispatch / approved return / arbitration / reopen; docs/sla.md)."""
    start = None
    for t in history:
        if t.action in OWNER_ACTIONS | REOPEN_ACTIONS:
            start = t.at
    best = None
    for t in history:
        if (t.data or {}).get("clock") == "assist":
            continue   # a 协办 task's own ladder (issue 17), not the lead unit's
        if t.action in LADDER and (start is None or t.at >= start):
            if best is None or LADDER.index(t.action) > LADDER.index(best):
                best = t.action
    return best


def evaluate(order, now: datetime, eng: SlaEngine,
             deadlines: list[Deadline] | None = None, ladder: tuple | None = None
             ) -> Evaluation:
    """Deadlines, next check and SLA summary of one order at `now` (pure computation).
    `deadlines`: already derived at `now` (ladder records change no clock, so the sweep
    reuses the ones it derived before recording its steps, and `ladder`, from
    `eng.ladder(deadlines, ...)`, likewise)."""
    ds = deadlines if deadlines is not None else eng.deadlines(order, order.history, now)
    nxt = eng.next_check_at(order, order.history, now, deadlines=ds, ladder=ladder)
    # the lead unit's summary: 协办 tasks' clocks are the assisting units' own (issue 17; they
    # still drive next_check_at, warnings and their own ladder)
    running = [d for d in ds if d.running_at(now) and not d.paused_since
               and d.target != "assist"]
    if not running:
        return Evaluation(ds, nxt, None)
    scored = sorted(((_RANK[eng.status_at(d, now)], d) for d in running),
                    key=lambda x: (-x[0], x[1].due))
    rank, worst = scored[0]
    status = next(k for k, v in _RANK.items() if v == rank)
    state = {"unit": order.unit, "status": status, "clock": worst.clock,
             "target": worst.target, "due": _utc(worst.due),
             "overdue_since": _utc(worst.overdue_at) if status == "overdue" else None,
             "ladder": ladder_reached(order.history),
             "provisional": any(d.provisional for d in running)}
    return Evaluation(ds, nxt, state)


def refresh(eng: SlaEngine, uow, order, row: WorkOrderRow, now: datetime,
            ev: Evaluation | None = None, bump_version: bool = False) -> Evaluation:
    """Store next_check_at and the SLA state of `order` in the current transaction.

    `bump_version=False` (after a save, which already bumped the version) writes the column
    with a plain UPDATE so one action is one version; the sweep passes True when it recorded
    only warnings, so an overlapping writer still loses on the version column."""
    ev = ev or evaluate(order, now, eng)
    nxt = _utc(ev.next_check_at)
    new = hooks.is_new(row)
    if bump_version or new:   # a new row: the column goes into its INSERT
        row.next_check_at = nxt
    elif aware(row.next_check_at) != nxt:
        uow.session.execute(update(WorkOrderRow).where(WorkOrderRow.id == row.id)
                            .values(next_check_at=nxt)
                            .execution_options(synchronize_session=False))
        set_committed_value(row, "next_check_at", nxt)
    st = None if new else uow.session.get(SlaOrderStateRow, row.id)
    if ev.state is None:
        if st is not None:
            uow.session.delete(st)
    else:
        if st is None:
            st = SlaOrderStateRow(order_id=row.id)
            uow.session.add(st)
        for k, v in ev.state.items():
            setattr(st, k, v)
        st.updated_at = utcnow()
    return ev


def after_save(rt, uow, order, row) -> None:
    """After-save hook (wired in core/bootstrap.py)."""
    # The sweep pins its tick time on the unit of work so the stored next check agrees with
    # the instant it recorded steps at; everything else uses the wall clock.
    refresh(engine(rt), uow, order, row, getattr(uow, "sla_now", None) or utcnow())



# ------------------------------------------------------------------ read side

def clock_view(eng: SlaEngine, clock: str, target: str, status: str, due: datetime,
               now: datetime, natural: bool) -> dict:
    """A running clock as lists and the order page show it: which clock, its state, and the
    time left in working time from the engine's calendar (docs/design/ux.md §2); the pages
    format `time_left` with one helper (Hotline.timeLeft)."""
    return {"clock": clock, "clock_label": CLOCK_ZH.get(clock, clock), "target": target,
            "target_label": TARGET_ZH.get(target, target), "status": status,
            "status_label": STATUS_ZH[status], "due": views.iso(due),
            "time_left": eng.time_left(due, now, natural).as_dict()}


# the sla_order_state columns a list joins to its rows for `stored_clock_view` (the inbox:
# the page's clocks in the page's own statement, one round trip less per poll)
CLOCK_COLUMNS = (SlaOrderStateRow.clock.label("sla_clock"),
                 SlaOrderStateRow.target.label("sla_target"),
                 SlaOrderStateRow.status.label("sla_status"),
                 SlaOrderStateRow.due.label("sla_due"))


def stored_clock_view(rt, r, now: datetime) -> dict | None:
    """clock_view of an order's stored worst running clock from a row holding CLOCK_COLUMNS
    and the order's urgency (None: no running clock)."""
    if r["sla_clock"] is None:
        return None
    eng = engine(rt)
    due = aware(r["sla_due"])
    status = "overdue" if now > due else r["sla_status"]
    return clock_view(eng, r["sla_clock"], r["sla_target"], status, due, now,
                      eng.clock_is_natural(r["sla_clock"], r["sla_target"], r["urgency"]))


def deadline_view(eng: SlaEngine, d: Deadline, now: datetime) -> dict:
    status = eng.status_at(d, now)
    running = d.running_at(now) and not d.paused_since
    return {
        "natural": d.natural,
        "time_left": eng.time_left(d.due, now, d.natural).as_dict() if running else None,
        "clock": d.clock, "clock_label": CLOCK_ZH.get(d.clock, d.clock),
        "target": d.target, "target_label": TARGET_ZH.get(d.target, d.target),
        "due": views.iso(d.due), "status": status, "status_label": STATUS_ZH[status],
        "provisional": d.provisional, "started_at": views.iso(d.started_at),
        "met_at": views.iso(d.met_at), "ended_at": views.iso(d.ended_at),
        "running": d.running_at(now), "owner": d.owner,
        "paused_seconds": d.paused_seconds, "paused_since": views.iso(d.paused_since),
        "extended_from": views.iso(d.extended_from), "reason": d.reason,
        "explain": list(d.explain) + (["⚠ 跨入尚无节假日数据的年份，按周一至周五暂定，"
                                       "数据发布后重算"] if d.provisional else []),
        "warnings": [{"label": lb, "at": views.iso(at)} for lb, at in eng.warning_instants(d)],
    }


def order_deadlines(rt, actor: Actor, order_id: int, now: datetime | None = None) -> dict:
    """Every deadline of the order with its clock, target, due, status and why (item 6)."""
    from hotline.core.access import visible
    from hotline.workorders.commands import NotFound
    now = now or utcnow()
    eng = engine(rt)
    with rt.uow() as uow:
        order = uow.orders.get(order_id)
        if order is None or not visible(uow.orders.row(order_id), actor):
            raise NotFound("工单不存在")
        row = uow.orders.row(order_id)
        ev = evaluate(order, now, eng)
        warned = uow.session.execute(select(SlaWarningRow).where(
            SlaWarningRow.order_id == order_id).order_by(SlaWarningRow.id)).scalars().all()
        steps = [{"action": t.action, "label": LADDER_ZH[t.action], "at": views.iso(t.at),
                  "actor": t.actor, "auto": bool((t.data or {}).get("auto")),
                  "clock": (t.data or {}).get("clock"), "reason": t.reason}
                 for t in order.history if t.action in LADDER]
        return {
            "order_id": order.id, "number": order.number, "now": views.iso(now),
            "next_check_at": views.iso(row.next_check_at),
            "status": (ev.state or {}).get("status"),
            "status_label": STATUS_ZH.get((ev.state or {}).get("status")),
            "deadlines": [deadline_view(eng, d, now) for d in ev.deadlines],
            "escalations": steps,
            "warnings": [{"clock": w.clock, "target": w.target, "label": w.label,
                          "at": views.iso(w.warn_at), "due": views.iso(w.due)} for w in warned],
        }


def _item(rt, st: SlaOrderStateRow, o: WorkOrderRow) -> dict:
    units = rt.city.units
    return {"id": o.id, "number": o.number, "title": o.title, "status": o.status,
            "unit": st.unit, "unit_name": units[st.unit].name if st.unit in units else "中心派单",
            "urgency": o.urgency, "rapid_item": o.rapid_item, "category": o.category,
            "sla_status": st.status, "sla_status_label": STATUS_ZH[st.status],
            "clock": st.clock, "clock_label": CLOCK_ZH.get(st.clock, st.clock),
            "target": st.target, "target_label": TARGET_ZH.get(st.target, st.target),
            "due": views.iso(st.due), "overdue_since": views.iso(st.overdue_since),
            "ladder": st.ladder, "ladder_label": LADDER_ZH.get(st.ladder),
            "provisional": st.provisional,
            "time_left": engine(rt).time_left(
                aware(st.due), utcnow(),
                engine(rt).clock_is_natural(st.clock, st.target, o.urgency)).as_dict()}


def sla_list(rt, actor: Actor, tab: str, unit: str | None = None, page: int = 1,
             per_page: int = 50) -> dict:
    """即将超时 (tab due_soon) / 已超时 (tab overdue) orders; a department user sees only its
    own unit (other units' orders are not visible to it: docs/design/domain.md §3.7)."""
    if actor.role == Role.DEPARTMENT:
        unit = actor.unit
    # whose lists: a unit's own orders (the SLA state's unit is the owner); a village's orders
    # are owned by its town (首派责任制 stays with the town), so a village's lists are the
    # orders its town passed to it (二级派单, docs/design/domain.md §6.8)
    village = bool(unit) and rt.city.is_village(unit)
    if village:
        scope = village_work_filter(actor) if actor.role == Role.DEPARTMENT else \
            WorkOrderRow.village == unit
    else:
        scope = SlaOrderStateRow.unit == unit if unit else true()
    status = TABS[tab]
    with rt.uow() as uow:
        def base(st):
            q = select(SlaOrderStateRow)
            if village:   # otherwise the counts read the SLA state's index alone
                q = q.join(WorkOrderRow, WorkOrderRow.id == SlaOrderStateRow.order_id)
            return q.where(SlaOrderStateRow.status == st, scope)
        counts = {t: uow.session.execute(select(func.count()).select_from(
            base(s).subquery())).scalar_one() for t, s in TABS.items()}
        q = (select(SlaOrderStateRow, WorkOrderRow)
             .join(WorkOrderRow, WorkOrderRow.id == SlaOrderStateRow.order_id)
             .where(SlaOrderStateRow.status == status, scope)
             .where(visible_filter(actor)))
        q = q.order_by(SlaOrderStateRow.due, SlaOrderStateRow.order_id) \
             .limit(per_page).offset((page - 1) * per_page)
        items = [_item(rt, st, o) for st, o in uow.session.execute(q).all()]
    return {"tab": tab, "unit": unit, "items": items, "total": counts[tab], "counts": counts,
            "page": page, "per_page": per_page}


def by_unit(rt, actor: Actor) -> dict:
    """Counts of due-soon and overdue orders per unit, worst first (supervisor page)."""
    units = rt.city.units
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(SlaOrderStateRow.unit, SlaOrderStateRow.status, func.count())
            .where(SlaOrderStateRow.status.in_(list(TABS.values())))
            .group_by(SlaOrderStateRow.unit, SlaOrderStateRow.status)).all()
    agg: dict = {}
    for unit, status, n in rows:
        a = agg.setdefault(unit, {"unit": unit, "unit_name": units[unit].name
                                  if unit in units else "中心派单", "due_soon": 0,
                                  "overdue": 0})
        a["due_soon" if status == "warning" else "overdue"] += n
    items = sorted(agg.values(), key=lambda a: (-a["overdue"], -a["due_soon"], a["unit"] or ""))
    return {"items": items, "total": len(items)}


def recorded_steps(rt, order_id: int) -> list[tuple[str, bool]]:
    """(action, auto) of the ladder records of an order (tests and reports)."""
    with rt.uow() as uow:
        return [(a, bool((d or {}).get("auto"))) for a, d in uow.session.execute(
            select(TransitionRow.action, TransitionRow.data)
            .where(TransitionRow.order_id == order_id, TransitionRow.action.in_(LADDER))
            .order_by(TransitionRow.seq)).all()]
