"""The work-order lifecycle as ONE transition table.

(status, action) -> Rule(new status, roles allowed, and the action's consequences: whether it
changes the owner (承办单位), the event it raises (whom it notifies: the handler table in
hotline/core/handlers.py) and the milestone the citizen sees). Everything else in the
system asks this table (docs/design/architecture.md §3.1); the one test that walks it is
tests/unit/dispatch/test_workflow.py.

States and edges follow docs/design/domain.md §3.1 and §3.2 (受理、调度、办理、回复、督办、办结、
回访、评价, 国办发〔2020〕53号). Where that file marks a rule (ours) the choice is ours and
is configurable elsewhere (windows, limits), never here.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.core import events as E


class Status(StrEnum):
    REGISTERED = "registered"                  # 已登记/受理
    NOT_ACCEPTED = "not_accepted"              # 不予受理
    TRANSFERRED_EMERGENCY = "transferred_emergency"  # 转110/119/120/122
    ANSWERED_DIRECTLY = "answered_directly"    # 直接答复
    MERGED = "merged"                          # 并单
    PENDING_DISPATCH = "pending_dispatch"      # 待派单 (dispatcher queue)
    DISPATCHED = "dispatched"                  # 已派单·待签收
    RETURN_REQUESTED = "return_requested"      # 退单申请中
    SIGNED = "signed"                          # 已签收
    IN_PROGRESS = "in_progress"                # 办理中
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请中 (clock keeps running)
    SUSPENSION_REQUESTED = "suspension_requested"  # 挂起申请中 (clock keeps running)
    SUSPENDED = "suspended"                    # 挂起 (clock paused, audited interval)
    REPLIED = "replied"                        # 已答复·待中心审核
    RETURN_VISIT = "return_visit"              # 待回访
    REOPENED = "reopened"                      # 重办 (back to the same unit)
    CLOSED = "closed"                          # 办结归档
    CLOSED_UNREASONABLE = "closed_unreasonable"  # 最终答复办结 (excluded from scoring)
    # --- issue 17 (cases): transfers to other platforms, repeat appeals ---
    TRANSFERRED_PLATFORM = "transferred_platform"  # 已转其他平台·待对方答复 (open)
    TRANSFER_CLOSED = "transfer_closed"        # 转办结束 (answer recorded or closed)
    REPEAT_LINKED = "repeat_linked"            # 重复诉求·已关联原工单
    # --- 二级派单 (issue 17; docs/design/domain.md §6.8): the owning town passed it to a village
    VILLAGE_DISPATCHED = "village_dispatched"  # 已派至村（社区）·待签收
    VILLAGE_SIGNED = "village_signed"          # 村（社区）办理中
    VILLAGE_REPORTED = "village_reported"      # 村（社区）已上报·待镇街审核


class Role(StrEnum):
    AGENT = "agent"            # 话务员
    DISPATCHER = "dispatcher"  # 派单/审核
    DEPARTMENT = "department"  # 承办单位
    SUPERVISOR = "supervisor"  # 督办
    LEADER = "leader"          # 领导
    ADMIN = "admin"
    SYSTEM = "system"          # sweeps, auto-dispatch, survey results


S, R = Status, Role

# Marker: "back to the status the order had before the request" (reject_return,
# reject_extension, reject_suspension). Resolved from the history, never stored.
PREVIOUS = "@previous"

CLOSED_STATES = frozenset({S.NOT_ACCEPTED, S.TRANSFERRED_EMERGENCY, S.ANSWERED_DIRECTLY,
                           S.MERGED, S.CLOSED, S.CLOSED_UNREASONABLE,
                           S.TRANSFER_CLOSED, S.REPEAT_LINKED})   # (issue 17: the last two)
# States in which a unit holds the order and its handling clocks run.
HANDLING_STATES = frozenset({S.DISPATCHED, S.RETURN_REQUESTED, S.SIGNED, S.IN_PROGRESS,
                             S.EXTENSION_REQUESTED, S.SUSPENSION_REQUESTED, S.SUSPENDED,
                             S.REOPENED,
                             # docs/design/domain.md §6.8: the town owns it, clocks run
                             S.VILLAGE_DISPATCHED, S.VILLAGE_SIGNED, S.VILLAGE_REPORTED})
# States in which the order is in a village's hands (二级派单, docs/design/domain.md §6.8).
VILLAGE_STATES = frozenset({S.VILLAGE_DISPATCHED, S.VILLAGE_SIGNED, S.VILLAGE_REPORTED})
OPEN_STATES = frozenset(S) - CLOSED_STATES
WORKING = (S.SIGNED, S.IN_PROGRESS)   # where a unit does the actual work


@dataclass(frozen=True)
class Rule:
    to: str                    # a Status value, or PREVIOUS
    roles: frozenset[Role]
    label: str                 # 中文 name of the action, for pages and history
    # consequences (the same for every rule of one action: the history records the action)
    changes_owner: bool = False          # data["unit"] becomes the owner; clocks restart
    event: type[E.OrderEvent] | None = None   # raised after the action (whom it notifies)
    milestone: str | None = None         # what the citizen's progress page shows
    # who of the department side acts (per rule, not per action): False = the owning unit,
    # True = the village the town passed it to (docs/design/domain.md §6.8)
    by_village: bool = False


CENTRE = (R.DISPATCHER, R.SUPERVISOR)
INTAKE = (R.AGENT, R.DISPATCHER)

TRANSITIONS: dict[tuple[Status, str], Rule] = {}


def _add(froms, action, to, roles, label, *, owner=False, event=None, milestone=None,
         by_village=False):
    for f in froms:
        TRANSITIONS[(f, action)] = Rule(to, frozenset(roles), label, owner, event, milestone,
                                        by_village)


# --- intake outcomes that need no dispatch (docs/design/domain.md §2.3) ---
_add([S.REGISTERED, S.PENDING_DISPATCH], "answer", S.ANSWERED_DIRECTLY, INTAKE, "直接答复",
     event=E.OrderAnsweredDirectly, milestone="已直接答复")
_add([S.REGISTERED, S.PENDING_DISPATCH], "not_accept", S.NOT_ACCEPTED, INTAKE, "不予受理",
     milestone="不予受理")
_add([S.REGISTERED, S.PENDING_DISPATCH], "transfer_emergency", S.TRANSFERRED_EMERGENCY,
     INTAKE, "转紧急热线", milestone="已转紧急热线处理")
# the emergency line's outcome, recorded on the transferred order (issue 14, Build 4)
_add([S.TRANSFERRED_EMERGENCY], "emergency_feedback", PREVIOUS, INTAKE, "紧急热线处置反馈")
_add([S.REGISTERED, S.PENDING_DISPATCH], "merge", S.MERGED, INTAKE, "并单",
     milestone="已与相同诉求合并办理")
# --- dispatch (工单直派; the classifier abstains -> dispatcher queue) ---
_add([S.REGISTERED], "queue", S.PENDING_DISPATCH, (R.AGENT, R.DISPATCHER, R.SYSTEM), "转派单员")
_add([S.REGISTERED, S.PENDING_DISPATCH], "dispatch", S.DISPATCHED,
     (R.AGENT, R.DISPATCHER, R.SYSTEM), "派单", owner=True, event=E.OrderDispatched,
     milestone="已转交承办单位办理")
# --- the unit (首派责任制: the first unit owns it unless a return is approved) ---
_add([S.DISPATCHED, S.REOPENED], "sign", S.SIGNED, (R.DEPARTMENT,), "签收",
     milestone="承办单位已签收")
_add([S.DISPATCHED, S.SIGNED], "request_return", S.RETURN_REQUESTED, (R.DEPARTMENT,), "申请退单")
_add([S.RETURN_REQUESTED], "approve_return", S.DISPATCHED, (R.DISPATCHER,), "同意退单并改派",
     owner=True, event=E.OrderReturnApproved, milestone="已改派承办单位办理")
_add([S.RETURN_REQUESTED], "reject_return", PREVIOUS, (R.DISPATCHER,), "驳回退单")
# 裁定 (docs/design/domain.md §6.4): a supervisor's binding ruling. Reassigning starts a fresh owner
# (DISPATCHED); keeping the current owner puts the order back where it was (no clock stopped).
_add([S.RETURN_REQUESTED], "arbitrate", S.DISPATCHED, (R.SUPERVISOR,), "裁定改派", owner=True,
     event=E.OrderArbitrated)
_add([S.RETURN_REQUESTED], "arbitrate_keep", PREVIOUS, (R.SUPERVISOR,), "裁定维持")
_add([S.SIGNED, S.IN_PROGRESS], "contact", S.IN_PROGRESS, (R.DEPARTMENT,), "联系市民")
_add([S.SIGNED, S.IN_PROGRESS], "onsite", S.IN_PROGRESS, (R.DEPARTMENT,), "到达现场")
_add([S.SIGNED, S.IN_PROGRESS], "assign", PREVIOUS, (R.DEPARTMENT,), "指定经办人")
_add([S.SIGNED, S.IN_PROGRESS], "request_extension", S.EXTENSION_REQUESTED, (R.DEPARTMENT,),
     "申请延期")
_add([S.EXTENSION_REQUESTED], "approve_extension", PREVIOUS, (R.DISPATCHER,), "同意延期",
     milestone="办理期限已延长")
_add([S.EXTENSION_REQUESTED], "reject_extension", PREVIOUS, (R.DISPATCHER,), "驳回延期")
_add([S.SIGNED, S.IN_PROGRESS], "request_suspension", S.SUSPENSION_REQUESTED, (R.DEPARTMENT,),
     "申请挂起")
_add([S.SUSPENSION_REQUESTED], "approve_suspension", S.SUSPENDED, (R.DISPATCHER,), "同意挂起",
     milestone="暂停办理 (等待办理条件)")
_add([S.SUSPENSION_REQUESTED], "reject_suspension", PREVIOUS, (R.DISPATCHER,), "驳回挂起")
_add([S.SUSPENDED], "resume", S.IN_PROGRESS, (R.DEPARTMENT, R.DISPATCHER), "恢复办理",
     milestone="恢复办理")
_add([S.SIGNED, S.IN_PROGRESS], "reply", S.REPLIED, (R.DEPARTMENT,), "提交答复",
     milestone="承办单位已提交答复")
# --- co-handling 主办/协办 (docs/design/domain.md §6.5; 北京 首接单位 leads and coordinates): the lead
# unit (after the 退单 window: 先办后议) or the centre brings in assisting units, each with its
# own task and deadline; assisting units submit inputs to the lead and never reply.
_add(sorted(HANDLING_STATES - {S.RETURN_REQUESTED}, key=str), "add_assist", PREVIOUS,
     (R.DEPARTMENT, R.DISPATCHER, R.SUPERVISOR), "增加协办单位", event=E.OrderAssistAdded)
_add(sorted(HANDLING_STATES - {S.RETURN_REQUESTED}, key=str), "assist_input", PREVIOUS,
     (R.DEPARTMENT,), "协办意见")
# --- centre review of the reply (回退 = send back) ---
_add([S.REPLIED], "send_back", S.IN_PROGRESS, (R.DISPATCHER,), "回退",
     event=E.OrderSentBack)
_add([S.REPLIED], "accept_reply", S.RETURN_VISIT, (R.DISPATCHER,), "审核通过",
     event=E.OrderReplyAccepted)
# --- return visit (回访) outcomes ---
_add([S.RETURN_VISIT], "close", S.CLOSED, (R.DISPATCHER, R.SUPERVISOR, R.SYSTEM), "办结",
     event=E.OrderClosed, milestone="已办结")
_add([S.RETURN_VISIT], "reopen", S.REOPENED, (R.SUPERVISOR,), "重办",
     event=E.OrderReopened, milestone="经回访, 重新办理")
_add([S.RETURN_VISIT], "close_unreasonable", S.CLOSED_UNREASONABLE, (R.SUPERVISOR,),
     "最终答复办结", milestone="已办结")
# --- 二级派单 (issue 17; docs/design/domain.md §6.8): the owning town passes the order to one of
# its villages (data.unit), keeping ownership (首派责任制: `unit` stays the town, no owner
# change); the village signs, handles and reports back with its own clocks (config/sla.yaml
# village), or hands it back with a reason; the town reviews the report before it replies.
_add([S.SIGNED, S.IN_PROGRESS], "subdispatch", S.VILLAGE_DISPATCHED, (R.DEPARTMENT,),
     "派至村（社区）", event=E.OrderSubdispatched, milestone="已转村（社区）办理")
_add([S.VILLAGE_DISPATCHED], "sign", S.VILLAGE_SIGNED, (R.DEPARTMENT,), "签收",
     milestone="承办单位已签收", by_village=True)
_add([S.VILLAGE_SIGNED], "contact", S.VILLAGE_SIGNED, (R.DEPARTMENT,), "联系市民",
     by_village=True)
_add([S.VILLAGE_SIGNED], "onsite", S.VILLAGE_SIGNED, (R.DEPARTMENT,), "到达现场",
     by_village=True)
_add([S.VILLAGE_SIGNED], "village_report", S.VILLAGE_REPORTED, (R.DEPARTMENT,),
     "村（社区）上报办理结果", event=E.OrderVillageReported, by_village=True)
_add([S.VILLAGE_DISPATCHED, S.VILLAGE_SIGNED], "village_return", S.IN_PROGRESS,
     (R.DEPARTMENT,), "退回镇街", event=E.OrderVillageReturned, by_village=True)
_add([S.VILLAGE_REPORTED], "accept_village_report", S.IN_PROGRESS, (R.DEPARTMENT,),
     "审核通过村（社区）上报")
_add([S.VILLAGE_REPORTED], "reject_village_report", S.VILLAGE_SIGNED, (R.DEPARTMENT,),
     "退回村（社区）重办", event=E.OrderVillageReportRejected)
# --- overlays: no status change, but recorded as transitions (催办/督办/挂牌督办, notes) ---
_SUPERVISABLE = sorted(HANDLING_STATES | {S.REPLIED, S.PENDING_DISPATCH}, key=str)
_add(_SUPERVISABLE, "urge", PREVIOUS, (R.DISPATCHER, R.SUPERVISOR, R.SYSTEM), "催办",
     event=E.OrderUrged)
_add(_SUPERVISABLE, "supervise", PREVIOUS, (R.SUPERVISOR, R.SYSTEM), "督办",
     event=E.OrderSupervised)
_add(_SUPERVISABLE, "escalate_leader", PREVIOUS, (R.SUPERVISOR, R.SYSTEM), "挂牌督办",
     event=E.OrderEscalatedToLeader)
_add(sorted(OPEN_STATES, key=str), "note", PREVIOUS,
     (R.AGENT, R.DISPATCHER, R.DEPARTMENT, R.SUPERVISOR, R.LEADER), "备注")

# --- issue 17 (cases) -------------------------------------------------------------------
# 转其他平台 (Build 8): besides the emergency lines, an appeal that belongs to 信访, the
# provincial 12345 (粤省心) or another city's hotline is transferred with the receiving party
# and their reference; the order stays open until their answer is recorded or the centre
# closes the transfer (docs/design/domain.md §2.3: 转办 keeps the caller's order traceable).
_add([S.REGISTERED, S.PENDING_DISPATCH], "transfer_platform", S.TRANSFERRED_PLATFORM, INTAKE,
     "转其他平台", milestone="已转其他平台办理")
_add([S.TRANSFERRED_PLATFORM], "transfer_answer", S.TRANSFER_CLOSED,
     (R.AGENT, R.DISPATCHER, R.SUPERVISOR), "登记对方答复", milestone="接收平台已答复")
_add([S.TRANSFERRED_PLATFORM], "transfer_close", S.TRANSFER_CLOSED, CENTRE, "结束转办",
     milestone="转办已结束")
# 会商 (Build 3): opening a consultation and the supervisor's decision are recorded on the
# order (append-only) by hotline/consult/service.py; the decision's dispatch or ruling follows
# as its own transition. Overlays: the status does not change.
_CONSULTABLE = [S.REGISTERED, S.PENDING_DISPATCH, S.RETURN_REQUESTED]
_add(_CONSULTABLE, "consult_open", PREVIOUS, CENTRE, "发起会商")
_add(_CONSULTABLE, "consult_decide", PREVIOUS, (R.SUPERVISOR,), "会商决定")
# 重复诉求 (Build 5): the agent links a new appeal to the caller's or the place's earlier
# order (the new one ends there), or reopens a closed earlier order, which the unit then
# handles again like a 重办 (its clocks: REOPEN_ACTIONS).
_add([S.REGISTERED, S.PENDING_DISPATCH], "link_repeat", S.REPEAT_LINKED, INTAKE, "关联为重复诉求",
     milestone="与此前诉求为同一事项, 已关联原工单办理")
_add([S.CLOSED], "reopen_repeat", S.REOPENED, (R.AGENT, R.DISPATCHER, R.SUPERVISOR),
     "重复诉求重启办理", event=E.OrderReopened, milestone="市民再次反映, 重新办理")
# Actions recorded only by their feature's use case with its own rows (the 会商 service):
# pages and API hints do not offer them as generic actions.
SERVICE_ACTIONS = frozenset({"consult_open", "consult_decide"})
# --- end issue 17 ---

ACTIONS: tuple[str, ...] = tuple(sorted({a for (_, a) in TRANSITIONS}))
ACTION_LABELS = {a: r.label for (_, a), r in TRANSITIONS.items()}
# The consequences, asked by action (the history records actions): clocks, scoring facts, the
# return window and routing history ask OWNER_ACTIONS; the services raise EVENT_OF[action];
# the citizen's progress page shows MILESTONES[action].
OWNER_ACTIONS = frozenset(a for (_, a), r in TRANSITIONS.items() if r.changes_owner)
EVENT_OF: dict[str, type[E.OrderEvent]] = {a: r.event for (_, a), r in TRANSITIONS.items()
                                           if r.event is not None}
MILESTONES: dict[str, str] = {a: r.milestone for (_, a), r in TRANSITIONS.items()
                              if r.milestone}
# Actions that leave the status as it is (the "@previous" of a no-op overlay).
OVERLAY_ACTIONS = frozenset({"urge", "supervise", "escalate_leader", "note", "assign",
                             "add_assist", "assist_input", "emergency_feedback"})
OVERLAY_ACTIONS = OVERLAY_ACTIONS | {"consult_open", "consult_decide"}   # issue 17
# Actions that start a unit's handling again on the same owner (重办): the SLA clocks and the
# scoring facts ask this set (issue 17 adds the reopening of a repeat appeal).
REOPEN_ACTIONS = frozenset({"reopen", "reopen_repeat"})

STATUS_LABELS = {
    S.REGISTERED: "已登记", S.NOT_ACCEPTED: "不予受理", S.TRANSFERRED_EMERGENCY: "已转紧急热线",
    S.ANSWERED_DIRECTLY: "直接答复", S.MERGED: "已并单", S.PENDING_DISPATCH: "待派单",
    S.DISPATCHED: "待签收", S.RETURN_REQUESTED: "退单审核中", S.SIGNED: "已签收",
    S.IN_PROGRESS: "办理中", S.EXTENSION_REQUESTED: "延期审核中",
    S.SUSPENSION_REQUESTED: "挂起审核中", S.SUSPENDED: "已挂起", S.REPLIED: "答复待审核",
    S.RETURN_VISIT: "待回访", S.REOPENED: "重办", S.CLOSED: "已办结",
    S.CLOSED_UNREASONABLE: "最终答复办结",
    # issue 17
    S.TRANSFERRED_PLATFORM: "已转其他平台", S.TRANSFER_CLOSED: "转办结束",
    S.REPEAT_LINKED: "重复诉求",
    # 二级派单 (issue 17)
    S.VILLAGE_DISPATCHED: "已派至村（社区）", S.VILLAGE_SIGNED: "村（社区）办理中",
    S.VILLAGE_REPORTED: "村（社区）已上报",
}


def rule_for(status: str, action: str) -> Rule | None:
    """The rule for `action` in `status`, or None when the move does not exist."""
    return TRANSITIONS.get((Status(status), action))


def allowed_actions(status: str, role: str, as_village: bool = False) -> list[str]:
    """Actions `role` may take in `status` (for pages and API hints). `as_village`: the user
    is the village the owning town passed the order to (二级派单, docs/design/domain.md §6.8),
    which takes the village's rows only; everyone else never takes those."""
    st = Status(status)
    return sorted(a for (s, a), r in TRANSITIONS.items() if s == st and Role(role) in r.roles
                  and a not in SERVICE_ACTIONS    # (issue 17: offered by their own pages)
                  and (village_may(st, a) if as_village else not r.by_village))


def village_may(status: str, action: str) -> bool:
    """May the village holding the order take `action` in `status`? Its own rows of the table,
    and a note while the order is in its hands (二级派单, docs/design/domain.md §6.8)."""
    rule = TRANSITIONS.get((Status(status), action))
    return rule is not None and (rule.by_village or
                                 (action == "note" and Status(status) in VILLAGE_STATES))
