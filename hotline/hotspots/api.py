"""热点预警 API and page (issue 17, Build 7). Controllers: parse, check the role, call one
service (hotline/hotspots/service.py)."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.schemas import Day, Schema
from hotline.workorders.domain.workflow import Role

from . import service

bp = Blueprint("hotspots", __name__)
TAGS = ("hotspots",)
CENTRE = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


class HotspotAlertQuery(Schema):
    status = fields.String(validate=validate.OneOf(("open", "closed"),
                                                   error="须为 open 或 closed"))


class HotspotMergeSchema(Schema):
    reason = fields.String(validate=validate.Length(max=500, error="不能超过 {max} 个字符"))


class HotspotWeekQuery(Schema):
    week_of = Day(metadata={"description": "该周内任一天 (默认今天)"})


class HotspotAlertSchema(Schema):
    id = fields.Integer()
    town = fields.String()
    town_name = fields.String()
    topic = fields.String()
    status = fields.String()
    status_label = fields.String()
    first_at = fields.String()
    raised_at = fields.String()
    threshold = fields.Integer()
    window_minutes = fields.Integer()
    master_order_id = fields.Integer()
    master_number = fields.String()
    count = fields.Integer()
    unmerged = fields.Integer()
    members = fields.List(fields.Dict())


class HotspotAlertListSchema(Schema):
    items = fields.List(fields.Nested(HotspotAlertSchema))
    total = fields.Integer()


class HotspotMergeResultSchema(Schema):
    master_id = fields.Integer()
    merged = fields.List(fields.Integer())
    failed = fields.Dict()
    alert = fields.Nested(HotspotAlertSchema)


class HotspotWeeklySchema(Schema):
    week_start = fields.String()
    week_end = fields.String()
    towns = fields.List(fields.Dict())


@bp.get("/api/v1/hotspots/alerts")
@documented("/api/v1/hotspots/alerts", "get", "热点预警列表 (同一镇街短时间内多件相似诉求)",
            None, HotspotAlertListSchema, query=HotspotAlertQuery, tags=TAGS)
@login_required(*CENTRE)
def alerts():
    q = load(HotspotAlertQuery(), request.args.to_dict())
    return jsonify(service.list_alerts(rt(), g.actor, q.get("status")))


@bp.get("/api/v1/hotspots/alerts/<int:alert_id>")
@documented("/api/v1/hotspots/alerts/{alert_id}", "get", "热点预警及其诉求", None, HotspotAlertSchema,
            tags=TAGS)
@login_required(*CENTRE)
def alert(alert_id: int):
    return jsonify(service.get(rt(), g.actor, alert_id))


@bp.post("/api/v1/hotspots/alerts/<int:alert_id>/merge")
@documented("/api/v1/hotspots/alerts/{alert_id}/merge", "post",
            "将预警中的诉求并入主工单 (逐件并单)", HotspotMergeSchema, HotspotMergeResultSchema, tags=TAGS)
@login_required(Role.DISPATCHER)
def merge(alert_id: int):
    d = load(HotspotMergeSchema(), json_body())
    return jsonify(service.merge_members(rt(), g.actor, alert_id, d.get("reason")))


@bp.post("/api/v1/hotspots/alerts/<int:alert_id>/close")
@documented("/api/v1/hotspots/alerts/{alert_id}/close", "post", "解除热点预警", None,
            HotspotAlertSchema, tags=TAGS)
@login_required(Role.DISPATCHER, Role.SUPERVISOR)
def close(alert_id: int):
    return jsonify(service.close_alert(rt(), g.actor, alert_id))


@bp.get("/api/v1/reports/hotspots/weekly")
@documented("/api/v1/reports/hotspots/weekly", "get",
            "热点周报: 各镇街本周诉求最多与上升最快的分类及示例诉求", None, HotspotWeeklySchema,
            query=HotspotWeekQuery, tags=("reports",))
@login_required(*CENTRE)
def weekly():
    from hotline.workorders import views
    q = load(HotspotWeekQuery(), request.args.to_dict())
    day = q.get("week_of") or views.to_local(service.utcnow()).date()
    return jsonify(service.weekly_report(rt(), g.actor, day))


@bp.get("/hotspots")
def page():
    return render_template("hotspots.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
