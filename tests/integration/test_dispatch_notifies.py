"""Issue 13, first bug: an order the dispatcher dispatches from the queue must notify the unit,
exactly as an order dispatched at intake does (one event, OrderDispatched, whatever the path:
docs/design/architecture.md §5.2). On SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import select

from hotline.core.orm import NotificationRow
from hotline.core.outbox import drain_once


def _notifications(rt, order_id):
    with rt.uow() as uow:
        return uow.session.execute(select(NotificationRow.unit, NotificationRow.kind).where(
            NotificationRow.order_id == order_id).order_by(NotificationRow.id)).all()


def test_dispatching_a_queued_order_notifies_the_unit(rt, api):
    # no unit named and no model published: the order waits in the dispatcher's queue
    oid = api.create(content="市民反映小区门口垃圾堆积多日无人清运, 气味难闻", town="town_humen")["id"]
    assert api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json["status"] == \
        "pending_dispatch"
    api.act("dispatcher", oid, "dispatch", unit="town_humen")
    drain_once(rt)
    assert [tuple(n) for n in _notifications(rt, oid)] == [("town_humen", "dispatched")]


def test_dispatch_at_intake_notifies_the_unit_once(rt, api):
    oid = api.create(unit="town_humen", town="town_humen")["id"]
    drain_once(rt)
    assert [tuple(n) for n in _notifications(rt, oid)] == [("town_humen", "dispatched")]
