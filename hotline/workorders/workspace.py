"""The order page's facts beyond the order itself (issue 15, docs/design/ux.md §7-8): who
logged it (by name), the people of the lead unit a handler is picked from, the return-visit
result, the same caller's other orders, and the orders this agent logged today (the shift's
list, kept across reloads). Read-only; every order goes through the one visibility rule."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from hotline.core.access import visible, visible_filter
from hotline.core.db import row_to_dict, utcnow
from hotline.core.orm import UserRow, WorkOrderRow
from hotline.workorders import views
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import (
    PREVIOUS,
    STATUS_LABELS,
    TRANSITIONS,
    Role,
    rule_for,
)

RELATED_LIMIT = 10
SHIFT_LIMIT = 200
CENTRE = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def _brief(o: WorkOrderRow) -> dict:
    return {"id": o.id, "number": o.number, "status": o.status,
            "status_label": STATUS_LABELS.get(o.status, "其他状态"),
            "received_at": views.iso(o.received_at)}


def _survey(uow, actor: Actor, row) -> dict | None:
    """The latest return visit of the order, in words (survey/domain/policy.py labels). The
    citizen's comment is for the centre and for the unit it rates."""
    from hotline.survey.domain.policy import OUTCOME_LABELS, RESOLVED, SATISFACTION
    from hotline.survey.orm import SurveyRow
    s = uow.session.execute(select(SurveyRow).where(SurveyRow.order_id == row.id)
                            .order_by(SurveyRow.id.desc()).limit(1)).scalar_one_or_none()
    if s is None:
        return None
    sees_comment = actor.role in CENTRE or actor.unit == s.unit
    return {"status_label": OUTCOME_LABELS.get(s.status, "其他"),
            "resolved_label": RESOLVED.get(s.resolved) if s.resolved else None,
            "satisfaction_label": SATISFACTION.get(s.satisfaction) if s.satisfaction else None,
            "contacted": s.contacted, "comment": s.comment if sees_comment else None,
            "unit": s.unit}


def action_effects(status: str, actions) -> dict:
    """What each action does, from the transition table (the one place that knows): the
    status it leads to and whether it hands the order to another unit, for the page's
    confirmation ("签收 → 已签收", docs/design/ux.md §6)."""
    out = {}
    for a in actions:
        r = rule_for(status, a)
        if r is None:
            continue
        out[a] = {"label": r.label, "changes_owner": r.changes_owner,
                  "to_label": None if r.to == PREVIOUS else STATUS_LABELS.get(r.to)}
    return out


def order_workspace(rt, actor: Actor, order_id: int) -> dict:
    with rt.uow() as uow:
        row = uow.session.get(WorkOrderRow, order_id)
        if row is None or not visible(row, actor):
            raise NotFound("工单不存在")
        agent = uow.session.execute(select(UserRow.name).where(
            UserRow.username == row.created_by)).scalar_one_or_none() if row.created_by else None
        # the lead unit's own staff pick the handler among their colleagues (经办人)
        handlers = []
        if actor.role == Role.DEPARTMENT and actor.unit == row.unit:
            handlers = [{"username": u, "name": n or u} for u, n in uow.session.execute(
                select(UserRow.username, UserRow.name).where(
                    UserRow.unit == row.unit, UserRow.active.is_(True))
                .order_by(UserRow.username)).all()]
        related = []
        if row.caller_phone and not (actor.role == Role.DEPARTMENT and row.caller_confidential):
            related = [_brief(o) for o in uow.session.execute(
                select(WorkOrderRow).where(WorkOrderRow.caller_phone == row.caller_phone,
                                           WorkOrderRow.id != row.id, visible_filter(actor))
                .order_by(WorkOrderRow.id.desc()).limit(RELATED_LIMIT)).scalars()]
        return {"order_id": row.id,
                "created_by_name": agent or ("市民自助" if row.created_by is None else "话务员"),
                "handlers": handlers, "related": related,
                "effects": action_effects(row.status, [
                    a for (st, a) in TRANSITIONS if st == row.status]),
                "survey": _survey(uow, actor, row)}


def shift_orders(rt, actor: Actor, now: datetime | None = None) -> dict:
    """The orders this user logged today (Asia/Shanghai), newest first: the agent's
    "本班次已登记" list, from the server so it survives a reload (docs/design/ux.md §7)."""
    now = views.to_local(now or utcnow())
    # compared in UTC: SQLite keeps the stored instants without their offset
    start = datetime.combine(now.date(), time(0), tzinfo=views.TZ).astimezone(timezone.utc)
    with rt.uow() as uow:
        rows = uow.session.execute(select(WorkOrderRow).where(
            WorkOrderRow.created_by == actor.username, WorkOrderRow.received_at >= start,
            WorkOrderRow.received_at < start + timedelta(days=1), visible_filter(actor))
            .order_by(WorkOrderRow.id.desc()).limit(SHIFT_LIMIT)).scalars().all()
        items = [views.order_view(rt, row_to_dict(r), actor) for r in rows]
    return {"items": items, "total": len(items)}
