"""Use cases of the call-centre figures (issue 18 item 4): take switch events (the queue_log
file and the JSON event API end in the same `ingest`), fold each call, link it to the order
logged during it, and report 接通率, 15-second answer rate, abandon rate and average wait per
hour and day. The only code of the feature that commits."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from hotline.core.db import aware, utcnow
from hotline.core.orm import WorkOrderRow
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

from .domain import figures as F
from .domain import queue_log as Q
from .orm import CallEventRow, CallStatRow

TZ = ZoneInfo("Asia/Shanghai")
SWITCH_ROLES = (Role.ADMIN, Role.SYSTEM)
READERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
LINKERS = (Role.AGENT, Role.DISPATCHER, Role.ADMIN)


def ingest(rt, events: list[Q.SwitchEvent], source: str) -> dict:
    """Store the events not seen before (dedupe key: a re-sent or re-imported event adds
    nothing), refold the calls they touch and link finished calls to their orders."""
    now = utcnow()
    with rt.uow() as uow:
        s = uow.session
        batch: dict[str, Q.SwitchEvent] = {}
        for e in events:
            batch.setdefault(e.dedupe_key(), e)
        known = set()
        keys = list(batch)
        for i in range(0, len(keys), 500):
            known.update(s.execute(select(CallEventRow.dedupe_key).where(
                CallEventRow.dedupe_key.in_(keys[i:i + 500]))).scalars())
        new = [e for k, e in batch.items() if k not in known]
        for e in new:
            s.add(CallEventRow(dedupe_key=e.dedupe_key(), callid=e.callid, event=e.event,
                               at=e.at, queue=e.queue, agent=e.agent, data=list(e.data),
                               source=source, received_at=now))
        s.flush()
        touched = sorted({e.callid for e in new})
        _refold(rt, s, touched)
        uow.commit()
    return {"received": len(events), "stored": len(new), "duplicates": len(events) - len(new),
            "calls": len(touched)}


def _refold(rt, s, callids: list[str]) -> None:
    settings = rt.config.callcentre
    for i in range(0, len(callids), 500):
        part = callids[i:i + 500]
        by_call: dict[str, list[Q.SwitchEvent]] = {c: [] for c in part}
        for r in s.execute(select(CallEventRow).where(CallEventRow.callid.in_(part))).scalars():
            by_call[r.callid].append(Q.SwitchEvent(aware(r.at), r.callid, r.queue, r.agent,
                                                   r.event, tuple(r.data or ())))
        rows = {r.callid: r for r in s.execute(select(CallStatRow).where(
            CallStatRow.callid.in_(part))).scalars()}
        for callid, evs in by_call.items():
            c = Q.fold(callid, evs)
            row = rows.get(callid) or CallStatRow(callid=callid)
            if callid not in rows:
                s.add(row)
            local = c.entered_at.astimezone(TZ) if c.entered_at else None
            row.queue, row.entered_at, row.outcome = c.queue, c.entered_at, c.outcome
            row.day, row.hour = (local.date(), local.hour) if local else (None, None)
            row.wait_seconds, row.agent = c.wait_seconds, c.agent
            row.username = settings.username(c.agent)
            row.answered_at, row.ended_at, row.talk_seconds = c.answered_at, c.ended_at, \
                c.talk_seconds
            row.rings_unanswered, row.events = c.rings_unanswered, c.events
            if row.link != "explicit":
                row.order_id, row.link = _order_in_window(rt, s, row), None
                row.link = "window" if row.order_id else None


def _order_in_window(rt, s, row: CallStatRow) -> int | None:
    """The order the answering agent logged during the call (from the answer to the hang-up
    plus the after-call work of `link_wrap_minutes`); the first one when several."""
    if row.outcome != Q.ANSWERED or not row.username or row.answered_at is None:
        return None
    start = aware(row.answered_at)
    end = aware(row.ended_at or row.answered_at) + timedelta(
        minutes=rt.config.callcentre.link_wrap_minutes)
    taken = select(CallStatRow.order_id).where(CallStatRow.order_id.is_not(None),
                                               CallStatRow.callid != row.callid)
    return s.execute(select(WorkOrderRow.id).where(
        WorkOrderRow.created_by == row.username, WorkOrderRow.created_at >= start,
        WorkOrderRow.created_at <= end, WorkOrderRow.id.not_in(taken))
        .order_by(WorkOrderRow.created_at, WorkOrderRow.id).limit(1)).scalar()


def link_call(rt, actor: Actor, callid: str, order_id: int) -> dict:
    """The agent named the call at intake: that call is the order's, whatever the window
    says. A call the switch has not reported yet is kept as a placeholder (no events, not
    counted) until its events arrive."""
    if actor.role not in LINKERS:
        raise NotPermitted("只有话务员可以关联来电")
    callid = (callid or "").strip()
    if not 1 <= len(callid) <= 64:
        raise RuleViolation("呼叫编号须为 1 至 64 个字符", field="call_id")
    with rt.uow() as uow:
        s = uow.session
        if s.get(WorkOrderRow, order_id) is None:
            raise RuleViolation("工单不存在", field="order_id")
        row = s.get(CallStatRow, callid)
        if row is None:
            row = CallStatRow(callid=callid, outcome=Q.OPEN, events=0, rings_unanswered=0)
            s.add(row)
        elif row.order_id not in (None, order_id) and row.link == "explicit":
            raise RuleViolation("该来电已关联其他工单", field="call_id")
        row.order_id, row.link = order_id, "explicit"
        uow.commit()
        return call_view(row)


def call_view(row: CallStatRow) -> dict:
    from hotline.workorders.views import iso
    return {"callid": row.callid, "queue": row.queue, "entered_at": iso(row.entered_at),
            "outcome": row.outcome, "outcome_label": Q.OUTCOME_LABELS.get(row.outcome, ""),
            "wait_seconds": row.wait_seconds, "agent": row.agent, "username": row.username,
            "answered_at": iso(row.answered_at), "ended_at": iso(row.ended_at),
            "talk_seconds": row.talk_seconds, "order_id": row.order_id, "link": row.link}


def calls_of_order(rt, actor: Actor, order_id: int) -> list[dict]:
    if actor.role not in READERS + LINKERS:
        raise NotPermitted("无权查看来电记录")
    with rt.sessions() as s:
        return [call_view(r) for r in s.execute(select(CallStatRow).where(
            CallStatRow.order_id == order_id)).scalars()]


# ------------------------------------------------------------------ report

def _sums(rt, s, frm: date, to: date, by: str) -> list[tuple]:
    within = rt.config.callcentre.answer_within_seconds
    c = CallStatRow
    answered = c.outcome == Q.ANSWERED
    keys = [c.day, c.hour] if by == "hour" else [c.day]
    one = lambda cond: func.sum(case((cond, 1), else_=0))   # noqa: E731
    q = select(*keys,
               one(c.outcome.in_((Q.ANSWERED, Q.ABANDONED, Q.TIMED_OUT, Q.LEFT))),
               one(answered), one(answered & (c.wait_seconds <= within)),
               one(c.outcome == Q.ABANDONED), one(c.outcome == Q.TIMED_OUT),
               one(c.outcome == Q.LEFT), one(c.outcome == Q.OPEN),
               func.sum(case(((c.outcome != Q.OPEN) & c.wait_seconds.is_not(None),
                              c.wait_seconds), else_=0)),
               one((c.outcome != Q.OPEN) & c.wait_seconds.is_not(None))) \
        .where(c.day >= frm, c.day <= to, c.events > 0).group_by(*keys).order_by(*keys)
    return list(s.execute(q))


def report(rt, frm: date, to: date, by: str = "day") -> dict:
    """Per day (by=day) or per hour of each day (by=hour), with the period's total, and the
    knowledge base's 直接答复率 and hit rate of the same period (hotline/knowledge, reused)."""
    from hotline.knowledge import service as knowledge
    periods, total = [], {}
    with rt.sessions() as s:
        for row in _sums(rt, s, frm, to, by):
            if by == "hour":
                day, hour, *counts = row
                label = f"{day.isoformat()} {hour:02d}:00"
            else:
                day, *counts = row
                label = day.isoformat()
            sums = dict(zip(("offered", "answered", "answered_within", "abandoned", "timeout",
                             "left", "in_queue", "wait_total", "wait_n"), counts))
            F.add(total, sums)
            periods.append({"period": label, **F.rates(sums)})
    kb = knowledge.report(rt, frm, to, "month")["total"]
    return {"from": frm.isoformat(), "to": to.isoformat(), "by": by,
            "answer_within_seconds": rt.config.callcentre.answer_within_seconds,
            "periods": periods, "total": {"period": "合计", **F.rates(total)},
            "knowledge": {k: kb.get(k) for k in ("contacts", "direct_answers",
                                                 "direct_answer_rate", "searches",
                                                 "searches_answered", "hit_rate")}}


def figures(rt, frm: date, to: date) -> dict:
    """The centre's own figures of a period for the monthly bulletin (issue 18 item 5):
    接通率, 15 秒接通率, 放弃率, 平均等待, 直接答复率, 知识库命中率, and the counts behind them."""
    r = report(rt, frm, to, "day")
    t = r["total"]
    return {"from": r["from"], "to": r["to"], "answer_within_seconds": r["answer_within_seconds"],
            **{k: t[k] for k in ("offered", "answered", "abandoned", "answer_rate",
                                 "service_level", "abandon_rate", "avg_wait_seconds")},
            "direct_answer_rate": r["knowledge"]["direct_answer_rate"],
            "hit_rate": r["knowledge"]["hit_rate"]}


def bulletin_table(rt, frm: date, to: date) -> dict | None:
    """The bulletin's section of the centre's own figures (reports/bulletin.py SECTIONS, wired
    in core/bootstrap.py): one row per figure; None when no call was imported for the month."""
    f = figures(rt, frm, to)
    if not f["offered"]:
        return None

    def pct(x):
        return "—" if x is None else f"{x * 100:.1f}%"
    rows = [("来电总量", f"{f['offered']} 个"), ("接通量", f"{f['answered']} 个"),
            ("接通率", pct(f["answer_rate"])),
            (f"{f['answer_within_seconds']} 秒接通率", pct(f["service_level"])),
            ("放弃率", pct(f["abandon_rate"])),
            ("平均等待", "—" if f["avg_wait_seconds"] is None
             else f"{f['avg_wait_seconds']:.0f} 秒"),
            ("直接答复率", pct(f["direct_answer_rate"])), ("知识库命中率", pct(f["hit_rate"]))]
    return {"columns": [["figure", "指标"], ["value", "本月"]],
            "items": [{"figure": k, "value": v} for k, v in rows]}


def check_reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise NotPermitted("无权查看话务报表")


def now_local() -> datetime:
    return utcnow().astimezone(TZ)
