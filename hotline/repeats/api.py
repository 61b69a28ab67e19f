"""重复诉求 API (issue 17, Build 5). Controllers: parse, check the role, call one service
(hotline/repeats/service.py)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, jsonify, request
from marshmallow import fields, validate

from hotline.core.db import utcnow
from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.errors import ApiError
from hotline.web.schemas import Day, OrderSchema, PeriodSchema, Schema
from hotline.workorders.domain.workflow import Role

from . import service

bp = Blueprint("repeats", __name__)
CENTRE = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


class RepeatLinkSchema(Schema):
    earlier_id = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数"))
    reopen = fields.Boolean(load_default=False,
                            metadata={"description": "原工单已办结时重启办理 (须写理由)"})
    reason = fields.String(validate=validate.Length(max=2000, error="不能超过 {max} 个字符"))


class EarlierOrdersSchema(Schema):
    items = fields.List(fields.Dict())
    window_days = fields.Integer()


class RepeatQuery(PeriodSchema):
    from_ = Day(data_key="from")
    to = Day()


class RepeatReportSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    items = fields.List(fields.Dict())
    repeats = fields.Integer()
    reopened = fields.Integer()


@bp.get("/api/v1/orders/<int:order_id>/earlier")
@documented("/api/v1/orders/{order_id}/earlier", "get",
            "来电人与同一地点此前的工单 (近 90 天, 含已办结) 及办理结果", None, EarlierOrdersSchema)
@login_required(*CENTRE)
def earlier(order_id: int):
    return jsonify(service.earlier(rt(), g.actor, order_id))


@bp.post("/api/v1/orders/<int:order_id>/repeat")
@documented("/api/v1/orders/{order_id}/repeat", "post",
            "关联为重复诉求; reopen=true 时先重启已办结的原工单", RepeatLinkSchema, OrderSchema)
@login_required(Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR)
def link(order_id: int):
    d = load(RepeatLinkSchema(), json_body())
    return jsonify(service.link(rt(), g.actor, order_id, d["earlier_id"], d["reopen"],
                                d.get("reason")))


@bp.get("/api/v1/reports/repeats")
@documented("/api/v1/reports/repeats", "get", "重复诉求按承办单位与分类统计 (关联数、重启数)",
            None, RepeatReportSchema, query=RepeatQuery, tags=("reports",))
@login_required(Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN)
def report():
    from hotline.workorders import views
    q = load(RepeatQuery(), request.args.to_dict())
    to = q.get("to") or views.to_local(utcnow()).date()
    frm = q.get("from_") or (to - timedelta(days=30))
    if frm > to:
        raise ApiError(422, "开始日期晚于结束日期", {"from": ["须不晚于 to"]})
    return jsonify(service.report(rt(), frm, to))


def init_app(app) -> None:
    app.register_blueprint(bp)
