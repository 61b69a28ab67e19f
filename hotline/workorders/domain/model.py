"""The work-order aggregate: one method applies one action of the transition table.

Pure Python: constructed and tested without a database. Every applied action appends a
`Transition` (who, role, unit, when, from, to, reason, data); state that can be derived from
that history (previous status, number of returns, whether 首派 window applies) is derived.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from hotline.workorders.domain.workflow import (
    ACTION_LABELS,
    OVERLAY_ACTIONS,
    OWNER_ACTIONS,
    PREVIOUS,
    TRANSITIONS,
    Role,
    Status,
    rule_for,
    village_may,
)


class DomainError(Exception):
    """Base of the one error each operation raises; the web layer maps it to HTTP."""
    http_status = 409

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class InvalidTransition(DomainError):
    http_status = 409


class NotPermitted(DomainError):
    http_status = 403


class RuleViolation(DomainError):
    """Input the rule needs is missing or wrong (e.g. a return without a reason)."""
    http_status = 422


class WindowClosed(DomainError):
    http_status = 409


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    unit: str | None = None   # department users are bound to one unit


SYSTEM = Actor("system", Role.SYSTEM)


@dataclass(frozen=True)
class Transition:
    seq: int
    action: str
    at: datetime
    actor: str
    role: str
    unit: str | None
    from_status: str
    to_status: str
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Caller:
    name: str | None = None
    phone: str | None = None
    anonymous: bool = False
    confidential: bool = False


# Actions that must carry a reason: 退单 needs 依据和理由 (吕梁 首办责任制, docs/design/domain.md §6.3);
# 回退/驳回/挂起/延期/不予受理/最终答复 are all audited decisions (docs/design/domain.md §3.3).
REASON_REQUIRED = frozenset({
    "request_return", "reject_return", "approve_return", "arbitrate", "send_back",
    "request_extension", "reject_extension", "request_suspension", "reject_suspension",
    "approve_suspension", "not_accept", "close_unreasonable", "reopen", "merge",
    "arbitrate_keep",
    # 二级派单 (docs/design/domain.md §6.8): a village hands back, a town sends a report back
    "village_return", "reject_village_report",
})
# 退单 reason codes (依据和理由, 66号 派单异议审核: docs/design/domain.md §6.3).
RETURN_REASONS = {
    "not_our_duty": "不属于本单位职责", "wrong_town": "不属于本辖区",
    "wrong_category": "分类错误", "info_missing": "信息不全无法办理",
    "other": "其他",
}
# Who caused an approved return (seed item 66, "两个15%"): nobody, the intake agent, or the
# category / dispatch configuration.
ATTRIBUTIONS = ("none", "agent", "category")
# 不予受理 reasons (66号 / 广东 办法, docs/design/domain.md §2.3).
NOT_ACCEPT_REASONS = {
    "out_of_city": "非本市事项", "other_organs": "法院/党委/人大/政协/军队事项",
    "legal_procedure": "应通过诉讼/仲裁/复议/信访/信息公开途径解决",
    "secrets_privacy": "涉密/隐私/违背公序良俗", "repeat_no_new_facts": "重复诉求且无新情况新理由",
    "malicious": "恶意诉求",
}
EMERGENCY_LINES = ("110", "119", "120", "122")
UNIT_ACTIONS = frozenset({a for (_, a), r in TRANSITIONS.items()
                          if r.roles == frozenset({Role.DEPARTMENT})})


@dataclass
class WorkOrder:
    content: str
    received_at: datetime
    id: int | None = None
    number: str | None = None
    status: str = Status.REGISTERED
    title: str | None = None
    channel: str = "phone"
    appeal_type: str | None = None
    urgency: str = "normal"
    caller: Caller = field(default_factory=Caller)
    town: str | None = None
    address: str | None = None
    category: str | None = None
    unit: str | None = None          # current owner (承办单位)
    first_unit: str | None = None    # 首派单位: set once, never changed by the aggregate
    assist_units: list[str] = field(default_factory=list)
    handler: str | None = None
    rapid_item: str | None = None
    master_id: int | None = None
    history: list[Transition] = field(default_factory=list)
    village: str | None = None       # docs/design/domain.md §6.8: where the town passed it

    # ---- derived from the history ----
    def previous_status(self) -> str:
        """The status before the latest request that is now being decided."""
        for t in reversed(self.history):
            if t.to_status != t.from_status:
                return t.from_status
        return Status.REGISTERED

    def is_sent_back(self) -> bool:
        """被回退: 办理中 again because the centre sent the unit's reply back (回退), and no
        new reply since."""
        if self.status != Status.IN_PROGRESS:
            return False
        for t in reversed(self.history):
            if t.action in ("reply", "send_back"):
                return t.action == "send_back"
        return False

    def returns_requested(self) -> int:
        return sum(1 for t in self.history if t.action == "request_return")

    def last(self, action: str) -> Transition | None:
        for t in reversed(self.history):
            if t.action == action:
                return t
        return None

    # ---- the one entry point ----
    def apply(self, action: str, actor: Actor, at: datetime, *, reason: str | None = None,
              data: dict | None = None,
              return_window_end: Callable[[datetime], datetime] | None = None) -> Transition:
        """Apply `action` by `actor` at `at`; raise one DomainError when it may not happen."""
        data = dict(data or {})
        rule = rule_for(self.status, action)
        if rule is None:
            raise InvalidTransition(
                f"当前状态为「{self.status}」, 不能执行「{action}」"
                f" (current status is {self.status})")
        if Role(actor.role) not in rule.roles:
            raise NotPermitted(f"角色 {actor.role} 不能执行「{rule.label}」")
        self._check_unit(action, actor)
        if action in REASON_REQUIRED and not (reason and reason.strip()):
            raise RuleViolation(f"「{rule.label}」必须填写理由", field="reason")
        effect = EFFECTS.get(action)   # the action's own checks and state, if it has any
        if effect is not None:
            effect(self, actor, at, data, reason, return_window_end)
        to = self.previous_status() if rule.to == PREVIOUS and action not in OVERLAY_ACTIONS \
            else (self.status if rule.to == PREVIOUS else rule.to)
        t = Transition(len(self.history) + 1, action, at, actor.username, actor.role,
                       actor.unit, self.status, to, reason, data)
        self.status = to
        self.history.append(t)
        return t

    def _check_unit(self, action: str, actor: Actor) -> None:
        if actor.role != Role.DEPARTMENT:
            return
        # 二级派单 (docs/design/domain.md §6.8): the rule says whether the owning town or its
        # village acts; a village acts only on an order its town passed to it, and only then
        rule = rule_for(self.status, action)
        by_village = rule is not None and rule.by_village
        if self.village and actor.unit == self.village and actor.unit != self.unit:
            if village_may(self.status, action):
                return
            raise NotPermitted(f"本村（社区）不能执行「{ACTION_LABELS.get(action, action)}」;"
                               f" 工单由镇街 {self.unit} 负责")
        if by_village:
            raise NotPermitted(f"只有承办的村（社区） {self.village} 可以执行"
                               f"「{ACTION_LABELS.get(action, action)}」")
        assisting = actor.unit in self.assist_units and actor.unit != self.unit
        if action in ("note", "assist_input") and assisting:
            return   # 协办单位 submit inputs to the lead unit (docs/design/domain.md §6.5)
        if action == "assist_input":
            raise NotPermitted("只有协办单位可以提交协办意见")
        if assisting:
            # 主办 owns the reply (docs/design/domain.md §6.5): an assisting unit never
            # replies to the citizen.
            raise NotPermitted(f"本单位是协办单位, 不能执行「{ACTION_LABELS.get(action, action)}」;"
                               f" 只有主办单位 {self.unit} 可以答复市民和办理")
        if actor.unit != self.unit:
            raise NotPermitted(f"只有承办(主办)单位 {self.unit} 可以办理此工单")

    # ---- effects of individual actions (state that is not derivable stays tiny) ----
    def _on_dispatch(self, actor, at, data, reason, _w):
        unit = data.get("unit")
        if not unit:
            raise RuleViolation("派单必须指定承办单位", field="unit")
        self.unit = unit
        if self.first_unit is None:
            self.first_unit = unit     # 首派责任制: the first unit owns it
        for task in data.get("assist") or []:   # 主办 + 协办 from the responsibility table
            self._add_assist_task(task, unit)

    def _add_assist_task(self, task: dict, lead: str | None) -> None:
        unit = (task or {}).get("unit")
        if not unit:
            raise RuleViolation("协办单位不能为空", field="unit")
        if unit == lead:
            raise RuleViolation("主办单位不能同时为协办单位", field="unit")
        if unit in self.assist_units:
            raise RuleViolation(f"{unit} 已是协办单位", field="unit")
        if not (task.get("task") or "").strip():
            raise RuleViolation("须写明协办任务", field="task")
        if not task.get("due"):
            raise RuleViolation("须指定协办期限", field="due")
        self.assist_units.append(unit)

    def _on_add_assist(self, actor, at, data, reason, _w):
        self._add_assist_task(data, self.unit)

    def _on_assist_input(self, actor, at, data, reason, _w):
        if not (data.get("input") or "").strip():
            raise RuleViolation("协办意见不能为空", field="input")

    def assist_tasks(self) -> list[dict]:
        """Each assisting unit's task, deadline and inputs, derived from the history."""
        tasks: dict[str, dict] = {}
        for t in self.history:
            adds = t.data.get("assist") or [] if t.action == "dispatch" else \
                [t.data] if t.action == "add_assist" else []
            for a in adds:
                tasks[a["unit"]] = {"unit": a["unit"], "task": a.get("task"),
                                    "due": a.get("due"), "added_at": t.at, "inputs": []}
            if t.action == "assist_input" and t.unit in tasks:
                tasks[t.unit]["inputs"].append({"at": t.at, "by": t.actor,
                                                "input": t.data.get("input")})
        return list(tasks.values())

    # ---- 二级派单 (docs/design/domain.md §6.8); that the village is one of the owning town's is
    # checked against the configuration by workorders/rules.py before this runs ----
    def _on_subdispatch(self, actor, at, data, reason, _w):
        unit = data.get("unit")
        if not unit:
            raise RuleViolation("须选择村（社区）", field="unit")
        if unit == self.unit:
            raise RuleViolation("不能派给本单位", field="unit")
        data["town"] = self.unit      # ownership stays with the town (首派责任制)
        self.village = unit

    def _on_village_report(self, actor, at, data, reason, _w):
        if not (data.get("report") or "").strip():
            raise RuleViolation("须填写办理结果", field="report")

    def _on_transfer_emergency(self, actor, at, data, reason, _w):
        if str(data.get("line") or "") not in EMERGENCY_LINES:
            raise RuleViolation(f"须指定紧急热线: {'/'.join(EMERGENCY_LINES)}", field="line")
        data["line"] = str(data["line"])
        data.setdefault("transferred_at", at.isoformat())   # recorded with the time

    def _on_emergency_feedback(self, actor, at, data, reason, _w):
        if not str(data.get("feedback") or "").strip():
            raise RuleViolation("须填写紧急热线的处置反馈", field="feedback")

    def _on_not_accept(self, actor, at, data, reason, _w):
        code = data.get("reason_code")
        if code is not None and code not in NOT_ACCEPT_REASONS:
            raise RuleViolation(f"未知不予受理原因 {code}", field="reason_code")

    def _on_request_return(self, actor, at, data, reason, window_end):
        if not data.get("legal_basis"):
            raise RuleViolation("退单必须注明依据", field="legal_basis")
        if not data.get("suggested_unit"):
            raise RuleViolation("退单必须提出建议承办单位", field="suggested_unit")
        if data["suggested_unit"] == self.unit:
            raise RuleViolation("建议承办单位不能是本单位", field="suggested_unit")
        data.setdefault("reason_code", "not_our_duty")
        if data["reason_code"] not in RETURN_REASONS:
            raise RuleViolation(f"未知退单原因代码 {data['reason_code']}, 可选:"
                                f" {', '.join(RETURN_REASONS)}", field="reason_code")
        dispatched = self.last_dispatch_at()
        if window_end is not None and dispatched is not None:
            closes = window_end(dispatched)
            if at > closes:
                raise WindowClosed(
                    f"退单时限已过: 退单窗口已于 {closes.isoformat()} 关闭,"
                    f" 本单位为首办责任单位, 须牵头办理")
            data["window_closes_at"] = closes.isoformat()
        data["return_number"] = self.returns_requested() + 1

    def _on_approve_return(self, actor, at, data, reason, _w):
        # A second return of the same order is not a dispatcher's call: it goes to
        # supervisor arbitration (裁定), docs/design/domain.md §6.4.
        if self.returns_requested() >= 2:
            raise NotPermitted("第二次退单须由督办人员裁定, 派单员不能审核", field="action")
        unit = data.get("unit")
        if not unit:
            raise RuleViolation("同意退单须指定改派单位", field="unit")
        if unit == self.unit:
            raise RuleViolation("改派单位不能是原承办单位", field="unit")
        self._attribute(data)
        data["from_unit"] = self.unit
        data["return_number"] = self.returns_requested()
        self.unit = unit
        self.handler = None

    @staticmethod
    def _attribute(data: dict) -> None:
        data.setdefault("attributed_to", "none")
        if data["attributed_to"] not in ATTRIBUTIONS:
            raise RuleViolation(f"责任归属须为 {'/'.join(ATTRIBUTIONS)} 之一",
                                field="attributed_to")

    def _on_reject_return(self, actor, at, data, reason, _w):
        if self.returns_requested() >= 2:
            raise NotPermitted("第二次退单须由督办人员裁定, 派单员不能审核", field="action")
        data["return_number"] = self.returns_requested()
        data["unit"] = self.unit     # same owner, back to where it was

    def _on_arbitrate(self, actor, at, data, reason, _w):
        # A binding ruling that reassigns the order (裁定改派, docs/design/domain.md §6.4).
        unit = data.get("unit")
        if not unit:
            raise RuleViolation("裁定改派须指定承办单位", field="unit")
        if unit == self.unit:
            raise RuleViolation("改派单位与原单位相同; 维持原单位请用「裁定维持」", field="unit")
        self._attribute(data)
        data["from_unit"], data["return_number"] = self.unit, self.returns_requested()
        self.unit = unit
        self.handler = None

    def _on_arbitrate_keep(self, actor, at, data, reason, _w):
        data["unit"], data["return_number"] = self.unit, self.returns_requested()

    def _on_assign(self, actor, at, data, reason, _w):
        if not data.get("handler"):
            raise RuleViolation("须指定经办人", field="handler")
        self.handler = data["handler"]

    def _on_merge(self, actor, at, data, reason, _w):
        if not data.get("master_id"):
            raise RuleViolation("并单须指定主工单", field="master_id")
        try:
            master = int(data["master_id"])
        except (TypeError, ValueError):
            raise RuleViolation("主工单编号须为整数", field="master_id") from None
        if master == self.id:
            raise RuleViolation("不能并入自身", field="master_id")
        self.master_id = data["master_id"] = master

    def _on_reply(self, actor, at, data, reason, _w):
        if not (data.get("reply") or "").strip():
            raise RuleViolation("答复内容不能为空", field="reply")

    def _on_approve_extension(self, actor, at, data, reason, _w):
        req = self.last("request_extension")
        days = int(data.get("days") or (req.data.get("days") if req else 0) or 0)
        if days <= 0:
            raise RuleViolation("延期天数必须为正整数", field="days")
        data["days"] = days

    def _on_request_extension(self, actor, at, data, reason, _w):
        try:
            days = int(data.get("days", 0))
        except (TypeError, ValueError):
            days = 0
        if days < 1:
            raise RuleViolation("延期天数必须为正整数", field="days")
        # the caps (how many, how long: docs/design/domain.md §4.5) are configuration
        # (config/sla.yaml extensions), checked by workorders/rules.py before this runs
        data["days"] = days

    def last_dispatch_at(self) -> datetime | None:
        for t in reversed(self.history):
            if t.action in OWNER_ACTIONS:   # each new owner gets its own window
                return t.at
        return None


# action -> its effect on the aggregate (checks of its input, the little state that is not
# derived). An explicit table, not a lookup by method name: a misnamed or missing effect would
# otherwise be a silent no-op; tests/unit/dispatch/test_workflow.py checks every key is an action
# of the transition table and every `_on_*` method is listed.
EFFECTS: dict[str, Callable] = {
    "dispatch": WorkOrder._on_dispatch,
    "add_assist": WorkOrder._on_add_assist,
    "assist_input": WorkOrder._on_assist_input,
    "transfer_emergency": WorkOrder._on_transfer_emergency,
    "emergency_feedback": WorkOrder._on_emergency_feedback,
    "not_accept": WorkOrder._on_not_accept,
    "request_return": WorkOrder._on_request_return,
    "approve_return": WorkOrder._on_approve_return,
    "reject_return": WorkOrder._on_reject_return,
    "arbitrate": WorkOrder._on_arbitrate,
    "arbitrate_keep": WorkOrder._on_arbitrate_keep,
    "assign": WorkOrder._on_assign,
    "merge": WorkOrder._on_merge,
    "reply": WorkOrder._on_reply,
    "approve_extension": WorkOrder._on_approve_extension,
    "request_extension": WorkOrder._on_request_extension,
    # 二级派单 (issue 17)
    "subdispatch": WorkOrder._on_subdispatch,
    "village_report": WorkOrder._on_village_report,
}


# --- issue 17 (cases): transfers to other platforms, 会商 records, repeat appeals -----------
# 转其他平台 (Build 8): the receiving platforms besides the emergency lines.
TRANSFER_PLATFORMS = {"xinfang": "信访部门", "yue12345": "广东省12345 (粤省心)",
                      "other_city": "外市12345热线"}
# closing a transfer without the receiver's answer, and reopening a closed order, are audited
# decisions (docs/design/domain.md §3.3), like 回退 and 最终答复
REASON_REQUIRED = REASON_REQUIRED | {"transfer_close", "reopen_repeat"}


def _positive_id(data: dict, key: str, what: str) -> int:
    try:
        value = int(data.get(key))
    except (TypeError, ValueError):
        raise RuleViolation(f"须指定{what}", field=key) from None
    if value < 1:
        raise RuleViolation(f"须指定{what}", field=key)
    data[key] = value
    return value


def _on_transfer_platform(self, actor, at, data, reason, _w):
    if data.get("platform") not in TRANSFER_PLATFORMS:
        raise RuleViolation("须指定接收平台: " + "/".join(TRANSFER_PLATFORMS.values()),
                            field="platform")
    if not str(data.get("receiver") or "").strip():
        raise RuleViolation("须填写接收单位 (对方平台或部门)", field="receiver")
    if data["platform"] == "other_city" and not str(data.get("city") or "").strip():
        raise RuleViolation("转外市热线须填写城市", field="city")
    data.setdefault("transferred_at", at.isoformat())


def _on_transfer_answer(self, actor, at, data, reason, _w):
    if not str(data.get("answer") or "").strip():
        raise RuleViolation("须填写接收平台的答复", field="answer")


def _on_consult(self, actor, at, data, reason, _w):
    # written by the 会商 service with its own row; the generic action endpoint has no
    # consultation to name (hotline/consult/service.py)
    _positive_id(data, "consultation_id", "会商编号 (请通过会商功能操作)")


def _on_link_repeat(self, actor, at, data, reason, _w):
    if _positive_id(data, "earlier_id", "原工单") == self.id:
        raise RuleViolation("不能关联自身", field="earlier_id")


# methods of the aggregate like the others (the walk test checks `_on_<action>` is listed)
WorkOrder._on_transfer_platform = _on_transfer_platform
WorkOrder._on_transfer_answer = _on_transfer_answer
WorkOrder._on_consult_open = _on_consult
WorkOrder._on_consult_decide = _on_consult
WorkOrder._on_link_repeat = _on_link_repeat
EFFECTS.update({a: getattr(WorkOrder, f"_on_{a}") for a in (
    "transfer_platform", "transfer_answer", "consult_open", "consult_decide", "link_repeat")})
# --- end issue 17 ---
