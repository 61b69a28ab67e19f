"""The work-order aggregate: one method applies one action of the transition table.

Pure Python: constructed and tested without a database. Every applied action appends a
`Transition` (who, role, unit, when, from, to, reason, data); state that can be derived from
that history (previous status, number of returns, whether 首派 window applies) is derived.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from .workflow import (CLOSED_STATES, OVERLAY_ACTIONS, PREVIOUS, Role, Status, TRANSITIONS,
                       rule_for)


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


# Actions that must carry a reason: 退单 needs 依据和理由 (吕梁 首办责任制, domain §4.3);
# 回退/驳回/挂起/延期/不予受理/最终答复 are all audited decisions (domain §4.2).
REASON_REQUIRED = frozenset({
    "request_return", "reject_return", "approve_return", "arbitrate", "send_back",
    "request_extension", "reject_extension", "request_suspension", "reject_suspension",
    "approve_suspension", "not_accept", "close_unreasonable", "reopen", "merge",
})
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

    # ---- derived from the history ----
    def previous_status(self) -> str:
        """The status before the latest request that is now being decided."""
        for t in reversed(self.history):
            if t.to_status != t.from_status:
                return t.from_status
        return Status.REGISTERED

    def returns_requested(self) -> int:
        return sum(1 for t in self.history if t.action == "request_return")

    def last(self, action: str) -> Transition | None:
        for t in reversed(self.history):
            if t.action == action:
                return t
        return None

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATES

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
        getattr(self, f"_on_{action}", lambda *a: None)(actor, at, data, reason,
                                                        return_window_end)
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
        if action == "note" and actor.unit in self.assist_units:
            return   # 协办单位 may add inputs for the lead unit
        if actor.unit != self.unit:
            # Only the owner (主办) acts; an assisting unit never replies to the citizen.
            raise NotPermitted("只有承办(主办)单位可以办理此工单")

    # ---- effects of individual actions (state that is not derivable stays tiny) ----
    def _on_dispatch(self, actor, at, data, reason, _w):
        unit = data.get("unit")
        if not unit:
            raise RuleViolation("派单必须指定承办单位", field="unit")
        self.unit = unit
        if self.first_unit is None:
            self.first_unit = unit     # 首派责任制: the first unit owns it

    def _on_request_return(self, actor, at, data, reason, window_end):
        if not data.get("legal_basis"):
            raise RuleViolation("退单必须注明依据", field="legal_basis")
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
        # supervisor arbitration (裁定), domain §4.3.
        if self.returns_requested() >= 2:
            raise NotPermitted("第二次退单须由督办人员裁定, 派单员不能审核", field="action")
        unit = data.get("unit")
        if not unit:
            raise RuleViolation("同意退单须指定改派单位", field="unit")
        data["from_unit"] = self.unit
        self.unit = unit
        self.handler = None

    def _on_reject_return(self, actor, at, data, reason, _w):
        if self.returns_requested() >= 2:
            raise NotPermitted("第二次退单须由督办人员裁定, 派单员不能审核", field="action")

    def _on_arbitrate(self, actor, at, data, reason, _w):
        unit = data.get("unit") or self.unit
        data["from_unit"], data["unit"] = self.unit, unit
        self.unit = unit

    def _on_assign(self, actor, at, data, reason, _w):
        if not data.get("handler"):
            raise RuleViolation("须指定经办人", field="handler")
        self.handler = data["handler"]

    def _on_merge(self, actor, at, data, reason, _w):
        if not data.get("master_id"):
            raise RuleViolation("并单须指定主工单", field="master_id")
        self.master_id = int(data["master_id"])

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
        if not 1 <= days <= 3:
            # ≤3 working days per extension (吕梁, domain §3.2)
            raise RuleViolation("每次延期为 1 至 3 个工作日", field="days")
        if sum(1 for t in self.history if t.action == "approve_extension") >= 3:
            raise RuleViolation("延期最多 3 次", field="days")
        data["days"] = days

    def last_dispatch_at(self) -> datetime | None:
        for t in reversed(self.history):
            if t.action in ("dispatch", "approve_return", "arbitrate"):
                return t.at
        return None
