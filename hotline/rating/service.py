"""Use cases of 好差评 (issue 18 item 6): the reminder tick, the 差评整改 tasks (opened by the
outbox handler of a bad rating, answered by the unit, decided by the centre) and the per-unit
figures of the report. The only code of the feature that commits; rules in domain/rules.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.core import sms
from hotline.core.db import aware, utcnow
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.survey.domain import policy as survey_policy
from hotline.survey.orm import SmsOutboxRow, SurveyRow
from hotline.survey.service import audit
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import SYSTEM, Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

from .domain import rules as R
from .orm import RectificationLogRow, RectificationRow

TZ = ZoneInfo("Asia/Shanghai")
CENTRE = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
DECIDERS = (Role.SUPERVISOR, Role.ADMIN)
CENTRE_LABEL = "热线中心 (直接答复)"


def reminder_key(survey_id: int) -> str:
    return f"survey-remind-{survey_id}"


# ------------------------------------------------------------------ reminders (periodic)

def remind_due(rt, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the one reminder of every pending survey whose link went out
    `reminder_after_hours` ago and is still valid; the SMS port's dedupe key makes it once
    whatever the overlapping ticks (docs/design/architecture.md §5.5)."""
    now = now or utcnow()
    cfg, pol = rt.config.rating, rt.config.survey
    cutoff = now - timedelta(hours=cfg.reminder_after_hours)
    n = 0
    with rt.uow() as uow:
        reminded = select(SmsOutboxRow.id).where(
            SmsOutboxRow.survey_id == SurveyRow.id,
            SmsOutboxRow.dedupe_key.startswith("survey-remind-"))
        rows = uow.session.execute(select(SurveyRow, WorkOrderRow.number).join(
            WorkOrderRow, WorkOrderRow.id == SurveyRow.order_id).where(
            SurveyRow.status == survey_policy.PENDING, SurveyRow.sent_at.is_not(None),
            SurveyRow.sent_at <= cutoff, SurveyRow.expires_at > now,
            SurveyRow.phone.is_not(None), ~reminded.exists())
            .order_by(SurveyRow.id).limit(limit)).all()
        for s, number in rows:
            if not R.reminder_due(aware(s.sent_at), aware(s.expires_at), now,
                                  cfg.reminder_after_hours):
                continue
            link = f"{pol.base_url.rstrip('/')}/s/{s.token}"
            row = sms.queue(rt, uow, key=reminder_key(s.id), kind="survey",
                            body=cfg.reminder_template.format(number=number, link=link),
                            phone=s.phone, order_id=s.order_id, survey_id=s.id,
                            params={"number": number, "link": link}, now=now)
            if row is not None:
                audit(uow, s, SYSTEM, "reminder", sms_id=row.id)
                n += 1
        uow.commit()
    return n


def tick(rt) -> None:
    remind_due(rt)


# ------------------------------------------------------------------ 差评整改

def _log(uow, task: RectificationRow, actor: Actor, action: str, **data) -> None:
    uow.session.add(RectificationLogRow(task_id=task.id, at=utcnow(), actor=actor.username,
                                        role=str(actor.role), action=action, data=data))


def open_for_survey(rt, uow, survey_id: int) -> RectificationRow | None:
    """A bad rating opens one task (unique per survey: a re-run handler adds nothing). Runs
    in the outbox handler's transaction."""
    s = uow.session.get(SurveyRow, survey_id)
    if s is None or not R.is_bad(s.satisfaction) or s.excluded:
        return None
    if uow.session.execute(select(RectificationRow.id).where(
            RectificationRow.survey_id == survey_id)).first():
        return None
    direct = uow.session.execute(select(TransitionRow.id).where(
        TransitionRow.order_id == s.order_id, TransitionRow.action == "answer")).first() \
        is not None
    now = utcnow()
    # end of the Nth working day (23:59:59+08:00), stored in UTC like every other time
    deadline = rt.config.sla_engine.calendar.add_working_days(
        now, rt.config.rating.rectification_working_days).astimezone(timezone.utc)
    task = RectificationRow(survey_id=s.id, order_id=s.order_id,
                            unit=None if direct else s.unit, direct_answer=direct,
                            status=R.OPEN, created_at=now, deadline=deadline, rounds=0)
    uow.session.add(task)
    uow.session.flush()
    _log(uow, task, SYSTEM, "open", satisfaction=s.satisfaction)
    return task


def _visible(actor: Actor, t: RectificationRow) -> bool:
    if actor.role in CENTRE:
        return True
    return actor.role == Role.DEPARTMENT and actor.unit is not None and t.unit == actor.unit


def _unit_name(rt, code: str | None) -> str:
    if code is None:
        return CENTRE_LABEL
    u = rt.city.units.get(code)
    return u.name if u else "未知单位"


def _view(rt, t: RectificationRow, s: SurveyRow | None, o: WorkOrderRow | None,
          now: datetime) -> dict:
    from hotline.workorders.views import iso
    return {"id": t.id, "order_id": t.order_id, "order_number": o.number if o else None,
            "title": (o.title or o.content[:40]) if o else None, "unit": t.unit,
            "unit_name": _unit_name(rt, t.unit), "direct_answer": t.direct_answer,
            "status": t.status, "status_label": R.STATUS_LABELS[t.status],
            "created_at": iso(t.created_at), "deadline": iso(t.deadline),
            "overdue": R.overdue(t.status, aware(t.deadline),
                                 aware(t.first_feedback_at) if t.first_feedback_at else None,
                                 now),
            "satisfaction_label": survey_policy.SATISFACTION.get(s.satisfaction, "")
            if s else "",
            "comment": s.comment if s else None, "feedback": t.feedback,
            "feedback_at": iso(t.feedback_at), "feedback_by": t.feedback_by,
            "decided_at": iso(t.decided_at), "decision_note": t.decision_note,
            "rounds": t.rounds}


def list_tasks(rt, actor: Actor, status: str | None = None, unit: str | None = None) -> dict:
    """The centre sees every task; a unit sees its own."""
    if actor.role not in CENTRE and actor.role != Role.DEPARTMENT:
        raise NotPermitted("无权查看差评整改")
    now = utcnow()
    with rt.sessions() as ses:
        q = select(RectificationRow, SurveyRow, WorkOrderRow).join(
            SurveyRow, SurveyRow.id == RectificationRow.survey_id).join(
            WorkOrderRow, WorkOrderRow.id == RectificationRow.order_id)
        if actor.role == Role.DEPARTMENT:
            q = q.where(RectificationRow.unit == actor.unit)
        elif unit:
            q = q.where(RectificationRow.unit == unit)
        if status:
            q = q.where(RectificationRow.status == status)
        rows = ses.execute(q.order_by(RectificationRow.id.desc()).limit(500)).all()
        items = [_view(rt, t, s, o, now) for t, s, o in rows]
    return {"items": items, "total": len(items)}


def _load(uow, actor: Actor, task_id: int) -> RectificationRow:
    q = select(RectificationRow).where(RectificationRow.id == task_id)
    t = uow.session.execute(q.with_for_update() if uow.session.bind.dialect.name ==
                            "postgresql" else q).scalar_one_or_none()
    if t is None or not _visible(actor, t):
        raise NotFound("整改任务不存在")
    return t


def _one(rt, uow, t: RectificationRow) -> dict:
    s = uow.session.get(SurveyRow, t.survey_id)
    o = uow.session.get(WorkOrderRow, t.order_id)
    return _view(rt, t, s, o, utcnow())


def submit_feedback(rt, actor: Actor, task_id: int, feedback: str) -> dict:
    """The unit's written feedback (what it did about the bad rating)."""
    if actor.role != Role.DEPARTMENT:
        raise NotPermitted("整改反馈由被评价的承办单位填写")
    text = (feedback or "").strip()
    if not 5 <= len(text) <= 2000:
        raise RuleViolation("整改反馈须为 5 至 2000 字", field="feedback")
    with rt.uow() as uow:
        t = _load(uow, actor, task_id)
        if t.status != R.OPEN:
            raise RuleViolation("该整改任务已反馈, 等待中心审核", field="feedback")
        now = utcnow()
        t.feedback, t.feedback_at, t.feedback_by, t.status = text, now, actor.username, \
            R.SUBMITTED
        t.first_feedback_at = t.first_feedback_at or now
        _log(uow, t, actor, "feedback", feedback=text)
        out = _one(rt, uow, t)
        uow.commit()
        return out


def decide(rt, actor: Actor, task_id: int, decision: str, note: str | None) -> dict:
    """The centre accepts the feedback or sends it back (a note is required then)."""
    if actor.role not in DECIDERS:
        raise NotPermitted("只有督办员可以审核整改")
    if decision not in R.DECISIONS:
        raise RuleViolation("须为 accept (通过) 或 return (退回)", field="decision")
    note = (note or "").strip() or None
    if decision == "return" and not note:
        raise RuleViolation("退回须说明原因", field="note")
    with rt.uow() as uow:
        t = _load(uow, actor, task_id)
        if t.status != R.SUBMITTED:
            raise RuleViolation("该整改任务尚未反馈或已完成", field="decision")
        t.decided_at, t.decided_by, t.decision_note = utcnow(), actor.username, note
        if decision == "accept":
            t.status = R.ACCEPTED
        else:
            t.status, t.rounds = R.OPEN, t.rounds + 1
        _log(uow, t, actor, decision, note=note)
        out = _one(rt, uow, t)
        uow.commit()
        return out


# ------------------------------------------------------------------ report

def unit_figures(rt, frm: date, to: date, now: datetime | None = None) -> dict:
    """Per unit (the centre for direct answers), the tasks opened in the period: 差评整改
    count, open, awaiting review, done, overdue, and the rate of feedback on time. Also the
    read function the monthly bulletin calls (issue 18 item 5)."""
    now = now or utcnow()
    start = datetime(frm.year, frm.month, frm.day, tzinfo=TZ)
    end = datetime(to.year, to.month, to.day, tzinfo=TZ) + timedelta(days=1)
    per: dict = {}
    with rt.sessions() as ses:
        for t in ses.execute(select(RectificationRow).where(
                RectificationRow.created_at >= start, RectificationRow.created_at < end)
                ).scalars():
            x = per.setdefault(t.unit, {"unit": t.unit, "unit_name": _unit_name(rt, t.unit),
                                        "tasks": 0, "open": 0, "submitted": 0, "accepted": 0,
                                        "overdue": 0, "feedback_on_time": 0})
            x["tasks"] += 1
            x[t.status] += 1
            first = aware(t.first_feedback_at) if t.first_feedback_at else None
            late = R.overdue(t.status, aware(t.deadline), first, now)
            x["overdue"] += late
            x["feedback_on_time"] += first is not None and not late
    items = sorted(per.values(), key=lambda x: (-x["tasks"], x["unit"] or ""))
    for x in items:
        x["on_time_rate"] = round(x["feedback_on_time"] / x["tasks"], 4) if x["tasks"] else None
    return {"from": frm.isoformat(), "to": to.isoformat(), "items": items}
