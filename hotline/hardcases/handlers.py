"""Outbox handler of hard-case proposals (hotline/core/handlers.py): every supervisor is told."""
from __future__ import annotations

from hotline.core.notify import notify_roles
from hotline.workorders.domain.workflow import Role


def on_proposed(rt, uow, event_id: int, ev) -> None:
    order = uow.orders.get_row(ev.order_id)
    if order is None:
        return
    notify_roles(uow, f"hardcase-{event_id}", (Role.SUPERVISOR,), order.id, "hardcase",
                 f"工单 {order.number} 符合疑难工单条件, 请在疑难工单页面确认是否列入督办")
