"""Outbound webhooks per unit (docs/design/architecture.md §5.6): order events pushed into units'
own case systems, signed, retried with backoff, logged, replayable by an admin.

Flow (docs/design/architecture.md §5.1): an order action writes an outbox row; the outbox handler
below turns it into one `webhook_deliveries` row per (event, unit) with a stable delivery id
(dedupe key = outbox event id + unit, so a re-run handler adds nothing). After that commit
the delivery is sent: inline by the embedded drainer, or as an rq job in production. The
send is its own idempotent step: it claims the row, POSTs, and records the attempt; a
delivered row is never sent again. Failures get `next_attempt_at` from the backoff list;
`retry_due` (a periodic job) sends or enqueues what is due. Receivers dedupe on
X-Hotline-Delivery (at-least-once delivery: a crash between POST and record re-sends).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from hotline.core.db import aware, utcnow
from hotline.core.orm import UnitRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.intake.orm import WebhookAttemptRow, WebhookDeliveryRow
from hotline.workorders import views
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import STATUS_LABELS, Role

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=5)   # a sender that died mid-POST: the row is sent again



def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ outbox handler

def _order_payload(order: WorkOrderRow) -> dict:
    d = {c.name: getattr(order, c.name) for c in WorkOrderRow.__table__.columns}
    unit_actor = Actor("webhook", Role.DEPARTMENT, order.unit)   # what the unit may see
    return {"id": order.id, "number": order.number, "status": order.status,
            "status_label": STATUS_LABELS.get(order.status, order.status),
            "title": order.title, "content": order.content, "category": order.category,
            "town": order.town, "address": order.address, "unit": order.unit,
            "urgency": order.urgency, "received_at": views.iso(order.received_at),
            "caller": views.caller_view(d, unit_actor)}


def push(rt, uow, event_id: int, ev) -> None:
    """Outbox handler of every event that declares a `webhook` name (hotline/core/events.py;
    the handler table lists it for exactly those, tests/unit/test_events.py)."""
    # the unit first: most units have no webhook, and then the order row is not loaded
    order_id = ev.order_id
    unit_code = ev.unit or uow.session.execute(
        select(WorkOrderRow.unit).where(WorkOrderRow.id == order_id)).scalar()
    unit = uow.session.get(UnitRow, unit_code) if unit_code else None
    if unit is None or not unit.webhook_url or not unit.webhook_secret:
        return
    order = uow.session.get(WorkOrderRow, order_id)
    if order is None:
        return
    key = f"ev{event_id}:{unit_code}"
    if uow.session.execute(select(WebhookDeliveryRow.id)
                           .where(WebhookDeliveryRow.dedupe_key == key)).first():
        return
    delivery_id, now = str(uuid.uuid4()), utcnow()
    body = {"event": ev.webhook, "delivery_id": delivery_id, "replay": False,
            "occurred_at": views.iso(now), "seq": ev.seq,
            "order": _order_payload(order)}
    uow.session.add(WebhookDeliveryRow(
        delivery_id=delivery_id, dedupe_key=key, unit=unit_code, event=ev.webhook,
        order_id=order.id, url=unit.webhook_url, body=_dump(body), status="pending",
        attempts=0, replay=False, created_at=now, next_attempt_at=now))
    uow.after_commit(lambda: schedule(rt, delivery_id))


def _dump(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ------------------------------------------------------------------ sending

def schedule(rt: Runtime, delivery_id: str, now: datetime | None = None) -> None:
    """Send now (embedded drainer) or hand to rq (production). Never raises: a failure
    leaves the row pending and `retry_due` picks it up."""
    try:
        if rt.settings.embedded:
            deliver(rt, delivery_id, now)
            return
        from rq import Queue
        with rt.uow() as uow:
            attempts = uow.session.execute(select(WebhookDeliveryRow.attempts).where(
                WebhookDeliveryRow.delivery_id == delivery_id)).scalar_one()
        Queue(rt.settings.queue_name, connection=rt.redis()).enqueue(
            "hotline.webhooks.jobs.deliver_webhook", delivery_id,
            job_id=f"webhook-{delivery_id}-{attempts}", job_timeout=60, result_ttl=3600)
    except Exception:
        log.exception("webhook %s: scheduling failed; retry_due will pick it up", delivery_id)


def _claim(rt: Runtime, delivery_id: str, now: datetime) -> WebhookDeliveryRow | None:
    with rt.uow() as uow:
        q = select(WebhookDeliveryRow).where(WebhookDeliveryRow.delivery_id == delivery_id)
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        row = uow.session.execute(q).scalar_one_or_none()
        if row is None or row.status in ("delivered", "failed"):
            return None
        if row.status == "sending" and aware(row.claimed_at) > now - STALE_CLAIM:
            return None   # another sender holds it
        if row.status == "pending" and row.next_attempt_at and aware(row.next_attempt_at) > now:
            return None   # not due yet (backoff)
        row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
        unit = uow.session.get(UnitRow, row.unit)
        uow.commit()
        row.secret = unit.webhook_secret if unit else None   # read at send time: rotations apply
        return row


def deliver(rt: Runtime, delivery_id: str, now: datetime | None = None) -> str:
    """Send one delivery once (idempotent step). Returns the row's status afterwards."""
    now = now or utcnow()
    row = _claim(rt, delivery_id, now)
    if row is None:
        return _status(rt, delivery_id)
    body = row.body.encode()
    code, error, started = None, None, time.monotonic()
    if not row.secret:
        error = "unit has no webhook secret"
    else:
        req = urllib.request.Request(row.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hotline-webhooks/1", "X-Hotline-Event": row.event,
            "X-Hotline-Delivery": row.delivery_id,
            "X-Hotline-Replay": "true" if row.replay else "false",
            "X-Hotline-Signature": sign(row.secret, body)})
        try:
            with urllib.request.urlopen(req, timeout=rt.config.webhooks["timeout_seconds"]) as resp:
                code = resp.status
        except urllib.error.HTTPError as exc:
            code, error = exc.code, f"HTTP {exc.code}"
        except Exception as exc:   # noqa: BLE001  (refused, timeout, DNS: a failed attempt)
            error = f"{exc.__class__.__name__}: {exc}"[:500]
    _record(rt, delivery_id, row.attempts, code, error,
            int((time.monotonic() - started) * 1000), now)
    return _status(rt, delivery_id)


def _record(rt, delivery_id, attempt, code, error, ms, now) -> None:
    backoff = list(rt.config.webhooks["backoff_seconds"])
    with rt.uow() as uow:
        row = uow.session.execute(select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.delivery_id == delivery_id)).scalar_one()
        uow.session.add(WebhookAttemptRow(delivery_id=delivery_id, attempt=attempt,
                                          at=utcnow(), status_code=code, error=error,
                                          duration_ms=ms))
        row.last_status_code, row.last_error, row.claimed_at = code, error, None
        if code is not None and 200 <= code < 300:
            row.status, row.delivered_at, row.next_attempt_at = "delivered", utcnow(), None
        elif attempt > len(backoff):
            row.status, row.next_attempt_at = "failed", None
        else:
            row.status = "pending"
            row.next_attempt_at = now + timedelta(seconds=backoff[attempt - 1])
        uow.commit()


def _status(rt, delivery_id) -> str:
    with rt.uow() as uow:
        return uow.session.execute(select(WebhookDeliveryRow.status).where(
            WebhookDeliveryRow.delivery_id == delivery_id)).scalar_one_or_none() or "missing"


def retry_due(rt: Runtime, now: datetime | None = None, limit: int = 50) -> int:
    """Periodic: send (or enqueue) deliveries whose backoff has passed. Safe to run often."""
    now = now or utcnow()
    with rt.uow() as uow:
        ids = list(uow.session.execute(
            select(WebhookDeliveryRow.delivery_id).where(or_(
                (WebhookDeliveryRow.status == "pending")
                & (WebhookDeliveryRow.next_attempt_at <= now),
                (WebhookDeliveryRow.status == "sending")
                & (WebhookDeliveryRow.claimed_at < now - STALE_CLAIM)))
            .order_by(WebhookDeliveryRow.id).limit(limit)).scalars())
    for delivery_id in ids:
        schedule(rt, delivery_id, now)
    return len(ids)


# ------------------------------------------------------------------ admin

def _admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted("只有管理员可以管理推送")


def configure(rt: Runtime, actor: Actor, unit_code: str, url: str | None,
              rotate_secret: bool = False) -> dict:
    """Set a unit's webhook URL; a new secret is generated (and shown once) when the unit
    has none or a rotation is asked for."""
    _admin(actor)
    from hotline.workorders.commands import NotFound
    if url and not url.startswith(("http://", "https://")):
        raise RuleViolation("推送地址须以 http:// 或 https:// 开头", field="url")
    with rt.uow() as uow:
        unit = uow.session.get(UnitRow, unit_code)
        if unit is None:
            raise NotFound("单位不存在")
        unit.webhook_url = url or None
        secret = None
        if url and (rotate_secret or not unit.webhook_secret):
            secret = unit.webhook_secret = secrets.token_hex(32)
        uow.commit()
    return {"unit": unit_code, "url": url or None, "secret": secret}


def replay(rt: Runtime, actor: Actor, delivery_id: str) -> dict:
    """Send a past delivery again as a new delivery marked as a replay (body, header, log)."""
    _admin(actor)
    from hotline.workorders.commands import NotFound
    with rt.uow() as uow:
        orig = uow.session.execute(select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.delivery_id == delivery_id)).scalar_one_or_none()
        if orig is None:
            raise NotFound("推送记录不存在")
        unit = uow.session.get(UnitRow, orig.unit)
        new_id, now = str(uuid.uuid4()), utcnow()
        body = json.loads(orig.body)
        body.update({"delivery_id": new_id, "replay": True, "replay_of": orig.delivery_id})
        row = WebhookDeliveryRow(
            delivery_id=new_id, dedupe_key=f"replay:{new_id}", unit=orig.unit, event=orig.event,
            order_id=orig.order_id, url=(unit.webhook_url if unit and unit.webhook_url
                                         else orig.url),
            body=_dump(body), status="pending", attempts=0, replay=True,
            replay_of=orig.delivery_id, requested_by=actor.username, created_at=now,
            next_attempt_at=now)
        uow.session.add(row)
        uow.commit()
    schedule(rt, new_id)
    return get_delivery(rt, new_id)


def _view(row: WebhookDeliveryRow, attempts: list) -> dict:
    return {"delivery_id": row.delivery_id, "unit": row.unit, "event": row.event,
            "order_id": row.order_id, "url": row.url, "status": row.status,
            "attempts": row.attempts, "last_status_code": row.last_status_code,
            "last_error": row.last_error, "replay": row.replay, "replay_of": row.replay_of,
            "requested_by": row.requested_by, "created_at": views.iso(row.created_at),
            "next_attempt_at": views.iso(row.next_attempt_at),
            "delivered_at": views.iso(row.delivered_at),
            "log": [{"attempt": a.attempt, "at": views.iso(a.at), "status_code": a.status_code,
                     "error": a.error, "duration_ms": a.duration_ms} for a in attempts]}


def list_deliveries(rt: Runtime, unit: str | None = None, status: str | None = None,
                    limit: int = 100) -> list[dict]:
    with rt.uow() as uow:
        q = select(WebhookDeliveryRow)
        if unit:
            q = q.where(WebhookDeliveryRow.unit == unit)
        if status:
            q = q.where(WebhookDeliveryRow.status == status)
        rows = uow.session.execute(q.order_by(WebhookDeliveryRow.id.desc())
                                   .limit(limit)).scalars().all()
        ids = [r.delivery_id for r in rows]
        attempts: dict[str, list] = {}
        if ids:
            for a in uow.session.execute(select(WebhookAttemptRow).where(
                    WebhookAttemptRow.delivery_id.in_(ids))
                    .order_by(WebhookAttemptRow.id)).scalars():
                attempts.setdefault(a.delivery_id, []).append(a)
        return [_view(r, attempts.get(r.delivery_id, [])) for r in rows]


def get_delivery(rt: Runtime, delivery_id: str) -> dict:
    from hotline.workorders.commands import NotFound
    with rt.uow() as uow:
        row = uow.session.execute(select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.delivery_id == delivery_id)).scalar_one_or_none()
        if row is None:
            raise NotFound("推送记录不存在")
        attempts = uow.session.execute(select(WebhookAttemptRow).where(
            WebhookAttemptRow.delivery_id == delivery_id)
            .order_by(WebhookAttemptRow.id)).scalars().all()
        return _view(row, attempts)

