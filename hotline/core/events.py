"""The events of the system, each declared once as a small frozen dataclass
(docs/design/architecture.md §5.2).

An event is what the outbox stores: its `name` (the row's topic) and its fields (the row's
payload). `UnitOfWork.emit` accepts only instances of the classes declared here, and the one
handler table (hotline/core/handlers.py) maps each class to its handlers. An event whose
`notifies` is True must reach someone: a test fails when it has no handler.

Pure: no framework, so the transition table (hotline/workorders/domain/workflow.py) can name the event
each action raises.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import ClassVar


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = ""
    notifies: ClassVar[bool] = False    # someone must be told: a handler is required
    # the event units' webhooks receive (docs/open311.md), None when none is pushed; every way
    # an order reaches a unit is "order.dispatched" for the unit's own case system
    webhook: ClassVar[str | None] = None

    def payload(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------ work orders

@dataclass(frozen=True)
class OrderCreated(Event):
    """Intake stored an appeal. Nothing is sent for a plain intake (no handler): the rows are
    marked done without a job; a channel that needs it adds a handler."""
    name: ClassVar[str] = "order.created"
    order_id: int


@dataclass(frozen=True)
class OrderEvent(Event):
    """An action of the transition table that someone must hear of (the rule names it)."""
    order_id: int
    seq: int | None = None
    unit: str | None = None      # the owner after the action


@dataclass(frozen=True)
class OrderDispatched(OrderEvent):
    """派单, at intake or from the dispatcher's queue: the unit and its assisting units."""
    name: ClassVar[str] = "order.dispatched"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.dispatched"


@dataclass(frozen=True)
class OrderReturnApproved(OrderEvent):
    """同意退单并改派: the new unit receives the order."""
    name: ClassVar[str] = "order.approve_return"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.dispatched"


@dataclass(frozen=True)
class OrderArbitrated(OrderEvent):
    """裁定改派: the unit the supervisor named receives the order."""
    name: ClassVar[str] = "order.arbitrate"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.dispatched"


@dataclass(frozen=True)
class OrderAssistAdded(OrderEvent):
    """增加协办单位: the assisting units get their task."""
    name: ClassVar[str] = "order.add_assist"
    notifies: ClassVar[bool] = True


# --- 二级派单 (issue 17; docs/design/domain.md §6.8) ---
@dataclass(frozen=True)
class OrderSubdispatched(OrderEvent):
    """派至村（社区）, or the town sent the village's report back: the village must act."""
    name: ClassVar[str] = "order.subdispatch"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class OrderVillageReported(OrderEvent):
    """村（社区）上报办理结果: the owning town reviews the report."""
    name: ClassVar[str] = "order.village_report"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class OrderVillageReturned(OrderEvent):
    """退回镇街: the village handed the order back to its town, with a reason."""
    name: ClassVar[str] = "order.village_return"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class OrderVillageReportRejected(OrderEvent):
    """退回村（社区）重办: the town sent the village's report back."""
    name: ClassVar[str] = "order.reject_village_report"
    notifies: ClassVar[bool] = True
# --- end 二级派单 ---


@dataclass(frozen=True)
class OrderSentBack(OrderEvent):
    """回退: the unit must handle again."""
    name: ClassVar[str] = "order.send_back"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class OrderReplyAccepted(OrderEvent):
    """审核通过: return visits are created; merged callers get the master's reply."""
    name: ClassVar[str] = "order.accept_reply"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class OrderReopened(OrderEvent):
    """重办: back to the same unit after the return visit."""
    name: ClassVar[str] = "order.reopen"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.reopened"


@dataclass(frozen=True)
class OrderAnsweredDirectly(OrderEvent):
    """直接答复: the caller gets the same rating link as a handled order (好差评 一次一评)."""
    name: ClassVar[str] = "order.answer"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class OrderClosed(OrderEvent):
    """办结: units with a webhook hear of it."""
    name: ClassVar[str] = "order.close"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.closed"


@dataclass(frozen=True)
class LadderStep(OrderEvent):
    """A step of the escalation ladder, by a person or by the SLA sweep (auto, with the clock
    that went overdue)."""
    auto: bool = False
    clock: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class OrderUrged(LadderStep):
    name: ClassVar[str] = "order.urge"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.urged"


@dataclass(frozen=True)
class OrderSupervised(LadderStep):
    name: ClassVar[str] = "order.supervise"
    notifies: ClassVar[bool] = True
    webhook: ClassVar[str | None] = "order.supervised"


@dataclass(frozen=True)
class OrderEscalatedToLeader(LadderStep):
    name: ClassVar[str] = "order.escalate_leader"
    notifies: ClassVar[bool] = True


@dataclass(frozen=True)
class MergedReplyCopied(Event):
    """A merged caller got the master's reply on their own order (并单). Announced for the
    survey feature; no handler yet."""
    name: ClassVar[str] = "order.merged_reply"
    order_id: int
    master_id: int
    source_event: int


# ------------------------------------------------------------------ SLA, survey, dispatch

@dataclass(frozen=True)
class SlaWarning(Event):
    name: ClassVar[str] = "sla.warning"
    notifies: ClassVar[bool] = True
    order_id: int
    key: str
    clock: str
    target: str
    label: str
    due: str
    unit: str | None = None


@dataclass(frozen=True)
class SurveyNeedsReview(Event):
    """An answer that needs a supervisor's review (the review queue is read from the survey
    rows); a bad rating of a direct answer also becomes its article's review task."""
    name: ClassVar[str] = "survey.needs_review"
    survey_id: int
    order_id: int


@dataclass(frozen=True)
class DispatchFlagged(Event):
    """两个15%: an agent or a category reached the threshold; the supervisors are told."""
    name: ClassVar[str] = "dispatch.flagged"
    notifies: ClassVar[bool] = True
    flag_id: int
    kind: str
    subject: str
    rate_percent: float


@dataclass(frozen=True)
class DispatchFlagCleared(Event):
    name: ClassVar[str] = "dispatch.flag_cleared"
    flag_id: int
    kind: str
    subject: str


@dataclass(frozen=True)
class ClassifierTrainRequested(Event):
    name: ClassVar[str] = "classify.train"
    notifies: ClassVar[bool] = True     # the training job must run
    run_id: int


# ------------------------------------------------------------------ issue 17 (cases)

@dataclass(frozen=True)
class ConsultationOpened(Event):
    """会商 opened: each consulted unit is asked for its answer before the deadline."""
    name: ClassVar[str] = "consult.opened"
    notifies: ClassVar[bool] = True
    consultation_id: int
    order_id: int


@dataclass(frozen=True)
class ConsultationDecided(Event):
    """会商 decided: the consulted units hear who leads and who assists."""
    name: ClassVar[str] = "consult.decided"
    notifies: ClassVar[bool] = True
    consultation_id: int
    order_id: int


@dataclass(frozen=True)
class HardCaseProposed(Event):
    """An order met a 疑难工单 criterion (reopened twice, returned twice, many callers): the
    supervisors are asked to take it on the tracking list."""
    name: ClassVar[str] = "hardcase.proposed"
    notifies: ClassVar[bool] = True
    case_id: int
    order_id: int


@dataclass(frozen=True)
class HotspotAlerted(Event):
    """热点预警: a surge of similar appeals from one town; dispatchers and supervisors are told
    at once (after the commit of the appeal that reached the threshold)."""
    name: ClassVar[str] = "hotspot.alerted"
    notifies: ClassVar[bool] = True
    alert_id: int
    town: str


def _declared(base=Event) -> list[type[Event]]:
    out = []
    for sub in base.__subclasses__():
        if sub.__dict__.get("name"):
            out.append(sub)
        out += _declared(sub)
    return out


# name -> class: every event the code may emit. Names are unique (checked here, at import).
EVENTS: dict[str, type[Event]] = {}
for _cls in _declared():
    assert _cls.name not in EVENTS, f"event name {_cls.name} declared twice"
    EVENTS[_cls.name] = _cls
# Rows written before the events were typed (an upgrade with a non-empty outbox): the queue's
# dispatch was stored as `order.dispatch`.
LEGACY_NAMES: dict[str, type[Event]] = {"order.dispatch": OrderDispatched}


class UndeclaredEvent(TypeError):
    pass


def check(event) -> Event:
    """The event itself when it is an instance of a declared class; else UndeclaredEvent."""
    cls = type(event)
    if not isinstance(event, Event) or EVENTS.get(cls.name) is not cls:
        raise UndeclaredEvent(f"{event!r} is not a declared event (hotline/core/events.py)")
    return event


def load(name: str, payload: dict) -> Event | None:
    """The event an outbox row holds, or None when its name is not declared (a row of an
    event since removed: nothing listens to it)."""
    cls = EVENTS.get(name) or LEGACY_NAMES.get(name)
    if cls is None:
        return None
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in (payload or {}).items() if k in known})
