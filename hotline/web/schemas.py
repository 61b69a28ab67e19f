"""marshmallow schemas: the API's input contract and the documented output shapes."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from marshmallow import Schema as _Schema
from marshmallow import ValidationError, fields, validate, validates_schema

# Error messages users see, in Simplified Chinese (the defaults are English).
fields.Field.default_error_messages.update(
    required="缺少必填字段", null="不能为 null", validator_failed="无效的值")
for _f, _msg in ((fields.String, "须为字符串"), (fields.Integer, "须为整数"),
                 (fields.Number, "须为数字"), (fields.Boolean, "须为布尔值 (true/false)"),
                 (fields.Dict, "须为 JSON 对象"), (fields.List, "须为列表"),
                 (fields.DateTime, "日期时间格式无效 (ISO 8601)")):
    _f.default_error_messages = {**_f.default_error_messages, "invalid": _msg}
fields.Nested.default_error_messages = {**fields.Nested.default_error_messages,
                                        "type": "须为 JSON 对象"}
fields.AwareDateTime.default_error_messages = {
    **fields.AwareDateTime.default_error_messages, "invalid_awareness": "须带时区"}
fields.Integer.default_error_messages = {**fields.Integer.default_error_messages,
                                         "too_large": "数值过大"}


class Schema(_Schema):
    error_messages = {"unknown": "未知字段", "type": "须为 JSON 对象"}


# ---- bounded values (issue 12, finding 4): every number and date the API takes has a range,
# so no input reaches the database or the calendar arithmetic out of its domain (an id of
# 10^30 overflowed the INTEGER column, a report to 9999-12-31 overflowed `date`: both 500s).
INT32_MAX = 2 ** 31 - 1          # ids and versions are INTEGER columns on both databases
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
MAX_SPAN_DAYS = 3660             # a report covers at most ten years
TZ = ZoneInfo("Asia/Shanghai")   # a date or time without an offset is the city's local time


# a row id in a JSON body: fields.Integer(strict=True, validate=ID_RANGE), a JSON integer
# (no string, no fraction) in 1..2^31-1
ID_RANGE = validate.Range(min=1, max=INT32_MAX, error="须为 1 至 {max} 之间的整数")


class Day(fields.Date):
    """YYYY-MM-DD between 2000-01-01 and 2100-12-31."""
    default_error_messages = {"invalid": "日期格式须为 YYYY-MM-DD",
                              "range": f"日期须在 {EARLIEST} 至 {LATEST} 之间"}

    def _deserialize(self, value, attr, data, **kw):
        day = super()._deserialize(value, attr, data, **kw)
        if not EARLIEST <= day <= LATEST:
            raise self.make_error("range")
        return day


class LocalDateTime(fields.DateTime):
    """An ISO 8601 date-time between 2000 and 2100; without an offset it is Beijing time.
    `as_string`: the value is kept as its ISO text with offset (action data is stored as JSON
    on the transition record)."""
    default_error_messages = {"invalid": "日期时间格式须为 ISO 8601 (如 2026-05-01T18:00:00+08:00)",
                              "range": f"日期须在 {EARLIEST} 至 {LATEST} 之间"}

    def __init__(self, *, as_string: bool = False, **kw):
        super().__init__(format="iso", **kw)
        self.as_string = as_string

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        moment = super()._deserialize(value, attr, data, **kw)
        # the bound is checked on the value's own calendar date: converting 9999-12-31 with
        # an offset first would overflow
        if not EARLIEST <= moment.date() <= LATEST:
            raise self.make_error("range")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TZ)
        return moment.isoformat() if self.as_string else moment


class DayOrTime(LocalDateTime):
    """YYYY-MM-DD (a local day, kept as a `date`) or an ISO 8601 date-time."""
    default_error_messages = {"invalid": "须为 YYYY-MM-DD 或 ISO 8601 日期时间"}

    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, str) and len(value) == 10:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise self.make_error("invalid") from None
            if not EARLIEST <= day <= LATEST:
                raise self.make_error("range")
            return day
        return super()._deserialize(value, attr, data, **kw)


def _day_of(value) -> date:
    return value.date() if isinstance(value, datetime) else value


class PeriodSchema(Schema):
    """`from` and `to` of a report: each optional, each in range; together from <= to and at
    most MAX_SPAN_DAYS apart. Subclasses declare `from_` (data_key "from") and `to`."""

    @validates_schema
    def _period(self, data, **kw):
        start, end = data.get("from_"), data.get("to")
        if start is None or end is None:
            return
        if isinstance(start, datetime) and isinstance(end, datetime):
            if start > end:
                raise ValidationError("起始时间不能晚于结束时间", field_name="from")
        elif _day_of(start) > _day_of(end):
            raise ValidationError("起始日期不能晚于结束日期", field_name="from")
        if (_day_of(end) - _day_of(start)).days > MAX_SPAN_DAYS:
            raise ValidationError(f"查询区间不能超过 {MAX_SPAN_DAYS} 天 (十年)", field_name="to")


class PageSchema(Schema):
    """The envelope of every list endpoint: {"items": [...], "total", "page", "per_page"};
    subclasses declare `items`."""
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()

CHANNELS = ("phone", "web", "app", "wechat", "sms", "email", "letter", "open311", "transfer")
URGENCIES = ("normal", "urgent", "critical")
PHONE = validate.Regexp(r"^\+?[0-9][0-9\- ]{4,19}$", error="电话号码格式不正确")


class CallerSchema(Schema):
    name = fields.String(validate=validate.Length(max=64), allow_none=True)
    phone = fields.String(validate=PHONE, allow_none=True)
    anonymous = fields.Boolean(load_default=False)
    confidential = fields.Boolean(load_default=False)


@lru_cache(maxsize=8)
def order_create_schema(units: tuple, towns: tuple, categories: tuple, appeal_types: tuple):
    """Built per city so unknown towns, units and categories fail validation with the field
    named (422), instead of failing later in the database."""

    class OrderCreateSchema(Schema):
        content = fields.String(required=True, validate=validate.Length(
            min=5, max=5000, error="诉求内容须为 {min} 至 {max} 个字符"))
        title = fields.String(validate=validate.Length(max=200), allow_none=True)
        channel = fields.String(load_default="phone", validate=validate.OneOf(
            CHANNELS, error="未知渠道, 可选: {choices}"))
        appeal_type = fields.String(allow_none=True, validate=validate.OneOf(
            appeal_types, error="未知诉求类型, 可选: {choices}"))
        urgency = fields.String(load_default="normal", validate=validate.OneOf(
            URGENCIES, error="未知紧急程度, 可选: {choices}"))
        caller = fields.Nested(CallerSchema, load_default=dict)
        town = fields.String(allow_none=True, validate=validate.OneOf(
            towns, error="未知镇街代码"))
        address = fields.String(validate=validate.Length(max=300), allow_none=True)
        category = fields.String(allow_none=True, validate=validate.OneOf(
            categories, error="未知分类代码"))
        unit = fields.String(allow_none=True, validate=validate.OneOf(units, error="未知单位代码"))
        received_at = fields.AwareDateTime(allow_none=True, default_timezone=None)
        # false: the agent closes the order at intake (answer, not accepted, emergency line,
        # merge); no automatic dispatch and no dispatcher queue
        queue = fields.Boolean(load_default=True)
        # the agent judged that the triage's emergency reading is wrong ("不是紧急情况"): the
        # order goes the ordinary way, to the dispatcher queue with that note (issue 14)
        not_emergency = fields.Boolean(load_default=False)
        # issue 18 (callcentre helper): the switch's call id of the call this appeal came in
        # on; the call is linked to the order (hotline/callcentre), 接通率 is unaffected
        call_id = fields.String(allow_none=True, validate=validate.Length(
            min=1, max=64, error="呼叫编号须为 {min} 至 {max} 个字符"))

        @validates_schema
        def _content_not_blank(self, data, **kw):
            if "content" in data and not data["content"].strip():
                raise ValidationError("诉求内容不能为空", field_name="content")

    return OrderCreateSchema


class ActionSchema(Schema):
    """The body of every workflow action. `data` is checked against the action's own schema
    (web/action_schemas.py); this generic shape documents /orders/{order_id}/{action}."""
    reason = fields.String(validate=validate.Length(max=2000), allow_none=True)
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "每个动作的 data 字段见 /api/v1/orders/{order_id}/<动作> (未知字段: 422)"})
    # optional optimistic lock (README "Concurrent writes"): the order's `version` as read;
    # a stale one is a 409, a negative one a 422 (issue 12, finding 8)
    version = fields.Integer(strict=True, allow_none=True, validate=validate.Range(
        min=0, max=INT32_MAX, error="须为 0 至 {max} 之间的整数"))


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenSchema(Schema):
    token = fields.String()
    role = fields.String()
    unit = fields.String(allow_none=True)
    username = fields.String()
    name = fields.String()


class ProfileSchema(Schema):
    """Who is logged in (the pages' session login and /auth/me): no credential in it."""
    role = fields.String()
    unit = fields.String(allow_none=True)
    username = fields.String()
    name = fields.String()


class LogoutSchema(Schema):
    logged_out = fields.Boolean()


class CodeList(fields.String):
    """A comma-separated list of codes (?status=dispatched,signed), each one of `choices`."""
    default_error_messages = {"unknown": "未知的值: {value}"}

    def __init__(self, choices=(), **kw):
        super().__init__(**kw)
        self.choices = tuple(choices)

    def _deserialize(self, value, attr, data, **kw):
        raw = super()._deserialize(value, attr, data, **kw)
        codes = [c.strip() for c in raw.split(",") if c.strip()]
        bad = [c for c in codes if self.choices and c not in self.choices]
        if bad:
            raise self.make_error("unknown", value="、".join(bad[:3]))
        return codes


class ListQuerySchema(Schema):
    """The order search and list (issue 15, Build 3; hotline/workorders/search.py). Every
    parameter is kept in the page's URL, so a view can be shared and reloaded."""
    q = fields.String(validate=validate.Length(max=100, error="搜索内容不能超过 {max} 个字符"),
                      metadata={"description": "工单编号 (精确)、来电号码、查询码, 或标题/内容/地址中的文字"})
    status = CodeList(metadata={"description": "状态代码, 多个用逗号分隔"})
    unit = fields.String(metadata={"description": "承办单位代码"})
    town = fields.String(metadata={"description": "镇街代码"})
    category = fields.String(metadata={"description": "分类代码"})
    appeal_type = fields.String(metadata={"description": "诉求类型代码"})
    rapid = fields.Boolean(metadata={"description": "true: 仅快速响应事项; false: 排除"})
    overdue = fields.Boolean(metadata={"description": "true: 仅已超时; false: 排除已超时"})
    received_from = Day(metadata={"description": "受理日期起 (含, YYYY-MM-DD)"})
    received_to = Day(metadata={"description": "受理日期止 (含, YYYY-MM-DD)"})
    sort = fields.String(load_default="-received_at", validate=validate.OneOf(
        ("received_at", "-received_at", "number", "-number", "status", "-status", "due", "-due"),
        error="未知排序方式, 可选: {choices}"))
    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=100000, error="页码须在 {min} 至 {max} 之间"))
    per_page = fields.Integer(load_default=20, validate=validate.Range(
        min=1, max=200, error="每页条数须在 {min} 至 {max} 之间"))

    @validates_schema
    def _range(self, data, **kw):
        start, end = data.get("received_from"), data.get("received_to")
        if start is not None and end is not None and start > end:
            raise ValidationError("结束日期不能早于开始日期", field_name="received_to")


@lru_cache(maxsize=8)
def list_query_schema(statuses: tuple, units: tuple, towns: tuple, categories: tuple,
                      appeal_types: tuple):
    """ListQuerySchema with the city's codes: an unknown status, unit, town, category or
    appeal type is a 422 naming the field, never an empty list that looks like "no orders"."""

    class CityListQuerySchema(ListQuerySchema):
        status = CodeList(statuses)
        unit = fields.String(validate=validate.OneOf(units, error="未知单位代码"))
        town = fields.String(validate=validate.OneOf(towns, error="未知镇街代码"))
        category = fields.String(validate=validate.OneOf(categories, error="未知分类代码"))
        appeal_type = fields.String(validate=validate.OneOf(appeal_types,
                                                            error="未知诉求类型代码"))

    return CityListQuerySchema


class ClassifyRequestSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    town = fields.String(allow_none=True, validate=validate.Length(max=64), metadata={
        "description": "镇街代码 (属地事项的承办单位)"})


class UnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "department | town | utility | village"})
    parent = fields.String(allow_none=True, metadata={
        "description": "村（社区） 所属镇街的单位代码; 其他单位为 null"})


class UnitListSchema(PageSchema):
    items = fields.List(fields.Nested(UnitSchema))


class CategorySchema(Schema):
    code = fields.String()
    name = fields.String()
    group = fields.String()
    owner = fields.String()


class CallerOutSchema(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    anonymous = fields.Boolean()
    confidential = fields.Boolean()


class TransitionSchema(Schema):
    seq = fields.Integer()
    action = fields.String()
    action_label = fields.String(allow_none=True)
    at = fields.String()
    actor = fields.String()
    role = fields.String()
    unit = fields.String(allow_none=True)
    from_ = fields.String(data_key="from")
    to = fields.String()
    reason = fields.String(allow_none=True)
    data = fields.Dict()


class OrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    status_label = fields.String()
    title = fields.String(allow_none=True)
    content = fields.String()
    channel = fields.String()
    appeal_type = fields.String(allow_none=True)
    urgency = fields.String()
    town = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    first_unit = fields.String(allow_none=True)
    assist_units = fields.List(fields.String())
    village = fields.String(allow_none=True, metadata={
        "description": "二级派单: 镇街派至的村（社区）单位代码"})
    village_name = fields.String(allow_none=True)
    handler = fields.String(allow_none=True)
    rapid_item = fields.String(allow_none=True)
    master_id = fields.Integer(allow_none=True)
    received_at = fields.String()
    created_by = fields.String()
    caller = fields.Nested(CallerOutSchema)
    version = fields.Integer()
    history = fields.List(fields.Nested(TransitionSchema))
    allowed_actions = fields.List(fields.String())
    classification = fields.Dict(allow_none=True)
    duplicates = fields.List(fields.Dict())
    # issue 17: the caller's and the place's earlier orders (open or closed) with their outcome
    earlier = fields.List(fields.Dict())
    # true when a retry with a used Idempotency-Key answered the order stored earlier (200)
    replayed = fields.Boolean()
    # detail fields of services/views.order_view (documented for response conformance)
    model_version = fields.String(allow_none=True)
    model_score = fields.Float(allow_none=True)
    suggestions = fields.List(fields.Dict(), allow_none=True)
    next_check_at = fields.String(allow_none=True)
    query_code = fields.String()
    notes = fields.List(fields.Dict())


class OrderListSchema(PageSchema):
    items = fields.List(fields.Nested(OrderSchema))
    total_exact = fields.Boolean(metadata={"description": "false: 匹配超过 1000 条, total 为 1000"})
    sort = fields.String()


class ErrorBodySchema(Schema):
    code = fields.String()
    message = fields.String()
    fields_ = fields.Dict(data_key="fields")


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


class HealthSchema(Schema):
    db = fields.String()
    queue = fields.String()
    version = fields.String()
    commit = fields.String(allow_none=True)


class CategoryListSchema(PageSchema):
    items = fields.List(fields.Nested(CategorySchema))


class AttachSchema(Schema):
    order_ids = fields.List(fields.Integer(), required=True,
                            validate=validate.Length(min=1, max=500))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AttachResultSchema(Schema):
    master_id = fields.Integer()
    merged = fields.List(fields.Integer())
    failed = fields.Dict()


class RecordingRefSchema(Schema):
    recording_ref = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AttachmentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    recording_ref = fields.String(allow_none=True)
    uploaded_by = fields.String()
    at = fields.String()


class AttachmentListSchema(PageSchema):
    items = fields.List(fields.Nested(AttachmentSchema))


class TrainingRunSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    progress = fields.Integer()
    message = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True)
    examples = fields.Integer(allow_none=True)
    corrections = fields.Integer(allow_none=True)
    created_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
