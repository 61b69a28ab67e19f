"""Security and privacy doors (docs/design/architecture.md §7): rate limits on the public endpoints,
login lock-out with the client address, CSRF on cookie-authenticated forms, secure cookies and
headers, and the privacy API (reveal with reason, access log, role-filtered export).

Loaded last by app._extensions, so every blueprint is registered when the limits are attached
to the public endpoints found in app.url_map.
"""
from __future__ import annotations

import hmac
import os
import re
import secrets

from flask import Blueprint, Response, current_app, g, jsonify, request, session
from marshmallow import Schema, fields, validate

from hotline.privacy import service as privacy
from hotline.web import schemas as s
from hotline.web.api import AUTH_COOKIE, ApiError, documented, json_body, load, login_required
from hotline.workorders.domain.workflow import Role

# (name, rule pattern, methods, limit). Public = reachable without a bearer token. Per client
# address; numbers are bursts a person never reaches, the per-hour abuse limits of the
# citizen pages live in their own config (config/open311.yaml). Override with env
# HOTLINE_RATELIMIT_<NAME>, e.g. HOTLINE_RATELIMIT_LOGIN="5/minute".
# One limit per route: the FIRST entry that matches a route is its limit, so a specific entry
# comes before the general one it narrows (the general /open311/ entry once came first and
# the POST limit never applied).
PUBLIC_LIMITS = [
    ("login", r"^/api/v1/auth/(?:token|session)$", {"POST"}, "20/minute;200/hour"),
    ("open311_post", r"^/open311/v2/requests\.", {"POST"}, "30/minute"),
    ("open311", r"^/open311/", {"GET", "POST"}, "120/minute"),
    ("kb_ask", r"^/self/api/knowledge/", {"POST"}, "30/minute"),   # text service (issue 16)
    ("selfservice", r"^/self/", {"GET", "POST"}, "60/minute"),
    ("survey_token", r"^/s/", {"GET", "POST"}, "60/minute"),
    ("survey_token_api", r"^/api/v1/surveys/<(?:string:)?token>", {"GET", "POST"}, "60/minute"),
]
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
bp = Blueprint("privacy", __name__, url_prefix="/api/v1")


def rt():
    return current_app.extensions["hotline"]


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


# ------------------------------------------------------------------ rate limits

def _limiter(app):
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    runtime = app.extensions["hotline"]
    enabled = os.environ.get("HOTLINE_RATELIMIT", "on").lower() not in ("off", "0", "false")
    storage = runtime.settings.redis_url or "memory://"
    # Redis in production, so N web processes share one count; a Redis outage must not take
    # logins down: errors are swallowed and an in-memory count takes over meanwhile.
    limiter = Limiter(get_remote_address, app=app, storage_uri=storage,
                      key_prefix=f"rl-{runtime.settings.queue_name}",
                      swallow_errors=True, in_memory_fallback_enabled=True,
                      headers_enabled=True, enabled=enabled,
                      storage_options={"socket_connect_timeout": 1, "socket_timeout": 1}
                      if runtime.settings.redis_url else {})
    chosen: dict[str, str] = {}   # endpoint -> the name of its one limit
    for rule in app.url_map.iter_rules():
        if rule.endpoint in chosen:
            continue
        for name, pattern, methods, default in PUBLIC_LIMITS:
            if not re.search(pattern, rule.rule) or not (rule.methods & methods):
                continue
            value = os.environ.get(f"HOTLINE_RATELIMIT_{name.upper()}", default)
            view = app.view_functions[rule.endpoint]
            app.view_functions[rule.endpoint] = limiter.limit(
                value, methods=sorted(methods), error_message="请求过于频繁, 请稍后再试")(view)
            chosen[rule.endpoint] = name
            break
    app.extensions["hotline.limited_endpoints"] = sorted(chosen)
    app.extensions["hotline.route_limits"] = chosen
    return limiter


# ------------------------------------------------------------------ CSRF

def csrf_token() -> str:
    """The session's CSRF token (rendered into forms as a hidden field)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def _csrf_guard():
    """Cookie-authenticated requests (the pages' login cookie, or a Flask session cookie) that
    change state must carry the session's token, sent by app.js as X-CSRFToken from the
    page's <meta name="csrf-token">. Bearer-token and API-key requests carry no ambient
    credential a foreign site could ride on, so they are not checked (the JSON API keeps
    working unchanged)."""
    if request.method in SAFE_METHODS:
        return None
    cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    if cookie not in request.cookies and AUTH_COOKIE not in request.cookies:
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise ApiError(403, "CSRF 校验失败, 请刷新页面后重试", code="csrf_failed")
    return None


# ------------------------------------------------------------------ ids out of range

MAX_ID = 2**31 - 1


def _ids_in_range(endpoint, values):
    """An id beyond the 32-bit key range names no row: answer 404 before the database sees
    it (SQLite raises OverflowError and PostgreSQL a DataError on such values; found by the
    schemathesis fuzz run, tests/fuzz)."""
    for v in (values or {}).values():
        if isinstance(v, int) and not 0 <= v <= MAX_ID:
            raise ApiError(404, "资源不存在")


# ------------------------------------------------------------------ headers

def _headers(resp: Response) -> Response:
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/"):
        # answers carry personal data: no shared or browser cache may keep them
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


# ------------------------------------------------------------------ privacy API

class RevealSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RevealResultSchema(Schema):
    order_id = fields.Integer()
    number = fields.String()
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class AccessLogQuerySchema(Schema):
    order_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    actor = fields.String(validate=validate.Length(max=64))
    unit = fields.String(validate=validate.Length(max=64))
    kind = fields.String(validate=validate.OneOf(privacy.KINDS))
    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AccessLogItemSchema(Schema):
    id = fields.Integer()
    at = fields.String()
    actor = fields.String()
    role = fields.String()
    unit = fields.String(allow_none=True)
    kind = fields.String()
    order_id = fields.Integer(allow_none=True)
    fields_ = fields.String(data_key="fields")
    reason = fields.String(allow_none=True)
    client = fields.String(allow_none=True)


class AccessLogSchema(Schema):
    items = fields.List(fields.Nested(AccessLogItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ExportQuerySchema(s.ListQuerySchema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class ExportSchema(Schema):
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(fields.String(allow_none=True)))
    total = fields.Integer()


@bp.post("/orders/<int:order_id>/reveal")
@documented("/api/v1/orders/{order_id}/reveal", "post",
            "查看来电人完整号码 (须说明理由, 记入个人信息访问记录)", RevealSchema,
            RevealResultSchema, tags=("privacy",))
@login_required()
def reveal(order_id: int):
    data = load(RevealSchema(), json_body())
    return jsonify(privacy.reveal_phone(rt(), g.actor, order_id, data["reason"],
                                        client=client_address()))


@bp.get("/privacy/access-log")
@documented("/api/v1/privacy/access-log", "get", "个人信息访问记录 (督办/管理员)", None,
            AccessLogSchema, query=AccessLogQuerySchema, tags=("privacy",))
@login_required(Role.SUPERVISOR, Role.ADMIN)
def access_log():
    filters = load(AccessLogQuerySchema(), request.args.to_dict())
    return jsonify(privacy.query_access_log(rt(), g.actor, filters))


@bp.get("/orders/export")
@documented("/api/v1/orders/export", "get",
            "导出工单 (只含本角色可见的字段; 记入个人信息访问记录); format=csv 下载 CSV", None,
            ExportSchema, query=ExportQuerySchema, tags=("privacy",))
@login_required(Role.DISPATCHER, Role.DEPARTMENT, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def export_orders():
    q = load(ExportQuerySchema(), request.args.to_dict())
    fmt = q.pop("format")
    text, n = privacy.export_orders_csv(rt(), g.actor, q, client=client_address())
    if fmt == "csv":
        return Response(text, mimetype="text/csv", headers={
            "Content-Disposition": "attachment; filename=orders.csv"})
    import csv
    import io
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return jsonify({"columns": rows[0], "rows": rows[1:], "total": n})


# ------------------------------------------------------------------ wiring

def init_app(app) -> None:
    runtime = app.extensions["hotline"]
    secure = os.environ.get("HOTLINE_SECURE_COOKIES")
    secure = (secure.lower() in ("1", "true", "on")) if secure is not None \
        else not runtime.settings.embedded   # production (PostgreSQL + Redis) runs behind TLS
    app.config.update(SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=12 * 3600)
    if os.environ.get("HOTLINE_PROXY_COUNT"):
        # behind N trusted reverse proxies the client address is in X-Forwarded-For
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = int(os.environ["HOTLINE_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    app.register_blueprint(bp)
    app.url_value_preprocessor(_ids_in_range)
    app.before_request(_csrf_guard)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.extensions["hotline.limiter"] = _limiter(app)
