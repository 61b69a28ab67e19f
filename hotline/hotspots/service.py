"""热点预警 use cases (issue 17, Build 7): the check of every new appeal (an after-save hook:
every intake channel goes through it), the alert list, grouping under the master order, closing
an alert, and the weekly hot-spot report."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from hotline.classify.similarity import similar
from hotline.core import hooks
from hotline.core.db import aware, utcnow
from hotline.core.events import HotspotAlerted
from hotline.core.orm import WorkOrderRow
from hotline.workorders import views
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import CLOSED_STATES, STATUS_LABELS, Role

from .domain.surge import Appeal, Candidate, dominant_category, surge, weekly
from .orm import HotspotAlertRow, HotspotMemberRow

CENTRE = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
# most recent first: a surge's appeals are recent; more than this in one town in one window
# is a surge whatever the rest holds
MAX_CANDIDATES = 300


def after_save(rt, uow, order, row) -> None:
    """A new appeal (the intake's insert) with a town: join its town's open alert when it is
    similar to it, or raise an alert when it completes a surge (config/cases.yaml
    `hotspots`). Runs in the intake's transaction: the alert is stored with the appeal that
    raised it, and its outbox row tells dispatchers and supervisors after the commit."""
    if not hooks.is_new(row) or not order.town or not order.content:
        return
    cfg = rt.config.cases["hotspots"]
    threshold = cfg["similarity_percent"] / 100
    at = order.received_at
    uow.session.flush()   # the new row first: members and alerts refer to it
    alerts = uow.session.execute(select(HotspotAlertRow).where(
        HotspotAlertRow.town == order.town, HotspotAlertRow.status == "open",
        HotspotAlertRow.raised_at >= at - timedelta(hours=cfg["alert_open_hours"]))
        .order_by(HotspotAlertRow.id)).scalars().all()
    for alert in alerts:
        score = similar(order.content, alert.seed_text)
        if score >= threshold:
            uow.session.add(HotspotMemberRow(alert_id=alert.id, order_id=order.id,
                                             received_at=at, similarity=round(score, 4)))
            return
    grouped = select(HotspotMemberRow.order_id)
    rows = uow.session.execute(
        select(WorkOrderRow.id, WorkOrderRow.content, WorkOrderRow.received_at,
               WorkOrderRow.category)
        .where(WorkOrderRow.town == order.town, WorkOrderRow.id != order.id,
               WorkOrderRow.received_at >= at - timedelta(minutes=cfg["window_minutes"]),
               WorkOrderRow.received_at <= at, WorkOrderRow.id.not_in(grouped))
        .order_by(WorkOrderRow.received_at.desc()).limit(MAX_CANDIDATES)).all()
    similar_ones = []
    for r in rows:
        score = similar(order.content, r.content or "")
        if score >= threshold:
            similar_ones.append(Candidate(r.id, aware(r.received_at), round(score, 4),
                                          r.category))
    members = surge(similar_ones, Candidate(order.id, at, 1.0, order.category), cfg["threshold"])
    if members is None:
        return
    category = dominant_category(members)
    cat = rt.city.categories.get(category) if category else None
    alert = HotspotAlertRow(
        town=order.town, topic=cat.name if cat else order.content[:30], category=category,
        seed_text=order.content, master_order_id=members[0].order_id,
        trigger_order_id=order.id, first_at=members[0].received_at, raised_at=at,
        threshold=cfg["threshold"], window_minutes=cfg["window_minutes"], status="open",
        created_at=utcnow())
    uow.session.add(alert)
    uow.session.flush()
    for m in members:
        uow.session.add(HotspotMemberRow(alert_id=alert.id, order_id=m.order_id,
                                         received_at=m.received_at, similarity=m.score))
    uow.emit(HotspotAlerted(alert_id=alert.id, town=order.town))


def _centre(actor: Actor, roles=CENTRE) -> None:
    if actor.role not in roles:
        raise NotPermitted("只有派单员、督办人员或领导可以查看热点预警")


def list_alerts(rt, actor: Actor, status: str | None = None) -> dict:
    _centre(actor)
    with rt.uow() as uow:
        q = select(HotspotAlertRow).order_by(HotspotAlertRow.raised_at.desc(),
                                             HotspotAlertRow.id.desc()).limit(200)
        if status:
            q = q.where(HotspotAlertRow.status == status)
        items = [_view(rt, uow, a) for a in uow.session.execute(q).scalars()]
    return {"items": items, "total": len(items)}


def get(rt, actor: Actor, alert_id: int) -> dict:
    _centre(actor)
    with rt.uow() as uow:
        return _view(rt, uow, _load(uow, alert_id))


def _load(uow, alert_id: int) -> HotspotAlertRow:
    a = uow.session.get(HotspotAlertRow, alert_id)
    if a is None:
        raise NotFound("热点预警不存在")
    return a


def _view(rt, uow, a: HotspotAlertRow) -> dict:
    rows = uow.session.execute(
        select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.content,
               WorkOrderRow.status, WorkOrderRow.master_id, HotspotMemberRow.received_at)
        .join(HotspotMemberRow, HotspotMemberRow.order_id == WorkOrderRow.id)
        .where(HotspotMemberRow.alert_id == a.id)
        .order_by(HotspotMemberRow.received_at, WorkOrderRow.id)).all()
    master = uow.orders.get_row(a.master_order_id)
    town = rt.city.units.get(a.town)
    return {"id": a.id, "town": a.town, "town_name": town.name if town else "",
            "topic": a.topic, "status": a.status,
            "status_label": {"open": "预警中", "closed": "已解除"}[a.status],
            "first_at": views.iso(aware(a.first_at)), "raised_at": views.iso(aware(a.raised_at)),
            "threshold": a.threshold, "window_minutes": a.window_minutes,
            "master_order_id": a.master_order_id, "master_number": master.number,
            "count": len(rows),
            "unmerged": sum(1 for r in rows if r.id != a.master_order_id and
                            r.master_id is None and r.status not in CLOSED_STATES),
            "members": [{"order_id": r.id, "number": r.number, "content": r.content,
                         "status_label": STATUS_LABELS.get(r.status, ""),
                         "merged": r.master_id == a.master_order_id,
                         "received_at": views.iso(aware(r.received_at))} for r in rows]}


def merge_members(rt, actor: Actor, alert_id: int, reason: str | None = None) -> dict:
    """Group the surge under its master order: each open member becomes an ordinary `merge`
    (并单) of the master, by the dispatcher who asked (duplicates.attach_to_master), so each
    caller keeps a history and gets the master's reply."""
    from hotline.intake.duplicates import attach_to_master
    if actor.role != Role.DISPATCHER:
        raise NotPermitted("只有派单员可以并单")
    with rt.uow() as uow:
        a = _load(uow, alert_id)
        master = uow.orders.get_row(a.master_order_id)
        if master.status in CLOSED_STATES or master.master_id is not None:
            raise RuleViolation("主工单已办结或已被并单, 不能并入", field="master_order_id")
        ids = [oid for oid, mid, st in uow.session.execute(
            select(WorkOrderRow.id, WorkOrderRow.master_id, WorkOrderRow.status)
            .join(HotspotMemberRow, HotspotMemberRow.order_id == WorkOrderRow.id)
            .where(HotspotMemberRow.alert_id == alert_id)).all()
            if oid != a.master_order_id and mid is None and st not in CLOSED_STATES]
        master_id, topic = a.master_order_id, a.topic
    result = attach_to_master(rt, actor, master_id, ids,
                              reason or f"热点预警: {topic} (同一事项多人反映, 并入主工单)")
    return {**result, "alert": get(rt, actor, alert_id)}


def close_alert(rt, actor: Actor, alert_id: int) -> dict:
    _centre(actor, (Role.DISPATCHER, Role.SUPERVISOR))
    with rt.uow() as uow:
        a = _load(uow, alert_id)
        if a.status != "open":
            raise RuleViolation("预警已解除", field="status")
        a.status, a.closed_at, a.closed_by = "closed", utcnow(), actor.username
        uow.commit()
    return get(rt, actor, alert_id)


def weekly_report(rt, actor: Actor, week_of: date) -> dict:
    """The week (Monday to Sunday, city time) holding `week_of`, and the week before."""
    if actor.role not in (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN):
        raise NotPermitted("无权查看热点周报")
    cfg = rt.config.cases["hotspots"]
    start = week_of - timedelta(days=week_of.weekday())
    lo = datetime.combine(start - timedelta(days=7), time(), views.TZ)
    hi = datetime.combine(start + timedelta(days=7), time(), views.TZ)
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.town,
                   WorkOrderRow.category, WorkOrderRow.received_at, WorkOrderRow.content)
            .where(WorkOrderRow.received_at >= lo, WorkOrderRow.received_at < hi,
                   WorkOrderRow.town.is_not(None), WorkOrderRow.category.is_not(None))).all()
    appeals = [Appeal(r.id, r.number, r.town, r.category,
                      views.to_local(aware(r.received_at)).date(), r.content) for r in rows]
    by_town = weekly(appeals, start, cfg["weekly_top"], cfg["examples"])
    city = rt.city

    def named(items):
        for i in items:
            c = city.categories.get(i["topic"])
            i["topic_name"] = c.name if c else "其他分类"
        return items
    towns = []
    for code, d in sorted(by_town.items(), key=lambda kv: (-kv[1]["total"], kv[0])):
        u = city.units.get(code)
        towns.append({"town": code, "town_name": u.name if u else "", "total": d["total"],
                      "top": named(d["top"]), "rising": named(d["rising"])})
    return {"week_start": start.isoformat(),
            "week_end": (start + timedelta(days=6)).isoformat(), "towns": towns}
