"""Outbound webhooks against a real HTTP receiver on loopback."""
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from hotline.core.db import utcnow
from hotline.core.outbox import drain_once
from hotline.webhooks import service as webhooks


class Receiver:
    """Answers `fail_first` requests with 500, then 200; records every request."""

    def __init__(self, fail_first=0):
        self.fail_first, self.requests, self.lock = fail_first, [], threading.Lock()
        recv = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with recv.lock:
                    status = 500 if recv.fail_first > 0 else 200
                    recv.fail_first -= 1
                    recv.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self):
        """Deliveries the receiver accepted, deduplicated on X-Hotline-Delivery."""
        return {h["X-Hotline-Delivery"]: json.loads(b) for h, b, s in self.requests
                if s == 200}

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def configure(api, unit, url):
    r = api.as_("admin").put(f"/api/v1/admin/units/{unit}/webhook", json={"url": url})
    assert r.status_code == 200, r.json
    return r.json["secret"]


def later(hours):
    return utcnow() + timedelta(hours=hours)


def test_failing_receiver_gets_the_event_once_after_retries(api, rt, receiver):
    receiver.fail_first = 2
    secret = configure(api, "dept_urban", receiver.url)
    assert secret and len(secret) == 64
    order = api.create(content="路灯连续多晚不亮, 请尽快维修", category="street_lights",
                       unit="dept_urban")
    drain_once(rt)                                   # attempt 1 (inline, embedded default)
    assert [s for _, _, s in receiver.requests] == [500]
    assert webhooks.retry_due(rt) == 0               # backoff not over yet
    webhooks.retry_due(rt, now=later(1))             # attempt 2
    webhooks.retry_due(rt, now=later(2))             # attempt 3 succeeds
    webhooks.retry_due(rt, now=later(30))            # nothing left
    drain_once(rt)
    assert [s for _, _, s in receiver.requests] == [500, 500, 200]
    ids = {h["X-Hotline-Delivery"] for h, _, _ in receiver.requests}
    assert len(ids) == 1                             # one delivery id across retries
    [(delivery_id, body)] = receiver.accepted().items()
    assert body["event"] == "order.dispatched" and body["order"]["number"] == order["number"]
    assert body["delivery_id"] == delivery_id and body["replay"] is False

    headers, raw, _ = receiver.requests[-1]
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hotline-Signature"], expected)
    assert headers["X-Hotline-Replay"] == "false"
    assert headers["X-Hotline-Event"] == "order.dispatched"
    assert webhooks.deliver(rt, delivery_id) == "delivered"   # idempotent: no resend
    assert len(receiver.requests) == 3

    [log] = api.as_("admin").get("/api/v1/admin/webhook-deliveries").json["items"]
    assert log["status"] == "delivered" and log["attempts"] == 3
    assert [a["status_code"] for a in log["log"]] == [500, 500, 200]


def test_replay_is_marked_and_logged(api, rt, receiver):
    secret = configure(api, "dept_urban", receiver.url)
    api.create(content="路灯不亮请维修处理", category="street_lights", unit="dept_urban")
    drain_once(rt)
    [(orig, _)] = receiver.accepted().items()
    assert api.as_("dispatcher").post(f"/api/v1/admin/webhook-deliveries/{orig}/replay",
                                      json={}).status_code == 403
    r = api.as_("admin").post(f"/api/v1/admin/webhook-deliveries/{orig}/replay", json={})
    assert r.status_code == 202, r.json
    assert r.json["replay"] is True and r.json["replay_of"] == orig
    assert r.json["status"] == "delivered" and r.json["delivery_id"] != orig
    headers, raw, _ = receiver.requests[-1]
    assert headers["X-Hotline-Replay"] == "true"
    body = json.loads(raw)
    assert body["replay"] is True and body["replay_of"] == orig
    assert headers["X-Hotline-Delivery"] == r.json["delivery_id"] == body["delivery_id"]
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Hotline-Signature"] == expected
    items = api.as_("admin").get("/api/v1/admin/webhook-deliveries").json["items"]
    assert [(i["replay"], i["requested_by"]) for i in items] == [(True, "admin"),
                                                                  (False, None)]


def test_every_event_kind_once_and_only_for_units_with_a_hook(api, rt, receiver):
    configure(api, "dept_urban", receiver.url)
    o = api.create(content="路灯不亮请维修处理", category="street_lights", unit="dept_urban")
    other = api.create(content="物业乱收费问题请处理", category="property_mgmt",
                       unit="dept_housing")
    oid = o["id"]
    api.act("dispatcher", oid, "urge")
    api.act("supervisor", oid, "supervise")
    api.act("dept_urban", oid, "sign")
    api.act("dept_urban", oid, "reply", reply="已修复")
    api.act("dispatcher", oid, "accept_reply")
    api.act("supervisor", oid, "reopen", reason="市民反映仍未修好")
    api.act("dept_urban", oid, "sign")
    api.act("dept_urban", oid, "reply", reply="已更换灯具")
    api.act("dispatcher", oid, "accept_reply")
    api.act("dispatcher", oid, "close")
    drain_once(rt)
    drain_once(rt)
    events = sorted(b["event"] for b in receiver.accepted().values())
    assert events == ["order.closed", "order.dispatched", "order.reopened",
                      "order.supervised", "order.urged"]
    assert len(receiver.requests) == 5
    assert all(b["order"]["number"] == o["number"] for b in receiver.accepted().values())
    assert other["number"] not in str(receiver.requests)
    # the unit sees what a department user sees: a masked phone at most
    assert all("caller" in b["order"] for b in receiver.accepted().values())


def test_handler_rerun_adds_no_second_delivery(api, rt, receiver):
    from hotline.core.events import OrderDispatched
    from hotline.intake.orm import WebhookDeliveryRow
    configure(api, "dept_urban", receiver.url)
    o = api.create(content="路灯不亮请维修处理", category="street_lights", unit="dept_urban")
    assert webhooks.push in rt.handlers[OrderDispatched]
    for _ in range(2):
        with rt.uow() as uow:
            webhooks.push(rt, uow, 999_999, OrderDispatched(order_id=o["id"], unit="dept_urban"))
            uow.commit()
    with rt.uow() as uow:
        n = uow.session.execute(select(func.count(WebhookDeliveryRow.id)).where(
            WebhookDeliveryRow.dedupe_key == "ev999999:dept_urban")).scalar_one()
    assert n == 1


def test_unreachable_receiver_gives_up_after_the_backoff_list(api, rt):
    configure(api, "dept_urban", "http://127.0.0.1:9/hook")   # discard port: refused
    api.create(content="路灯不亮请维修处理", category="street_lights", unit="dept_urban")
    drain_once(rt)
    for h in range(1, 12):
        webhooks.retry_due(rt, now=later(h * 3))
    [log] = api.as_("admin").get("/api/v1/admin/webhook-deliveries").json["items"]
    assert log["status"] == "failed"
    assert log["attempts"] == 1 + len(rt.config.webhooks["backoff_seconds"])
    assert all(a["status_code"] is None and a["error"] for a in log["log"])
    bad = api.as_("admin").put("/api/v1/admin/units/dept_urban/webhook",
                               json={"url": "ftp://x"})
    assert bad.status_code == 422


def test_production_path_retries_through_rq(request, redis_url, monkeypatch):
    """With REDIS_URL the send is an rq job; retries are re-enqueued by `retry_due`."""
    from rq import Queue
    from rq.worker import SimpleWorker
    from sqlalchemy import update

    import hotline.core.jobs
    from hotline.core.outbox import pending_ids, process_event
    from hotline.intake.orm import WebhookDeliveryRow
    from hotline.workorders import commands as orders
    from hotline.workorders.domain.model import Actor
    from tests.conftest import _fresh_runtime
    rt = _fresh_runtime("sqlite", request, redis_url=redis_url)
    monkeypatch.setattr(hotline.core.jobs, "_RUNTIME", rt)
    receiver = Receiver(fail_first=2)
    queue = Queue(rt.settings.queue_name, connection=rt.redis())
    queue.empty()
    try:
        admin = Actor("admin", "admin")
        webhooks.configure(rt, admin, "dept_urban", receiver.url)
        orders.create_order(rt, Actor("agent", "agent"), {
            "content": "路灯不亮请维修处理", "category": "street_lights", "unit": "dept_urban"})
        for event_id in pending_ids(rt):
            process_event(rt, event_id)                  # what the outbox job does
        worker = SimpleWorker([queue], connection=rt.redis())
        worker.work(burst=True)
        for _ in range(3):
            with rt.uow() as uow:   # let the backoff pass (the job reads the real clock)
                uow.session.execute(update(WebhookDeliveryRow).values(
                    next_attempt_at=utcnow() - timedelta(seconds=1)))
                uow.commit()
            webhooks.retry_due(rt)
            worker.work(burst=True)
        assert [s for _, _, s in receiver.requests] == [500, 500, 200]
        assert len(receiver.accepted()) == 1
    finally:
        queue.empty()
        receiver.close()
        rt.engine.dispose()
