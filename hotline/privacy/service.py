"""Personal data of callers (个人信息保护法, PIPL; docs/design/domain.md §10).

- every read of a caller's personal data (order detail, lists and queues, inbox, export,
  reveal, the survey queues and the SMS outbox) is written to
  `personal_data_access` (PIPL 第55-56条, 第51条; docs/design/domain.md §10.2);
- departments see phone numbers masked (workorders/views.py); "reveal" gives one order's full
  phone to a department user of a unit that handles it, only with a reason, and is logged;
  a confidential caller (保密件) is never revealed to a department (docs/design/domain.md §2.6);
- supervisors and admins query the log.
"""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, insert, select

from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.privacy.orm import PersonalDataAccessRow
from hotline.workorders import views
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

# survey: the return-visit queues and a survey's staff view (masked phone of the surveyed
# caller); sms_outbox: the embedded SMS sender's messages (masked phone).
KINDS = ("detail", "list", "inbox", "export", "reveal", "survey", "sms_outbox")
# who may query the access log (supervisors and admins, docs/design/domain.md §10.2)
LOG_READERS = (Role.SUPERVISOR, Role.ADMIN)


def _fields_for(actor: Actor) -> str:
    return "name,phone(masked)" if actor.role == Role.DEPARTMENT else "name,phone"


def record_access(rt: Runtime, actor: Actor, kind: str, order_ids, reason: str | None = None,
                  client: str | None = None, fields: str | None = None, uow=None) -> int:
    """Write one log row per order read. Machine reads (role system) are not personal
    reads by a person and are not logged. One INSERT ... VALUES for the whole page.
    With `uow`, the rows join that unit of work and its caller commits them."""
    ids = [i for i in order_ids if i is not None]
    if not ids or actor.role == Role.SYSTEM:
        return 0
    now = utcnow()
    rows = [{"at": now, "actor": actor.username, "role": str(actor.role), "unit": actor.unit,
             "kind": kind, "order_id": i, "fields": fields or _fields_for(actor),
             "reason": reason, "client": client} for i in ids]
    if uow is not None:
        uow.session.execute(insert(PersonalDataAccessRow), rows)
        return len(rows)
    with rt.uow() as own:
        own.session.execute(insert(PersonalDataAccessRow), rows)
        own.commit()
    return len(rows)


def reveal_phone(rt: Runtime, actor: Actor, order_id: int, reason: str | None,
                 client: str | None = None) -> dict:
    """The full phone number of one order's caller, with a logged reason."""
    from hotline.core.access import visible
    from hotline.workorders.commands import NotFound
    reason = (reason or "").strip()
    least = rt.config.privacy["min_reason_chars"]
    if len(reason) < least:
        raise RuleViolation(f"查看完整号码须说明理由 (至少 {least} 个字)", "reason")
    with rt.uow() as uow:
        row = uow.session.get(WorkOrderRow, order_id)
        if row is None or not visible(row, actor):
            raise NotFound("工单不存在")
        if actor.role == Role.DEPARTMENT and row.caller_confidential:
            raise NotPermitted("保密件: 承办单位不能查看来电人信息")
        out = {"order_id": row.id, "number": row.number, "name": row.caller_name,
               "phone": row.caller_phone}
    record_access(rt, actor, "reveal", [order_id], reason=reason, client=client,
                  fields="name,phone")
    return out


def query_access_log(rt: Runtime, actor: Actor, filters: dict) -> dict:
    if actor.role not in LOG_READERS:
        raise NotPermitted("只有督办或管理员可以查询个人信息访问记录")
    page, per_page = filters.get("page", 1), filters.get("per_page", 50)
    q = select(PersonalDataAccessRow)
    for key in ("order_id", "actor", "kind", "unit"):
        if filters.get(key) is not None:
            q = q.where(getattr(PersonalDataAccessRow, key) == filters[key])
    if filters.get("since"):
        q = q.where(PersonalDataAccessRow.at >= filters["since"])
    if filters.get("until"):
        q = q.where(PersonalDataAccessRow.at < filters["until"])
    with rt.uow() as uow:
        total = uow.session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
        rows = uow.session.execute(q.order_by(PersonalDataAccessRow.id.desc())
                                   .limit(per_page).offset((page - 1) * per_page)).scalars()
        items = [{"id": r.id, "at": views.iso(r.at), "actor": r.actor, "role": r.role,
                  "unit": r.unit, "kind": r.kind, "order_id": r.order_id, "fields": r.fields,
                  "reason": r.reason, "client": r.client} for r in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


EXPORT_LIMIT = 5000
EXPORT_COLUMNS = [("number", "工单编号"), ("status_label", "状态"), ("received_at", "受理时间"),
                  ("town", "镇街"), ("category", "分类"), ("unit", "承办单位"),
                  ("title", "标题"), ("content", "诉求内容"), ("address", "地址"),
                  ("caller_name", "来电人"), ("caller_phone", "来电号码")]


def export_orders_csv(rt: Runtime, actor: Actor, filters: dict,
                      client: str | None = None) -> tuple[str, int]:
    """CSV of the orders the actor may list, with exactly what the role may see: the same
    views as the API (masked phone and no confidential identity for departments), and the
    export written to the access log per order."""
    from hotline.workorders.commands import list_orders
    items: list[dict] = []
    page = 1
    while len(items) < EXPORT_LIMIT:
        chunk = list_orders(rt, actor, {**filters, "page": page, "per_page": 500},
                            log_access=False)
        items.extend(chunk["items"])
        if len(chunk["items"]) < 500:
            break
        page += 1
    items = items[:EXPORT_LIMIT]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([label for _, label in EXPORT_COLUMNS])
    for it in items:
        caller = it.get("caller") or {}
        flat = {**it, "caller_name": caller.get("name"), "caller_phone": caller.get("phone")}
        w.writerow(["" if flat.get(k) is None else _csv_safe(str(flat.get(k)))
                    for k, _ in EXPORT_COLUMNS])
    record_access(rt, actor, "export", [it["id"] for it in items], client=client)
    return "\ufeff" + buf.getvalue(), len(items)


def _csv_safe(value: str) -> str:
    # a cell starting with = + - @ is a formula in Excel (CSV injection): quote it
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value

