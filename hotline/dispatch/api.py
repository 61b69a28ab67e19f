"""Dispatch feature: dispatcher queue, review and arbitration queues, department inbox,
return report, "two 15%" flags, routing suggestions; pages /dispatch, /inbox, /orders/<id>,
/supervisor/arbitration. Controllers: parse with a schema, check access, call one service."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.dispatch import queries as dq
from hotline.dispatch import reports as dispatch_reports
from hotline.dispatch import routing as dispatch_routing
from hotline.dispatch import two15 as dispatch_two15
from hotline.web.api import documented, json_body, load, login_required
from hotline.web.errors import ApiError
from hotline.web.pages import page_for
from hotline.web.schemas import DayOrTime, PeriodSchema, Schema
from hotline.workorders.domain.model import (
    ATTRIBUTIONS,
    EMERGENCY_LINES,
    NOT_ACCEPT_REASONS,
    RETURN_REASONS,
)
from hotline.workorders.domain.workflow import ACTION_LABELS, STATUS_LABELS, Role

TZ = ZoneInfo("Asia/Shanghai")
api = Blueprint("dispatch_api", __name__, url_prefix="/api/v1")
pages = Blueprint("dispatch_pages", __name__)
CENTRE = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def rt():
    return current_app.extensions["hotline"]


# ---------------------------------------------------------------- schemas

class ItemsSchema(Schema):
    items = fields.List(fields.Dict())
    total = fields.Integer()


class InboxQuerySchema(Schema):
    tab = fields.String(load_default="to_sign", validate=validate.OneOf(
        [*dq.INBOX_TABS, *dq.TOWN_VILLAGE_TABS, *dq.VILLAGE_TABS, "assist"],
        error="未知标签, 可选: {choices}"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class InboxSchema(ItemsSchema):
    tab = fields.String()
    counts = fields.Dict()
    tabs = fields.List(fields.Dict())


class ReviewQuerySchema(Schema):
    kind = fields.String(load_default="returns", validate=validate.OneOf(
        list(dq.REVIEW_KINDS), error="未知审核类型, 可选: {choices}"))


class ReturnsQuerySchema(PeriodSchema):
    # bounded dates, from <= to, at most ten years (issue 12, finding 4: 0001-01-01 to
    # 9999-12-31 overflowed the date arithmetic below, a 500)
    from_ = DayOrTime(data_key="from", required=True)
    to = DayOrTime(required=True)


class ReturnsReportSchema(Schema):
    units = fields.List(fields.Dict())
    agents = fields.List(fields.Dict())
    categories = fields.List(fields.Dict())
    totals = fields.Dict()


class ClearFlagSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SuggestQuerySchema(Schema):
    category = fields.String(required=True)
    town = fields.String(load_default=None, allow_none=True)


# ---------------------------------------------------------------- API

@api.get("/dispatch/queue")
@documented("/api/v1/dispatch/queue", "get", "待派单队列 (含派单时限)", None, ItemsSchema,
            tags=("dispatch",))
@login_required(*CENTRE)
def queue():
    return jsonify(dq.dispatch_queue(rt(), g.actor))


@api.get("/dispatch/reviews")
@documented("/api/v1/dispatch/reviews", "get", "审核队列: 退单/答复/延期/挂起", None, ItemsSchema,
            query=ReviewQuerySchema, tags=("dispatch",))
@login_required(*CENTRE)
def reviews():
    q = load(ReviewQuerySchema(), request.args.to_dict())
    return jsonify(dq.review_queue(rt(), g.actor, q["kind"]))


@api.get("/dispatch/arbitration")
@documented("/api/v1/dispatch/arbitration", "get", "裁定队列 (第二次退单)", None, ItemsSchema,
            tags=("dispatch",))
@login_required(Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def arbitration():
    return jsonify(dq.arbitration_queue(rt(), g.actor))


@api.get("/inbox")
@documented("/api/v1/inbox", "get", "承办单位收件箱", None, InboxSchema, query=InboxQuerySchema,
            tags=("dispatch",))
@login_required(Role.DEPARTMENT)
def inbox():
    q = load(InboxQuerySchema(), request.args.to_dict())
    return jsonify(dq.inbox(rt(), g.actor, q["tab"], q["page"], q["per_page"]))


@api.get("/orders/<int:order_id>/dispatch")
@documented("/api/v1/orders/{order_id}/dispatch", "get", "工单的主办/协办、并单与退单记录",
            tags=("dispatch",))
@login_required()
def order_facts(order_id: int):
    return jsonify(dq.order_dispatch_facts(rt(), g.actor, order_id))


@api.get("/reports/returns")
@documented("/api/v1/reports/returns", "get", "退单统计 (按单位、按话务员)", None,
            ReturnsReportSchema, query=ReturnsQuerySchema, tags=("reports",))
@login_required(*CENTRE)
def returns_report():
    q = load(ReturnsQuerySchema(), request.args.to_dict())
    start, end = q["from_"], q["to"]
    if isinstance(start, date) and not isinstance(start, datetime):
        start = datetime.combine(start, time(0), tzinfo=TZ)
    if isinstance(end, date) and not isinstance(end, datetime):
        end = datetime.combine(end + timedelta(days=1), time(0), tzinfo=TZ)   # inclusive day
    return jsonify(dispatch_reports.returns_report(rt(), g.actor, start, end))


@api.get("/dispatch/two15")
@documented("/api/v1/dispatch/two15", "get", "「两个15%」: 标记与当前退件率", tags=("dispatch",))
@login_required(Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def two15():
    return jsonify(dispatch_two15.overview(rt(), g.actor))


@api.post("/dispatch/two15/flags/<int:flag_id>/clear")
@documented("/api/v1/dispatch/two15/flags/{flag_id}/clear", "post", "解除「两个15%」标记",
            ClearFlagSchema, tags=("dispatch",))
@login_required(Role.SUPERVISOR, Role.ADMIN)
def clear_flag(flag_id: int):
    data = load(ClearFlagSchema(), json_body())
    return jsonify(dispatch_two15.clear_flag(rt(), g.actor, flag_id, data["reason"]))


@api.get("/routing/suggest")
@documented("/api/v1/routing/suggest", "get", "按权责清单建议主办/协办单位",
            query=SuggestQuerySchema, tags=("dispatch",))
@login_required()
def suggest():
    q = load(SuggestQuerySchema(), request.args.to_dict())
    return jsonify(dispatch_routing.suggest(rt(), q["category"], q.get("town")))


@api.get("/routing/rules")
@documented("/api/v1/routing/rules", "get", "裁定形成的派单规则", None, ItemsSchema,
            tags=("dispatch",))
@login_required(*CENTRE)
def routing_rules():
    items = dispatch_routing.list_rules(rt())
    return jsonify({"items": items, "total": len(items)})


@api.get("/dispatch/codes")
@documented("/api/v1/dispatch/codes", "get", "退单原因、不予受理原因、紧急热线等代码",
            tags=("dispatch",))
@login_required()
def codes():
    return jsonify({"return_reasons": RETURN_REASONS, "not_accept_reasons": NOT_ACCEPT_REASONS,
                    "emergency_lines": list(EMERGENCY_LINES), "attributions": {
                        "none": "不归责", "agent": "话务员受理错误", "category": "分类/派单配置错误"},
                    "actions": ACTION_LABELS,
                    "statuses": {str(k): v for k, v in STATUS_LABELS.items()}})


# ---------------------------------------------------------------- pages

def _ctx():
    city = rt().city
    return {"units": city.dispatchable(), "categories": list(city.categories.values()),
            # read by the page scripts from a JSON block (dispatch_units.html): the units the
            # centre dispatches to, and (issue 17, 二级派单) the villages with their town
            "unit_list": [[u.code, u.name] for u in city.dispatchable()],
            "village_list": [[u.code, u.name, u.parent] for u in city.units.values()
                             if u.kind == "village"],
            "return_reasons": RETURN_REASONS, "not_accept_reasons": NOT_ACCEPT_REASONS,
            "emergency_lines": EMERGENCY_LINES, "attributions": ATTRIBUTIONS}


@pages.get("/dispatch")
@page_for(*CENTRE)                      # issue 15: the roles of /api/v1/dispatch/queue
def dispatch_page():
    return render_template("dispatch.html", **_ctx())


@pages.get("/inbox")
@page_for(Role.DEPARTMENT)              # issue 15: the roles of /api/v1/inbox
def inbox_page():
    return render_template("inbox.html", tabs=dq.INBOX_TABS, **_ctx())


@pages.get("/orders/<int:order_id>")
def order_page(order_id: int):
    return render_template("order.html", order_id=order_id, **_ctx(),
                           appeal_type_list={t.code: t.name
                                             for t in rt().city.appeal_types.values()})


@pages.get("/supervisor/arbitration")
@page_for(Role.SUPERVISOR, Role.LEADER, Role.ADMIN)   # issue 15: /api/v1/dispatch/arbitration
def arbitration_page():
    return render_template("arbitration.html", **_ctx())


# ---------------------------------------------------------------- intake guard

def intake_guard(actor) -> None:
    """Called by POST /api/v1/orders: an agent flagged by the "two 15%" rule is stopped from
    intake until a supervisor clears the flag (seed item 66)."""
    if actor.role != Role.AGENT:
        return
    # read with the token's user row (api.login_required) when there is one
    blocked = g.intake_blocked if "intake_blocked" in g else \
        dispatch_two15.intake_blocked(rt(), actor.username)
    if blocked:
        raise ApiError(403, "您的个人原因退件率已达 15%, 已暂停受理登记; 请联系督办人员复核解除",
                       code="intake_blocked")


def init_app(app) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.extensions["hotline.intake_guard"] = intake_guard
