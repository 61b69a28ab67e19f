"""服务体验官 API and pages (issue 18 item 7): officers, tasks, the officer's evaluation form
(by the task's link token, no login, like the return-visit link) and the quarterly report.
Thin: parse with a schema, check the role, call one service."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import ValidationError, fields, validate, validates_schema

from hotline.core.db import utcnow
from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.schemas import ID_RANGE, Day, Schema

from . import service
from .domain import rules as X

bp = Blueprint("experience", __name__)
TAGS = ("experience",)


class OfficerCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(
        min=1, max=64, error="姓名须为 {min} 至 {max} 个字"))
    phone = fields.String(required=True, validate=validate.Regexp(
        X.PHONE.pattern, error="手机号应为 11 位数字"))
    area = fields.String(allow_none=True, validate=validate.Length(max=64))
    period_start = Day(required=True)
    period_end = Day(required=True)

    @validates_schema
    def _period(self, data, **kw):
        if "period_start" in data and "period_end" in data and \
                data["period_end"] < data["period_start"]:
            raise ValidationError("结束日期不能早于开始日期", field_name="period_end")


class OfficerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String(metadata={"description": "中心督办员与管理员可见完整号码, 其他角色脱敏"})
    area = fields.String(allow_none=True)
    area_name = fields.String(allow_none=True)
    period_start = fields.String()
    period_end = fields.String()
    in_period = fields.Boolean()


class OfficerListSchema(Schema):
    items = fields.List(fields.Nested(OfficerSchema))
    total = fields.Integer()


class TaskCreateSchema(Schema):
    officer_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    kind = fields.String(required=True, validate=validate.OneOf(
        tuple(X.KINDS), error="须为 call (拨打热线) / web (网上提交) / followup (核查办理)"))
    subject = fields.String(required=True, validate=validate.Length(
        min=2, max=500, error="任务内容须为 {min} 至 {max} 字"))
    unit = fields.String(allow_none=True, validate=validate.Length(max=64))
    order_number = fields.String(allow_none=True, validate=validate.Length(max=32))
    due_date = Day(allow_none=True)


class TaskSchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    officer_name = fields.String(allow_none=True)
    kind = fields.String()
    kind_label = fields.String()
    channel_label = fields.String()
    subject = fields.String()
    unit = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    order_number = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    due_date = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)


class TaskListSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer()


class TaskQuery(Schema):
    officer_id = fields.Integer(validate=ID_RANGE)


class EvaluationSchema(Schema):
    speed = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=5, error="须为 1 至 5 分"))
    attitude = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=5, error="须为 1 至 5 分"))
    accuracy = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=5, error="须为 1 至 5 分"))
    result = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=5, error="须为 1 至 5 分"))
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))
    order_number = fields.String(allow_none=True, validate=validate.Length(max=32))


class OfficerTaskSchema(Schema):
    kind_label = fields.String()
    subject = fields.String()
    unit_name = fields.String(allow_none=True)
    status = fields.String()
    officer_name = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.String())
    due_date = fields.String(allow_none=True)


class EvaluatedSchema(Schema):
    status = fields.String()
    status_label = fields.String()


class ReportQuery(Schema):
    quarter = fields.String(validate=validate.Regexp(r"^20\d\dQ[1-4]$",
                                                     error="季度格式须为 YYYYQn, 如 2026Q4"))


class AveragesSchema(Schema):
    unit = fields.String(allow_none=True)
    unit_name = fields.String()
    channel = fields.String()
    channel_label = fields.String()
    evaluations = fields.Integer()
    speed = fields.Float(allow_none=True)
    attitude = fields.Float(allow_none=True)
    accuracy = fields.Float(allow_none=True)
    result = fields.Float(allow_none=True)
    overall = fields.Float(allow_none=True)


class ReportSchema(Schema):
    quarter = fields.String()
    officers = fields.Integer()
    by_unit = fields.List(fields.Nested(AveragesSchema))
    by_channel = fields.List(fields.Nested(AveragesSchema))
    total = fields.Nested(AveragesSchema)


@bp.get("/api/v1/experience/officers")
@documented("/api/v1/experience/officers", "get", "服务体验官名单 (手机号按角色脱敏)", None,
            OfficerListSchema, tags=TAGS)
@login_required(*service.READERS)
def officers():
    return jsonify(service.list_officers(rt(), g.actor))


@bp.post("/api/v1/experience/officers")
@documented("/api/v1/experience/officers", "post", "聘任服务体验官 (姓名、手机、区域、聘期)",
            OfficerCreateSchema, OfficerSchema, 201, tags=TAGS)
@login_required(*service.MANAGERS)
def enrol():
    body = load(OfficerCreateSchema(), json_body())
    return jsonify(service.enrol(rt(), g.actor, body)), 201


@bp.get("/api/v1/experience/tasks")
@documented("/api/v1/experience/tasks", "get", "体验任务列表", None, TaskListSchema,
            query=TaskQuery, tags=TAGS)
@login_required(*service.READERS)
def tasks():
    q = load(TaskQuery(), request.args.to_dict())
    return jsonify(service.list_tasks(rt(), g.actor, q.get("officer_id")))


@bp.post("/api/v1/experience/tasks")
@documented("/api/v1/experience/tasks", "post", "布置体验任务 (评价链接以短信发给体验官)",
            TaskCreateSchema, TaskSchema, 201, tags=TAGS)
@login_required(*service.MANAGERS)
def assign():
    body = load(TaskCreateSchema(), json_body())
    return jsonify(service.assign(rt(), g.actor, body)), 201


@bp.get("/api/v1/experience/evaluations/<token>")
@documented("/api/v1/experience/evaluations/{token}", "get", "体验官查看任务 (短信链接, 无需登录)",
            None, OfficerTaskSchema, auth_required=False, tags=TAGS)
def officer_task(token: str):
    return jsonify(service.task_for_officer(rt(), token))


@bp.post("/api/v1/experience/evaluations/<token>")
@documented("/api/v1/experience/evaluations/{token}", "post",
            "体验官提交评价 (速度、态度、准确、结果 1-5 分及意见; 每个任务一次)", EvaluationSchema,
            EvaluatedSchema, auth_required=False, tags=TAGS)
def evaluate(token: str):
    body = load(EvaluationSchema(), json_body())
    return jsonify(service.evaluate(rt(), token, body))


@bp.get("/api/v1/reports/experience")
@documented("/api/v1/reports/experience", "get", "服务体验官季度报告 (按单位、按渠道)", None,
            ReportSchema, query=ReportQuery, tags=("reports",))
@login_required(*service.READERS)
def report():
    q = load(ReportQuery(), request.args.to_dict())
    quarter = q.get("quarter") or X.quarter_of(utcnow().astimezone(service.TZ).date())
    return jsonify(service.quarterly_report(rt(), g.actor, quarter))


@bp.get("/experience")
def page():
    city = rt().city
    return render_template("experience.html",
                           towns=[{"code": t.code, "name": t.name} for t in city.towns.values()],
                           units=[{"code": u.code, "name": u.name} for u in city.units.values()])


@bp.get("/experience/report")
def report_page():
    return render_template("experience_report.html")


@bp.get("/x/<token>")
def officer_page(token: str):
    return render_template("x_evaluate.html", token=token)


def init_app(app) -> None:
    app.register_blueprint(bp)
