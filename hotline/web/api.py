"""/api/v1: thin controllers — parse with a schema, check access, call one service."""
from __future__ import annotations

import json
import re
import subprocess
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import Schema

from hotline import __version__
from hotline.core import auth
from hotline.web import schemas as s
from hotline.web.action_schemas import action_schema
from hotline.web.errors import ApiError
from hotline.workorders import commands as orders
from hotline.workorders.domain.workflow import ACTION_LABELS, ACTIONS, STATUS_LABELS, Role

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ROUTES: list[dict] = []   # read by the OpenAPI generator


def documented(path: str, method: str, summary: str, request_schema=None, response=None,
               status: int = 200, query=None, auth_required=True, tags=("orders",)):
    def deco(fn):
        ROUTES.append({"path": path, "method": method.lower(), "summary": summary,
                       "request": request_schema, "response": response, "status": status,
                       "query": query, "auth": auth_required, "tags": list(tags)})
        return fn
    return deco


def rt():
    return current_app.extensions["hotline"]


# No request body of this API nests deeper than a few levels; 32 leaves room and keeps the
# parser far from Python's recursion limit (issue 12, finding 4: 100,000 nested brackets
# raised RecursionError inside json.loads, a 500 before any login).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_body() -> dict:
    """The request body as a JSON object, or a 400/422 that names what is wrong.

    The one JSON parser of the API (every route reads its body here): nesting is limited
    before parsing, and no string may carry an unpaired UTF-16 surrogate (JSON allows
    "\\ud800", but it has no UTF-8 form, so it can be neither stored nor passed on), so every
    schema behind it sees only well-formed text (issue 12, finding 4)."""
    if not request.mimetype or request.mimetype != "application/json":
        raise ApiError(400, "请求须为 JSON (Content-Type: application/json)",
                       {"content_type": ["须为 application/json"]})
    raw = request.get_data(cache=True)
    if _depth_exceeds(raw, MAX_JSON_DEPTH):
        raise ApiError(400, "JSON 嵌套过深", {"_body": [f"嵌套不能超过 {MAX_JSON_DEPTH} 层"]})
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "JSON 格式错误", {"_body": ["无法解析的 JSON"]})
    except RecursionError:   # not reached after the scan above; kept as the last guard
        raise ApiError(400, "JSON 嵌套过深", {"_body": [f"嵌套不能超过 {MAX_JSON_DEPTH} 层"]})
    if not isinstance(body, dict):
        raise ApiError(400, "请求体须为 JSON 对象", {"_body": ["须为 JSON 对象 (不能是列表或 null)"]})
    bad = _unpaired_surrogates(body)
    if bad:
        raise ApiError(422, "输入校验失败", {f: ["含有无效字符 (不成对的 UTF-16 代理项)"]
                                          for f in bad})
    return body


def _depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when the JSON text nests brackets deeper than `limit`, found without parsing or
    recursion: strings are blanked out (their brackets are text), then the brackets left are
    counted. Most bodies have fewer opening brackets than the limit and skip the count."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for ch in _JSON_STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS):
        depth += 1 if ch in (0x5B, 0x7B) else -1
        if depth > limit:
            return True
    return False


def _unpaired_surrogates(body) -> list[str]:
    """Dotted paths (list items by index) of the keys and strings holding an unpaired
    surrogate. json.loads joins a valid pair into one character, so any surrogate left is
    unpaired; str.encode("utf-8") refuses exactly those. Iterative: no recursion."""
    bad: list[str] = []
    stack: list[tuple[str, object]] = [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and not _utf8_ok(value):
                bad.append(path or "_body")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = key if _utf8_ok(key) else key.encode("utf-8", "backslashreplace").decode()
                if name != key:
                    bad.append(f"{path}.{name}" if path else name)
                else:
                    stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item)
                         for i, item in enumerate(value))
    return sorted(bad)


def _utf8_ok(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load(schema: Schema, data: dict) -> dict:
    return schema.load(data)


# The pages' credential (issue 12): the same signed token as the API's bearer token, in an
# HttpOnly cookie so no script in the page (an injected one included) can read it, and
# SameSite=Strict so no other site's page sends it. State-changing requests that carry it need
# the CSRF token (ext_security._csrf_guard). Reasons: docs/operations.md "Page sessions".
AUTH_COOKIE = "hotline_auth"


def _credential():
    """The caller's verified token: `Authorization: Bearer` first (API clients), else the
    page cookie. None when neither is sent; AuthError (401) when one is sent but invalid."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return auth.verify(rt(), header[7:].strip())
    cookie = request.cookies.get(AUTH_COOKIE)
    if cookie:
        return auth.verify(rt(), cookie)
    return None


def optional_actor():
    """The logged-in actor (bearer or page cookie), or None for an anonymous caller."""
    cred = _credential()
    return cred.actor if cred is not None else None


def login_required(*roles):
    def deco(fn):
        @wraps(fn)
        def wrapper(*a, **kw):
            cred = _credential()
            if cred is None:
                raise ApiError(401, "未登录: 需要 Authorization: Bearer <token> 或登录会话")
            g.credential = cred
            g.actor, g.intake_blocked = cred.actor, cred.intake_blocked
            if roles and g.actor.role not in roles:
                raise ApiError(403, "当前角色无权执行此操作")
            return fn(*a, **kw)
        return wrapper
    return deco


def _client() -> str:
    return (request.remote_addr or "unknown")[:64]


def _profile(d: dict) -> dict:
    return {"role": d["role"], "unit": d["unit"], "username": d["username"], "name": d["name"]}


@bp.post("/auth/token")
@documented("/api/v1/auth/token", "post", "登录, 取得令牌", s.LoginSchema, s.TokenSchema,
            auth_required=False, tags=("auth",))
def token():
    data = load(s.LoginSchema(), json_body())
    return jsonify(auth.login(rt(), data["username"], data["password"], client=_client()))


@bp.post("/auth/session")
@documented("/api/v1/auth/session", "post",
            "页面登录: 设置 HttpOnly、SameSite=Strict 的会话 Cookie (不返回令牌)",
            s.LoginSchema, s.ProfileSchema, auth_required=False, tags=("auth",))
def auth_session():
    data = load(s.LoginSchema(), json_body())
    result = auth.login(rt(), data["username"], data["password"], client=_client())
    old = request.cookies.get(AUTH_COOKIE)
    if old:   # another user logs in at this browser: the previous session ends for good
        try:
            auth.revoke(rt(), auth.verify(rt(), old))
        except auth.AuthError:
            pass
    resp = jsonify(_profile(result))
    # no Max-Age: the cookie goes when the browser closes (shared desks); the token inside
    # expires after one shift (auth.TOKEN_MAX_AGE) whatever the browser does
    resp.set_cookie(AUTH_COOKIE, result["token"], httponly=True, samesite="Strict",
                    secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/")
    return resp


@bp.get("/auth/me")
@documented("/api/v1/auth/me", "get", "当前登录用户", None, s.ProfileSchema, tags=("auth",))
@login_required()
def auth_me():
    cred = g.credential
    return jsonify({"role": cred.actor.role, "unit": cred.actor.unit,
                    "username": cred.actor.username, "name": cred.name})


@bp.post("/auth/logout")
@documented("/api/v1/auth/logout", "post",
            "退出登录: 吊销本次所用的令牌或会话 Cookie (其副本随即失效), 并清除 Cookie",
            None, s.LogoutSchema, tags=("auth",))
@login_required()
def auth_logout():
    auth.revoke(rt(), g.credential)
    cookie = request.cookies.get(AUTH_COOKIE)
    if cookie and request.headers.get("Authorization", "").startswith("Bearer "):
        try:   # a page that also sent a bearer token: its cookie session ends too
            auth.revoke(rt(), auth.verify(rt(), cookie))
        except auth.AuthError:
            pass
    resp = jsonify({"logged_out": True})
    resp.delete_cookie(AUTH_COOKIE, path="/", httponly=True, samesite="Strict",
                       secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return resp


@bp.get("/units")
@documented("/api/v1/units", "get", "承办单位列表", None, s.UnitListSchema, tags=("reference",))
@login_required()
def units():
    items = orders.list_units(rt())
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})


@bp.get("/categories")
@documented("/api/v1/categories", "get", "诉求分类目录", None, s.CategoryListSchema,
            tags=("reference",))
@login_required()
def categories():
    items = [{"code": c.code, "name": c.name, "group": c.group, "owner": c.owner}
             for c in rt().city.categories.values()]
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})


def _create_schema():
    city = rt().city
    return s.order_create_schema(tuple(city.units), tuple(city.towns), tuple(city.categories),
                                 tuple(city.appeal_types))()


@bp.post("/orders")
@documented("/api/v1/orders", "post", "登记工单 (受理)", "OrderCreate", s.OrderSchema, 201)
@login_required(Role.AGENT, Role.DISPATCHER, Role.ADMIN)
def create_order():
    data = load(_create_schema(), json_body())
    if data.get("received_at") is not None and g.actor.role != Role.ADMIN:
        raise ApiError(422, "只有管理员导入历史工单时可以指定受理时间",
                       {"received_at": ["仅管理员可用"]})
    blocked = current_app.extensions.get("hotline.intake_guard")
    if blocked:
        blocked(g.actor)
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        try:
            data["idempotency_key"] = parse_idempotency_key(key)
        except ValueError:
            raise ApiError(422, "幂等键格式错误", {"Idempotency-Key": ["须为 1 至 64 个可见 ASCII 字符"]})
    call_id = data.pop("call_id", None)   # issue 18 (callcentre helper)
    result = orders.create_order(rt(), g.actor, data)
    if call_id:   # the call this appeal came in on is the order's (idempotent on a replay)
        from hotline.callcentre.service import link_call
        link_call(rt(), g.actor, call_id, result["id"])
    # a retry with a key already used answers the stored order: 200, not a second 201
    return jsonify(result), 200 if result["replayed"] else 201


def parse_idempotency_key(raw: str) -> str:
    """Idempotency-Key header (IETF draft): 1-64 visible ASCII characters, e.g. a UUID; the
    quotes of the draft's sf-string form are accepted and dropped. ValueError otherwise: each
    protocol (this API, Open311) answers it in its own error format."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= 64 or not all("!" <= ch <= "~" for ch in key):
        raise ValueError(raw)
    return key


@bp.get("/orders")
@documented("/api/v1/orders", "get", "工单列表", None, s.OrderListSchema,
            query=s.ListQuerySchema)
@login_required()
def list_orders():
    city = rt().city
    schema = s.list_query_schema(tuple(STATUS_LABELS), tuple(city.units), tuple(city.towns),
                                 tuple(city.categories), tuple(city.appeal_types))
    filters = load(schema(), request.args.to_dict())
    return jsonify(orders.list_orders(rt(), g.actor, filters))


@bp.get("/orders/<int:order_id>")
@documented("/api/v1/orders/{order_id}", "get", "工单详情 (含全部流转记录)", None, s.OrderSchema)
@login_required()
def get_order(order_id: int):
    return jsonify(orders.get_order(rt(), g.actor, order_id))


@bp.post("/orders/<int:order_id>/<action>")
@documented("/api/v1/orders/{order_id}/{action}", "post",
            "执行流转动作 (各动作的 data 见下列 /api/v1/orders/{order_id}/<动作>)", s.ActionSchema,
            s.OrderSchema)
@login_required()
def order_action(order_id: int, action: str):
    if action not in ACTIONS:
        raise ApiError(404, f"未知动作 {action}", {"action": [f"可选: {', '.join(ACTIONS)}"]})
    # each action's data has its own schema (web/action_schemas.py; issue 12, finding 2)
    payload = load(action_schema(action)(), json_body())
    return jsonify(orders.act(rt(), g.actor, order_id, action, payload))


# One documented operation per action, so the OpenAPI document (and the fuzzer reading it)
# carries each action's data schema.
for _action in ACTIONS:
    documented(f"/api/v1/orders/{{order_id}}/{_action}", "post",
               f"{ACTION_LABELS[_action]} ({_action})", action_schema(_action),
               s.OrderSchema, tags=("actions",))(order_action)


@bp.post("/orders/<int:order_id>/attach")
@documented("/api/v1/orders/{order_id}/attach", "post", "批量并单: 将多张工单并入主工单 (突发事件)",
            s.AttachSchema, s.AttachResultSchema)
@login_required(Role.DISPATCHER, Role.AGENT)
def attach(order_id: int):
    data = load(s.AttachSchema(), json_body())
    from hotline.intake.duplicates import attach_to_master
    return jsonify(attach_to_master(rt(), g.actor, order_id, data["order_ids"], data["reason"]))


@bp.get("/orders/<int:order_id>/attachments")
@documented("/api/v1/orders/{order_id}/attachments", "get", "附件列表", None,
            s.AttachmentListSchema)
@login_required()
def list_attachments(order_id: int):
    from hotline.workorders import attachments
    items = attachments.list_attachments(rt(), g.actor, order_id)
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": len(items)})


@bp.post("/orders/<int:order_id>/attachments")
@documented("/api/v1/orders/{order_id}/attachments", "post",
            "上传附件 (multipart: file) 或关联通话录音 (JSON: recording_ref)",
            s.RecordingRefSchema, s.AttachmentSchema, 201)
@login_required()
def add_attachment(order_id: int):
    from hotline.workorders import attachments
    if request.mimetype == "multipart/form-data":
        f = request.files.get("file")
        if f is None:
            raise ApiError(422, "缺少文件", {"file": ["缺少必填字段"]})
        out = attachments.add_file(rt(), g.actor, order_id, f.filename or "file",
                                   f.mimetype or "application/octet-stream", f.read())
    else:
        data = load(s.RecordingRefSchema(), json_body())
        out = attachments.add_recording(rt(), g.actor, order_id, data["recording_ref"])
    return jsonify(out), 201


@bp.get("/orders/<int:order_id>/attachments/<int:attachment_id>")
@login_required()
def download_attachment(order_id: int, attachment_id: int):
    from flask import send_file

    from hotline.workorders import attachments
    path, ctype, name = attachments.open_file(rt(), g.actor, order_id, attachment_id)
    return send_file(path, mimetype=ctype, download_name=name, as_attachment=True)


@bp.post("/classify")
@documented("/api/v1/classify", "post",
            "受理分诊: 分类建议、诉求类型及置信度、快速响应事项、紧急警情 (转 110/119/120/122)、"
            "诉求不明确、是否自动派单及原因", s.ClassifyRequestSchema, None, tags=("classify",))
@login_required()
def classify():
    data = load(s.ClassifyRequestSchema(), json_body())
    from hotline.learning.classification import classify_text
    town = data.get("town")
    # an unknown town is no error here (the live check is advisory): it only names no 属地 unit
    return jsonify(classify_text(rt(), data["text"], town if town in rt().city.towns else None))


@bp.post("/classify/train")
@documented("/api/v1/classify/train", "post", "重新训练分类模型 (种子语料 + 中心纠正样本)", None,
            s.TrainingRunSchema, 202, tags=("classify",))
@login_required(Role.ADMIN, Role.SUPERVISOR)
def train_model():
    from hotline.learning.training import request_training
    return jsonify(request_training(rt(), g.actor)), 202


@bp.get("/classify/train/<int:run_id>")
@documented("/api/v1/classify/train/{run_id}", "get", "训练进度", None, s.TrainingRunSchema,
            tags=("classify",))
@login_required(Role.ADMIN, Role.SUPERVISOR)
def training_run(run_id: int):
    from hotline.learning.training import get_run
    run = get_run(rt(), run_id)
    if run is None:
        raise ApiError(404, "训练任务不存在")
    return jsonify(run)


@bp.get("/classify/model")
@documented("/api/v1/classify/model", "get", "当前模型卡片", None, None, tags=("classify",))
@login_required()
def model_card():
    store = rt().model_store()
    version = store.current_version() if store else None
    if not version:
        raise ApiError(404, "尚未发布模型")
    return jsonify({"version": version, "card": store.card(version)})


def health_payload(runtime) -> tuple[dict, int]:
    from sqlalchemy import text
    db = "ok"
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        db = "down"
    if runtime.settings.embedded:
        queue = "embedded"
    else:
        try:
            runtime.redis().ping()
            queue = "ok"
        except Exception:
            queue = "down"   # intake keeps working; the outbox waits for Redis
    return ({"db": db, "queue": queue, "version": __version__, "commit": _commit()},
            200 if db == "ok" else 503)


_COMMIT: list = []


def _commit() -> str | None:
    if not _COMMIT:
        try:
            out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                 timeout=2, cwd=current_app.root_path)
            _COMMIT.append(out.stdout.strip() or None)
        except Exception:
            _COMMIT.append(None)
    return _COMMIT[0]
