"""Outbox topic -> handler. Each handler runs inside `process_event`'s transaction and writes
with a dedupe key, so running it twice cannot notify twice."""
from __future__ import annotations

from sqlalchemy import select

from hotline.adapters.db import utcnow
from hotline.adapters.orm import NotificationRow, WorkOrderRow


def _notify(uow, key: str, unit: str | None, order_id: int | None, kind: str, message: str,
            username: str | None = None) -> None:
    exists = uow.session.execute(select(NotificationRow.id)
                                 .where(NotificationRow.dedupe_key == key)).first()
    if exists:
        return
    uow.session.add(NotificationRow(dedupe_key=key, unit=unit, username=username,
                                    order_id=order_id, kind=kind, message=message,
                                    created_at=utcnow()))


def _order(uow, order_id):
    """The three columns a notification needs, not the whole ORM row (every dispatched order
    runs this in the worker)."""
    return uow.session.execute(select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.unit)
                               .where(WorkOrderRow.id == order_id)).first()


def on_dispatched(rt, uow, event_id: int, payload: dict) -> None:
    order = _order(uow, payload["order_id"])
    if order is None:
        return
    _notify(uow, f"dispatched-{event_id}", payload.get("unit"), order.id, "dispatched",
            f"新工单 {order.number} 已派至本单位, 请及时签收")


def _unit_event(kind: str, text: str):
    def handler(rt, uow, event_id: int, payload: dict) -> None:
        order = _order(uow, payload["order_id"])
        if order is not None:
            _notify(uow, f"{kind}-{event_id}", order.unit, order.id, kind,
                    text.format(number=order.number))
    return handler


# order.created has no handler of its own: nothing is sent for a plain intake, so its rows
# are marked done by the relay without a job (services/outbox.py). A channel that needs it
# registers one and the rows are run like any other.
_CORE = {
    "order.dispatched": on_dispatched,
    "order.approve_return": on_dispatched,
    "order.arbitrate": on_dispatched,
    "order.urge": _unit_event("urge", "工单 {number} 被催办, 请尽快办理"),
    "order.supervise": _unit_event("supervise", "工单 {number} 已列入督办"),
    "order.send_back": _unit_event("send_back", "工单 {number} 答复被回退, 请重新办理"),
    "order.reopen": _unit_event("reopen", "工单 {number} 经回访需重办"),
}


# topic -> handlers. Feature modules add theirs with `register` (surveys, webhooks, SLA).
HANDLERS: dict[str, list] = {}


def register(topic: str, fn) -> None:
    HANDLERS.setdefault(topic, []).append(fn)


for _topic, _fn in _CORE.items():
    register(_topic, _fn)


def _train(rt, uow, event_id, payload):
    from .training import on_train_requested
    on_train_requested(rt, uow, event_id, payload)


register("classify.train", _train)

# feature handlers register themselves when imported (they import `register` from here)
from hotline.knowledge import handlers as _knowledge_handlers  # noqa: E402,F401  (issue 16)

from . import dispatch_handlers, sla_handlers, survey_handlers, webhooks  # noqa: E402,F401
