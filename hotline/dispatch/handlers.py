"""Outbox handlers of dispatch (listed in the handler table, core/handlers.py).
Idempotent: every write is checked against what a previous run already wrote."""
from __future__ import annotations

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.core.events import MergedReplyCopied
from hotline.core.notify import notify as _notify
from hotline.core.orm import NoteRow, WorkOrderRow


def on_reply_accepted(rt, uow, event_id: int, ev) -> None:
    """并单 (docs/design/domain.md §2.4): a merged caller gets the master's reply (copied to their own
    order) and their own return visit (announced as `order.merged_reply` for the survey feature)."""
    master_id = ev.order_id
    reply = uow.session.execute(select(NoteRow).where(
        NoteRow.order_id == master_id, NoteRow.kind == "citizen_reply")
        .order_by(NoteRow.id.desc())).scalars().first()
    if reply is None:
        return
    children = uow.session.execute(select(WorkOrderRow).where(
        WorkOrderRow.master_id == master_id)).scalars().all()
    for child in children:
        done = uow.session.execute(select(NoteRow.id).where(
            NoteRow.order_id == child.id, NoteRow.kind == "citizen_reply",
            NoteRow.body == reply.body)).first()
        if done:
            continue
        uow.session.add(NoteRow(order_id=child.id, kind="citizen_reply", author=reply.author,
                                unit=reply.unit, body=reply.body, at=utcnow()))
        uow.emit(MergedReplyCopied(order_id=child.id, master_id=master_id,
                                   source_event=event_id))


def notify_assist_units(rt, uow, event_id: int, ev) -> None:
    """派单 with 协办 units or 增加协办单位: each assisting unit gets its task."""
    order = uow.session.get(WorkOrderRow, ev.order_id)
    if order is None:
        return
    for unit in order.assist_units or []:
        _notify(uow, f"assist-{event_id}-{unit}", unit, order.id, "assist",
                f"工单 {order.number} 需本单位协办, 请查看协办任务")


def on_flagged(rt, uow, event_id: int, ev) -> None:
    who = "话务员" if ev.kind == "agent" else "分类"
    _notify(uow, f"two15-{event_id}", None, None, "two15",
            f"「两个15%」: {who} {ev.subject} 退件率 {ev.rate_percent}%"
            f" 已达阈值, 请督办人员复核", username="supervisor")

