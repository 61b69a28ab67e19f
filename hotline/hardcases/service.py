"""Hard-case use cases (issue 17, Build 4): proposals (an after-save hook), the supervisors'
flag with a leader and a coordination deadline (挂牌督办: the order's `escalate_leader`
transition when its status allows), progress notes, resolution and the monthly count."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from hotline.core.db import aware, utcnow
from hotline.core.events import HardCaseProposed
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.workorders import views
from hotline.workorders.commands import NotFound, save_steps, step
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import REOPEN_ACTIONS, STATUS_LABELS, Role, rule_for

from .domain.criteria import REASONS, Thresholds, monthly, proposal_reasons
from .domain.criteria import STATUS_LABELS as CASE_LABELS
from .orm import HardCaseNoteRow, HardCaseRow

READERS = (Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN)
# the actions after which an order (or the order it repeats) may have become a hard case
_WATCHED = REOPEN_ACTIONS | {"request_return", "merge", "link_repeat"}


def _thresholds(rt) -> Thresholds:
    c = rt.config.cases["hardcases"]
    return Thresholds(c["reopen_count"], c["return_count"], c["repeat_callers"])


def repeat_callers(uow, order_id: int) -> int:
    """Callers whose own appeal joined this order: merged (并单) or linked as a repeat."""
    merged = uow.session.execute(select(func.count()).select_from(WorkOrderRow).where(
        WorkOrderRow.master_id == order_id)).scalar_one()
    linked = uow.session.execute(select(func.count()).select_from(TransitionRow).where(
        TransitionRow.action == "link_repeat",
        TransitionRow.data["earlier_id"].as_integer() == order_id)).scalar_one()
    return merged + linked


def after_save(rt, uow, order, row) -> None:
    """After-save hook (core/bootstrap.py): propose the order, or the order it joined, when it
    meets a criterion (config/cases.yaml `hardcases`). In the same transaction, so the
    proposal exists exactly when the action that caused it does."""
    if not order.history or order.history[-1].action not in _WATCHED:
        return
    t = order.history[-1]
    if t.action in ("merge", "link_repeat"):
        target = t.data.get("master_id") or t.data.get("earlier_id")
        if target:
            _consider(rt, uow, int(target), t.at)
        return
    _consider(rt, uow, order.id, t.at, order)


def _consider(rt, uow, order_id: int, at: datetime, order=None) -> None:
    if order is None:
        order = uow.orders.get(order_id)
        if order is None:
            return
    reopens = sum(1 for t in order.history if t.action in REOPEN_ACTIONS)
    returns = order.returns_requested()
    reasons = proposal_reasons(reopens, returns, repeat_callers(uow, order_id), _thresholds(rt))
    if reasons:
        propose(uow, order_id, reasons, at)


def propose(uow, order_id: int, reasons: list[str], at: datetime) -> HardCaseRow | None:
    case = _case_of(uow, order_id)
    if case is not None:
        if case.status in ("proposed", "open"):   # the list shows every reason met
            new = [r for r in reasons if r not in (case.reasons or [])]
            if new:
                case.reasons = list(case.reasons or []) + new
        return None   # a dismissed or resolved case is not proposed again automatically
    case = HardCaseRow(order_id=order_id, status="proposed", source="auto",
                       reasons=list(reasons), city_level=False, proposed_at=at)
    uow.session.add(case)
    uow.session.flush()
    uow.session.add(HardCaseNoteRow(case_id=case.id, kind="proposed", author="system", at=at,
                                    body="系统建议列入疑难工单: " +
                                    "、".join(REASONS[r] for r in reasons)))
    uow.emit(HardCaseProposed(case_id=case.id, order_id=order_id))
    return case


def _case_of(uow, order_id: int) -> HardCaseRow | None:
    return uow.session.execute(select(HardCaseRow).where(
        HardCaseRow.order_id == order_id)).scalar_one_or_none()


def _supervisor(actor: Actor) -> None:
    if actor.role != Role.SUPERVISOR:
        raise NotPermitted("只有督办人员可以操作疑难工单")


def flag(rt, actor: Actor, order_id: int, leader: str, coordination_due: datetime,
         note: str | None = None, escalate: bool = True, now: datetime | None = None) -> dict:
    """List the order as a hard case (or accept a proposal): a leader, a coordination deadline;
    挂牌督办 on the order when its status allows."""
    _supervisor(actor)
    now = now or utcnow()
    if not (leader or "").strip():
        raise RuleViolation("须指定牵头领导", field="leader")
    if coordination_due <= now:
        raise RuleViolation("协调期限须晚于当前时间", field="coordination_due")
    with rt.uow() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("工单不存在")
        case = _case_of(uow, order_id)
        if case is not None and case.status in ("open", "resolved"):
            raise RuleViolation("该工单已是疑难工单", field="order_id")
        if case is None:
            case = HardCaseRow(order_id=order_id, source="supervisor", reasons=["supervisor"],
                               proposed_at=now)
            uow.session.add(case)
        case.status, case.leader = "open", leader.strip()
        case.coordination_due = coordination_due.astimezone(timezone.utc)
        case.opened_at, case.opened_by, case.city_level = now, actor.username, True
        case.closed_at = case.closed_by = None
        uow.session.flush()
        uow.session.add(HardCaseNoteRow(
            case_id=case.id, kind="opened", author=actor.username, at=now,
            body=f"列入疑难工单, 牵头领导 {case.leader}, 协调期限 "
                 f"{views.to_local(coordination_due):%Y-%m-%d %H:%M}" +
                 (f"; {note.strip()}" if (note or "").strip() else "")))
        if escalate and rule_for(order.status, "escalate_leader") is not None:
            known = len(order.history)
            t = step(rt, uow, order, actor, "escalate_leader",
                     {"reason": f"疑难工单挂牌督办 (牵头领导 {case.leader})", "data": {}}, now)
            save_steps(rt, uow, order, known, [t])
        uow.commit()
        cid = case.id
    return get(rt, actor, cid)


def _load(uow, case_id: int) -> HardCaseRow:
    case = uow.session.get(HardCaseRow, case_id)
    if case is None:
        raise NotFound("疑难工单不存在")
    return case


def add_note(rt, actor: Actor, case_id: int, body: str, now: datetime | None = None) -> dict:
    if actor.role not in (Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER):
        raise NotPermitted("只有督办人员、领导或派单员可以记录进展")
    if not (body or "").strip():
        raise RuleViolation("进展内容不能为空", field="body")
    with rt.uow() as uow:
        case = _load(uow, case_id)
        if case.status != "open":
            raise RuleViolation("只有跟踪中的疑难工单可以记录进展", field="body")
        uow.session.add(HardCaseNoteRow(case_id=case.id, kind="progress", body=body.strip(),
                                        author=actor.username, at=now or utcnow()))
        uow.commit()
    return get(rt, actor, case_id)


def close(rt, actor: Actor, case_id: int, outcome: str, body: str, city_level: bool = True,
          now: datetime | None = None) -> dict:
    """`resolved` (已化解: counts in the monthly figure) or `dismissed` (不予列入)."""
    _supervisor(actor)
    if not (body or "").strip():
        raise RuleViolation("须写明化解情况或不予列入的理由", field="body")
    now = now or utcnow()
    with rt.uow() as uow:
        case = _load(uow, case_id)
        allowed = ("open",) if outcome == "resolved" else ("proposed", "open")
        if case.status not in allowed:
            raise RuleViolation(f"当前状态为「{CASE_LABELS[case.status]}」, 不能执行此操作",
                                field="outcome")
        case.status, case.closed_at, case.closed_by = outcome, now, actor.username
        if outcome == "resolved":
            case.city_level = bool(city_level)
        uow.session.add(HardCaseNoteRow(case_id=case.id, kind=outcome, body=body.strip(),
                                        author=actor.username, at=now))
        uow.commit()
    return get(rt, actor, case_id)


def get(rt, actor: Actor, case_id: int) -> dict:
    with rt.uow() as uow:
        return _view(rt, uow, _load(uow, case_id))


def list_cases(rt, actor: Actor, status: str | None = None) -> dict:
    with rt.uow() as uow:
        q = select(HardCaseRow).order_by(HardCaseRow.id.desc()).limit(500)
        if status:
            q = q.where(HardCaseRow.status == status)
        items = [_view(rt, uow, c) for c in uow.session.execute(q).scalars()]
    return {"items": items, "total": len(items)}


def _view(rt, uow, c: HardCaseRow) -> dict:
    order = uow.orders.get_row(c.order_id)
    notes = uow.session.execute(select(HardCaseNoteRow).where(
        HardCaseNoteRow.case_id == c.id).order_by(HardCaseNoteRow.id)).scalars().all()
    due = aware(c.coordination_due)
    unit = rt.city.units.get(order.unit) if order.unit else None
    return {"id": c.id, "order_id": c.order_id, "order_number": order.number,
            "title": order.title or (order.content or "")[:40],
            "order_status_label": STATUS_LABELS.get(order.status, ""),
            "unit_name": unit.name if unit else "",
            "status": c.status, "status_label": CASE_LABELS[c.status], "source": c.source,
            "reasons": list(c.reasons or []),
            "reason_labels": [REASONS.get(r, "其他") for r in c.reasons or []],
            "leader": c.leader, "coordination_due": views.iso(due),
            "overdue": c.status == "open" and due is not None and utcnow() > due,
            "city_level": c.city_level, "proposed_at": views.iso(aware(c.proposed_at)),
            "opened_at": views.iso(aware(c.opened_at)),
            "closed_at": views.iso(aware(c.closed_at)),
            "notes": [{"kind": n.kind, "body": n.body, "author": n.author,
                       "at": views.iso(aware(n.at))} for n in notes]}


def monthly_report(rt, year: int) -> dict:
    with rt.uow() as uow:
        rows = uow.session.execute(select(HardCaseRow.closed_at, HardCaseRow.city_level).where(
            HardCaseRow.status == "resolved")).all()
    days = [(views.to_local(aware(at)).date(), city) for at, city in rows if at is not None]
    months = monthly(days, year)
    total = sum(m["resolved"] for m in months)
    city_total = sum(m["city_level"] for m in months)
    target = rt.config.cases["hardcases"]["yearly_target"]
    return {"year": year, "months": months, "resolved": total, "city_level": city_total,
            "yearly_target": target, "target_met": city_total >= target}


def bulletin_table(rt, start, end) -> dict | None:
    """The bulletin's 疑难工单 section (reports/bulletin.py SECTIONS, wired in
    core/bootstrap.py): the cases under 挂牌督办 in the month — open at some time in it or
    resolved in it — with their leader, deadline and state; None when there were none."""
    from datetime import time
    lo = datetime.combine(start, time.min, tzinfo=views.TZ).astimezone(timezone.utc)
    hi = datetime.combine(end, time.max, tzinfo=views.TZ).astimezone(timezone.utc)
    with rt.uow() as uow:
        q = select(HardCaseRow).where(
            HardCaseRow.opened_at.is_not(None), HardCaseRow.opened_at <= hi,
            (HardCaseRow.closed_at.is_(None)) | (HardCaseRow.closed_at >= lo)
        ).order_by(HardCaseRow.opened_at)
        items = [_view(rt, uow, c) for c in uow.session.execute(q).scalars()]
    if not items:
        return None
    resolved = sum(1 for i in items if i["status"] == "resolved")
    return {"columns": [["order_number", "工单编号"], ["title", "诉求"], ["unit_name", "承办单位"],
                        ["leader", "包案领导"], ["due", "协调期限"], ["state", "状态"]],
            "items": [{"order_number": i["order_number"], "title": i["title"],
                       "unit_name": i["unit_name"], "leader": i["leader"] or "",
                       "due": (i["coordination_due"] or "")[:10],
                       "state": i["status_label"] + ("（已逾期）" if i["overdue"] else "")}
                      for i in items],
            "note": f"本月挂牌督办 {len(items)} 件, 化解 {resolved} 件"}
