"""Outbox handler of 热点预警 (hotline/core/handlers.py): every dispatcher and supervisor is
told at once, after the commit of the appeal that raised the alert."""
from __future__ import annotations

from hotline.core.notify import notify_roles
from hotline.workorders.domain.workflow import Role

from .orm import HotspotAlertRow


def on_alerted(rt, uow, event_id: int, ev) -> None:
    a = uow.session.get(HotspotAlertRow, ev.alert_id)
    if a is None:
        return
    town = rt.city.units.get(a.town)
    notify_roles(uow, f"hotspot-{event_id}", (Role.DISPATCHER, Role.SUPERVISOR),
                 a.master_order_id, "hotspot",
                 f"热点预警: {town.name if town else ''} {a.window_minutes} 分钟内"
                 f"至少 {a.threshold} 件相似诉求「{a.topic}」, 请查看热点预警页面")
