"""The `data` of each workflow action: ONE table, action -> schema (issue 12, finding 2).

An action's `data` is stored on its transition record and shown on the order page and in
reports, so it takes exactly the keys that action reads, each with a type and a bound; any
other key is a 422 naming it. The keys were collected from every reader: the aggregate
(workorders/domain/model.py `_on_<action>`), workorders/rules.py (units, 协办 deadlines, attribution,
merge, saved rulings), workorders/commands.py (category change, notes and replies) and the order
page's action form.

Keys the service writes itself are never accepted from a client: `window_closes_at`,
`return_number`, `from_unit`, `category_from`, `attributed_agent`, `attributed_category`,
`master_number`, `routing_rule_id`, `transferred_at`, and the SLA sweep's `auto`, `clock`,
`target`, `due`, `owner`, `step_due` (a forged `auto` would hide a human urge from the clocks).
Unit, town and category codes are checked against the city configuration in
workorders/rules.py and workorders/commands.py, where the configuration is at hand.
"""
from __future__ import annotations

from functools import lru_cache

from marshmallow import fields, validate

from hotline.web.schemas import ActionSchema, LocalDateTime, Schema
from hotline.workorders.domain.model import (
    ATTRIBUTIONS,
    EMERGENCY_LINES,
    NOT_ACCEPT_REASONS,
    RETURN_REASONS,
    TRANSFER_PLATFORMS,
)
from hotline.workorders.domain.workflow import ACTION_LABELS, ACTIONS

CODE = validate.Length(min=1, max=64, error="代码长度须为 {min} 至 {max} 个字符")


def _code(**kw):
    return fields.String(validate=CODE, **kw)


def _text(limit: int, **kw):
    return fields.String(validate=validate.Length(max=limit, error="不能超过 {max} 个字符"),
                         **kw)


def _one_of(choices, what: str):
    return fields.String(validate=validate.OneOf(list(choices), error=f"未知{what}, 可选: {{choices}}"))


class NoData(Schema):
    """The action takes no data (its reason, when needed, is the body's `reason`)."""


class NoteData(Schema):
    note = _text(2000, metadata={"description": "记录 / 备注 (contact, onsite 的办理记录)"})


class AnswerData(Schema):
    # 直接答复 records what the citizen was told (issue 16 build 3): the text is required, and
    # an answer from the knowledge base names the article and the version read out
    # (checked against the published version in hotline/knowledge/service.py)
    reply = fields.String(required=True, validate=validate.Length(
        min=1, max=5000, error="答复内容须为 {min} 至 {max} 个字符"),
        metadata={"description": "直接答复市民的内容 (必填)"})
    article_id = fields.Integer(strict=True, validate=validate.Range(
        min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数"),
        metadata={"description": "所依据的知识条目 ID"})
    article_version = fields.Integer(strict=True, validate=validate.Range(
        min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数"),
        metadata={"description": "所依据的知识条目版本"})


class NotAcceptData(Schema):
    reason_code = _one_of(NOT_ACCEPT_REASONS, "不予受理原因")


class TransferEmergencyData(Schema):
    """转紧急热线 (issue 14, Build 4): the line, who took the call there and its reference; the
    time is the service's (`transferred_at`). The line's outcome comes later, by
    `emergency_feedback`."""
    line = _one_of(EMERGENCY_LINES, "紧急热线")
    operator = _text(64, metadata={"description": "接警员 (接收方工号或姓名)"})
    reference = _text(64, metadata={"description": "接警单号 / 参考号"})
    feedback = _text(2000, metadata={"description": "处置反馈 (如已知)"})


class EmergencyFeedbackData(Schema):
    """紧急热线处置反馈: what the line reported back after the transfer."""
    feedback = _text(2000, metadata={"description": "处置反馈"})
    operator = _text(64, metadata={"description": "反馈人 / 接警员"})
    reference = _text(64, metadata={"description": "接警单号 / 参考号"})


class MergeData(Schema):
    master_id = fields.Integer(strict=True, validate=validate.Range(
        min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数"),
        metadata={"description": "主工单 ID"})


class AssistTaskData(Schema):
    """One 协办 unit with its own task and deadline (docs/design/domain.md §4.9): `due`, or `days` working
    days from now (default config/dispatch.yaml)."""
    unit = _code(metadata={"description": "协办单位代码"})
    task = _text(300, metadata={"description": "协办任务"})
    due = LocalDateTime(as_string=True, metadata={"description": "协办期限 (ISO 8601)"})
    days = fields.Integer(strict=True, validate=validate.Range(
        min=1, max=60, error="协办天数须为 {min} 至 {max} 个工作日"))


class DispatchData(Schema):
    unit = _code(metadata={"description": "承办(主办)单位代码"})
    category = _code(metadata={"description": "更正的分类代码"})
    assist = fields.List(fields.Nested(AssistTaskData), validate=validate.Length(
        max=20, error="协办单位最多 {max} 个"))


class RequestReturnData(Schema):
    reason_code = _one_of(RETURN_REASONS, "退单原因代码")
    legal_basis = _text(500, metadata={"description": "退单依据 (法规/权责清单)"})
    suggested_unit = _code(metadata={"description": "建议承办单位代码"})


class ApproveReturnData(Schema):
    unit = _code(metadata={"description": "改派单位代码"})
    category = _code()
    attributed_to = _one_of(ATTRIBUTIONS, "责任归属")


class ArbitrateKeepData(Schema):
    save_rule = fields.Boolean(metadata={"description": "裁定保存为派单规则"})
    rule_town = _code(metadata={"description": "规则适用的镇街代码 (默认工单镇街)"})


class ArbitrateData(ApproveReturnData, ArbitrateKeepData):
    pass


class AssignData(Schema):
    handler = _text(64, metadata={"description": "经办人"})


class ExtensionData(Schema):
    # ≤3 working days per extension (吕梁, docs/design/domain.md §4.5)
    days = fields.Integer(strict=True, validate=validate.Range(
        min=1, max=3, error="每次延期为 {min} 至 {max} 个工作日"))


class ReplyData(Schema):
    reply = _text(5000, metadata={"description": "办理情况 / 答复内容"})
    citizen_reply = _text(5000, metadata={"description": "答复市民的内容 (默认同 reply)"})


class AssistInputData(Schema):
    input = _text(2000, metadata={"description": "协办意见"})


# --- 二级派单 (issue 17; docs/design/domain.md §6.8); `town` on subdispatch is the service's ---
class SubdispatchData(Schema):
    unit = _code(metadata={"description": "本镇街的村（社区）单位代码 (必填)"})
    note = _text(2000, metadata={"description": "交办说明"})


class VillageReportData(Schema):
    report = _text(5000, metadata={"description": "村（社区）办理结果 (必填)"})


ACTION_DATA: dict[str, type[Schema]] = {
    "answer": AnswerData,
    "not_accept": NotAcceptData,
    "transfer_emergency": TransferEmergencyData,
    "emergency_feedback": EmergencyFeedbackData,
    "merge": MergeData,
    "queue": NoData,
    "dispatch": DispatchData,
    "sign": NoData,
    "request_return": RequestReturnData,
    "approve_return": ApproveReturnData,
    "reject_return": NoData,
    "arbitrate": ArbitrateData,
    "arbitrate_keep": ArbitrateKeepData,
    "contact": NoteData,
    "onsite": NoteData,
    "assign": AssignData,
    "request_extension": ExtensionData,
    "approve_extension": ExtensionData,
    "reject_extension": NoData,
    "request_suspension": NoData,
    "approve_suspension": NoData,
    "reject_suspension": NoData,
    "resume": NoData,
    "reply": ReplyData,
    "add_assist": AssistTaskData,
    "assist_input": AssistInputData,
    "send_back": NoData,
    "accept_reply": NoData,
    "close": NoData,
    "reopen": NoData,
    "close_unreasonable": NoData,
    "urge": NoData,
    "supervise": NoData,
    "escalate_leader": NoData,
    "note": NoteData,
    # 二级派单 (issue 17)
    "subdispatch": SubdispatchData,
    "village_report": VillageReportData,
    "village_return": NoData,
    "accept_village_report": NoData,
    "reject_village_report": NoData,
}
# --- issue 17 (cases): transfers to other platforms, 会商 records, repeat appeals ---


class TransferPlatformData(Schema):
    """转其他平台: who receives the appeal and their reference (the time is the service's)."""
    platform = _one_of(TRANSFER_PLATFORMS, "接收平台")
    receiver = _text(200, metadata={"description": "接收单位 (对方平台或部门)"})
    city = _text(64, metadata={"description": "外市名称 (转外市热线时必填)"})
    reference = _text(64, metadata={"description": "对方受理编号"})


class TransferAnswerData(Schema):
    answer = _text(5000, metadata={"description": "接收平台的答复"})
    reference = _text(64, metadata={"description": "对方受理编号 (如转办时未知)"})


class LinkRepeatData(Schema):
    earlier_id = fields.Integer(strict=True, validate=validate.Range(
        min=1, max=2 ** 31 - 1, error="须为 1 至 {max} 之间的整数"),
        metadata={"description": "原工单 ID"})


ACTION_DATA.update({
    "transfer_platform": TransferPlatformData,
    "transfer_answer": TransferAnswerData,
    "transfer_close": NoData,
    # written by hotline/consult/service.py only: the generic endpoint takes no data, so the
    # aggregate refuses it (no consultation named)
    "consult_open": NoData,
    "consult_decide": NoData,
    "link_repeat": LinkRepeatData,
    "reopen_repeat": NoData,
})
# --- end issue 17 ---
if set(ACTION_DATA) != set(ACTIONS):   # a new action in the transition table needs its row
    raise RuntimeError(f"ACTION_DATA out of step with the transition table: "
                       f"{sorted(set(ACTIONS) ^ set(ACTION_DATA))}")


@lru_cache(maxsize=None)
def action_schema(action: str) -> type[Schema]:
    """The body schema of `action`: ActionSchema with `data` checked by ACTION_DATA."""
    name = "".join(p.title() for p in action.split("_")) + "ActionSchema"
    return type(name, (ActionSchema,), {
        "data": fields.Nested(ACTION_DATA[action], load_default=dict, metadata={
            "description": f"「{ACTION_LABELS[action]}」的数据 (未知字段: 422)"}),
        "__doc__": f"「{ACTION_LABELS[action]}」({action}) 的请求体"})
