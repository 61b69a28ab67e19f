"""THE handler table: event class -> the handlers that run it, in order
(docs/design/architecture.md §5.2; the message bus of "Architecture Patterns with Python").

Every event is declared once in hotline/core/events.py; this module is the one place that says
who hears of it. Nothing registers itself at import: `bootstrap` (core/bootstrap.py) hands
this table to the runtime, and `outbox.process_event` runs `rt.handlers[type(event)]`. An
event without handlers (OrderCreated, ...) is marked done by the relay
without a job. tests/unit/test_events.py fails when an event declared `notifies = True` has
no handler, or when the webhook events and the table disagree.

A handler is `fn(rt, uow, event_id, event)`: it runs inside `process_event`'s transaction and
writes with a dedupe key, so running it twice cannot notify twice.
"""
from __future__ import annotations

from hotline.core import events as E
from hotline.core.notify import notify, order_brief
from hotline.dispatch import handlers as dispatch_handlers
from hotline.knowledge import handlers as knowledge_handlers
from hotline.learning import training
from hotline.sla import handlers as sla_handlers
from hotline.survey import handlers as survey_handlers
from hotline.webhooks import service as webhooks

# isort: split
# issue 17 (cases): 会商, hard cases, hot spots
from hotline.consult import handlers as consult_handlers
from hotline.hardcases import handlers as hardcase_handlers
from hotline.hotspots import handlers as hotspot_handlers


def notify_unit_dispatched(rt, uow, event_id: int, ev: E.OrderEvent) -> None:
    """The order reached a unit (派单 at intake or from the queue, 改派 after a return or a
    ruling): the unit is told to sign for it (docs/design/domain.md §3.2)."""
    order = order_brief(uow, ev.order_id)
    if order is None:
        return
    notify(uow, f"dispatched-{event_id}", ev.unit, order.id, "dispatched",
           f"新工单 {order.number} 已派至本单位, 请及时签收")


def _notify_owner(kind: str, text: str):
    def handler(rt, uow, event_id: int, ev: E.OrderEvent) -> None:
        order = order_brief(uow, ev.order_id)
        if order is not None:
            notify(uow, f"{kind}-{event_id}", order.unit, order.id, kind,
                   text.format(number=order.number))
    handler.__name__ = f"notify_owner_{kind}"
    return handler


notify_urged = _notify_owner("urge", "工单 {number} 被催办, 请尽快办理")
notify_supervised = _notify_owner("supervise", "工单 {number} 已列入督办")
notify_sent_back = _notify_owner("send_back", "工单 {number} 答复被回退, 请重新办理")
notify_reopened = _notify_owner("reopen", "工单 {number} 经回访需重办")


# --- 二级派单 (issue 17; docs/design/domain.md §6.8): the village hears of what it must do, the
# owning town of what its village did.
def _notify_village(kind: str, text: str):
    def handler(rt, uow, event_id: int, ev: E.OrderEvent) -> None:
        from sqlalchemy import select

        from hotline.core.orm import WorkOrderRow
        row = uow.session.execute(select(WorkOrderRow.id, WorkOrderRow.number,
                                         WorkOrderRow.village)
                                  .where(WorkOrderRow.id == ev.order_id)).first()
        if row is not None and row.village:
            notify(uow, f"{kind}-{event_id}", row.village, row.id, kind,
                   text.format(number=row.number))
    handler.__name__ = f"notify_village_{kind}"
    return handler


notify_subdispatched = _notify_village("subdispatch", "镇街已将工单 {number} 派至本村（社区）, 请及时签收")
notify_village_report_rejected = _notify_village(
    "reject_village_report", "工单 {number} 的上报被镇街退回, 请重新办理")
notify_village_reported = _notify_owner("village_report", "工单 {number} 村（社区）已上报办理结果, 请审核")
notify_village_returned = _notify_owner("village_return", "工单 {number} 被村（社区）退回镇街, 请处理")
# --- end 二级派单 ---


def notify_assist_ladder(rt, uow, event_id: int, ev: E.LadderStep) -> None:
    """协办 (issue 17; docs/design/domain.md §4.9): a step of an assisting task's own ladder
    reaches the assisting unit it names (the record's data.owner), besides the lead unit."""
    if ev.clock != "assist" or ev.seq is None:
        return
    from sqlalchemy import select

    from hotline.core.orm import TransitionRow, WorkOrderRow
    t = uow.session.execute(select(TransitionRow.data, WorkOrderRow.number)
                            .join(WorkOrderRow, WorkOrderRow.id == TransitionRow.order_id)
                            .where(TransitionRow.order_id == ev.order_id,
                                   TransitionRow.seq == ev.seq)).first()
    owner = (t.data or {}).get("owner") if t is not None else None
    if owner:
        notify(uow, f"assist-ladder-{event_id}", owner, ev.order_id, "assist_overdue",
               f"工单 {t.number} 的协办任务已超期, 请尽快提交协办意见")


HANDLERS: dict[type[E.Event], list] = {
    E.OrderDispatched: [notify_unit_dispatched, dispatch_handlers.notify_assist_units,
                        webhooks.push],
    E.OrderReturnApproved: [notify_unit_dispatched, webhooks.push],
    E.OrderArbitrated: [notify_unit_dispatched, webhooks.push],
    E.OrderAssistAdded: [dispatch_handlers.notify_assist_units],
    E.OrderUrged: [notify_urged, sla_handlers.on_urge, webhooks.push,
                   notify_assist_ladder],     # issue 17: 协办 task's own ladder
    E.OrderSupervised: [notify_supervised, sla_handlers.on_supervise, webhooks.push,
                        notify_assist_ladder],
    E.OrderEscalatedToLeader: [sla_handlers.on_escalate_leader],
    E.OrderSentBack: [notify_sent_back],
    # 二级派单 (issue 17)
    E.OrderSubdispatched: [notify_subdispatched],
    E.OrderVillageReportRejected: [notify_village_report_rejected],
    E.OrderVillageReported: [notify_village_reported],
    E.OrderVillageReturned: [notify_village_returned],
    E.OrderReopened: [notify_reopened, webhooks.push],
    E.OrderClosed: [webhooks.push],
    E.OrderReplyAccepted: [dispatch_handlers.on_reply_accepted, survey_handlers.on_accept_reply],
    E.OrderAnsweredDirectly: [knowledge_handlers.on_answer],
    E.SurveyNeedsReview: [knowledge_handlers.on_needs_review],
    E.SlaWarning: [sla_handlers.on_warning],
    E.DispatchFlagged: [dispatch_handlers.on_flagged],
    E.ClassifierTrainRequested: [training.on_train_requested],
}

# ---- issue 18 (callcentre helper): a bad rating opens its 差评整改 task; after a closure's
# surveys exist, an 服务体验官's own appeal has them excluded from scoring (appended: they run
# after the survey and knowledge handlers of the same event, in the same transaction)
from hotline.experience import handlers as experience_handlers  # noqa: E402
from hotline.rating import handlers as rating_handlers  # noqa: E402

HANDLERS[E.SurveyNeedsReview] = HANDLERS[E.SurveyNeedsReview] + [rating_handlers.on_needs_review]
HANDLERS[E.OrderReplyAccepted] = HANDLERS[E.OrderReplyAccepted] + [experience_handlers.on_closure]
HANDLERS[E.OrderAnsweredDirectly] = HANDLERS[E.OrderAnsweredDirectly] + [
    experience_handlers.on_closure]

# --- issue 17 (cases): 会商, hard cases, hot spots -----------------------------------------
HANDLERS.update({
    E.ConsultationOpened: [consult_handlers.on_opened],
    E.ConsultationDecided: [consult_handlers.on_decided],
    E.HardCaseProposed: [hardcase_handlers.on_proposed],
    E.HotspotAlerted: [hotspot_handlers.on_alerted],
})
