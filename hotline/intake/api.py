"""Open doors (docs/open311.md): the Open311 GeoReport v2 endpoint, the citizen self-service pages,
and the admin API for Open311 keys and unit webhooks. Thin controllers: parse, check
access, call one service (hotline.intake.open311 / selfservice / webhooks)."""
from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

from flask import Blueprint, Response, current_app, g, json, jsonify, render_template, request
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from hotline.intake import open311, selfservice
from hotline.web.api import documented, json_body, load, login_required, parse_idempotency_key
from hotline.web.errors import ApiError
from hotline.webhooks import service as webhooks
from hotline.workorders.domain.model import DomainError
from hotline.workorders.domain.workflow import Role

log = logging.getLogger(__name__)

o311 = Blueprint("open311", __name__, url_prefix="/open311/v2")
admin = Blueprint("open311_admin", __name__, url_prefix="/api/v1/admin")
citizen = Blueprint("citizen", __name__, template_folder="../web/templates")
FMT = "<any(json,xml):fmt>"
PREFIX = "/open311/v2/"
# Media types with the charset (issue 12 item 13: JSON answers lacked it). The discovery
# document names `text/xml` and `application/json`.
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML element names of list items (GeoReport v2 response documents).
ITEM = {"services": "service", "service_requests": "request", "errors": "error",
        "attributes": "attribute", "values": "value", "endpoints": "endpoint",
        "formats": "format"}


def rt():
    return current_app.extensions["hotline"]


# ------------------------------------------------------------------ GeoReport v2

def _xml(parent: ET.Element, tag: str, value) -> None:
    el = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml(el, k, v)
    elif isinstance(value, list):
        for v in value:
            _xml(el, ITEM.get(tag, "item"), v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)


def render(fmt: str, root: str, value, status: int = 200) -> Response:
    if fmt == "json":
        return Response(json.dumps(value, ensure_ascii=False), status,
                        content_type=CONTENT_TYPES["json"])
    top = ET.Element(root)
    if isinstance(value, list):
        for item in value:
            _xml(top, ITEM[root], item)
    else:
        for k, v in value.items():
            _xml(top, k, v)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return Response(body, status, content_type=CONTENT_TYPES["xml"])


def _requested_format() -> str:
    """The format the client asked for: the route's `fmt`, else the path's extension when it
    is one we serve. Anything else (`.html`, `.txt`, none) is answered in XML, the format
    every GeoReport v2 endpoint must support, so any conforming client can read the error."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt in CONTENT_TYPES:
        return fmt
    last = request.path.rpartition("/")[2]
    ext = last.rpartition(".")[2] if "." in last else ""
    return ext if ext in CONTENT_TYPES else "xml"


def errors(status: int, description: str, headers: dict | None = None) -> Response:
    """The standard's error list, [{code, description}] (<errors><error>), in the requested
    format: every error under /open311/v2/, not the JSON API's envelope (issue 12 item 13)."""
    resp = render(_requested_format(), "errors", [{"code": status, "description": description}],
                  status)
    resp.headers.extend(headers or {})
    return resp


@o311.errorhandler(open311.Open311Error)
def _o311_error(e: open311.Open311Error):
    return errors(e.status, e.description)


@o311.errorhandler(DomainError)
def _o311_domain(e: DomainError):
    status = e.http_status if e.http_status in (400, 403, 404) else 400
    return errors(status, e.message)


HTTP_DESCRIPTIONS = {400: "the request could not be read", 405: "method not allowed",
                     413: "the request body is larger than 1 MB",
                     429: "too many requests; retry later"}


@o311.errorhandler(Exception)
def _o311_other(e: Exception):
    """Everything else raised on an Open311 route (the rate limiter's 429 included) keeps the
    status the app would give it and takes the standard's error format."""
    if isinstance(e, HTTPException):
        status = e.code or 500
        headers = dict(e.get_headers()) if status in (405, 429) else {}
        headers.pop("Content-Type", None)
        return errors(status, HTTP_DESCRIPTIONS.get(status, e.name.lower()), headers)
    if isinstance(e, ApiError):       # e.g. the CSRF guard on a cookie-carrying POST
        return errors(e.status, e.message)
    if isinstance(e, DBAPIError):
        log.warning("database unavailable: %s", e.__class__.__name__)
        return errors(503, "service temporarily unavailable; retry later")
    log.exception("unhandled error on %s %s", request.method, request.path)
    return errors(500, "internal error")


def _unrouted(e: HTTPException, fallback):
    """404/405 from the router (no route, so no blueprint handler applies): under
    /open311/v2/ a known resource asked with a wrong or missing extension (`services.html`,
    `requests.txt`, `services`) is a 400 naming the formats, a wrong method a 405, anything
    else a 404, each in the standard's error format. Elsewhere the app's own handler."""
    if not request.path.startswith(PREFIX):
        return fallback(e)
    if request.url_rule is not None:   # raised by a matched route, not by the router
        return errors(e.code or 404, HTTP_DESCRIPTIONS.get(e.code, "not found"))
    if isinstance(e, MethodNotAllowed):
        return errors(405, "method not allowed", {"Allow": ", ".join(e.valid_methods or [])})
    last = request.path.rpartition("/")[2]
    stem = request.path[:len(request.path) - len(last)] + last.partition(".")[0] \
        if "." in last else request.path
    try:
        current_app.url_map.bind("localhost").match(stem + ".xml", method=request.method)
    except MethodNotAllowed as wrong:
        return errors(405, "method not allowed", {"Allow": ", ".join(wrong.valid_methods or [])})
    except HTTPException:
        return errors(404, "not found")
    return errors(400, "unsupported format: the path must end in .json or .xml")


def _arg(name: str):
    return request.values.get(name) or None   # an empty parameter equals an absent one


@o311.get(f"/discovery.{FMT}")
def discovery(fmt):
    return render(fmt, "discovery", open311.discovery(rt(), request.host_url.rstrip("/")
                                                      + o311.url_prefix + "/"))


@o311.get(f"/services.{FMT}")
def services(fmt):
    open311.check_jurisdiction(rt(), _arg("jurisdiction_id"))
    return render(fmt, "services", open311.list_services(rt()))


@o311.get(f"/services/<code>.{FMT}")
def service_definition(code, fmt):
    open311.check_jurisdiction(rt(), _arg("jurisdiction_id"))
    return render(fmt, "service_definition", open311.service_definition(rt(), code))


@o311.post(f"/requests.{FMT}")
def post_request(fmt):
    form = {k: (v or None) for k, v in request.form.items() if not k.startswith("attribute[")}
    attrs: dict[str, list[str]] = {}
    for key in request.form:
        if key.startswith("attribute[") and "]" in key:
            code = key[len("attribute["):key.index("]")]
            attrs.setdefault(code, []).extend(v for v in request.form.getlist(key) if v)
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        try:
            key = parse_idempotency_key(key)
        except ValueError:
            raise open311.Open311Error(
                400, "Idempotency-Key must be 1 to 64 visible ASCII characters")
    answer, replayed = open311.create_request(rt(), form, attrs, key)
    # a retry with a used key gets the stored request (same id and token): 200, not 201
    return render(fmt, "service_requests", answer, 200 if replayed else 201)


@o311.get(f"/requests.{FMT}")
def get_requests(fmt):
    args = {k: v for k, v in request.args.items() if v}
    return render(fmt, "service_requests", open311.get_requests(rt(), args))


@o311.get(f"/requests/<rid>.{FMT}")
def get_request(rid, fmt):
    return render(fmt, "service_requests", open311.get_request(rt(), rid,
                                                               _arg("jurisdiction_id")))


@o311.get(f"/tokens/<token>.{FMT}")
def get_token(token, fmt):
    return render(fmt, "service_requests", open311.get_token(rt(), token,
                                                             _arg("jurisdiction_id")))


# ------------------------------------------------------------------ admin API

class ApiKeyCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{2,64}$", error="名称为 2-64 位字母、数字、_ . -"))


class ApiKeySchema(Schema):
    name = fields.String()
    api_key = fields.String(metadata={"description": "只在创建时返回一次"})
    prefix = fields.String()
    active = fields.Boolean()
    created_by = fields.String()
    created_at = fields.String()
    last_used_at = fields.String(allow_none=True)


class ApiKeyListSchema(Schema):
    items = fields.List(fields.Nested(ApiKeySchema))


class WebhookConfigSchema(Schema):
    url = fields.String(required=True, allow_none=True, validate=validate.Length(max=512))
    rotate_secret = fields.Boolean(load_default=False)


class WebhookConfigResultSchema(Schema):
    unit = fields.String()
    url = fields.String(allow_none=True)
    secret = fields.String(allow_none=True, metadata={"description": "新密钥, 只显示一次"})


class DeliverySchema(Schema):
    delivery_id = fields.String()
    unit = fields.String()
    event = fields.String()
    order_id = fields.Integer(allow_none=True)
    status = fields.String()
    attempts = fields.Integer()
    last_status_code = fields.Integer(allow_none=True)
    replay = fields.Boolean()
    replay_of = fields.String(allow_none=True)
    log = fields.List(fields.Dict())


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))


class DeliveryQuerySchema(Schema):
    unit = fields.String()
    status = fields.String(validate=validate.OneOf(
        ("pending", "sending", "delivered", "failed")))


@admin.post("/api-keys")
@documented("/api/v1/admin/api-keys", "post", "创建 Open311 API key (明文只返回一次)",
            ApiKeyCreateSchema, ApiKeySchema, 201, tags=("open311",))
@login_required(Role.ADMIN)
def create_api_key():
    data = load(ApiKeyCreateSchema(), json_body())
    return jsonify(open311.create_api_key(rt(), g.actor, data["name"])), 201


@admin.get("/api-keys")
@documented("/api/v1/admin/api-keys", "get", "Open311 API key 列表 (不含明文)", None,
            ApiKeyListSchema, tags=("open311",))
@login_required(Role.ADMIN)
def list_api_keys():
    return jsonify({"items": open311.list_api_keys(rt())})


@admin.post("/api-keys/<name>/revoke")
@documented("/api/v1/admin/api-keys/{name}/revoke", "post", "停用 Open311 API key", None,
            None, tags=("open311",))
@login_required(Role.ADMIN)
def revoke_api_key(name):
    open311.revoke_api_key(rt(), name)
    return jsonify({"name": name, "active": False})


@admin.put("/units/<code>/webhook")
@documented("/api/v1/admin/units/{code}/webhook", "put", "设置单位推送地址 (密钥只显示一次)",
            WebhookConfigSchema, WebhookConfigResultSchema, tags=("webhooks",))
@login_required(Role.ADMIN)
def configure_webhook(code):
    data = load(WebhookConfigSchema(), json_body())
    return jsonify(webhooks.configure(rt(), g.actor, code, data["url"],
                                      data["rotate_secret"]))


@admin.get("/webhook-deliveries")
@documented("/api/v1/admin/webhook-deliveries", "get", "推送记录 (含每次尝试的状态码)", None,
            DeliveryListSchema, query=DeliveryQuerySchema, tags=("webhooks",))
@login_required(Role.ADMIN)
def list_deliveries():
    q = load(DeliveryQuerySchema(), request.args.to_dict())
    return jsonify({"items": webhooks.list_deliveries(rt(), q.get("unit"), q.get("status"))})


@admin.post("/webhook-deliveries/<delivery_id>/replay")
@documented("/api/v1/admin/webhook-deliveries/{delivery_id}/replay", "post",
            "重新推送 (标记为重放)", None, DeliverySchema, 202, tags=("webhooks",))
@login_required(Role.ADMIN)
def replay_delivery(delivery_id):
    return jsonify(webhooks.replay(rt(), g.actor, delivery_id)), 202


# ------------------------------------------------------------------ citizen pages

def _towns():
    return list(rt().city.towns.values())


def _new_page(status=200, error=None, form=None, emergency=None):
    return render_template("self_new.html", token=selfservice.form_token(rt()),
                           towns=_towns(), error=error, form=form or {},
                           emergency=emergency), status


@citizen.get("/self/new")
def self_new():
    return _new_page()


@citizen.post("/self/new")
def self_new_post():
    form = request.form.to_dict()
    try:
        result = selfservice.file_appeal(rt(), form, request.remote_addr)
    except selfservice.EmergencyAppeal as e:
        return _new_page(200, None, form, emergency=e.emergency)
    except selfservice.SelfServiceError as e:
        return _new_page(e.http_status, e.message, form)
    # an appeal filed from the text service keeps its conversation (issue 16 item 5)
    from hotline.knowledge.service import conversation_filed
    conversation_filed(rt(), form.get("kb_conversation"), result["number"])
    return render_template("self_done.html", **result)


@citizen.get("/self/track")
def self_track():
    return render_template("track.html", result=None, searched=False,
                           number=request.args.get("number", ""))


@citizen.post("/self/track")
def self_track_post():
    number, code = request.form.get("number", ""), request.form.get("code", "")
    try:
        result = selfservice.track(rt(), number, code, request.remote_addr)
    except selfservice.TooMany as e:
        return render_template("track.html", result=None, searched=True, number=number,
                               error=e.message), 429
    return render_template("track.html", result=result, searched=True, number=number), \
        200 if result else 404


def init_app(app) -> None:
    app.register_blueprint(o311)
    app.register_blueprint(admin)
    app.register_blueprint(citizen)
    # The app's generic HTTPException handler answers the other paths as before.
    generic = app.error_handler_spec[None][None].get(HTTPException)
    fallback = generic or (lambda e: e)
    for cls in (NotFound, MethodNotAllowed):
        app.register_error_handler(cls, lambda e, _f=fallback: _unrouted(e, _f))
