"""Outbox handlers of 会商 (listed in hotline/core/handlers.py); idempotent by dedupe key."""
from __future__ import annotations

from hotline.core.notify import notify

from .orm import ConsultationDecisionRow, ConsultationRow


def on_opened(rt, uow, event_id: int, ev) -> None:
    row = uow.session.get(ConsultationRow, ev.consultation_id)
    order = uow.orders.get_row(ev.order_id)
    if row is None or order is None:
        return
    for unit in row.units or []:
        notify(uow, f"consult-{event_id}-{unit}", unit, None, "consult",
               f"工单 {order.number} 发起会商, 请于期限前答复是否牵头、协助或不同意 (附依据)")


def on_decided(rt, uow, event_id: int, ev) -> None:
    row = uow.session.get(ConsultationRow, ev.consultation_id)
    order = uow.orders.get_row(ev.order_id)
    from sqlalchemy import select
    d = uow.session.execute(select(ConsultationDecisionRow).where(
        ConsultationDecisionRow.consultation_id == ev.consultation_id)).scalar_one_or_none()
    if row is None or order is None or d is None:
        return
    for unit in row.units or []:
        role = "主办" if unit == d.lead else "协办" if unit in (d.assist or []) else "不承办"
        notify(uow, f"consult-decided-{event_id}-{unit}", unit,
               order.id if role != "不承办" else None, "consult",
               f"工单 {order.number} 会商已决定: 本单位{role}")
