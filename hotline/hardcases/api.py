"""疑难工单 API and page (issue 17, Build 4). Controllers: parse, check the role, call one
service (hotline/hardcases/service.py)."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.schemas import LocalDateTime, Schema
from hotline.workorders.domain.workflow import Role

from . import service

bp = Blueprint("hardcases", __name__)
TAGS = ("hardcases",)
ID = validate.Range(min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数")


def _text(limit, **kw):
    return fields.String(validate=validate.Length(max=limit, error="不能超过 {max} 个字符"), **kw)


class HardCaseFlagSchema(Schema):
    order_id = fields.Integer(required=True, strict=True, validate=ID)
    leader = fields.String(required=True, validate=validate.Length(
        min=1, max=64, error="牵头领导须为 {min} 至 {max} 个字符"))
    coordination_due = LocalDateTime(required=True,
                                     metadata={"description": "协调期限 (ISO 8601)"})
    note = _text(2000)
    escalate = fields.Boolean(load_default=True,
                              metadata={"description": "同时对工单挂牌督办 (状态允许时)"})


class HardCaseNoteSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(
        min=1, max=4000, error="进展内容须为 {min} 至 {max} 个字符"))


class HardCaseCloseSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(
        ("resolved", "dismissed"), error="须为 resolved (已化解) 或 dismissed (不予列入)"))
    body = fields.String(required=True, validate=validate.Length(
        min=1, max=4000, error="须为 {min} 至 {max} 个字符"))
    city_level = fields.Boolean(load_default=True,
                                metadata={"description": "经市级协调化解 (计入年度目标)"})


class HardCaseListQuery(Schema):
    status = fields.String(validate=validate.OneOf(("proposed", "open", "resolved", "dismissed"),
                                                   error="未知状态"))


class HardCaseYearQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100,
                                                  error="年份须在 {min} 至 {max} 之间"))


class HardCaseSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    order_number = fields.String()
    title = fields.String()
    order_status_label = fields.String()
    unit_name = fields.String()
    status = fields.String()
    status_label = fields.String()
    source = fields.String()
    reasons = fields.List(fields.String())
    reason_labels = fields.List(fields.String())
    leader = fields.String(allow_none=True)
    coordination_due = fields.String(allow_none=True)
    overdue = fields.Boolean()
    city_level = fields.Boolean()
    proposed_at = fields.String()
    opened_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    notes = fields.List(fields.Dict())


class HardCaseListSchema(Schema):
    items = fields.List(fields.Nested(HardCaseSchema))
    total = fields.Integer()


class HardCaseMonthlySchema(Schema):
    year = fields.Integer()
    months = fields.List(fields.Dict())
    resolved = fields.Integer()
    city_level = fields.Integer()
    yearly_target = fields.Integer()
    target_met = fields.Boolean()


@bp.get("/api/v1/hard-cases")
@documented("/api/v1/hard-cases", "get", "疑难工单跟踪督办清单 (含系统建议列入的工单)", None,
            HardCaseListSchema, query=HardCaseListQuery, tags=TAGS)
@login_required(*service.READERS)
def list_():
    q = load(HardCaseListQuery(), request.args.to_dict())
    return jsonify(service.list_cases(rt(), g.actor, q.get("status")))


@bp.post("/api/v1/hard-cases")
@documented("/api/v1/hard-cases", "post",
            "列入疑难工单 (或确认系统建议): 牵头领导、协调期限; 可同时挂牌督办", HardCaseFlagSchema,
            HardCaseSchema, 201, tags=TAGS)
@login_required(Role.SUPERVISOR)
def flag():
    d = load(HardCaseFlagSchema(), json_body())
    return jsonify(service.flag(rt(), g.actor, d["order_id"], d["leader"],
                                d["coordination_due"], d.get("note"), d["escalate"])), 201


@bp.get("/api/v1/hard-cases/<int:case_id>")
@documented("/api/v1/hard-cases/{case_id}", "get", "疑难工单及其进展", None, HardCaseSchema,
            tags=TAGS)
@login_required(*service.READERS)
def get_(case_id: int):
    return jsonify(service.get(rt(), g.actor, case_id))


@bp.post("/api/v1/hard-cases/<int:case_id>/notes")
@documented("/api/v1/hard-cases/{case_id}/notes", "post", "记录协调进展", HardCaseNoteSchema,
            HardCaseSchema, tags=TAGS)
@login_required(Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER)
def note(case_id: int):
    d = load(HardCaseNoteSchema(), json_body())
    return jsonify(service.add_note(rt(), g.actor, case_id, d["body"]))


@bp.post("/api/v1/hard-cases/<int:case_id>/close")
@documented("/api/v1/hard-cases/{case_id}/close", "post", "疑难工单已化解, 或不予列入",
            HardCaseCloseSchema, HardCaseSchema, tags=TAGS)
@login_required(Role.SUPERVISOR)
def close(case_id: int):
    d = load(HardCaseCloseSchema(), json_body())
    return jsonify(service.close(rt(), g.actor, case_id, d["outcome"], d["body"],
                                 d["city_level"]))


@bp.get("/api/v1/reports/hard-cases/monthly")
@documented("/api/v1/reports/hard-cases/monthly", "get",
            "疑难工单按月化解数 (市级协调化解数与年度目标)", None, HardCaseMonthlySchema,
            query=HardCaseYearQuery, tags=("reports",))
@login_required(*service.READERS)
def monthly():
    from hotline.workorders import views
    q = load(HardCaseYearQuery(), request.args.to_dict())
    return jsonify(service.monthly_report(
        rt(), q.get("year") or views.to_local(service.utcnow()).year))


@bp.get("/hard-cases")
def page():
    return render_template("hardcases.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
