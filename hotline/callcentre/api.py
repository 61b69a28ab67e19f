"""Call-centre API (issue 18 item 4): the switch's JSON events, the report, an explicit link
of a call to an order, and the supervisors' page. Thin: parse with a schema, check the role,
call one service (hotline/callcentre/service.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, g, jsonify, render_template, request
from marshmallow import ValidationError, fields, validate, validates_schema

from hotline.web.api import documented, json_body, load, login_required, rt
from hotline.web.schemas import ID_RANGE, Day, LocalDateTime, PeriodSchema, Schema

from . import service
from .domain import queue_log as Q

bp = Blueprint("callcentre", __name__)
TAGS = ("calls",)
MAX_EVENTS = 1000


class CallEventSchema(Schema):
    callid = fields.String(required=True, validate=validate.Length(
        min=1, max=64, error="呼叫编号须为 {min} 至 {max} 个字符"))
    event = fields.String(required=True, validate=validate.OneOf(
        Q.EVENTS, error="未知事件, 可选: {choices}"))
    at = LocalDateTime(metadata={"description": "事件时间 (ISO 8601); 或用 epoch"})
    epoch = fields.Integer(strict=True, validate=validate.Range(
        min=946684800, max=4133894400, error="须为 2000 至 2100 年之间的 UNIX 时间"))
    queue = fields.String(load_default="", validate=validate.Length(max=64))
    agent = fields.String(allow_none=True, validate=validate.Length(max=64))
    data = fields.List(fields.Raw(), load_default=list, validate=validate.Length(
        max=10, error="data 最多 {max} 项"), metadata={
        "description": "事件参数, 同 queue_log 的 data1.. (CONNECT: 等待秒数; ABANDON: 位置, "
                       "原位置, 等待秒数)"})

    @validates_schema
    def _when(self, data, **kw):
        if ("at" in data) == ("epoch" in data):
            raise ValidationError("须给出 at 或 epoch 之一", field_name="at")
        for i, v in enumerate(data.get("data") or []):
            if isinstance(v, bool) or not isinstance(v, (str, int)) or len(str(v)) > 128:
                raise ValidationError({str(i): ["须为文本或整数 (至多 128 个字符)"]},
                                      field_name="data")


class CallEventsSchema(Schema):
    events = fields.List(fields.Nested(CallEventSchema), required=True,
                         validate=validate.Length(min=1, max=MAX_EVENTS,
                                                  error="一次 {min} 至 {max} 个事件"))


class IngestResultSchema(Schema):
    received = fields.Integer()
    stored = fields.Integer()
    duplicates = fields.Integer()
    calls = fields.Integer()


class CallReportQuery(PeriodSchema):
    from_ = Day(data_key="from")
    to = Day()
    by = fields.String(load_default="day", validate=validate.OneOf(
        ("hour", "day"), error="须为 hour (按小时) 或 day (按日)"))


class PeriodFiguresSchema(Schema):
    period = fields.String()
    offered = fields.Integer()
    answered = fields.Integer()
    answered_within = fields.Integer()
    abandoned = fields.Integer()
    timeout = fields.Integer()
    left = fields.Integer()
    in_queue = fields.Integer()
    wait_total = fields.Integer()
    wait_n = fields.Integer()
    answer_rate = fields.Float(allow_none=True, metadata={"description": "接通率"})
    service_level = fields.Float(allow_none=True, metadata={"description": "15 秒接通率"})
    abandon_rate = fields.Float(allow_none=True, metadata={"description": "放弃率"})
    avg_wait_seconds = fields.Float(allow_none=True, metadata={"description": "平均等待秒数"})


class KnowledgeFiguresSchema(Schema):
    contacts = fields.Integer(allow_none=True)
    direct_answers = fields.Integer(allow_none=True)
    direct_answer_rate = fields.Float(allow_none=True)
    searches = fields.Integer(allow_none=True)
    searches_answered = fields.Integer(allow_none=True)
    hit_rate = fields.Float(allow_none=True)


class CallReportSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    by = fields.String()
    answer_within_seconds = fields.Integer()
    periods = fields.List(fields.Nested(PeriodFiguresSchema))
    total = fields.Nested(PeriodFiguresSchema)
    knowledge = fields.Nested(KnowledgeFiguresSchema)


class LinkSchema(Schema):
    order_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)


class CallSchema(Schema):
    callid = fields.String()
    queue = fields.String(allow_none=True)
    entered_at = fields.String(allow_none=True)
    outcome = fields.String()
    outcome_label = fields.String()
    wait_seconds = fields.Integer(allow_none=True)
    agent = fields.String(allow_none=True)
    username = fields.String(allow_none=True)
    answered_at = fields.String(allow_none=True)
    ended_at = fields.String(allow_none=True)
    talk_seconds = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    link = fields.String(allow_none=True)


def _event(d: dict) -> Q.SwitchEvent:
    at = d.get("at") or datetime.fromtimestamp(d["epoch"], tz=timezone.utc)
    return Q.make_event(at, d["callid"], d.get("queue") or "", d.get("agent"), d["event"],
                        [str(x) for x in d.get("data") or []])


@bp.post("/api/v1/calls/events")
@documented("/api/v1/calls/events", "post",
            "话务事件 (其他交换机): 同 queue_log 的事件, 按 呼叫编号+事件 幂等", CallEventsSchema,
            IngestResultSchema, tags=TAGS)
@login_required(*service.SWITCH_ROLES)
def post_events():
    body = load(CallEventsSchema(), json_body())
    events = []
    for i, d in enumerate(body["events"]):
        try:
            events.append(_event(d))
        except Q.QueueLogError as e:
            from hotline.web.errors import ApiError
            raise ApiError(422, "输入校验失败", {f"events.{i}.{e.field}": [e.message]}) from None
    return jsonify(service.ingest(rt(), events, "api"))


@bp.post("/api/v1/calls/<callid>/link")
@documented("/api/v1/calls/{callid}/link", "post", "把来电关联到受理的工单 (受理时给出呼叫编号)",
            LinkSchema, CallSchema, tags=TAGS)
@login_required(*service.LINKERS)
def link(callid: str):
    body = load(LinkSchema(), json_body())
    return jsonify(service.link_call(rt(), g.actor, callid, body["order_id"]))


@bp.get("/api/v1/reports/calls")
@documented("/api/v1/reports/calls", "get",
            "话务报表: 接通率、15 秒接通率、放弃率、平均等待 (按日或按小时), 及直接答复率、知识库命中率",
            None, CallReportSchema, query=CallReportQuery, tags=("reports",))
@login_required(*service.READERS)
def report():
    q = load(CallReportQuery(), request.args.to_dict())
    to = q.get("to") or service.now_local().date()
    frm = q.get("from_") or to - timedelta(days=6)
    if frm > to:
        from hotline.web.errors import ApiError
        raise ApiError(422, "输入校验失败", {"from": ["起始日期不能晚于结束日期"]})
    return jsonify(service.report(rt(), frm, to, q["by"]))


@bp.get("/calls/report")
def report_page():
    return render_template("calls_report.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
