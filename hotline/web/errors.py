"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

Domain errors map to HTTP by their class (docs/design/architecture.md §3.3); anything unexpected is
logged and answered 500 with no internals. A database that went away is a 503."""
from __future__ import annotations

import logging

from flask import jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from hotline.workorders.domain.model import DomainError

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}
        self.code = code or CODES.get(status, "error")


def error_response(status: int, message: str, fields: dict | None = None,
                   code: str | None = None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "fields": fields or {}}}
    return jsonify(body), status


def register(app) -> None:
    @app.errorhandler(ApiError)
    def _api(e: ApiError):
        return error_response(e.status, e.message, e.fields, e.code)

    @app.errorhandler(ValidationError)
    def _validation(e: ValidationError):
        msgs = e.messages if isinstance(e.messages, dict) else {"_schema": e.messages}
        return error_response(422, "输入校验失败", _flatten(msgs))

    @app.errorhandler(DomainError)
    def _domain(e: DomainError):
        fields = {e.field: [e.message]} if e.field else {}
        return error_response(e.http_status, e.message, fields)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        status = e.code or 500
        messages = {404: "资源不存在", 405: "不支持的请求方法", 413: "请求体过大 (上限 1 MB)"}
        fields = {"_body": ["请求体超过 1 MB"]} if status == 413 else {}
        return error_response(status, messages.get(status, e.description or e.name), fields)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _db(e):
        # PostgreSQL restarted or SQLite locked too long: fail cleanly, the pool reconnects.
        log.warning("database unavailable: %s", e.__class__.__name__)
        return error_response(503, "数据库暂时不可用, 请稍后重试")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "服务器内部错误")


def _flatten(messages: dict, prefix: str = "") -> dict:
    """{"caller": {"phone": ["..."]}} -> {"caller.phone": ["..."]}; a list item's errors
    are named by index: {"data": {"assist": {0: {"x": [...]}}}} -> {"data.assist.0.x": [...]}
    (the field a client must fix, never a Python repr of nested messages)."""
    out: dict[str, list] = {}
    for key, val in messages.items():
        name = f"{prefix}{key}"
        if key == "_schema" and prefix:
            out[prefix[:-1]] = [str(v) for v in (val if isinstance(val, list) else [val])]
        elif isinstance(val, dict):
            out.update(_flatten(val, name + "."))
        else:
            out[name] = [str(v) for v in (val if isinstance(val, list) else [val])]
    return out
