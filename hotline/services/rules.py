"""Rules around the aggregate that need configuration or other rows (首派 window, 两个15%).

Kept apart from orders.py so the dispatch issue can grow them without touching intake.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.dispatch.model import Actor, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")


def return_window_end(rt):
    """退单 window: default "until the end of the next working day" after dispatch
    (吕梁 1 工作日, domain §4.3), in the city's working calendar."""
    try:
        from hotline.sla.calendar import window_end_next_working_day
        return window_end_next_working_day
    except ImportError:   # calendar not available: weekdays only, never refuse wrongly early
        def weekdays(t: datetime) -> datetime:
            d = t.astimezone(TZ).date() + timedelta(days=1)
            while d.weekday() >= 5:
                d += timedelta(days=1)
            return datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=TZ)
        return weekdays


def before_action(rt, uow, order: WorkOrder, actor: Actor, action: str, payload: dict) -> None:
    """Validation that needs the database (unit codes exist, etc.)."""
    from hotline.dispatch.model import RuleViolation
    unit = (payload.get("data") or {}).get("unit")
    if unit is not None and unit not in rt.city.units:
        raise RuleViolation(f"未知单位代码 {unit}", field="data.unit")


def after_action(rt, uow, order: WorkOrder, actor: Actor, transition, payload: dict) -> None:
    pass
