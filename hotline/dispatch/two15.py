"""The "two 15%" rule (两个15%, docs/design/domain.md §6.7) over the transition history.

Per agent: approved/ruled returns attributed to the agent's own intake error / orders the
agent logged in the rolling window. Per category: returns attributed to the category
configuration / orders of that category in the window. Counted from the append-only history
(docs/design/architecture.md §3.2), so a recount is always possible.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from hotline.core.db import aware, utcnow
from hotline.core.events import DispatchFlagCleared, DispatchFlagged
from hotline.core.orm import TransitionRow, UserRow, WorkOrderRow
from hotline.dispatch.domain.returns import RateCheck, Two15Policy, check
from hotline.dispatch.orm import ReturnFlagRow
from hotline.workorders.domain.model import Actor, DomainError, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

ATTRIBUTING = ("approve_return", "arbitrate")


class FlagNotFound(DomainError):
    http_status = 404


def _window(policy: Two15Policy, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=policy.window_days), now


def _returns(session, since, until, kind: str) -> dict[str, int]:
    """Attributed returns in the window: subject -> count (JSON filtered in Python, so the
    same code runs on SQLite and PostgreSQL)."""
    key = "attributed_agent" if kind == "agent" else "attributed_category"
    out: dict[str, int] = {}
    rows = session.execute(select(TransitionRow.data).where(
        TransitionRow.action.in_(ATTRIBUTING), TransitionRow.at >= since,
        TransitionRow.at <= until)).scalars()
    for data in rows:
        data = data or {}
        if data.get("attributed_to") == kind and data.get(key):
            out[data[key]] = out.get(data[key], 0) + 1
    return out


def _totals(session, since, until, kind: str, subjects=None) -> dict[str, int]:
    col = WorkOrderRow.created_by if kind == "agent" else WorkOrderRow.category
    q = select(col, func.count()).where(WorkOrderRow.received_at >= since,
                                        WorkOrderRow.received_at <= until, col.is_not(None))
    if subjects is not None:
        q = q.where(col.in_(list(subjects)))
    return {k: n for k, n in session.execute(q.group_by(col))}


def rates(session, policy: Two15Policy, kind: str, now: datetime,
          subjects=None) -> list[RateCheck]:
    """`policy`: the runtime's config/dispatch.yaml two15 section (rt.config.dispatch.two15)."""
    since, until = _window(policy, now)
    ret = _returns(session, since, until, kind)
    tot = _totals(session, since, until, kind, subjects)
    names = set(subjects) if subjects is not None else set(ret) | set(tot)
    return sorted((check(s, ret.get(s, 0), tot.get(s, 0), policy) for s in names),
                  key=lambda r: (-r.returned * 1.0 / max(r.total, 1), r.subject))


def evaluate_after_return(rt, uow, transition) -> ReturnFlagRow | None:
    """Flag the agent (and block intake, when configured) or the category once the rate
    reaches the threshold; one open flag per subject."""
    kind = transition.data["attributed_to"]
    subject = transition.data.get("attributed_agent" if kind == "agent"
                                  else "attributed_category")
    if not subject:
        return None
    now = aware(transition.at)
    policy = rt.config.dispatch.two15
    (r,) = rates(uow.session, policy, kind, now, [subject])
    if not r.flagged:
        return None
    s = uow.session
    open_flag = s.execute(select(ReturnFlagRow).where(
        ReturnFlagRow.kind == kind, ReturnFlagRow.subject == subject,
        ReturnFlagRow.cleared_at.is_(None))).scalar_one_or_none()
    if open_flag is not None:
        open_flag.returned, open_flag.total, open_flag.rate_percent = r.returned, r.total, \
            r.percent
        return open_flag
    block = kind == "agent" and policy.block_agent_intake
    since, until = _window(policy, now)
    flag = ReturnFlagRow(kind=kind, subject=subject, returned=r.returned, total=r.total,
                         rate_percent=r.percent, window_from=since, window_to=until,
                         flagged_at=utcnow(), intake_blocked=block)
    s.add(flag)
    if block:
        user = s.execute(select(UserRow).where(UserRow.username == subject)).scalar_one_or_none()
        if user is not None:
            user.intake_blocked = True
    s.flush()
    uow.emit(DispatchFlagged(flag_id=flag.id, kind=kind, subject=subject,
                             rate_percent=r.percent))
    return flag


def flag_view(f: ReturnFlagRow) -> dict:
    from hotline.workorders.views import iso
    return {"id": f.id, "kind": f.kind, "subject": f.subject, "returned": f.returned,
            "total": f.total, "rate_percent": f.rate_percent, "flagged_at": iso(f.flagged_at),
            "window_from": iso(f.window_from), "window_to": iso(f.window_to),
            "intake_blocked": f.intake_blocked, "cleared_at": iso(f.cleared_at),
            "cleared_by": f.cleared_by, "clear_reason": f.clear_reason}


def overview(rt, actor: Actor, now: datetime | None = None) -> dict:
    """Open flags and the current rates of every agent and category (supervisors)."""
    now = now or utcnow()
    policy = rt.config.dispatch.two15
    with rt.uow() as uow:
        flags = uow.session.execute(select(ReturnFlagRow).order_by(
            ReturnFlagRow.id.desc()).limit(200)).scalars().all()
        def rows(kind):
            return [{"subject": r.subject, "returned": r.returned, "total": r.total,
                     "percent": r.percent, "judged": r.judged, "flagged": r.flagged}
                    for r in rates(uow.session, policy, kind, now)]
        return {"flags": [flag_view(f) for f in flags], "agents": rows("agent"),
                "categories": rows("category"),
                "policy": {"threshold_percent": float(policy.threshold_percent),
                           "window_days": policy.window_days, "min_orders": policy.min_orders,
                           "block_agent_intake": policy.block_agent_intake}}


def clear_flag(rt, actor: Actor, flag_id: int, reason: str | None) -> dict:
    """A supervisor clears a flag (after retraining / re-combing the category)."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotPermitted("只有督办人员可以解除「两个15%」标记")
    if not (reason or "").strip():
        raise RuleViolation("解除标记须填写理由", field="reason")
    with rt.uow() as uow:
        f = uow.session.get(ReturnFlagRow, flag_id)
        if f is None:
            raise FlagNotFound("标记不存在")
        if f.cleared_at is not None:
            raise DomainError(f"该标记已于 {f.cleared_at} 解除")
        f.cleared_at, f.cleared_by, f.clear_reason = utcnow(), actor.username, reason
        if f.kind == "agent":
            user = uow.session.execute(select(UserRow).where(
                UserRow.username == f.subject)).scalar_one_or_none()
            if user is not None:
                user.intake_blocked = False
        uow.emit(DispatchFlagCleared(flag_id=f.id, kind=f.kind, subject=f.subject))
        uow.commit()
        return flag_view(f)


def intake_blocked(rt, username: str) -> bool:
    with rt.uow() as uow:
        return bool(uow.session.execute(select(UserRow.intake_blocked).where(
            UserRow.username == username)).scalar_one_or_none())
