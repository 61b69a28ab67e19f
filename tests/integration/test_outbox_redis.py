"""Redis down: intake keeps working; the outbox work runs once Redis is back
(docs/design/architecture.md §5.4)."""
import pytest
from sqlalchemy import func, select

from hotline.core.orm import NotificationRow, OutboxRow
from hotline.core.outbox import relay_once
from tests.conftest import Api, _fresh_runtime, require_server

from .helpers import PrivateRedis, hotline_cmd, runtime_env


@pytest.fixture
def private_redis():
    require_server("redis")   # the binary and a working Redis setup are required
    r = PrivateRedis().start()
    yield r
    r.stop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_orders_accepted_while_redis_down_and_work_runs_after(backend, request,
                                                              private_redis):
    from hotline.web.app import create_app
    rt = _fresh_runtime(backend, request, redis_url=private_redis.url)
    api = Api(create_app(rt))
    private_redis.stop()                                   # Redis outage
    assert api.client.get("/healthz").json["queue"] == "down"
    ids = [api.create(content=f"第{i}位市民反映路灯不亮, 夜间出行不便",
                      unit="dept_urban", town="town_humen")["id"] for i in range(5)]
    assert len(ids) == 5
    from redis.exceptions import ConnectionError as RedisConnectionError
    with pytest.raises(RedisConnectionError):
        relay_once(rt)                                      # cannot reach Redis: rows stay
    with rt.uow() as uow:
        pending = uow.session.execute(select(func.count()).select_from(OutboxRow)
                                      .where(OutboxRow.processed_at.is_(None))).scalar_one()
    assert pending == 10     # order.dispatched + order.created for each of the 5 orders

    private_redis.start()                                   # Redis is back
    out = hotline_cmd(["worker", "--burst"], runtime_env(rt))
    assert out.returncode == 0, out.stderr[-2000:]
    with rt.uow() as uow:
        s = uow.session
        done = s.execute(select(func.count()).select_from(OutboxRow)
                         .where(OutboxRow.processed_at.is_not(None))).scalar_one()
        notes = s.execute(select(NotificationRow.order_id)
                          .where(NotificationRow.kind == "dispatched")).scalars().all()
    assert done == 10
    assert sorted(notes) == sorted(ids)      # each order notified exactly once
    rt.engine.dispose()


def test_relay_twice_and_duplicate_jobs_do_the_work_once(request, private_redis):
    rt = _fresh_runtime("sqlite", request, redis_url=private_redis.url)
    from hotline.web.app import create_app
    api = Api(create_app(rt))
    oid = api.create(unit="town_humen", town="town_humen")["id"]
    from hotline.core.outbox import process_event
    with rt.uow() as uow:
        ev = uow.session.execute(select(OutboxRow.id).where(
            OutboxRow.topic == "order.dispatched")).scalar_one()
    assert process_event(rt, ev) is True
    assert process_event(rt, ev) is False            # a retried job is a no-op
    with rt.uow() as uow:
        n = uow.session.execute(select(func.count()).select_from(NotificationRow)
                                .where(NotificationRow.order_id == oid)).scalar_one()
    assert n == 1
