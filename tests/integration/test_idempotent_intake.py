"""Idempotent intake (Idempotency-Key): a client that got no answer retries with the same key
and gets the order stored by the first try, never a second order. The case is real: when
PostgreSQL stops between COMMIT and its acknowledgement the order is stored but the client
sees a 503 (test_faults.test_postgres_restart_under_traffic_503_then_recovers)."""
import threading

import pytest
from sqlalchemy import func, select

from hotline.core.orm import OutboxRow, WorkOrderRow
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor

TEXT = "市民反映虎门镇某路段井盖缺失, 夜间存在安全隐患"


def _post(api, key, user="agent", content=TEXT):
    return api.as_(user).post("/api/v1/orders", json={"content": content, "town": "town_humen",
                                                      "unit": "town_humen"},
                              headers={"Idempotency-Key": key})


def _count(rt, model, *where):
    with rt.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(model).where(*where)
                                   ).scalar_one()


def test_retry_with_the_same_key_returns_the_stored_order(rt, api):
    first = _post(api, "5b0c2f0e-9a53-4d6e-8f1b-1c2d3e4f5a6b")
    assert first.status_code == 201 and first.json["replayed"] is False
    again = _post(api, "5b0c2f0e-9a53-4d6e-8f1b-1c2d3e4f5a6b")
    assert again.status_code == 200 and again.json["replayed"] is True
    assert again.json["id"] == first.json["id"] and again.json["number"] == first.json["number"]
    assert again.json["status"] == "dispatched" and again.json["unit"] == "town_humen"
    assert _count(rt, WorkOrderRow) == 1
    # the order's side effects were announced once
    assert _count(rt, OutboxRow, OutboxRow.topic == "order.created") == 1


def test_keys_are_per_account_and_absent_keys_change_nothing(rt, api):
    a = _post(api, "k-1")
    b = _post(api, "k-1", user="dispatcher")          # another account's key space
    assert a.status_code == b.status_code == 201 and a.json["id"] != b.json["id"]
    api.create(content=TEXT)
    api.create(content=TEXT)                          # no key: every post is a new appeal
    assert _count(rt, WorkOrderRow) == 4


def test_same_key_for_another_appeal_is_422_naming_the_header(rt, api):
    first = _post(api, "k-2")
    r = _post(api, "k-2", content="市民咨询公积金提取需要准备哪些材料")
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json["error"]["fields"]
    assert first.json["number"] in r.json["error"]["message"]
    assert _count(rt, WorkOrderRow) == 1


@pytest.mark.parametrize("key", ["", "x" * 65, "中文键", "a b"])
def test_malformed_key_is_422_and_stores_nothing(rt, api, key):
    r = _post(api, key)
    assert r.status_code == 422, r.json
    assert r.json["error"]["fields"] == {"Idempotency-Key": ["须为 1 至 64 个可见 ASCII 字符"]}
    assert _count(rt, WorkOrderRow) == 0


def test_racing_tries_with_one_key_store_one_order(rt):
    """Both tries find no order under the key and insert; the unique index lets one commit and
    the loser answers with the winner's order."""
    barrier = threading.Barrier(4)
    results, errors = [], []

    def try_once():
        barrier.wait()
        try:
            results.append(orders.create_order(rt, Actor("agent", "agent"), {
                "content": TEXT, "town": "town_humen", "unit": "town_humen",
                "idempotency_key": "race-key"}))
        except Exception as e:     # noqa: BLE001 - the assertion below shows it
            errors.append(e)
    threads = [threading.Thread(target=try_once) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(results) == 4
    assert len({r["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results).count(False) == 1
    assert _count(rt, WorkOrderRow) == 1
    assert _count(rt, OutboxRow, OutboxRow.topic == "order.created") == 1
