"""Return visits (回访): create after 审核通过, send, answer once, phone attempts, expiry.

Every view and change of a survey writes a survey_audit row; every change of the order is a
recorded transition applied through the aggregate (workorders/domain/model.py) in this transaction.
Departments never see a survey before it is answered and never change one
(docs/design/domain.md §8.1)."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from hotline.core import hooks, sms
from hotline.core.db import aware, utcnow
from hotline.core.events import SurveyNeedsReview
from hotline.core.orm import WorkOrderRow
from hotline.survey.domain import policy as P
from hotline.survey.orm import SmsOutboxRow, SurveyAuditRow, SurveyRow
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import SYSTEM, Actor, DomainError, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role, Status

STAFF_ANSWER = (Role.AGENT, Role.DISPATCHER)
CITIZEN = Actor("citizen", "citizen")


class Gone(DomainError):
    http_status = 410


class AlreadyAnswered(DomainError):
    http_status = 409


def audit(uow, survey: SurveyRow, actor: Actor, action: str, **data) -> None:
    uow.session.add(SurveyAuditRow(survey_id=survey.id, order_id=survey.order_id, at=utcnow(),
                                   actor=actor.username, role=str(actor.role), action=action,
                                   data=data))


def apply_action(rt, uow, order_id: int, action: str, actor: Actor, reason: str | None = None,
                 data: dict | None = None, at: datetime | None = None):
    """Apply one workflow action to the order in this unit of work (recorded transition,
    after-save hooks, outbox event), like workorders.commands.act but without committing.
    `at`: when it happened (the demo history, workorders/seed.py); now by default."""
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound("工单不存在")
    known = len(order.history)
    t = order.apply(action, actor, at or utcnow(), reason=reason, data=data or {})
    uow.orders.save(order, known)
    hooks.after_save(rt, uow, order, uow.orders.row(order.id))
    uow.emit_transition(order, t)
    return order


# ------------------------------------------------------------------ creation (outbox handler)

def create_for_closure(rt, uow, order_id: int, seq: int,
                       now: datetime | None = None) -> list[SurveyRow]:
    """After accept_reply: one survey per caller (the order's and each merged caller's).
    Idempotent: the unique (order, closure, caller) key means a retried event adds nothing.
    `now`: the time of the accept_reply when the demo history records its visit (seed.py);
    the outbox handler's later call then finds the surveys and adds nothing."""
    pol = rt.config.survey
    order = uow.session.get(WorkOrderRow, order_id)
    if order is None:
        return []
    existing = uow.session.execute(select(SurveyRow).where(
        SurveyRow.order_id == order_id, SurveyRow.closure_seq == seq)).scalars().all()
    if existing:
        return list(existing)
    now = now or utcnow()
    if not pol.sampled(order_id, seq):
        _close_if_settled(rt, uow, order_id, "未抽中回访 (抽样)")
        return []
    callers = [order] + list(uow.session.execute(
        select(WorkOrderRow).where(WorkOrderRow.master_id == order_id)
        .order_by(WorkOrderRow.id)).scalars())
    made = []
    for c in callers:
        reachable = bool(c.caller_phone) and not c.caller_anonymous
        s = SurveyRow(token=secrets.token_urlsafe(24), order_id=order_id, closure_seq=seq,
                      caller_order_id=c.id, unit=order.unit,
                      phone=c.caller_phone if reachable else None,
                      status=P.PENDING if reachable else P.NOT_REQUIRED, created_at=now,
                      send_after=pol.send_after(now), expires_at=pol.expires_at(now),
                      attempt_days=[], excluded=False)
        uow.session.add(s)
        uow.session.flush()
        audit(uow, s, SYSTEM, "create", caller_order_id=c.id, status=s.status)
        made.append(s)
    if not any(s.status == P.PENDING for s in made):
        _close_if_settled(rt, uow, order_id, "无可回访的来电人 (匿名或无电话)")
    return made


def send_sms(rt, uow, survey: SurveyRow) -> bool:
    """The SMS step: queue one message per survey whatever the retries (dedupe key) through
    the SMS port (core/sms.py), sent after this transaction commits. The survey's
    sent_at and its `sms_sent` audit row are written when the gateway accepts it."""
    if survey.status != P.PENDING or not survey.phone or survey.sent_at is not None:
        return False
    order = uow.session.get(WorkOrderRow, survey.order_id)
    pol = rt.config.survey
    base = getattr(rt.settings, "public_url", None) or pol.base_url
    link = f"{base.rstrip('/')}/s/{survey.token}"
    row = sms.queue(rt, uow, key=f"survey-sms-{survey.id}", kind="survey",
                    body=pol.sms_template.format(number=order.number, link=link),
                    phone=survey.phone, order_id=survey.order_id, survey_id=survey.id,
                    params={"number": order.number, "link": link})
    return row is not None


def send_due(rt, limit: int = 500) -> int:
    """Queue the SMS of every pending survey whose delay has passed and that has none yet
    (periodic job; idempotent). Messages already queued are retried by sms.retry_due."""
    now, sent = utcnow(), 0
    with rt.uow() as uow:
        queued = select(SmsOutboxRow.id).where(SmsOutboxRow.survey_id == SurveyRow.id)
        rows = uow.session.execute(select(SurveyRow).where(
            SurveyRow.status == P.PENDING, SurveyRow.sent_at.is_(None),
            SurveyRow.send_after <= now, ~queued.exists())
            .order_by(SurveyRow.id).limit(limit)).scalars().all()
        for s in rows:
            sent += send_sms(rt, uow, s)
        uow.commit()
    return sent


def send_one(rt, survey_id: int) -> bool:
    """rq job body (job id survey-sms-<id>, queued by earlier releases): a retried job finds
    the dedupe row and stops."""
    with rt.uow() as uow:
        s = uow.session.get(SurveyRow, survey_id)
        done = bool(s) and send_sms(rt, uow, s)
        uow.commit()
        return done


def expire_due(rt) -> int:
    """Pending surveys past their expiry: outcome 逾期未评价; the order closes when settled
    (no rating, so excluded from 满意率/解决率, docs/design/domain.md §8.3)."""
    now, n = utcnow(), 0
    with rt.uow() as uow:
        rows = uow.session.execute(select(SurveyRow).where(
            SurveyRow.status == P.PENDING, SurveyRow.expires_at < now)).scalars().all()
        for s in rows:
            s.status = P.EXPIRED
            audit(uow, s, SYSTEM, "expire")
            n += 1
        uow.session.flush()
        for oid in sorted({s.order_id for s in rows}):
            _close_if_settled(rt, uow, oid, "回访期满未评价")
        uow.commit()
    return n


def tick(rt) -> None:
    send_due(rt)
    expire_due(rt)


# ------------------------------------------------------------------ reading / answering
#
# Two ways in, kept apart: the citizen answers through the SMS link's
# token (channel sms, answered_by "citizen"); staff record what the citizen said on the phone
# through the survey id (channel phone, answered_by the staff member). Staff never hold the
# token: their views and the SMS outbox do not show it, and the web layer refuses staff
# credentials on the token endpoints, so a staff answer cannot pass for the citizen's.

def _by_token(uow, token: str, lock: bool = False) -> SurveyRow:
    s = uow.surveys.by_token(token, lock=lock)
    if s is None:
        raise NotFound("回访不存在")
    return s


def get_survey(rt, token: str) -> dict:
    """The questions for the citizen's mobile page. Every view is audited."""
    with rt.uow() as uow:
        s = _by_token(uow, token)
        if s.status == P.PENDING and aware(s.expires_at) < utcnow():
            raise Gone("回访链接已过期")
        audit(uow, s, CITIZEN, "view")
        order = uow.session.get(WorkOrderRow, s.order_id)
        out = survey_view(s, order, staff=False)
        uow.commit()
        return out


def _normalise(rt, body: dict) -> dict:
    try:
        return rt.config.survey.normalise(body.get("contacted"), body.get("resolved"),
                                         body.get("satisfaction"), body.get("comment"))
    except P.AnswerError as e:
        raise RuleViolation(e.message, field=e.field) from e


def answer(rt, token: str, body: dict) -> dict:
    """The citizen's answer through the SMS link, recorded once (second time 409, expired
    410). Satisfied -> the order closes as `system`; dissatisfied or unresolved -> supervisor
    queue (docs/design/domain.md §8.7). The answer is echoed back without the staff-only fields."""
    ans = _normalise(rt, body)
    with rt.uow() as uow:
        s = _by_token(uow, token, lock=True)
        _record_answer(rt, uow, s, ans, CITIZEN, "sms")
        order = uow.orders.get_row(s.order_id)
        out = survey_view(s, order, staff=False)
        out.update(resolved=s.resolved, satisfaction=s.satisfaction, grade5=s.grade5,
                   comment=s.comment)
        uow.commit()
        return out


def answer_by_phone(rt, actor: Actor, survey_id: int, body: dict,
                    at: datetime | None = None) -> dict:
    """电话回访: an agent or dispatcher records the answer the citizen gave on the phone,
    under their own name (answered_by, survey_audit) and channel phone. `at`: when the
    citizen answered (the demo history, workorders/seed.py); now by default."""
    if actor.role not in STAFF_ANSWER:
        raise NotPermitted("只有话务员或派单员可以登记电话回访")
    ans = _normalise(rt, body)
    with rt.uow() as uow:
        q = select(SurveyRow).where(SurveyRow.id == survey_id)
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        s = uow.session.execute(q).scalar_one_or_none()
        if s is None:
            raise NotFound("回访不存在")
        _record_answer(rt, uow, s, ans, actor, "phone", at)
        order = uow.session.get(WorkOrderRow, s.order_id)
        out = survey_view(s, order, staff=True)
        log_reads(rt, uow, actor, [s])
        uow.commit()
        return out


def _record_answer(rt, uow, s: SurveyRow, ans: dict, actor: Actor, via: str,
                   at: datetime | None = None) -> None:
    at = at or utcnow()
    if s.status == P.ANSWERED:
        raise AlreadyAnswered("该回访已提交, 不能重复提交或修改")
    if s.status == P.EXPIRED or (s.status == P.PENDING and aware(s.expires_at) < at):
        raise Gone("回访链接已过期")
    if s.status != P.PENDING:
        raise AlreadyAnswered(f"该回访已结束 ({P.OUTCOME_LABELS.get(s.status, s.status)})")
    for k, v in ans.items():
        setattr(s, k, v)
    s.status, s.answered_at, s.answered_by = P.ANSWERED, at, actor.username
    s.answered_via = via
    s.review = "pending" if P.needs_review(ans["resolved"], ans["satisfaction"]) else None
    audit(uow, s, actor, "answer", **ans)
    uow.session.flush()
    if s.review:
        _touch_facts(rt, uow, s.order_id)
        uow.emit(SurveyNeedsReview(survey_id=s.id, order_id=s.order_id))
    else:
        _close_if_settled(rt, uow, s.order_id, "回访满意, 系统自动办结", at)


def log_reads(rt, uow, actor: Actor, surveys, kind: str = "survey") -> None:
    """PIPL access log (个人信息保护法 第51-55条; docs/design/domain.md §10.2): a staff view of a survey
    shows its caller's (masked) phone, so each read is logged against the caller's own order
    (a merged caller's order, not the master's), in the read's transaction."""
    from hotline.privacy import service as privacy
    privacy.record_access(rt, actor, kind, [s.caller_order_id or s.order_id for s in surveys],
                          fields="phone(masked)", uow=uow)


def record_attempt(rt, actor: Actor, survey_id: int, at: datetime | None = None) -> dict:
    """A phone attempt that did not reach the caller. N attempts on D different days ->
    无法联系, excluded from 满意率/解决率 (docs/design/domain.md §8.3); the order then closes."""
    if actor.role not in STAFF_ANSWER:
        raise NotPermitted("只有话务员或派单员可以登记回访电话")
    pol = rt.config.survey
    at = at or utcnow()
    with rt.uow() as uow:
        s = uow.session.get(SurveyRow, survey_id)
        if s is None:
            raise NotFound("回访不存在")
        if s.status != P.PENDING:
            raise AlreadyAnswered("该回访已结束")
        from zoneinfo import ZoneInfo
        day = aware(at).astimezone(ZoneInfo("Asia/Shanghai")).date()
        s.attempt_days = list(s.attempt_days or []) + [day.isoformat()]
        audit(uow, s, actor, "attempt", day=day.isoformat(), n=len(s.attempt_days))
        if pol.is_unreachable([datetime.fromisoformat(d).date() for d in s.attempt_days]):
            s.status = P.UNREACHABLE
            audit(uow, s, SYSTEM, "unreachable", attempts=len(s.attempt_days))
            uow.session.flush()
            _close_if_settled(rt, uow, s.order_id, "多次回访无法联系")
        order = uow.session.get(WorkOrderRow, s.order_id)
        out = survey_view(s, order, staff=True)
        log_reads(rt, uow, actor, [s])
        uow.commit()
        return out


def _touch_facts(rt, uow, order_id: int) -> None:
    from hotline.reports.facts import refresh_order
    refresh_order(rt, uow, order_id)


def _close_if_settled(rt, uow, order_id: int, reason: str, at: datetime | None = None) -> None:
    """Close the order as `system` once no survey of the current closure is pending or
    waiting for a supervisor; otherwise just refresh the scoring facts."""
    order = uow.orders.get_row(order_id)
    if order is not None and order.status == Status.RETURN_VISIT and \
            not uow.surveys.unsettled(order_id):
        apply_action(rt, uow, order_id, "close", SYSTEM, reason=reason,
                     data={"by": "survey"}, at=at)
    else:
        _touch_facts(rt, uow, order_id)


def survey_view(s: SurveyRow, order, staff: bool) -> dict:
    from hotline.workorders.views import iso, mask_phone
    out = {"id": s.id, "order_id": s.order_id, "order_number": order.number if order else None,
           "title": order.title if order else None, "status": s.status,
           "status_label": P.OUTCOME_LABELS.get(s.status, s.status),
           "expires_at": iso(s.expires_at), "answered_at": iso(s.answered_at),
           "questions": {"resolved": P.RESOLVED, "satisfaction": P.SATISFACTION,
                         "grade5": P.GRADE5}}
    if staff:   # never the token: it is the citizen's credential
        out.update(unit=s.unit, caller_order_id=s.caller_order_id,
                   phone=mask_phone(s.phone), sent_at=iso(s.sent_at),
                   attempts=len(s.attempt_days or []), contacted=s.contacted,
                   resolved=s.resolved, satisfaction=s.satisfaction, grade5=s.grade5,
                   comment=s.comment, review=s.review, excluded=s.excluded,
                   answered_via=s.answered_via)
    return out


def list_surveys(rt, actor: Actor, status: str | None = None, review: str | None = None,
                 limit: int = 200) -> dict:
    """The phone queue (pending) and the supervisor queue (review=pending); the read and its
    access-log rows in one transaction."""
    if actor.role not in STAFF_ANSWER + (Role.SUPERVISOR, Role.LEADER, Role.ADMIN):
        raise NotPermitted("承办单位不能查看待回访列表")
    with rt.uow() as uow:
        q = select(SurveyRow, WorkOrderRow).join(WorkOrderRow,
                                                 WorkOrderRow.id == SurveyRow.order_id)
        if status:
            q = q.where(SurveyRow.status == status)
        if review:
            q = q.where(SurveyRow.review == review)
        rows = uow.session.execute(q.order_by(SurveyRow.id).limit(limit)).all()
        items = [survey_view(s, o, staff=True) for s, o in rows]
        # issue 15: time left before the survey expires (natural days, survey.yaml
        # expiry_days), from the SLA engine like every clock (docs/design/ux.md §2)
        now = utcnow()
        for it, (s, _) in zip(items, rows, strict=True):
            it["time_left"] = rt.config.sla_engine.time_left(
                aware(s.expires_at), now, natural=True).as_dict() if s.status == P.PENDING else None
        log_reads(rt, uow, actor, [s for s, _ in rows])
        uow.commit()
    return {"items": items, "total": len(items)}


# the SMS page lists every message of the SMS port with its delivery status (core/sms.py)
SMS_ROLES = sms.SMS_ROLES
sms_outbox = sms.list_messages
