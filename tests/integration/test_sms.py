"""SMS as a port (issue 13 item 8), on SQLite and PostgreSQL.

Embedded adapter: the message lands in the database and in the file, with its status.
HTTP adapter: a fake provider on loopback (a real werkzeug server in a thread) receives a
signed request, answers a request id and posts a signed delivery receipt to the service, which
runs as a real server too; forged receipts are refused; a provider 500 leaves the message
pending and a retried job never sends it twice.
"""
import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hotline.core import sms
from hotline.core.db import aware, utcnow
from hotline.core.events import OrderReplyAccepted, SlaWarning
from hotline.survey import service as survey
from hotline.survey.handlers import on_accept_reply
from hotline.survey.orm import SmsOutboxRow, SurveyAuditRow, SurveyRow
from tests.integration.survey_flow import drain, to_return_visit

PHONE = "13800000001"
AK, SK = "AK-test", "SK-test-secret"


def _rt(api):
    return api.app.extensions["hotline"]


def _messages(rt, kind=None):
    with rt.uow() as uow:
        q = select(SmsOutboxRow).order_by(SmsOutboxRow.id)
        if kind:
            q = q.where(SmsOutboxRow.kind == kind)
        rows = uow.session.execute(q).scalars().all()
        uow.session.expunge_all()   # plain snapshots: the unit of work rolls back on exit
        return rows


class Serving:
    """A WSGI app served on 127.0.0.1 by werkzeug in a daemon thread."""

    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.thread.join(5)


class FakeProvider:
    """A provider's send API: checks the signature of each request with its own copy of the
    secret, answers 500 for the first `fail_first` requests, else a request id; posts signed
    delivery reports to the service's receipt endpoint like the real one would."""

    def __init__(self):
        self.requests, self.fail_first, self.lock = [], 0, threading.Lock()
        self.serving = Serving(self.wsgi)
        self.url = self.serving.base + "/sms/send"

    def wsgi(self, environ, start_response):
        req = Request(environ)
        raw = req.get_data()
        h = req.headers
        msg = h.get("X-Sms-Timestamp", "").encode() + b"\n" + \
            h.get("X-Sms-Nonce", "").encode() + b"\n" + raw
        expected = "sha256=" + hmac.new(SK.encode(), msg, hashlib.sha256).hexdigest()
        signed = h.get("X-Sms-Access-Key") == AK and hmac.compare_digest(
            expected, h.get("X-Sms-Signature", ""))
        with self.lock:
            n = len(self.requests) + 1
            fail = self.fail_first > 0
            self.fail_first -= 1
            self.requests.append({"body": json.loads(raw), "signed": signed,
                                  "status": 500 if fail else 200})
        if fail:
            return Response("provider down", status=500)(environ, start_response)
        if not signed:
            return Response(json.dumps({"code": "SignatureDoesNotMatch"}), status=403,
                            mimetype="application/json")(environ, start_response)
        answer = {"code": "OK", "message": "OK", "request_id": f"req-{n}", "biz_id": f"biz-{n}"}
        return Response(json.dumps(answer), mimetype="application/json")(environ, start_response)

    def post_receipt(self, service_base, reports, secret=SK):
        import urllib.error
        import urllib.request
        body = json.dumps(reports).encode()
        req = urllib.request.Request(service_base + "/api/v1/sms/receipts", data=body,
                                     method="POST",
                                     headers=sms.signed_headers(AK, secret, body))
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def close(self):
        self.serving.close()


@pytest.fixture
def provider():
    p = FakeProvider()
    yield p
    p.close()


@pytest.fixture
def http_api(api, provider):
    """The app with the HTTP adapter pointed at the fake provider, served on loopback."""
    _rt(api).sms = sms.SmsSetup(sms.HttpGateway(provider.url, AK, SK))
    service = Serving(api.app)
    api.base = service.base
    yield api
    service.close()


# ------------------------------------------------------------------ embedded adapter

def test_embedded_writes_the_database_and_the_file_with_status(api, tmp_path):
    rt = _rt(api)
    log_file = tmp_path / "sms.log"
    rt.sms = sms.SmsSetup(sms.EmbeddedGateway(log_file), {"dept_housing": "13912345678"})
    oid = to_return_visit(api, phone=PHONE)
    [m] = _messages(rt, "survey")
    assert (m.status, m.gateway, m.attempts, m.phone) == ("sent", "embedded", 1, PHONE)
    assert m.sent_at is not None and m.order_id == oid
    with rt.uow() as uow:
        s = uow.session.get(SurveyRow, m.survey_id)
        assert s.sent_at is not None
        token = s.token
        sent = uow.session.execute(select(SurveyAuditRow.action).where(
            SurveyAuditRow.survey_id == s.id, SurveyAuditRow.action == "sms_sent")).all()
        assert len(sent) == 1
    # an SLA step for an urgent order goes at once (no quiet hours) to the unit's duty phone
    o = api.create(content="小区停水两天无人处理请尽快", category="property_mgmt",
                   unit="dept_housing", urgency="urgent")
    with rt.uow() as uow:
        uow.emit(SlaWarning(order_id=o["id"], key="sign-75", clock="sign", target="sign",
                            due=utcnow().isoformat(), label="75%", unit="dept_housing"))
        uow.commit()
    drain(api)
    [w] = _messages(rt, "sla")
    assert (w.status, w.recipient, w.phone, w.order_id) == ("sent", "dept_housing",
                                                            "13912345678", o["id"])
    text = log_file.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 2 and m.dedupe_key in lines[0] and w.dedupe_key in lines[1]
    # PIPL: the file has masked numbers only, and no survey link token
    assert "138****0001" in lines[0] and "139****5678" in lines[1]
    assert PHONE not in text and "13912345678" not in text and token not in text
    # the SMS page's API shows the status of every message, phones masked
    items = api.as_("dispatcher").get("/api/v1/sms-outbox").json["items"]
    assert [(i["kind"], i["status"], i["status_label"], i["attempts"]) for i in items] == [
        ("sla", "sent", "已发送", 1), ("survey", "sent", "已发送", 1)]
    assert PHONE not in str(items) and token not in str(items)
    # the embedded channel has no provider: any receipt is refused
    r = api.client.post("/api/v1/sms/receipts", json=[{"out_id": m.dedupe_key,
                                                       "success": True}])
    assert r.status_code == 403


# ------------------------------------------------------------------ HTTP adapter

def test_http_signed_request_request_id_and_signed_receipt_marks_delivered(http_api,
                                                                           provider):
    api, rt = http_api, _rt(http_api)
    to_return_visit(api, phone=PHONE)
    [req] = provider.requests
    assert req["signed"], "the provider could not verify the request's signature"
    [m] = _messages(rt)
    body = req["body"]
    assert body["phone_numbers"] == [PHONE] and body["out_id"] == m.dedupe_key
    assert body["sign_name"] == "东莞12345" and "/s/" in body["content"]
    assert (m.status, m.gateway, m.attempts, m.request_id) == ("sent", "http", 1, "biz-1")

    report = [{"out_id": m.dedupe_key, "biz_id": "biz-1", "phone_number": PHONE,
               "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功",
               "report_time": "2026-11-27 10:00:00"}]
    # a forged receipt (wrong secret) is refused and changes nothing
    status, out = provider.post_receipt(api.base, report, secret="not-the-secret")
    assert status == 403 and out["error"]["code"] == "forbidden"
    assert _messages(rt)[0].status == "sent"
    # an unsigned one too
    assert api.client.post("/api/v1/sms/receipts", json=report).status_code == 403

    status, out = provider.post_receipt(api.base, report)
    assert status == 200 and (out["updated"], out["unchanged"]) == (1, 0)
    [m] = _messages(rt)
    assert m.status == "delivered" and m.delivered_at is not None
    # the provider posts the same report again: idempotent
    status, out = provider.post_receipt(api.base, report)
    assert status == 200 and (out["updated"], out["unchanged"]) == (0, 1)
    assert _messages(rt)[0].status == "delivered"
    [item] = api.as_("agent").get("/api/v1/sms-outbox").json["items"]
    assert (item["status"], item["status_label"]) == ("delivered", "已送达")


def test_http_failed_receipt_keeps_its_reason(http_api, provider):
    api, rt = http_api, _rt(http_api)
    to_return_visit(api, phone=PHONE)
    [m] = _messages(rt)
    status, out = provider.post_receipt(api.base, [{
        "biz_id": m.request_id, "success": False, "err_code": "MOBILE_NOT_ON_SERVICE",
        "err_msg": "停机"}])
    assert status == 200 and out["updated"] == 1
    [m] = _messages(rt)
    assert m.status == "failed" and "MOBILE_NOT_ON_SERVICE" in m.last_error
    [item] = api.as_("agent").get("/api/v1/sms-outbox").json["items"]
    assert item["status_label"] == "发送失败" and "停机" in item["error"]


def test_http_provider_500_leaves_pending_and_a_retried_job_never_sends_twice(http_api,
                                                                              provider):
    api, rt = http_api, _rt(http_api)
    provider.fail_first = 1
    oid = to_return_visit(api, phone=PHONE)
    [m] = _messages(rt)
    assert [r["status"] for r in provider.requests] == [500]
    assert (m.status, m.attempts, m.last_error) == ("pending", 1, "HTTP 500")
    assert aware(m.send_after) > utcnow()                      # backoff
    with rt.uow() as uow:
        assert uow.session.get(SurveyRow, m.survey_id).sent_at is None
    # the job run again before the backoff, the survey tick, a replayed outbox event:
    # nothing is sent and no second message is written
    assert sms.deliver(rt, m.id) == "pending"
    assert survey.send_due(rt) == 0
    with rt.uow() as uow:
        seq = uow.session.execute(select(SurveyRow.closure_seq)
                                  .where(SurveyRow.order_id == oid)).scalar_one()
        on_accept_reply(rt, uow, 0, OrderReplyAccepted(order_id=oid, seq=seq))
        uow.commit()
    assert len(provider.requests) == 1 and len(_messages(rt)) == 1

    later = utcnow() + timedelta(minutes=2)
    assert sms.retry_due(rt, now=later) == 1                   # the periodic retry
    assert [r["status"] for r in provider.requests] == [500, 200]
    assert {r["body"]["out_id"] for r in provider.requests} == {m.dedupe_key}
    [m] = _messages(rt)
    assert (m.status, m.attempts, m.last_error, m.request_id) == ("sent", 2, None, "biz-2")
    # a retried job (rq redelivery, a second worker) after the send: no second request
    assert sms.deliver(rt, m.id, now=later + timedelta(hours=1)) == "sent"
    assert sms.retry_due(rt, now=later + timedelta(hours=3)) == 0
    assert survey.send_one(rt, m.survey_id) is False
    assert len(provider.requests) == 2
    with rt.uow() as uow:
        assert len(uow.session.execute(select(SurveyAuditRow).where(
            SurveyAuditRow.survey_id == m.survey_id,
            SurveyAuditRow.action == "sms_sent")).all()) == 1


def test_http_unit_without_duty_phone_fails_with_a_reason(http_api, provider):
    api, rt = http_api, _rt(http_api)
    o = api.create(content="小区停水两天无人处理请尽快", category="property_mgmt",
                   unit="dept_housing", urgency="urgent")
    with rt.uow() as uow:
        uow.emit(SlaWarning(order_id=o["id"], key="sign-75", clock="sign", target="sign",
                            due=utcnow().isoformat(), label="75%", unit="dept_housing"))
        uow.commit()
    drain(api)
    [w] = _messages(rt, "sla")
    assert w.status == "failed" and "duty phone" in w.last_error
    assert provider.requests == []


# ------------------------------------------------------------------ migration 0011

def test_migration_keeps_survey_sms_as_sent_and_moves_sla_sms(tmp_path):
    """0011 extends sms_outbox: the embedded channel's rows were sent when written; the SLA
    SMS rows leave sla_deliveries (sent or still waiting), the webhook rows stay."""
    from alembic import command
    from sqlalchemy import text

    from hotline.core.db import make_engine
    from hotline.core.migrate import alembic_config
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010_revoked_tokens")
    t0, t1 = "2026-11-20 02:00:00", "2026-11-20 03:00:00"
    with engine.begin() as c:
        c.execute(text("INSERT INTO sms_outbox (dedupe_key, survey_id, phone, body, created_at)"
                       " VALUES ('survey-sms-1', NULL, '13800000001', '请评价', :t)"),
                  {"t": t0})
        for key, channel, sent in (("sms-warning-5", "sms", t1), ("sms-urge-6", "sms", None),
                                   ("webhook-urge-6", "webhook", None)):
            c.execute(text(
                "INSERT INTO sla_deliveries (key, channel, address, order_id, message, "
                "deliver_at, sent_at, attempts, created_at) VALUES (:k, :c, 'dept_housing', "
                "NULL, '请尽快处理', :t, :s, :a, :t)"),
                {"k": key, "c": channel, "t": t0, "s": sent, "a": 1 if sent else 0})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as c:
        rows = c.execute(text(
            "SELECT dedupe_key, kind, status, attempts, gateway, recipient, phone, "
            "sent_at IS NOT NULL, send_after FROM sms_outbox ORDER BY id")).all()
        left = c.execute(text("SELECT key FROM sla_deliveries")).scalars().all()
    assert [tuple(r[:8]) for r in rows] == [
        ("survey-sms-1", "survey", "sent", 1, "embedded", None, "13800000001", 1),
        ("sms-warning-5", "sla", "sent", 1, "embedded", "dept_housing", None, 1),
        ("sms-urge-6", "sla", "pending", 0, None, "dept_housing", None, 0)]
    assert str(rows[2][8]).startswith("2026-11-20 02:00:00")   # quiet-hours time kept
    assert left == ["webhook-urge-6"]
    with engine.begin() as conn:     # and back down: the SLA SMS return to sla_deliveries
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010_revoked_tokens")
    with engine.connect() as c:
        assert sorted(c.execute(text("SELECT key FROM sla_deliveries")).scalars()) == [
            "sms-urge-6", "sms-warning-5", "webhook-urge-6"]
        assert c.execute(text("SELECT dedupe_key FROM sms_outbox")).scalars().all() == [
            "survey-sms-1"]
    engine.dispose()


# ------------------------------------------------------------------ production (rq)

def test_production_worker_sends_each_message_once(request, tmp_path):
    """With Redis the outbox handler's message is sent by the rq job `sms-<id>-<attempt>`
    in a real `hotline worker` process; a second worker run sends nothing more."""
    from hotline.web.app import create_app
    from tests.conftest import REDIS_URL, Api, _fresh_runtime, require_server
    from tests.integration.helpers import hotline_cmd, runtime_env
    require_server("redis")
    rt = _fresh_runtime("sqlite", request, redis_url=REDIS_URL)
    api = Api(create_app(rt))
    env = {**runtime_env(rt), "HOTLINE_VAR": str(tmp_path), "HOTLINE_SMS": "embedded"}
    o = api.create(content="市民反映小区门口垃圾堆积多日无人清运", town="town_humen",
                   category="sanitation", unit="town_humen", appeal_type="complaint",
                   caller={"name": "陈先生", "phone": PHONE})
    for who, action, data in (("town_humen", "sign", {}), ("town_humen", "contact", {}),
                              ("town_humen", "reply", {"reply": "已安排清运, 现场已清理干净"}),
                              ("dispatcher", "accept_reply", {})):
        api.act(who, o["id"], action, **data)
    for _ in range(2):   # relay + outbox job (queues the SMS job) + SMS job; then again
        out = hotline_cmd(["worker", "--burst"], env)
        assert out.returncode == 0, out.stderr[-2000:]
    [m] = _messages(rt, "survey")
    assert (m.status, m.gateway, m.attempts) == ("sent", "embedded", 1)
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and m.dedupe_key in lines[0] and PHONE not in lines[0]
    rt.engine.dispose()
