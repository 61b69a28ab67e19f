"""Supervisor decisions on bad ratings and units' appeals (申诉), docs/design/domain.md §8.7.

- dissatisfied / unresolved -> supervisor: 重办 (reopen, same unit, counted against it),
  最终答复 (close_unreasonable, excluded from scoring, reason required), or 办结 (close).
- a unit may appeal a bad rating once, with evidence; the supervisor upholds or overturns
  it; an overturned rating is excluded from scoring, the ruling kept in survey_audit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.survey.domain import policy as P
from hotline.survey.orm import SurveyAppealRow, SurveyRow
from hotline.survey.service import (
    AlreadyAnswered,
    _close_if_settled,
    _touch_facts,
    apply_action,
    audit,
)
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role, Status

DECISIONS = {"reopen": "reopen", "unreasonable": "close_unreasonable", "close": "close"}


def decide(rt, actor: Actor, survey_id: int, decision: str, reason: str | None,
           at: datetime | None = None) -> dict:
    """The supervisor's decision on a bad rating. `at`: when it was taken (the demo history,
    workorders/seed.py); now by default."""
    if actor.role != Role.SUPERVISOR:
        raise NotPermitted("只有督办人员可以处理不满意回访")
    if decision not in DECISIONS:
        raise RuleViolation("处理方式须为 reopen / unreasonable / close", field="decision")
    if decision != "close" and not (reason or "").strip():
        raise RuleViolation("须填写理由", field="reason")
    with rt.uow() as uow:
        s = uow.session.get(SurveyRow, survey_id)
        if s is None:
            raise NotFound("回访不存在")
        if s.review != "pending":
            raise AlreadyAnswered("该回访不在待督办队列中")
        siblings = uow.session.execute(select(SurveyRow).where(
            SurveyRow.order_id == s.order_id, SurveyRow.review == "pending")).scalars().all()
        targets = siblings if decision != "close" else [s]
        for t in targets:
            t.review = decision
            audit(uow, t, actor, "decision", decision=decision, reason=reason)
        uow.session.flush()
        order = uow.session.get(WorkOrderRow, s.order_id)
        if decision == "close":
            _close_if_settled(rt, uow, s.order_id, reason or "督办确认办结", at)
        elif order.status == Status.RETURN_VISIT:
            apply_action(rt, uow, s.order_id, DECISIONS[decision], actor, reason=reason,
                         data={"survey_id": s.id}, at=at)
        uow.commit()
        return {"survey_id": s.id, "order_id": s.order_id, "review": s.review}


def appeal(rt, actor: Actor, survey_id: int, reason: str, evidence: str) -> dict:
    """申诉: the unit of the rated order, once per survey, for a bad rating only."""
    if actor.role != Role.DEPARTMENT:
        raise NotPermitted("只有承办单位可以申诉")
    if not (reason or "").strip():
        raise RuleViolation("须填写申诉理由", field="reason")
    if not (evidence or "").strip():
        raise RuleViolation("须提供申诉证据", field="evidence")
    with rt.uow() as uow:
        s = uow.session.get(SurveyRow, survey_id)
        if s is None or s.unit != actor.unit or s.status != P.ANSWERED:
            raise NotFound("回访不存在")
        if not P.needs_review(s.resolved, s.satisfaction):
            raise RuleViolation("只能对不满意或未解决的评价申诉", field="survey_id")
        if uow.session.execute(select(SurveyAppealRow.id)
                               .where(SurveyAppealRow.survey_id == survey_id)).first():
            raise AlreadyAnswered("每条评价只能申诉一次")
        a = SurveyAppealRow(survey_id=s.id, unit=actor.unit, reason=reason.strip(),
                            evidence=evidence.strip(), created_by=actor.username,
                            created_at=utcnow(), status="pending")
        uow.session.add(a)
        try:
            uow.session.flush()
        except IntegrityError as exc:
            raise AlreadyAnswered("每条评价只能申诉一次") from exc
        audit(uow, s, actor, "appeal", appeal_id=a.id, reason=a.reason)
        uow.commit()
        return appeal_view(a)


def rule(rt, actor: Actor, appeal_id: int, decision: str, reason: str | None) -> dict:
    if actor.role != Role.SUPERVISOR:
        raise NotPermitted("只有督办人员可以裁定申诉")
    if decision not in ("uphold", "overturn"):
        raise RuleViolation("裁定须为 uphold (维持) 或 overturn (撤销评价)", field="decision")
    if not (reason or "").strip():
        raise RuleViolation("须填写裁定理由", field="reason")
    with rt.uow() as uow:
        a = uow.session.get(SurveyAppealRow, appeal_id)
        if a is None:
            raise NotFound("申诉不存在")
        if a.status != "pending":
            raise AlreadyAnswered("该申诉已裁定")
        a.status = "upheld" if decision == "uphold" else "overturned"
        a.ruled_by, a.ruled_at, a.ruling = actor.username, utcnow(), reason.strip()
        s = uow.session.get(SurveyRow, a.survey_id)
        if decision == "overturn":
            s.excluded = True    # excluded from scoring; the answer itself is never changed
        audit(uow, s, actor, "ruling", appeal_id=a.id, decision=a.status, reason=a.ruling)
        uow.session.flush()
        _touch_facts(rt, uow, s.order_id)
        uow.commit()
        return appeal_view(a)


def list_appeals(rt, actor: Actor, status: str | None = None) -> dict:
    if actor.role not in (Role.SUPERVISOR, Role.LEADER, Role.DEPARTMENT):
        raise NotPermitted("无权查看申诉")
    with rt.uow() as uow:
        q = select(SurveyAppealRow)
        if actor.role == Role.DEPARTMENT:
            q = q.where(SurveyAppealRow.unit == actor.unit)
        if status:
            q = q.where(SurveyAppealRow.status == status)
        items = [appeal_view(a) for a in
                 uow.session.execute(q.order_by(SurveyAppealRow.id)).scalars()]
    return {"items": items, "total": len(items)}


def unit_ratings(rt, actor: Actor) -> dict:
    """Answered ratings of the department's own orders (read-only; no token). Each view is
    written to the survey's history."""
    if actor.role != Role.DEPARTMENT:
        raise NotPermitted("仅承办单位使用")
    with rt.uow() as uow:
        rows = uow.session.execute(select(SurveyRow, WorkOrderRow).join(
            WorkOrderRow, WorkOrderRow.id == SurveyRow.order_id).where(
            SurveyRow.unit == actor.unit, SurveyRow.status == P.ANSWERED)
            .order_by(SurveyRow.id.desc()).limit(200)).all()
        items = []
        for s, o in rows:
            audit(uow, s, actor, "view")
            items.append({"id": s.id, "order_id": o.id, "order_number": o.number,
                          "resolved": s.resolved, "satisfaction": s.satisfaction,
                          "comment": s.comment, "excluded": s.excluded,
                          "appealable": P.needs_review(s.resolved, s.satisfaction)})
        uow.commit()
    return {"items": items, "total": len(items)}


def survey_history(rt, actor: Actor, order_id: int) -> dict:
    """Surveys of an order and their audit trail (centre roles)."""
    from hotline.survey.orm import SurveyAuditRow
    from hotline.workorders.views import iso
    if actor.role not in (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN,
                          Role.AGENT):
        raise NotPermitted("无权查看回访记录")
    with rt.uow() as uow:
        rows = uow.session.execute(select(SurveyAuditRow).where(
            SurveyAuditRow.order_id == order_id).order_by(SurveyAuditRow.id)).scalars()
        return {"items": [{"survey_id": r.survey_id, "at": iso(r.at), "actor": r.actor,
                           "role": r.role, "action": r.action, "data": r.data}
                          for r in rows]}


def appeal_view(a: SurveyAppealRow) -> dict:
    from hotline.workorders.views import iso
    return {"id": a.id, "survey_id": a.survey_id, "unit": a.unit, "reason": a.reason,
            "evidence": a.evidence, "status": a.status, "created_at": iso(a.created_at),
            "ruled_by": a.ruled_by, "ruling": a.ruling, "ruled_at": iso(a.ruled_at)}
