"""Outbox handlers of 服务体验官 (listed in the handler table, core/handlers.py): after the
closure's surveys exist (the survey and knowledge handlers run first in the same list), an
officer's own appeal has them excluded from scoring."""
from __future__ import annotations

from . import service


def on_closure(rt, uow, event_id: int, ev) -> None:
    service.exclude_officer_surveys(rt, uow, ev.order_id)
