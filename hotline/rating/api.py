"""好差评 API and page (issue 18 item 6): the 差评整改 tasks, the units' feedback, the centre's
decision and the per-unit figures. Thin: parse, check the role, call one service."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.core.db import utcnow
from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.schemas import Day, PeriodSchema, Schema
from hotline.workorders.domain.workflow import Role

from . import service
from .domain import rules as R

bp = Blueprint("rating", __name__)
TAGS = ("rating",)
READERS = service.CENTRE + (Role.DEPARTMENT,)


class TaskQuery(Schema):
    status = fields.String(validate=validate.OneOf(tuple(R.STATUS_LABELS),
                                                   error="未知状态, 可选: {choices}"))
    unit = fields.String(validate=validate.Length(max=64))


class FeedbackSchema(Schema):
    feedback = fields.String(required=True, validate=validate.Length(
        min=5, max=2000, error="整改反馈须为 {min} 至 {max} 字"))


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(
        tuple(R.DECISIONS), error="须为 accept (通过) 或 return (退回)"))
    note = fields.String(allow_none=True, validate=validate.Length(max=1000))


class TaskSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_number = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    unit_name = fields.String()
    direct_answer = fields.Boolean()
    status = fields.String()
    status_label = fields.String()
    created_at = fields.String(allow_none=True)
    deadline = fields.String(allow_none=True)
    overdue = fields.Boolean()
    satisfaction_label = fields.String()
    comment = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)
    feedback_at = fields.String(allow_none=True)
    feedback_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    rounds = fields.Integer()


class TaskListSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer()


class ReportQuery(PeriodSchema):
    from_ = Day(data_key="from")
    to = Day()


class UnitFiguresSchema(Schema):
    unit = fields.String(allow_none=True)
    unit_name = fields.String()
    tasks = fields.Integer()
    open = fields.Integer()
    submitted = fields.Integer()
    accepted = fields.Integer()
    overdue = fields.Integer()
    feedback_on_time = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)


class ReportSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    items = fields.List(fields.Nested(UnitFiguresSchema))


@bp.get("/api/v1/rectifications")
@documented("/api/v1/rectifications", "get", "差评整改任务 (中心看全部, 承办单位看本单位)", None,
            TaskListSchema, query=TaskQuery, tags=TAGS)
@login_required(*READERS)
def tasks():
    q = load(TaskQuery(), request.args.to_dict())
    return jsonify(service.list_tasks(rt(), g.actor, q.get("status"), q.get("unit")))


@bp.post("/api/v1/rectifications/<int:task_id>/feedback")
@documented("/api/v1/rectifications/{task_id}/feedback", "post", "承办单位填写整改反馈",
            FeedbackSchema, TaskSchema, tags=TAGS)
@login_required(Role.DEPARTMENT)
def feedback(task_id: int):
    body = load(FeedbackSchema(), json_body())
    return jsonify(service.submit_feedback(rt(), g.actor, task_id, body["feedback"]))


@bp.post("/api/v1/rectifications/<int:task_id>/decision")
@documented("/api/v1/rectifications/{task_id}/decision", "post", "督办员审核整改反馈 (通过或退回)",
            DecisionSchema, TaskSchema, tags=TAGS)
@login_required(*service.DECIDERS)
def decision(task_id: int):
    body = load(DecisionSchema(), json_body())
    return jsonify(service.decide(rt(), g.actor, task_id, body["decision"], body.get("note")))


@bp.get("/api/v1/reports/rectifications")
@documented("/api/v1/reports/rectifications", "get",
            "差评整改统计 (按单位): 整改数、待整改、待审核、完成、超期、按时反馈率", None,
            ReportSchema, query=ReportQuery, tags=("reports",))
@login_required(*service.CENTRE)
def report():
    q = load(ReportQuery(), request.args.to_dict())
    to = q.get("to") or utcnow().astimezone(service.TZ).date()
    frm = q.get("from_") or to - timedelta(days=30)
    return jsonify(service.unit_figures(rt(), frm, to))


@bp.get("/rectifications")
def page():
    return render_template("rectifications.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
