"""SMS as a port (issue 13 item 8): one gateway interface, two adapters, one table.

Senders (return visits in survey/service.py, SLA warnings and escalation steps in
sla/handlers.py) never talk to a gateway. Inside an outbox handler's transaction they
`queue` one `sms_outbox` row per message (dedupe key: a re-run handler adds nothing); after that
commit the message is sent by `deliver`, inline by the embedded drainer or as the rq job
`sms-<id>-<attempt>` in production, and `retry_due` (a periodic job) picks up what is due
later (quiet hours, backoff). `deliver` claims the row, calls the gateway once and records the
outcome, so a retried or duplicated job never sends a message twice; a crash between the call
and the record re-sends after STALE_CLAIM with the same `out_id`, which the provider dedupes.

Delivery status: pending -> sending -> sent -> delivered | failed (reason in last_error);
a provider error 5xx/429 or a network error leaves it pending with a backoff, a refusal (4xx,
a business error code, no number) fails it at once. The provider's receipts come back on
POST /api/v1/sms/receipts, signed; a receipt is applied once (first final status wins).

Adapters, chosen by HOTLINE_SMS (owned by the runtime object, core/runtime.py):
* `EmbeddedGateway` (default): the row in the database is the message; a line goes to
  var/sms.log with the phone masked and the survey link's token masked, so `make run` works
  offline. No receipts: status stays `sent`.
* `HttpGateway`: a provider API modelled on the common shape of Chinese cloud SMS services
  (phone numbers, sign name, template code + parameters or plain content, out_id, an answer
  with a request id and biz id; delivery reports as a JSON array of
  {out_id, biz_id, phone_number, success, err_code, err_msg, report_time}). Requests and
  receipts are signed with HMAC-SHA256 over timestamp, nonce and body
  (`sign_request`, built on the webhooks' HMAC helper).

Personal data (个人信息保护法): a phone number is never written to a log or the file in full
(`views.mask_phone`); staff reads of the messages are in the PIPL access log (privacy.py).
"""
from __future__ import annotations

import abc
import hmac
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from hotline.core.config import ConfigError, config_dir, load_yaml, var_dir
from hotline.core.db import aware, utcnow
from hotline.survey.orm import SmsOutboxRow, SurveyRow
from hotline.workorders.domain.model import SYSTEM, Actor, DomainError, NotPermitted
from hotline.workorders.domain.workflow import Role

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, DELIVERED, FAILED = "pending", "sending", "sent", "delivered", "failed"
FINAL = (DELIVERED, FAILED)
STATUS_LABELS = {PENDING: "待发送", SENDING: "发送中", SENT: "已发送", DELIVERED: "已送达",
                 FAILED: "发送失败"}
STALE_CLAIM = timedelta(minutes=5)        # a sender that died mid-call: the row is sent again
BACKOFF_SECONDS = (60, 300, 1800, 7200)    # then failed: 5 attempts in about 2.5 hours
RECEIPT_MAX_SKEW = 300                     # seconds: an older signed receipt is a replay
LINK_TOKEN = re.compile(r"/s/[A-Za-z0-9_-]+")


class BadSignature(DomainError):
    http_status = 403


# ------------------------------------------------------------------ the port

@dataclass(frozen=True)
class OutgoingSms:
    key: str                 # dedupe key, sent as out_id: the provider dedupes on it
    kind: str                # survey | sla
    phone: str | None
    recipient: str | None    # a unit code (sla) when the message is for a unit's duty phone
    body: str
    params: dict


@dataclass(frozen=True)
class SendResult:
    outcome: str                         # sent | retry | failed
    request_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Receipt:
    out_id: str | None
    request_id: str | None
    delivered: bool
    error: str | None


class SmsGateway(abc.ABC):
    """The port. `send` is called once per attempt and never raises for a provider's answer;
    `receipts` verifies a delivery-report request and parses it (BadSignature if forged)."""
    name = "gateway"

    @abc.abstractmethod
    def send(self, msg: OutgoingSms) -> SendResult:
        """Hand one message to the provider (each adapter implements it)."""

    def receipts(self, headers, body: bytes, now: float | None = None) -> list[Receipt]:
        raise BadSignature("该短信通道不接收回执")


def mask_body(body: str) -> str:
    """The survey link's token is the citizen's credential: never shown to staff or logs."""
    return LINK_TOKEN.sub("/s/******", body or "")


def _masked_phone(phone: str | None) -> str | None:
    from hotline.workorders.views import mask_phone
    return mask_phone(phone)


class EmbeddedGateway(SmsGateway):
    """The embedded default: the database row is the message; var/sms.log gets one line per
    message, phone and link token masked (PIPL: no full number in a log file)."""
    name = "embedded"

    def __init__(self, path=None):
        self.path = path

    def send(self, msg: OutgoingSms) -> SendResult:
        to = _masked_phone(msg.phone) or msg.recipient or "-"
        line = "\t".join([utcnow().isoformat(), msg.key, msg.kind, to,
                          mask_body(msg.body).replace("\n", " ")])
        with open(self.path or var_dir() / "sms.log", "a", encoding="utf-8") as f:
            f.write(line + "\n")
        return SendResult(SENT, request_id=f"embedded-{msg.key}")


def sign_request(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp \\n nonce \\n body`, as "sha256=<hex>". The one HMAC helper
    of the service (services/webhooks.sign) computes it; the timestamp and nonce make a
    captured request useless later (receipts older than RECEIPT_MAX_SKEW are refused)."""
    from hotline.webhooks.service import sign
    return sign(secret, timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body)


def signed_headers(access_key: str, secret: str, body: bytes, timestamp: str | None = None,
                   nonce: str | None = None) -> dict:
    ts = timestamp or str(int(time.time()))
    nonce = nonce or uuid.uuid4().hex
    return {"Content-Type": "application/json; charset=utf-8", "X-Sms-Access-Key": access_key,
            "X-Sms-Timestamp": ts, "X-Sms-Nonce": nonce,
            "X-Sms-Signature": sign_request(secret, ts, nonce, body)}


def verify_signed(headers, body: bytes, access_key: str, secret: str,
                  now: float | None = None) -> None:
    """Raise BadSignature unless the request is signed by `access_key`/`secret` and recent."""
    ts, nonce = headers.get("X-Sms-Timestamp") or "", headers.get("X-Sms-Nonce") or ""
    given = headers.get("X-Sms-Signature") or ""
    if not secret or headers.get("X-Sms-Access-Key") != access_key or not nonce:
        raise BadSignature("回执签名无效")
    try:
        skew = abs((now if now is not None else time.time()) - int(ts))
    except ValueError:
        raise BadSignature("回执签名无效") from None
    if skew > RECEIPT_MAX_SKEW:
        raise BadSignature("回执已过期")
    if not hmac.compare_digest(sign_request(secret, ts, nonce, body), given):
        raise BadSignature("回执签名无效")


class HttpGateway(SmsGateway):
    """A real provider's HTTP API (see the module docstring for the request shape)."""
    name = "http"

    def __init__(self, url: str, access_key: str, secret: str, sign_name: str = "东莞12345",
                 templates: dict | None = None, callback_secret: str | None = None,
                 timeout: float = 5.0):
        self.url, self.access_key, self.secret = url, access_key, secret
        self.sign_name, self.templates = sign_name, dict(templates or {})
        self.callback_secret = callback_secret or secret
        self.timeout = timeout

    def request_body(self, msg: OutgoingSms) -> bytes:
        body = {"phone_numbers": [msg.phone], "sign_name": self.sign_name, "out_id": msg.key}
        template = self.templates.get(msg.kind)
        if template:   # registered template: the provider fills in the parameters
            body.update(template_code=template, template_param=msg.params)
        else:
            body["content"] = msg.body
        return json.dumps(body, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode()

    def send(self, msg: OutgoingSms) -> SendResult:
        if not msg.phone:
            return SendResult(FAILED, error=f"no phone number for {msg.recipient or '-'} "
                                            "(unit duty phone not configured in sms.yaml)")
        body = self.request_body(msg)
        req = urllib.request.Request(self.url, data=body, method="POST",
                                     headers=signed_headers(self.access_key, self.secret, body))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            retry = exc.code >= 500 or exc.code == 429
            return SendResult("retry" if retry else FAILED, error=f"HTTP {exc.code}")
        except Exception as exc:   # noqa: BLE001  (refused, timeout, DNS: try again later)
            return SendResult("retry", error=f"{exc.__class__.__name__}: {exc}"[:500])
        try:
            answer = json.loads(raw)
        except ValueError:
            return SendResult("retry", error="provider answered no JSON")
        code = str(answer.get("code") or "")
        if code != "OK":
            return SendResult(FAILED, request_id=answer.get("request_id"),
                              error=f"{code}: {answer.get('message') or ''}"[:500])
        return SendResult(SENT, request_id=answer.get("biz_id") or answer.get("request_id"))

    def receipts(self, headers, body: bytes, now: float | None = None) -> list[Receipt]:
        verify_signed(headers, body, self.access_key, self.callback_secret, now)
        try:
            items = json.loads(body)
        except ValueError:
            raise ReceiptError("回执须为 JSON 数组") from None
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ReceiptError("回执须为 JSON 数组")
        out = []
        for i in items:
            ok = i.get("success") is True
            err = None if ok else f"{i.get('err_code') or ''}: {i.get('err_msg') or ''}"[:500]
            out.append(Receipt(i.get("out_id"), i.get("biz_id") or i.get("request_id"), ok,
                               err))
        return out


class ReceiptError(DomainError):
    http_status = 400


# ------------------------------------------------------------------ configuration

@dataclass
class SmsSetup:
    """What the runtime owns: the chosen adapter and the units' duty phones (sms.yaml)."""
    gateway: SmsGateway = field(default_factory=EmbeddedGateway)
    unit_phones: dict = field(default_factory=dict)


ENV_KEYS = ("HOTLINE_SMS_URL", "HOTLINE_SMS_ACCESS_KEY_ID", "HOTLINE_SMS_ACCESS_KEY_SECRET")


def setup_from_env(env=None) -> SmsSetup:
    """HOTLINE_SMS=embedded (default) | http; the http adapter needs HOTLINE_SMS_URL,
    HOTLINE_SMS_ACCESS_KEY_ID and HOTLINE_SMS_ACCESS_KEY_SECRET (errors name the variable)."""
    env = os.environ if env is None else env
    mode = (env.get("HOTLINE_SMS") or "embedded").strip().lower()
    phones = _unit_phones()
    if mode == "embedded":
        return SmsSetup(EmbeddedGateway(), phones)
    if mode != "http":
        raise ConfigError("environment", "HOTLINE_SMS", "必须是 embedded 或 http")
    for key in ENV_KEYS:
        if not env.get(key):
            raise ConfigError("environment", key, "HOTLINE_SMS=http 时必填 (required)")
    templates = {}
    for part in (env.get("HOTLINE_SMS_TEMPLATES") or "").split(","):
        if part.strip():
            kind, _, code = part.partition("=")
            if kind.strip() not in ("survey", "sla") or not code.strip():
                raise ConfigError("environment", "HOTLINE_SMS_TEMPLATES",
                                  "格式为 survey=模板编号,sla=模板编号")
            templates[kind.strip()] = code.strip()
    return SmsSetup(HttpGateway(
        env["HOTLINE_SMS_URL"], env["HOTLINE_SMS_ACCESS_KEY_ID"],
        env["HOTLINE_SMS_ACCESS_KEY_SECRET"], env.get("HOTLINE_SMS_SIGN_NAME") or "东莞12345",
        templates, env.get("HOTLINE_SMS_CALLBACK_SECRET") or None,
        float(env.get("HOTLINE_SMS_TIMEOUT") or 5)), phones)


def _unit_phones() -> dict:
    """Optional config/sms.yaml: `unit_phones: {unit code: duty mobile}` for the SLA SMS."""
    if not (config_dir() / "sms.yaml").exists():
        return {}
    data = load_yaml("sms.yaml")
    unknown = set(data) - {"unit_phones"}
    if unknown:
        raise ConfigError("sms.yaml", sorted(unknown)[0], "未知配置项 (unknown key)")
    phones = data.get("unit_phones") or {}
    if not isinstance(phones, dict):
        raise ConfigError("sms.yaml", "unit_phones", "须为 单位代码: 手机号 的映射")
    return {str(k): str(v) for k, v in phones.items()}


# ------------------------------------------------------------------ queueing (senders)

def queue(rt, uow, *, key: str, kind: str, body: str, phone: str | None = None,
          recipient: str | None = None, order_id: int | None = None,
          survey_id: int | None = None, params: dict | None = None,
          send_after: datetime | None = None, now: datetime | None = None
          ) -> SmsOutboxRow | None:
    """Write one message in the caller's transaction (an outbox handler's); None when the
    key exists (a re-run handler). It is sent after the commit when due, else by retry_due."""
    if uow.session.execute(select(SmsOutboxRow.id)
                           .where(SmsOutboxRow.dedupe_key == key)).first():
        return None
    now = now or utcnow()
    row = SmsOutboxRow(dedupe_key=key, kind=kind, survey_id=survey_id, order_id=order_id,
                       recipient=recipient, phone=phone, body=body, params=params or {},
                       created_at=now, status=PENDING, attempts=0,
                       send_after=send_after or now)
    uow.session.add(row)
    uow.session.flush()
    if aware(row.send_after) <= now:
        uow.after_commit(lambda mid=row.id: schedule(rt, mid))
    return row


def schedule(rt, message_id: int, now: datetime | None = None) -> None:
    """Send now (embedded drainer) or hand to rq (production). Never raises: a failure
    leaves the row pending and retry_due picks it up."""
    try:
        if rt.settings.embedded:
            deliver(rt, message_id, now)
            return
        from rq import Queue
        with rt.uow() as uow:
            attempts = uow.session.execute(select(SmsOutboxRow.attempts).where(
                SmsOutboxRow.id == message_id)).scalar_one()
        Queue(rt.settings.queue_name, connection=rt.redis()).enqueue(
            "hotline.core.sms_jobs.deliver_sms", message_id, job_id=f"sms-{message_id}-{attempts}",
            job_timeout=60, result_ttl=3600)
    except Exception:
        log.exception("sms %s: scheduling failed; retry_due will pick it up", message_id)


# ------------------------------------------------------------------ sending (one step)

def _claim(rt, message_id: int, now: datetime) -> OutgoingSms | None:
    with rt.uow() as uow:
        q = select(SmsOutboxRow).where(SmsOutboxRow.id == message_id)
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        row = uow.session.execute(q).scalar_one_or_none()
        if row is None or row.status not in (PENDING, SENDING):
            return None          # sent, delivered or failed: never sent again
        if row.status == SENDING and aware(row.claimed_at) > now - STALE_CLAIM:
            return None          # another sender holds it
        if row.status == PENDING and row.send_after and aware(row.send_after) > now:
            return None          # quiet hours or backoff not over
        row.status, row.claimed_at, row.attempts = SENDING, now, row.attempts + 1
        row.gateway = rt.sms.gateway.name
        msg = OutgoingSms(row.dedupe_key, row.kind, row.phone, row.recipient, row.body,
                          dict(row.params or {}))
        uow.commit()
        return msg


def deliver(rt, message_id: int, now: datetime | None = None) -> str:
    """Send one message once (idempotent step). Returns its status afterwards."""
    now = now or utcnow()
    msg = _claim(rt, message_id, now)
    if msg is not None:
        try:
            result = rt.sms.gateway.send(msg)
        except Exception as exc:   # noqa: BLE001  (an adapter bug or a full disk: retry)
            log.exception("sms %s: gateway %s raised", message_id, rt.sms.gateway.name)
            result = SendResult("retry", error=f"{exc.__class__.__name__}: {exc}"[:500])
        _record(rt, message_id, result, now)
    return status(rt, message_id)


def _record(rt, message_id: int, result: SendResult, now: datetime) -> None:
    with rt.uow() as uow:
        row = uow.session.get(SmsOutboxRow, message_id)
        row.claimed_at = None
        if result.request_id:
            row.request_id = result.request_id
        if result.outcome == SENT:
            row.last_error = None
            row.sent_at = row.sent_at or utcnow()
            if row.status not in FINAL:   # a receipt may have come before this record
                row.status = SENT
            _on_sent(uow, row)
        elif result.outcome == "retry" and row.attempts <= len(BACKOFF_SECONDS):
            row.status, row.last_error = PENDING, result.error
            row.send_after = now + timedelta(seconds=BACKOFF_SECONDS[row.attempts - 1])
        else:
            row.status = FAILED
            row.last_error = (result.error if result.outcome == FAILED else
                              f"gave up after {row.attempts} attempts: {result.error}")
        # PIPL: the log names the message and the masked number only
        log.info("sms %s (%s) to %s: %s via %s", row.id, row.kind,
                 _masked_phone(row.phone) or row.recipient, row.status, row.gateway)
        uow.commit()


def _on_sent(uow, row: SmsOutboxRow) -> None:
    """A return visit's link went out: the survey records it (sent_at, survey_audit)."""
    if row.survey_id is None:
        return
    from hotline.survey.service import audit
    s = uow.session.get(SurveyRow, row.survey_id)
    if s is not None and s.sent_at is None:
        s.sent_at = row.sent_at
        audit(uow, s, SYSTEM, "sms_sent", dedupe_key=row.dedupe_key, sms_id=row.id)


def status(rt, message_id: int) -> str:
    with rt.uow() as uow:
        return uow.session.execute(select(SmsOutboxRow.status).where(
            SmsOutboxRow.id == message_id)).scalar_one_or_none() or "missing"


def retry_due(rt, now: datetime | None = None, limit: int = 100) -> int:
    """Periodic: send (or enqueue) the messages whose time has come (after quiet hours, after
    a backoff, or a claim gone stale). Safe to run often and from several processes."""
    now = now or utcnow()
    with rt.uow() as uow:
        ids = list(uow.session.execute(select(SmsOutboxRow.id).where(or_(
            (SmsOutboxRow.status == PENDING) & (SmsOutboxRow.send_after <= now),
            (SmsOutboxRow.status == SENDING) & (SmsOutboxRow.claimed_at < now - STALE_CLAIM)))
            .order_by(SmsOutboxRow.send_after, SmsOutboxRow.id).limit(limit)).scalars())
    for message_id in ids:
        schedule(rt, message_id, now)
    return len(ids)


# ------------------------------------------------------------------ delivery receipts

def receive_receipts(rt, headers, body: bytes, now: float | None = None) -> dict:
    """The provider's delivery reports (signed; BadSignature -> 403). Each report is matched
    by out_id (our dedupe key), else by the provider's id, and applied once: a message that
    already has its final status keeps it, so a re-posted report changes nothing."""
    receipts = rt.sms.gateway.receipts(headers, body, now)
    updated = unchanged = unknown = 0
    with rt.uow() as uow:
        for r in receipts:
            q = select(SmsOutboxRow)
            if r.out_id:
                q = q.where(SmsOutboxRow.dedupe_key == str(r.out_id))
            elif r.request_id:
                q = q.where(SmsOutboxRow.request_id == str(r.request_id))
            else:
                unknown += 1
                continue
            if rt.engine.dialect.name == "postgresql":
                q = q.with_for_update()
            row = uow.session.execute(q).scalars().first()
            if row is None:
                unknown += 1
            elif row.status in FINAL:
                unchanged += 1
            else:
                row.status = DELIVERED if r.delivered else FAILED
                row.last_error = None if r.delivered else r.error
                if r.delivered:
                    row.delivered_at = utcnow()
                    row.sent_at = row.sent_at or row.delivered_at
                if r.request_id and not row.request_id:
                    row.request_id = str(r.request_id)
                updated += 1
        uow.commit()
    return {"code": 0, "msg": "成功", "updated": updated, "unchanged": unchanged,
            "unknown": unknown}


# ------------------------------------------------------------------ the SMS page

SMS_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.AGENT)


def list_messages(rt, actor: Actor, limit: int = 200) -> dict:
    """Every SMS, newest first, with its delivery status: masked phones, and the link's
    token masked (issue 12 finding 9). Reads of callers' messages are in the PIPL access log,
    against the caller's own order, in the read's transaction (issue 12 finding 10)."""
    from hotline.privacy import service as privacy
    from hotline.workorders.views import iso
    if actor.role not in SMS_ROLES:
        raise NotPermitted("无权查看短信发件箱")
    with rt.uow() as uow:
        rows = uow.session.execute(
            select(SmsOutboxRow, SurveyRow).outerjoin(SurveyRow, SurveyRow.id ==
                                                      SmsOutboxRow.survey_id)
            .order_by(SmsOutboxRow.id.desc()).limit(limit)).all()
        items = [{"id": m.id, "kind": m.kind, "survey_id": m.survey_id, "order_id": m.order_id,
                  "phone": _masked_phone(m.phone), "recipient": m.recipient,
                  "body": mask_body(m.body), "created_at": iso(m.created_at),
                  "status": m.status, "status_label": STATUS_LABELS.get(m.status, m.status),
                  "attempts": m.attempts, "gateway": m.gateway, "sent_at": iso(m.sent_at),
                  "delivered_at": iso(m.delivered_at), "error": m.last_error}
                 for m, _ in rows]
        privacy.record_access(rt, actor, "sms_outbox",
                              [s.caller_order_id or s.order_id for _, s in rows if s is not None],
                              fields="phone(masked)", uow=uow)
        uow.commit()
    return {"items": items, "total": len(items)}
