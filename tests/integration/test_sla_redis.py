"""The production path of the sweep: PostgreSQL + Redis. Two overlapping `hotline sla sweep`
processes record each escalation step once; `hotline worker` then relays the outbox through
rq and every step's notification is delivered exactly once."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from hotline.core.orm import NotificationRow, OutboxRow
from tests.conftest import _fresh_runtime

from .helpers import hotline_cmd, runtime_env
from .test_sla_concurrency import N, _assert_exactly_once, _orders, _two_overlapping_sweeps


def test_overlapping_sweeps_then_rq_delivery_exactly_once(request, redis_url):
    rt = _fresh_runtime("postgresql", request, redis_url=redis_url)
    ids = _orders(rt)
    stats = _two_overlapping_sweeps(rt)
    assert sum(s["orders"] for s in stats) == N
    _assert_exactly_once(rt, ids)

    # relay + rq worker (burst), twice: the second run must find nothing new to do
    for _ in range(2):
        out = hotline_cmd(["worker", "--burst"], runtime_env(rt), timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
    with rt.uow() as uow:
        pending = uow.session.execute(select(OutboxRow.id).where(
            OutboxRow.processed_at.is_(None))).scalars().all()
        sent = Counter((n.order_id, n.kind, n.unit, n.username) for n in uow.session.execute(
            select(NotificationRow).where(NotificationRow.kind.in_(("urge", "supervise"))))
            .scalars())
    assert pending == []
    assert set(sent.values()) == {1}            # no recipient notified twice
    for oid in ids:
        unit_urged = [k for k in sent if k[0] == oid and k[1] == "urge" and k[2]]
        unit_supervised = [k for k in sent if k[0] == oid and k[1] == "supervise" and k[2]]
        supervisors = [k for k in sent if k[0] == oid and k[1] == "supervise" and k[3]]
        assert len(unit_urged) == 1 and len(unit_supervised) == 1 and supervisors, oid
    rt.engine.dispose()
