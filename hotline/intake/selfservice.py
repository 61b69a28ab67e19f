"""Citizen self-service: file an appeal (自助下单) and follow its progress (办理进度自助查询,
国办发〔2020〕53号; docs/design/domain.md §2.1).

Anti-abuse needs no outside service: a signed, time-stamped form token (a form cannot be
posted without first loading the page, nor faster than a person can type, nor twice), a
honeypot field bots fill in, and per-IP counters in the database (the IP kept as a keyed
hash). Progress shows only what the citizen may see: status, public milestones and the
reply to the citizen accepted by the centre; never internal notes, unit reports, reasons,
handlers or anyone else's data. A wrong code answers exactly like an unknown number.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hotline.core.db import utcnow
from hotline.core.orm import NoteRow, TransitionRow, UnitRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.intake import service as intake
from hotline.intake.orm import SelfServiceHitRow
from hotline.workorders import views
from hotline.workorders.domain.model import Caller, DomainError, RuleViolation
from hotline.workorders.domain.workflow import CLOSED_STATES, MILESTONES, Status

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")

# Milestones a citizen sees (no reasons, no people): action -> text, from the transition table.
PUBLIC_MILESTONES = MILESTONES
# The reply is shown once the centre accepted it (审核通过, docs/design/domain.md §3.5): a reply sent
# back for rework never reaches the citizen.
REPLY_VISIBLE = frozenset({Status.RETURN_VISIT, Status.CLOSED, Status.CLOSED_UNREASONABLE,
                           Status.ANSWERED_DIRECTLY})


SELF_SERVICE = "selfservice"   # the account self-service filings are logged under
# The self-service form as a channel of the one intake path (intake/service.py).
CHANNEL = intake.Channel("web", SELF_SERVICE)


class SelfServiceError(DomainError):
    http_status = 400


class FormAlreadyUsed(SelfServiceError):
    """The form's nonce was counted before (one filing per rendered form)."""


class TooMany(SelfServiceError):
    http_status = 429


class EmergencyAppeal(SelfServiceError):
    """Danger to life or property now: not filed; the citizen is told the number to call
    (issue 14, Build 4). The page answers 200 with the number, not an error."""
    http_status = 200

    def __init__(self, emergency: dict):
        super().__init__(f"情况紧急，请立即拨打 {emergency['line']}（{emergency['line_name']}）")
        self.emergency = emergency


def _mac(rt: Runtime, msg: str) -> str:
    return hmac.new(rt.settings.secret_key.encode(), msg.encode(), hashlib.sha256).hexdigest()


def form_token(rt: Runtime, now: float | None = None) -> str:
    ts, nonce = int(now if now is not None else time.time()), secrets.token_hex(8)
    return f"{ts}.{nonce}.{_mac(rt, f'self|{ts}|{nonce}')[:32]}"


def _check_token(rt: Runtime, token: str, now: float) -> str:
    try:
        ts_raw, nonce, sig = token.split(".")
        ts = int(ts_raw)
    except (AttributeError, ValueError):
        raise SelfServiceError("表单无效, 请刷新页面后重新填写")
    if not hmac.compare_digest(sig, _mac(rt, f"self|{ts}|{nonce}")[:32]):
        raise SelfServiceError("表单无效, 请刷新页面后重新填写")
    age = now - ts
    if age < rt.config.selfservice["min_fill_seconds"]:
        raise SelfServiceError("提交过快, 请核对内容后再提交")
    if age > rt.config.selfservice["max_form_age_seconds"]:
        raise SelfServiceError("页面已过期, 请刷新页面后重新填写")
    return nonce


def _ip_hash(rt: Runtime, ip: str | None) -> str:
    return _mac(rt, f"ip|{ip or '-'}")


def _count_hit(rt: Runtime, kind: str, ip: str | None, limit: int,
               nonce: str | None = None) -> None:
    """Per-IP rate in the database (works the same with or without Redis)."""
    ip_hash = _ip_hash(rt, ip)
    with rt.uow() as uow:
        since = utcnow() - timedelta(hours=1)
        n = uow.session.execute(select(func.count(SelfServiceHitRow.id)).where(
            SelfServiceHitRow.ip_hash == ip_hash, SelfServiceHitRow.kind == kind,
            SelfServiceHitRow.at >= since)).scalar_one()
        if n >= limit:
            raise TooMany("操作过于频繁, 请一小时后再试, 或拨打 12345 热线")
        uow.session.add(SelfServiceHitRow(kind=kind, ip_hash=ip_hash, nonce=nonce,
                                          at=utcnow()))
        try:
            uow.commit()
        except IntegrityError:
            raise FormAlreadyUsed("该表单已提交过, 请勿重复提交")


def file_appeal(rt: Runtime, form: dict, ip: str | None, now: float | None = None) -> dict:
    """File an appeal from the citizen page. Returns the number and the query code."""
    if (form.get("website") or "").strip():      # honeypot: hidden from people
        raise SelfServiceError("提交失败, 请拨打 12345 热线")
    nonce = _check_token(rt, form.get("form_token") or "", now or time.time())
    content = (form.get("content") or "").strip()
    errors = {}
    if not 10 <= len(content) <= 2000:
        errors["content"] = "诉求内容须为 10 至 2000 字"
    phone = (form.get("phone") or "").strip()
    if not PHONE.match(phone):
        errors["phone"] = "请填写正确的手机号码或固定电话, 以便承办单位联系您"
    town = form.get("town") or None
    if town and town not in rt.city.towns:
        errors["town"] = "请选择正确的镇街"
    if errors:
        err = SelfServiceError("；".join(errors.values()))
        err.errors = errors
        raise err
    # An emergency is handed to its line, never queued as a work order: checked before the
    # filing is counted, so the same form can still be filed once the danger is over.
    from hotline.learning.classification import emergency_check
    em = emergency_check(content)
    if em is not None:
        raise EmergencyAppeal(em)
    # The form's nonce is the order's idempotency key. The hit (rate limit, one filing per form)
    # commits before the order does, so when the order's own commit failed (503 while
    # PostgreSQL restarted) the citizen's resubmission of the same form must still file it.
    key = f"form:{nonce}"
    try:
        _count_hit(rt, "file", ip, rt.config.selfservice["file_per_ip_per_hour"], nonce)
    except FormAlreadyUsed:
        if _filed_under(rt, key):
            raise
    name = (form.get("name") or "").strip()[:32] or None
    try:
        order = CHANNEL.submit(
            rt, content=content, town=town,
            address=(form.get("address") or "").strip()[:300] or None,
            caller=Caller(name, phone, anonymous=name is None,
                          confidential=form.get("confidential") in ("1", "on", "true")),
            idempotency_key=key)
    except RuleViolation as e:
        if e.field != "Idempotency-Key":
            raise
        # the same form resent with another appeal
        raise FormAlreadyUsed("该表单已提交过, 如需反映新的诉求请刷新页面后重新填写")
    return {"number": order["number"], "query_code": order["query_code"]}


def _filed_under(rt: Runtime, key: str) -> bool:
    with rt.uow() as uow:
        return uow.orders.by_idempotency_key(SELF_SERVICE, key) is not None


def track(rt: Runtime, number: str, code: str, ip: str | None) -> dict | None:
    """Public progress of one order, or None when the number and code do not match."""
    _count_hit(rt, "track", ip, rt.config.selfservice["track_per_ip_per_hour"])
    number, code = (number or "").strip().upper(), (code or "").strip()
    with rt.uow() as uow:
        row = uow.session.execute(select(WorkOrderRow).where(
            WorkOrderRow.number == number)).scalar_one_or_none()
        # compare even when the number is unknown, so timing tells nothing
        expected = row.query_code if row is not None else "x" * 6
        if not hmac.compare_digest(expected.encode(), code.encode()) or row is None:
            return None
        trs = uow.session.execute(select(TransitionRow).where(
            TransitionRow.order_id == row.id).order_by(TransitionRow.seq)).scalars().all()
        timeline = [{"at": views.iso(row.received_at), "label": "诉求已受理"}]
        timeline += [{"at": views.iso(t.at), "label": PUBLIC_MILESTONES[t.action]}
                     for t in trs if t.action in PUBLIC_MILESTONES]
        reply = None
        if row.status in REPLY_VISIBLE:
            reply = uow.session.execute(select(NoteRow.body).where(
                NoteRow.order_id == row.id, NoteRow.kind == "citizen_reply")
                .order_by(NoteRow.id.desc()).limit(1)).scalar_one_or_none()
        unit = uow.session.get(UnitRow, row.unit) if row.unit else None
        closed = row.status in CLOSED_STATES
        return {"number": row.number, "status": "closed" if closed else "open",
                "status_label": "已办结" if closed else (
                    "办理中" if row.unit else "已受理, 待派单"),
                "received_at": views.iso(row.received_at), "content": row.content,
                "unit_name": unit.name if unit else None, "timeline": timeline,
                "citizen_reply": reply}
