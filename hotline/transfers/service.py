"""The transfers still open (issue 17, Build 8): orders in 已转其他平台 with the receiving
party and reference of their `transfer_platform` transition, oldest first (the centre chases
the receivers for their answer)."""
from __future__ import annotations

from sqlalchemy import select

from hotline.core.db import aware, utcnow
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.workorders import views
from hotline.workorders.domain.model import TRANSFER_PLATFORMS
from hotline.workorders.domain.workflow import Status


def open_transfers(rt) -> dict:
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.content,
                   TransitionRow.at, TransitionRow.data)
            .join(TransitionRow, TransitionRow.order_id == WorkOrderRow.id)
            .where(WorkOrderRow.status == Status.TRANSFERRED_PLATFORM,
                   TransitionRow.action == "transfer_platform")
            .order_by(TransitionRow.at, WorkOrderRow.id)).all()
    now = utcnow()
    items = []
    for r in rows:
        d = r.data or {}
        items.append({"order_id": r.id, "number": r.number, "content": r.content,
                      "platform": d.get("platform"),
                      "platform_label": TRANSFER_PLATFORMS.get(d.get("platform"), "其他平台"),
                      "receiver": d.get("receiver"), "city": d.get("city"),
                      "reference": d.get("reference"),
                      "transferred_at": views.iso(aware(r.at)),
                      "waiting_days": (now - aware(r.at)).days})
    return {"items": items, "total": len(items)}
