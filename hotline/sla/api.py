"""SLA routes: the explain view of an order's deadlines, the 即将超时 /
已超时 lists for a department's inbox and for supervisors, and the supervisor page.

Thin controllers: parse the query with a schema, check the role, call one service."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.sla import service as sla_service
from hotline.web.api import documented, load, login_required, rt
from hotline.web.pages import page_for
from hotline.web.schemas import Schema
from hotline.workorders.domain.workflow import Role

# templates/sla_*.html and static/sla.js live with the other pages' files.
bp = Blueprint("sla", __name__, template_folder="../web/templates")
CENTRE = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


class SlaWarningInstantSchema(Schema):
    label = fields.String()
    at = fields.String()


class SlaTimeLeftSchema(Schema):
    overdue = fields.Boolean()
    seconds = fields.Integer(metadata={"description": "剩余 (或已超时) 的工作时间秒数; natural 时为自然时间"})
    natural = fields.Boolean()
    ticking = fields.Boolean(metadata={"description": "此刻是否在计时 (非工作日不计)"})


class SlaDeadlineSchema(Schema):
    clock = fields.String(metadata={"description": "dispatch/sign/contact/onsite/reply/feedback"})
    clock_label = fields.String()
    target = fields.String(metadata={"description": "legal (法定时限) / pledge (服务承诺)"})
    target_label = fields.String()
    due = fields.String(metadata={"description": "ISO-8601, Asia/Shanghai"})
    status = fields.String(metadata={"description": "ok / warning / overdue"})
    status_label = fields.String()
    provisional = fields.Boolean(metadata={"description": "跨入无节假日数据的年份, 暂定"})
    started_at = fields.String()
    met_at = fields.String(allow_none=True)
    ended_at = fields.String(allow_none=True)
    running = fields.Boolean()
    owner = fields.String(allow_none=True)
    paused_seconds = fields.Integer()
    paused_since = fields.String(allow_none=True)
    extended_from = fields.String(allow_none=True)
    reason = fields.String()
    explain = fields.List(fields.String(), metadata={
        "description": "why it falls there: days skipped/counted, pauses, extensions"})
    warnings = fields.List(fields.Nested(SlaWarningInstantSchema))
    # issue 15: time left in working time (natural time for minute/hour clocks)
    natural = fields.Boolean()
    time_left = fields.Nested(SlaTimeLeftSchema, allow_none=True)


class SlaEscalationSchema(Schema):
    action = fields.String()
    label = fields.String()
    at = fields.String()
    actor = fields.String()
    auto = fields.Boolean()
    clock = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class SlaRecordedWarningSchema(Schema):
    clock = fields.String()
    target = fields.String()
    label = fields.String()
    at = fields.String()
    due = fields.String()


class SlaOrderDeadlinesSchema(Schema):
    order_id = fields.Integer()
    number = fields.String()
    now = fields.String()
    next_check_at = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    deadlines = fields.List(fields.Nested(SlaDeadlineSchema))
    escalations = fields.List(fields.Nested(SlaEscalationSchema))
    warnings = fields.List(fields.Nested(SlaRecordedWarningSchema))


class SlaListQuerySchema(Schema):
    tab = fields.String(load_default="overdue",
                        validate=validate.OneOf(list(sla_service.TABS)),
                        metadata={"description": "due_soon (即将超时) / overdue (已超时)"})
    unit = fields.String(metadata={"description": "承办单位 (部门用户固定为本单位)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class SlaListItemSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String(allow_none=True)
    status = fields.String()
    unit = fields.String(allow_none=True)
    unit_name = fields.String()
    urgency = fields.String()
    rapid_item = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    sla_status = fields.String()
    sla_status_label = fields.String()
    clock = fields.String()
    clock_label = fields.String()
    target = fields.String()
    target_label = fields.String()
    due = fields.String()
    overdue_since = fields.String(allow_none=True)
    ladder = fields.String(allow_none=True)
    ladder_label = fields.String(allow_none=True)
    provisional = fields.Boolean()
    time_left = fields.Nested(SlaTimeLeftSchema)


class SlaCountsSchema(Schema):
    due_soon = fields.Integer()
    overdue = fields.Integer()


class SlaListSchema(Schema):
    tab = fields.String()
    unit = fields.String(allow_none=True)
    items = fields.List(fields.Nested(SlaListItemSchema))
    total = fields.Integer()
    counts = fields.Nested(SlaCountsSchema)
    page = fields.Integer()
    per_page = fields.Integer()


class SlaUnitCountSchema(Schema):
    unit = fields.String(allow_none=True)
    unit_name = fields.String()
    due_soon = fields.Integer()
    overdue = fields.Integer()


class SlaByUnitSchema(Schema):
    items = fields.List(fields.Nested(SlaUnitCountSchema))
    total = fields.Integer()


@bp.get("/api/v1/orders/<int:order_id>/deadlines")
@documented("/api/v1/orders/{order_id}/deadlines", "get",
            "工单全部时限及其依据 (时钟、法定/承诺、到期、状态、暂定、跳过的节假日、挂起、延期)",
            None, SlaOrderDeadlinesSchema, tags=("sla",))
@login_required()
def order_deadlines(order_id: int):
    return jsonify(sla_service.order_deadlines(rt(), g.actor, order_id))


@bp.get("/api/v1/sla/inbox")
@documented("/api/v1/sla/inbox", "get", "即将超时 / 已超时 工单 (部门用户仅本单位)", None,
            SlaListSchema, query=SlaListQuerySchema, tags=("sla",))
@login_required(Role.DEPARTMENT, *CENTRE)
def sla_inbox():
    q = load(SlaListQuerySchema(), request.args.to_dict())
    return jsonify(sla_service.sla_list(rt(), g.actor, q["tab"], q.get("unit"), q["page"],
                                        q["per_page"]))


@bp.get("/api/v1/sla/units")
@documented("/api/v1/sla/units", "get", "各承办单位 即将超时 / 已超时 工单数", None,
            SlaByUnitSchema, tags=("sla",))
@login_required(*CENTRE)
def sla_units():
    return jsonify(sla_service.by_unit(rt(), g.actor))


@bp.get("/supervisor/sla")
@page_for(*CENTRE)                      # issue 15: the roles of /api/v1/sla/units
def supervisor_sla_page():
    # a page of the supervisor workspace (its sub-navigation: reports/api.py)
    from hotline.reports.api import supervisor_page
    return supervisor_page("sla_supervisor.html", "sla", period=False)


@bp.get("/inbox/sla")
@page_for(Role.DEPARTMENT)              # issue 15: a unit's own lists
def inbox_sla_page():
    """The department's 即将超时 / 已超时 tabs on their own (the same block /inbox includes)."""
    return render_template("sla_inbox.html")


@bp.get("/orders/<int:order_id>/deadlines")
def deadlines_page(order_id: int):
    return render_template("deadlines.html", order_id=order_id)


def init_app(app) -> None:
    app.register_blueprint(bp)
