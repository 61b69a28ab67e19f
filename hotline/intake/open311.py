"""Open311 GeoReport v2: our public face for other platforms
(docs/design/decisions/0008-open311-georeport-v2.md).

Services are our categories; a POSTed request goes through the one intake path of every
channel (`intake.submit`: classifier, duplicates, routing by the responsibility table, SLA). The hotline
workflow stays internal: its statuses map to the standard's open/closed plus status_notes.
Errors are `Open311Error(status, description)`; the web layer renders the standard's
list of {code, description}.
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.core.orm import NoteRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.intake import service as intake
from hotline.intake.orm import ApiKeyRow, Open311RequestRow
from hotline.privacy.domain.redaction import mask_personal_data
from hotline.workorders import commands as orders
from hotline.workorders import views
from hotline.workorders.domain.model import Actor, Caller, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import CLOSED_STATES, STATUS_LABELS, Role

MAX_DESCRIPTION = 4000   # GeoReport v2: description up to 4000 characters, no HTML
MAX_PAGE = 100_000       # pagination extension: beyond this the offset leaves the key range
# WGS-84 degrees: the standard's lat/long are decimal degrees (issue 12 findings 6 and 13)
COORDINATE_RANGE = {"lat": 90.0, "long": 180.0}
_TAGS = re.compile(r"<[^>]*>")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def check_jurisdiction(rt: Runtime, jurisdiction_id: str | None) -> None:
    """GeoReport v2: required only when an endpoint serves several jurisdictions (we serve
    one, so absent is fine); an unknown one is 404. An empty parameter equals an absent one."""
    if jurisdiction_id and jurisdiction_id != rt.config.open311["jurisdiction_id"]:
        raise Open311Error(404, f"jurisdiction_id not found: {jurisdiction_id}")


# ------------------------------------------------------------------ API keys

def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def create_api_key(rt: Runtime, actor: Actor, name: str) -> dict:
    """Admin creates a client key; the plain key is returned once, only its hash is kept."""
    if actor.role != Role.ADMIN:
        raise NotPermitted("只有管理员可以创建 API key")
    plain = "o311_" + secrets.token_urlsafe(32)
    with rt.uow() as uow:
        if uow.session.execute(select(ApiKeyRow.id).where(ApiKeyRow.name == name)).first():
            raise orders.Conflict(f"名称 {name} 已存在")
        uow.session.add(ApiKeyRow(name=name, key_hash=hash_key(plain), prefix=plain[:9],
                                  active=True, created_by=actor.username, created_at=utcnow()))
        uow.commit()
    return {"name": name, "api_key": plain, "prefix": plain[:9]}


def list_api_keys(rt: Runtime) -> list[dict]:
    with rt.uow() as uow:
        rows = uow.session.execute(select(ApiKeyRow).order_by(ApiKeyRow.id)).scalars()
        return [{"name": r.name, "prefix": r.prefix, "active": r.active,
                 "created_by": r.created_by, "created_at": views.iso(r.created_at),
                 "last_used_at": views.iso(r.last_used_at)} for r in rows]


def revoke_api_key(rt: Runtime, name: str) -> None:
    with rt.uow() as uow:
        row = uow.session.execute(select(ApiKeyRow).where(ApiKeyRow.name == name)).scalar()
        if row is None:
            raise orders.NotFound("API key 不存在")
        row.active = False
        uow.commit()


def _authenticate(rt: Runtime, plain: str | None) -> str:
    if not plain:
        # GeoReport v2 errors: 403 "api_key was not provided or is invalid" (issue 12 item 13)
        raise Open311Error(403, "api_key was not provided")
    with rt.uow() as uow:
        row = uow.session.execute(select(ApiKeyRow).where(
            ApiKeyRow.key_hash == hash_key(plain))).scalar()
        if row is None or not row.active:
            raise Open311Error(403, "api_key is invalid")
        row.last_used_at = utcnow()
        uow.commit()
        return row.name


# ------------------------------------------------------------------ services

def _town_owned(rt, code: str) -> bool:
    return rt.city.categories[code].owner == "town"


def list_services(rt: Runtime) -> list[dict]:
    return [{"service_code": c.code, "service_name": c.name,
             "description": f"{c.group} · {c.name}", "metadata": True, "type": "realtime",
             "keywords": ", ".join(x for x in (c.group, c.name) if x), "group": c.group}
            for c in rt.city.categories.values()]


def service_definition(rt: Runtime, code: str) -> dict:
    if code not in rt.city.categories:
        raise Open311Error(404, f"service_code not found: {code}")
    towns = [{"key": t.code, "name": t.name} for t in rt.city.towns.values()]
    return {"service_code": code, "attributes": [
        {"variable": True, "code": "town", "datatype": "singlevaluelist",
         "required": _town_owned(rt, code), "datatype_description": "镇街园区代码",
         "order": 1, "description": "事发地所在镇街 (属地事项必填)", "values": towns},
        {"variable": True, "code": "confidential", "datatype": "singlevaluelist",
         "required": False, "datatype_description": "true 或 false", "order": 2,
         "description": "是否要求对诉求人信息保密",
         "values": [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}]},
    ]}


# ------------------------------------------------------------------ POST requests

def _town_from(rt, attrs: dict, address: str | None) -> str | None:
    wanted = (attrs.get("town") or [None])[0]
    towns = rt.city.towns
    if wanted:
        for t in towns.values():
            if wanted in (t.code, t.name):
                return t.code
        raise Open311Error(400, f"attribute[town] is not a valid value: {wanted}")
    for t in towns.values():       # 属地: the town named in the address owns the matter
        if address and t.name in address:
            return t.code
    return None


def _coordinate(form: dict, key: str) -> float | None:
    """lat/long in decimal degrees. NaN and Infinity are refused: the public feed would carry
    them and strict JSON parsers refuse the whole answer (issue 12 finding 6); so is a value
    outside the globe (|lat| <= 90, |long| <= 180), which was stored as given (finding 13)."""
    raw = form.get(key)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{key} must be a number")
    limit = COORDINATE_RANGE[key]
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise Open311Error(400, f"{key} must be a finite number from {-limit:g} to {limit:g}")
    return value


def create_request(rt: Runtime, form: dict, attrs: dict,
                   idempotency_key: str | None = None) -> tuple[list[dict], bool]:
    """POST requests: `form` holds single values, `attrs` the attribute[code] lists.
    Returns (the GeoReport answer, whether it replays a request stored earlier under
    `idempotency_key`: a client retrying after a lost answer gets the same id and token)."""
    check_jurisdiction(rt, form.get("jurisdiction_id"))
    key_name = _authenticate(rt, form.get("api_key"))
    code = form.get("service_code")
    if not code:
        raise Open311Error(400, "service_code was not provided")
    if code not in rt.city.categories:
        raise Open311Error(404, f"service_code not found: {code}")
    lat, lon = _coordinate(form, "lat"), _coordinate(form, "long")
    address, address_id = form.get("address_string") or None, form.get("address_id") or None
    if (lat is None or lon is None) and not address and not address_id:
        raise Open311Error(400, "location is required: lat and long, address_string or "
                                "address_id")
    description = _TAGS.sub("", form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, "description is longer than 4000 characters")
    town = _town_from(rt, attrs, address)
    cat = rt.city.categories[code]
    if cat.owner == "town" and town is None:
        raise Open311Error(400, "attribute[town] is required for this service_code")
    name = "".join(x for x in (form.get("last_name"), form.get("first_name")) if x) or None
    token = secrets.token_urlsafe(16)

    def request_row(uow, order_id):
        # in the order's transaction: an order never exists without its request and token
        uow.session.add(Open311RequestRow(
            order_id=order_id, token=token, api_key_name=key_name, service_code=code,
            lat=lat, long=lon, address_id=address_id, zipcode=form.get("zipcode") or None,
            email=form.get("email") or None, device_id=form.get("device_id") or None,
            account_id=form.get("account_id") or None,
            media_url=form.get("media_url") or None,
            attributes={k: v for k, v in attrs.items()}, created_at=utcnow()))
    # The service_code is a category named by the client: the one intake path routes it
    # through the responsibility table with its rulings and assisting units, like an agent's
    # category (docs/design/domain.md §6.6).
    try:
        order = intake.Channel("open311", f"open311:{key_name}").submit(
            rt, also=request_row, content=description or cat.name, title=cat.name,
            category=code, town=town, address=address,
            caller=Caller(name, form.get("phone") or None,
                          anonymous=name is None and not form.get("phone"),
                          confidential=(attrs.get("confidential") or ["false"])[0] == "true"),
            # No appeal type named: intake's triage predicts it from the description, as for
            # every channel, so the order has its legal reply limit (docs/design/domain.md §2.2)
            idempotency_key=idempotency_key or None)
    except RuleViolation as e:
        if e.field != "Idempotency-Key":
            raise
        raise Open311Error(400, "Idempotency-Key was already used for another request")
    if order["replayed"]:
        with rt.uow() as uow:
            token = uow.session.execute(select(Open311RequestRow.token).where(
                Open311RequestRow.order_id == order["id"])).scalar_one()
    return [{"service_request_id": order["number"], "token": token,
             "service_notice": rt.config.open311["service_notice"],
             "account_id": form.get("account_id") or None}], order["replayed"]


# ------------------------------------------------------------------ GET requests

def _parse_dt(raw: str, name: str) -> datetime:
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C (ISO 8601) datetime")
    # years 1 and 9999 overflow once shifted to UTC or by the 90-day window (a 500 before)
    if not 1900 <= dt.year <= 9000:
        raise Open311Error(400, f"{name} must be between the years 1900 and 9000")
    return dt if dt.tzinfo else dt.replace(tzinfo=views.TZ)


def _finite(value: float | None) -> float | None:
    """A stored coordinate as published: never NaN or Infinity (rows written before the
    coordinates were checked keep the rest of their data; issue 12 finding 6)."""
    return value if value is not None and math.isfinite(value) else None


def _page(args: dict, conf: dict) -> tuple[int, int]:
    """The pagination extension's page (1..MAX_PAGE) and page_size (1..max_page_size).
    Out of range is a 400 in the standard's error format: a huge page made an offset the
    database could not bind and answered 500 (issue 12 finding 4)."""
    out = []
    for name, default, top in (("page", 1, MAX_PAGE),
                               ("page_size", conf["page_size"], conf["max_page_size"])):
        raw = args.get(name)
        try:
            value = int(raw) if raw else default
        except ValueError:
            raise Open311Error(400, f"{name} must be an integer")
        if not 1 <= value <= top:
            raise Open311Error(400, f"{name} must be from 1 to {top}")
        out.append(value)
    return out[0], out[1]


def _expected(rt, row: WorkOrderRow) -> str | None:
    """expected_datetime: the legal reply deadline from the SLA engine (the citizen clock),
    in working time with holidays and 调休 (docs/sla.md). Read in the caller's session: a
    second transaction would wait on SQLite's writer lock."""
    try:
        from sqlalchemy.orm import object_session

        from hotline.core.db import WorkOrderRepository
        order = WorkOrderRepository(object_session(row)).get(row.id)
        due = [d for d in rt.config.sla_engine.deadlines(order, order.history)
               if d.clock == "reply" and d.target == "legal"]
        return views.iso(min(d.due for d in due)) if due else None
    except Exception:   # advisory field: never fail a read on it
        return None


def _view(rt, row: WorkOrderRow, req: Open311RequestRow | None, reply: str | None) -> dict:
    closed = row.status in CLOSED_STATES
    unit = rt.city.units.get(row.unit or "")
    # status_notes: the citizen reply once closed, else our status in words (never internal
    # notes or unit reports).
    notes = (reply if closed and reply else None) or STATUS_LABELS.get(row.status, row.status)
    # Published text carries no phone, ID-card number or e-mail address (个人信息保护法; issue
    # 12 finding 7): one rule (hotline.privacy.domain.redaction) for the description, address and notes.
    notes = mask_personal_data(notes)
    return {"service_request_id": row.number, "status": "closed" if closed else "open",
            "status_notes": notes, "service_name": rt.city.categories[row.category].name
            if row.category in rt.city.categories else None,
            "service_code": (req.service_code if req else None) or row.category,
            "description": mask_personal_data(row.content),
            "agency_responsible": unit.name if unit else None,
            "service_notice": rt.config.open311["service_notice"],
            "requested_datetime": views.iso(row.received_at),
            "updated_datetime": views.iso(row.updated_at),
            "expected_datetime": None if closed else _expected(rt, row),
            "address": mask_personal_data(row.address),
            "address_id": req.address_id if req else None,
            "zipcode": req.zipcode if req else None, "lat": _finite(req.lat) if req else None,
            "long": _finite(req.long) if req else None,
            "media_url": req.media_url if req else None}


def get_requests(rt: Runtime, args: dict) -> list[dict]:
    """GET requests with the standard's filters; service_request_id overrides the others.
    Pagination is the `page`/`page_size` extension (Extensions page, issue #16).
    A confidential request (the caller asked for 保密) is never published, not even its
    description: it could name the caller (issue 12 finding 7)."""
    conf = rt.config.open311
    check_jurisdiction(rt, args.get("jurisdiction_id"))
    page, size = _page(args, conf)
    q = (select(WorkOrderRow, Open311RequestRow)
         .outerjoin(Open311RequestRow, Open311RequestRow.order_id == WorkOrderRow.id)
         .where(WorkOrderRow.channel.in_(conf["public_channels"]),
                WorkOrderRow.caller_confidential.is_not(True)))
    ids = [x.strip() for x in (args.get("service_request_id") or "").split(",") if x.strip()]
    if ids:
        q = q.where(WorkOrderRow.number.in_(ids))
    else:
        codes = [x.strip() for x in (args.get("service_code") or "").split(",") if x.strip()]
        if codes:
            q = q.where(WorkOrderRow.category.in_(codes))
        end = _parse_dt(args["end_date"], "end_date") if args.get("end_date") else utcnow()
        start = _parse_dt(args["start_date"], "start_date") if args.get("start_date") \
            else end - timedelta(days=conf["max_days"])   # no overflow: years >= 1900
        if end - start > timedelta(days=conf["max_days"]):
            raise Open311Error(400, f"start_date to end_date may not exceed "
                                    f"{conf['max_days']} days")
        q = q.where(WorkOrderRow.received_at >= start, WorkOrderRow.received_at <= end)
        statuses = {x.strip() for x in (args.get("status") or "").split(",") if x.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if statuses == {"open"}:
            q = q.where(WorkOrderRow.status.not_in([str(s) for s in CLOSED_STATES]))
        elif statuses == {"closed"}:
            q = q.where(WorkOrderRow.status.in_([str(s) for s in CLOSED_STATES]))
    with rt.uow() as uow:
        rows = uow.session.execute(q.order_by(WorkOrderRow.received_at.desc(),
                                              WorkOrderRow.id.desc())
                                   .limit(size).offset((page - 1) * size)).all()
        replies = _citizen_replies(uow, [r.id for r, _ in rows])
        return [_view(rt, r, req, replies.get(r.id)) for r, req in rows]


def _citizen_replies(uow, order_ids: list[int]) -> dict[int, str]:
    if not order_ids:
        return {}
    out: dict[int, str] = {}
    for n in uow.session.execute(select(NoteRow).where(NoteRow.order_id.in_(order_ids),
                                                       NoteRow.kind == "citizen_reply")
                                 .order_by(NoteRow.id)).scalars():
        out[n.order_id] = n.body   # the latest reply wins
    return out


def get_request(rt: Runtime, number: str, jurisdiction_id: str | None = None) -> list[dict]:
    check_jurisdiction(rt, jurisdiction_id)
    found = get_requests(rt, {"service_request_id": number})
    if not found:
        raise Open311Error(404, f"service_request_id not found: {number}")
    return found


def get_token(rt: Runtime, token: str, jurisdiction_id: str | None = None) -> list[dict]:
    check_jurisdiction(rt, jurisdiction_id)
    with rt.uow() as uow:
        row = uow.session.execute(
            select(Open311RequestRow.token, WorkOrderRow.number)
            .join(WorkOrderRow, WorkOrderRow.id == Open311RequestRow.order_id)
            .where(Open311RequestRow.token == token)).first()
    if row is None:
        raise Open311Error(404, f"token not found: {token}")
    return [{"service_request_id": row.number, "token": row.token}]


def discovery(rt: Runtime, base_url: str) -> dict:
    conf = rt.config.open311
    return {"changeset": conf["changeset"], "contact": conf["contact"],
            "key_service": conf["key_service"],
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2",
                           "url": base_url, "changeset": conf["changeset"], "type": "production",
                           "formats": ["text/xml", "application/json"]}]}
