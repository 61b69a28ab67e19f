"""Use cases of 服务体验官 (issue 18 item 7): enrol officers, give them tasks (the link to the
evaluation form goes out by SMS through the SMS port), take their evaluations once, report
per quarter by unit and by channel, and keep an officer's own appeals out of ordinary survey
scoring. The only code of the feature that commits; rules in domain/rules.py."""
from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.core import sms
from hotline.core.db import aware, utcnow
from hotline.core.orm import WorkOrderRow
from hotline.survey.orm import SurveyRow
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import SYSTEM, Actor, DomainError, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

from .domain import rules as X
from .orm import EvaluationRow, ExperienceTaskRow, OfficerRow

TZ = ZoneInfo("Asia/Shanghai")
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
READERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
SMS_TEMPLATE = "【东莞12345】服务体验官您好，新的体验任务：{subject}。完成后请点击链接评价：{link}"


class AlreadyEvaluated(DomainError):
    http_status = 409


def _rule(fn, *a):
    try:
        return fn(*a)
    except X.ExperienceError as e:
        raise RuleViolation(e.message, field=e.field) from e


def _today() -> date:
    return utcnow().astimezone(TZ).date()


def _unit_name(rt, code: str | None) -> str | None:
    if code is None:
        return None
    u = rt.city.units.get(code)
    return u.name if u else "未知单位"


def _phone_for(actor: Actor, phone: str | None) -> str | None:
    """Supervisors and admins enrol the officers and call them: the full number. Every other
    role sees it masked (docs/design/domain.md §10.1)."""
    from hotline.workorders.views import mask_phone
    return phone if actor.role in MANAGERS else mask_phone(phone)


def _officer_view(rt, actor: Actor, o: OfficerRow, today: date) -> dict:
    return {"id": o.id, "name": o.name, "phone": _phone_for(actor, o.phone), "area": o.area,
            "area_name": _unit_name(rt, o.area), "period_start": o.period_start.isoformat(),
            "period_end": o.period_end.isoformat(),
            "in_period": o.active and o.period_start <= today <= o.period_end}


def enrol(rt, actor: Actor, data: dict) -> dict:
    if actor.role not in MANAGERS:
        raise NotPermitted("只有中心可以聘任服务体验官")
    name, phone = (data.get("name") or "").strip(), (data.get("phone") or "").strip()
    start, end = data["period_start"], data["period_end"]
    _rule(X.check_enrolment, name, phone, start, end)
    area = data.get("area")
    if area is not None and area not in rt.city.towns:
        raise RuleViolation("未知镇街", field="area")
    with rt.uow() as uow:
        o = OfficerRow(name=name, phone=phone, area=area, period_start=start, period_end=end,
                       active=True, created_at=utcnow(), created_by=actor.username)
        uow.session.add(o)
        uow.session.flush()
        out = _officer_view(rt, actor, o, _today())
        uow.commit()
        return out


def list_officers(rt, actor: Actor) -> dict:
    if actor.role not in READERS:
        raise NotPermitted("无权查看服务体验官")
    today = _today()
    with rt.sessions() as s:
        items = [_officer_view(rt, actor, o, today) for o in
                 s.execute(select(OfficerRow).order_by(OfficerRow.id)).scalars()]
    return {"items": items, "total": len(items)}


def _task_view(rt, t: ExperienceTaskRow, o: OfficerRow | None, number: str | None) -> dict:
    from hotline.workorders.views import iso
    return {"id": t.id, "officer_id": t.officer_id, "officer_name": o.name if o else None,
            "kind": t.kind, "kind_label": X.KINDS[t.kind],
            "channel_label": X.CHANNEL_LABELS[X.CHANNEL_OF[t.kind]], "subject": t.subject,
            "unit": t.unit, "unit_name": _unit_name(rt, t.unit), "order_id": t.order_id,
            "order_number": number, "status": t.status,
            "status_label": X.TASK_LABELS[t.status],
            "due_date": t.due_date.isoformat() if t.due_date else None,
            "created_at": iso(t.created_at)}


def assign(rt, actor: Actor, data: dict) -> dict:
    """A task for an officer in their period; the link to the form goes out by SMS."""
    if actor.role not in MANAGERS:
        raise NotPermitted("只有中心可以布置体验任务")
    kind, subject = data["kind"], (data.get("subject") or "").strip()
    if kind not in X.KINDS:
        raise RuleViolation("未知任务类型", field="kind")
    if not 2 <= len(subject) <= 500:
        raise RuleViolation("任务内容须为 2 至 500 字", field="subject")
    unit = data.get("unit")
    if unit is not None and unit not in rt.city.units:
        raise RuleViolation("未知单位", field="unit")
    with rt.uow() as uow:
        s = uow.session
        o = s.get(OfficerRow, data["officer_id"])
        if o is None:
            raise RuleViolation("服务体验官不存在", field="officer_id")
        if not (o.active and o.period_start <= _today() <= o.period_end):
            raise RuleViolation("该服务体验官不在聘期内", field="officer_id")
        order_id, number = None, data.get("order_number")
        if number:
            row = s.execute(select(WorkOrderRow.id, WorkOrderRow.unit).where(
                WorkOrderRow.number == number)).first()
            if row is None:
                raise RuleViolation("工单不存在", field="order_number")
            order_id, unit = row.id, unit or row.unit
        if kind == "followup" and order_id is None and unit is None:
            raise RuleViolation("核查办理情况须指定工单或单位", field="order_number")
        t = ExperienceTaskRow(officer_id=o.id, kind=kind, subject=subject, unit=unit,
                              order_id=order_id, token=secrets.token_urlsafe(24),
                              status=X.ASSIGNED, due_date=data.get("due_date"),
                              created_at=utcnow(), created_by=actor.username)
        s.add(t)
        s.flush()
        link = f"{rt.config.survey.base_url.rstrip('/')}/x/{t.token}"
        sms.queue(rt, uow, key=f"experience-task-{t.id}", kind="experience",
                  body=SMS_TEMPLATE.format(subject=subject[:40], link=link), phone=o.phone,
                  params={"subject": subject[:40], "link": link})
        out = _task_view(rt, t, o, number)
        uow.commit()
        return out


def list_tasks(rt, actor: Actor, officer_id: int | None = None) -> dict:
    if actor.role not in READERS:
        raise NotPermitted("无权查看体验任务")
    with rt.sessions() as s:
        q = select(ExperienceTaskRow, OfficerRow, WorkOrderRow.number).join(
            OfficerRow, OfficerRow.id == ExperienceTaskRow.officer_id).outerjoin(
            WorkOrderRow, WorkOrderRow.id == ExperienceTaskRow.order_id)
        if officer_id:
            q = q.where(ExperienceTaskRow.officer_id == officer_id)
        items = [_task_view(rt, t, o, n) for t, o, n in
                 s.execute(q.order_by(ExperienceTaskRow.id.desc()).limit(500))]
    return {"items": items, "total": len(items)}


# ------------------------------------------------------------------ the officer's form

def _by_token(s, token: str) -> ExperienceTaskRow:
    t = s.execute(select(ExperienceTaskRow).where(ExperienceTaskRow.token == token)
                  ).scalar_one_or_none()
    if t is None:
        raise NotFound("体验任务不存在")
    return t


def task_for_officer(rt, token: str) -> dict:
    """What the officer's page shows: the task, never another person's data."""
    with rt.sessions() as s:
        t = _by_token(s, token)
        o = s.get(OfficerRow, t.officer_id)
        return {"kind_label": X.KINDS[t.kind], "subject": t.subject,
                "unit_name": _unit_name(rt, t.unit), "status": t.status,
                "officer_name": o.name, "scores": X.SCORES,
                "due_date": t.due_date.isoformat() if t.due_date else None}


def evaluate(rt, token: str, body: dict) -> dict:
    """The officer's evaluation, once per task. A call or web task may name the order the
    officer received: when it is the officer's own appeal, its unit is the one evaluated."""
    ev = _rule(X.evaluation, body)
    with rt.uow() as uow:
        s = uow.session
        q = select(ExperienceTaskRow).where(ExperienceTaskRow.token == token)
        t = s.execute(q.with_for_update() if s.bind.dialect.name == "postgresql" else q
                      ).scalar_one_or_none()
        if t is None:
            raise NotFound("体验任务不存在")
        if t.status == X.EVALUATED:
            raise AlreadyEvaluated("该任务已评价, 不能重复提交")
        o = s.get(OfficerRow, t.officer_id)
        unit, order_id = t.unit, t.order_id
        number = (body.get("order_number") or "").strip()
        if number:
            row = s.execute(select(WorkOrderRow.id, WorkOrderRow.unit, WorkOrderRow.caller_phone)
                            .where(WorkOrderRow.number == number)).first()
            if row is None or row.caller_phone != o.phone:
                raise RuleViolation("未找到您本人反映的该工单", field="order_number")
            order_id, unit = row.id, row.unit or unit
        now = utcnow()
        s.add(EvaluationRow(task_id=t.id, officer_id=o.id, unit=unit,
                            channel=X.CHANNEL_OF[t.kind], order_id=order_id, speed=ev.speed,
                            attitude=ev.attitude, accuracy=ev.accuracy, result=ev.result,
                            comment=ev.comment, submitted_at=now,
                            quarter=X.quarter_of(now.astimezone(TZ).date())))
        t.status = X.EVALUATED
        uow.commit()
        return {"status": t.status, "status_label": X.TASK_LABELS[t.status]}


# ------------------------------------------------------------------ report

def quarterly_report(rt, actor: Actor, quarter: str) -> dict:
    """Averages per unit and per channel of the evaluations submitted in the quarter; also
    the read function the monthly bulletin may call."""
    if actor.role not in READERS:
        raise NotPermitted("无权查看体验官报告")
    _rule(X.quarter_range, quarter)
    per_unit: dict = {}
    per_channel: dict = {}
    every = []
    with rt.sessions() as s:
        for e in s.execute(select(EvaluationRow).where(EvaluationRow.quarter == quarter)
                           ).scalars():
            v = X.Evaluation(e.speed, e.attitude, e.accuracy, e.result, e.comment)
            per_unit.setdefault(e.unit, []).append(v)
            per_channel.setdefault(e.channel, []).append(v)
            every.append(v)
        officers = s.execute(select(OfficerRow.id)).scalars().all()
    by_unit = [{"unit": u, "unit_name": _unit_name(rt, u) or "未指定单位", **X.averages(vs)}
               for u, vs in per_unit.items()]
    by_unit.sort(key=lambda x: (-(x["overall"] or 0), x["unit"] or ""))
    by_channel = [{"channel": c, "channel_label": X.CHANNEL_LABELS.get(c, "其他"),
                   **X.averages(vs)} for c, vs in sorted(per_channel.items())]
    return {"quarter": quarter, "officers": len(officers), "by_unit": by_unit,
            "by_channel": by_channel, "total": X.averages(every)}


# ------------------------------------------------------------------ officers' own appeals

def officer_phones(s, on: date) -> set[str]:
    return set(s.execute(select(OfficerRow.phone).where(
        OfficerRow.active.is_(True), OfficerRow.period_start <= on,
        OfficerRow.period_end >= on)).scalars())


def exclude_officer_surveys(rt, uow, order_id: int) -> int:
    """The return visits of an officer's own appeal are excluded from scoring: the officer
    evaluates it as a 体验任务, so the unit is not scored twice (issue 18 item 7). Runs in the
    outbox handler's transaction, after the surveys were created; idempotent."""
    from hotline.reports.facts import refresh_order
    from hotline.survey.service import audit
    s = uow.session
    rows = s.execute(select(SurveyRow, WorkOrderRow.caller_phone, WorkOrderRow.received_at)
                     .join(WorkOrderRow, WorkOrderRow.id == SurveyRow.caller_order_id)
                     .where(SurveyRow.order_id == order_id, SurveyRow.excluded.is_(False))).all()
    n = 0
    for sv, phone, received in rows:
        if phone and phone in officer_phones(s, aware(received).astimezone(TZ).date()):
            sv.excluded = True
            audit(uow, sv, SYSTEM, "officer_excluded")
            n += 1
    if n:
        s.flush()
        refresh_order(rt, uow, order_id)
    return n


def is_officer_order(rt, order_id: int) -> bool:
    with rt.sessions() as s:
        o = s.get(WorkOrderRow, order_id)
        if o is None or not o.caller_phone:
            return False
        return o.caller_phone in officer_phones(s, aware(o.received_at).astimezone(TZ).date())
