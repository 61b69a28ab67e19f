"""Notifications of SLA warnings and escalation steps, run from the outbox
(docs/design/domain.md §4.7).

* In-app notifications always, at once (dedupe key per outbox event: a re-run handler adds
  nothing). 催办 -> the unit (core handler in handlers.py); 督办 -> the unit and the
  supervisors; 挂牌督办 -> the unit, the supervisors and the leaders; warnings -> the unit.
* Outbound messages wait for the end of the quiet hours (22:00-08:00) for normal orders and go
  at once for rapid-response items and urgent/critical orders (docs/design/domain.md §4.8,
  policy.deliver_at). SMS go through the SMS port (core/sms.py): one
  `sms_outbox` row per message, to the unit's duty phone (config/sms.yaml), sent after the
  commit or by sms.retry_due once the quiet hours end. Webhooks are queued in
  `sla_deliveries` and the sweep tick sends the rows that are due. Each message is sent once
  (unique key; claimed under a row lock on PostgreSQL).
"""
from __future__ import annotations

import json
import logging
import urllib.request
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from hotline.core import sms
from hotline.core.db import utcnow
from hotline.core.notify import notify as _notify
from hotline.core.orm import UnitRow, UserRow, WorkOrderRow
from hotline.sla.orm import SlaDeliveryRow
from hotline.sla.service import CLOCK_ZH, LADDER_ZH, TARGET_ZH
from hotline.workorders.domain.workflow import Role

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=5)


# ------------------------------------------------------------------ sender adapters

class WebhookSender:
    """POSTs a signed JSON body to the unit's webhook URL (same signature as webhooks.py)."""

    def __init__(self, secret_for=lambda url: None):
        self.secret_for = secret_for

    def send(self, address: str, message: str) -> None:
        body = message.encode()
        req = urllib.request.Request(address, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        secret = self.secret_for(address)
        if secret:
            from hotline.webhooks.service import sign
            req.add_header("X-Hotline-Signature", sign(secret, body))
        with urllib.request.urlopen(req, timeout=5) as r:
            if r.status >= 300:
                raise RuntimeError(f"HTTP {r.status}")


# ------------------------------------------------------------------ handlers

def _users(uow, role: str) -> list[str]:
    return list(uow.session.execute(select(UserRow.username).where(
        UserRow.role == role, UserRow.active.is_(True))).scalars())


def _queue(rt, uow, key: str, channel: str, address: str | None, order: WorkOrderRow,
           message: str, now: datetime) -> None:
    if not address:
        return
    if uow.session.execute(select(SlaDeliveryRow.id).where(SlaDeliveryRow.key == key)).first():
        return
    at = _deliver_at(rt, order, now)
    uow.session.add(SlaDeliveryRow(key=key, channel=channel, address=address, order_id=order.id,
                                   message=message, deliver_at=at, attempts=0,
                                   created_at=now))


def _deliver_at(rt, order: WorkOrderRow, now: datetime) -> datetime:
    # stored in UTC: SQLite keeps the wall time only (core.db.aware reads it as UTC)
    return rt.config.sla.deliver_at(now, order.urgency, order.rapid_item).astimezone(
        timezone.utc)


def _outbound(rt, uow, event_id: int, order: WorkOrderRow, kind: str, text: str,
              extra: dict) -> None:
    now = utcnow()
    unit = uow.session.get(UnitRow, order.unit) if order.unit else None
    if order.unit:
        sms.queue(rt, uow, key=f"sms-{kind}-{event_id}", kind="sla", body=text,
                  recipient=order.unit, phone=rt.sms.unit_phones.get(order.unit),
                  order_id=order.id, params={"number": order.number, "text": text},
                  send_after=_deliver_at(rt, order, now), now=now)
    if unit is not None and unit.webhook_url:
        body = json.dumps({"event": f"sla.{kind}", "order_id": order.id,
                           "number": order.number, "message": text, **extra},
                          ensure_ascii=False)
        _queue(rt, uow, f"webhook-{kind}-{event_id}", "webhook", unit.webhook_url, order, body, now)


def on_warning(rt, uow, event_id: int, ev) -> None:
    p = ev.payload()
    order = uow.session.get(WorkOrderRow, p["order_id"])
    if order is None:
        return
    text = (f"工单 {order.number} 的{CLOCK_ZH.get(p['clock'], p['clock'])}时限"
            f"（{TARGET_ZH.get(p['target'], p['target'])}）将于 {p['due'][:16].replace('T', ' ')}"
            f" 到期（预警 {p['label']}），请抓紧办理")
    _notify(uow, f"sla-warning-{event_id}", p.get("unit") or order.unit, order.id,
            "sla_warning", text)
    _outbound(rt, uow, event_id, order, "warning", text, {"clock": p["clock"],
                                                      "target": p["target"], "due": p["due"]})


def _step_handler(action: str, roles: tuple[str, ...]):
    def handler(rt, uow, event_id: int, ev) -> None:
        p = ev.payload()
        order = uow.session.get(WorkOrderRow, p["order_id"])
        if order is None:
            return
        who = "系统自动" if p.get("auto") else ""
        text = f"工单 {order.number} 已{who}{LADDER_ZH[action]}（超时未办结），请尽快处理"
        if action == "escalate_leader":   # core handlers cover the unit for urge/supervise
            _notify(uow, f"sla-{action}-{event_id}", order.unit, order.id, action, text)
        for role in roles:
            for username in _users(uow, role):
                _notify(uow, f"sla-{action}-{event_id}-{username}", None, order.id, action,
                        text, username=username)
        if p.get("auto"):
            _outbound(rt, uow, event_id, order, action, text, {"step": action})
    return handler


on_urge = _step_handler("urge", ())
on_supervise = _step_handler("supervise", (Role.SUPERVISOR,))
on_escalate_leader = _step_handler("escalate_leader", (Role.SUPERVISOR, Role.LEADER))


# ------------------------------------------------------------------ sending (sweep tick)

def send_due_deliveries(rt, now: datetime | None = None, limit: int = 100) -> int:
    """Send the webhook rows whose deliver_at has come (after quiet hours). Returns sent.
    (SMS rows are sent by the SMS port: core/sms.py retry_due.)"""
    now = now or utcnow()
    sent = 0
    with rt.uow() as uow:
        q = (select(SlaDeliveryRow).where(SlaDeliveryRow.sent_at.is_(None),
                                          SlaDeliveryRow.deliver_at <= now)
             .order_by(SlaDeliveryRow.deliver_at, SlaDeliveryRow.id).limit(limit))
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = uow.session.execute(q).scalars().all()
        if not rows:
            return 0
        secrets = {u.webhook_url: u.webhook_secret for u in uow.session.execute(
            select(UnitRow).where(UnitRow.webhook_url.is_not(None))).scalars()}
        for row in rows:
            row.attempts += 1
            try:
                WebhookSender(secrets.get).send(row.address, row.message)
                row.sent_at = utcnow()
                sent += 1
            except Exception as exc:   # one failing gateway must not stop the others
                row.last_error = repr(exc)[:2000]
                row.deliver_at = now + RETRY_AFTER * min(row.attempts, 12)
        uow.commit()
    return sent
