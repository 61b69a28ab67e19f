"""THE walking test of the transition table (docs/design/architecture.md §3.1, after
Amsterdam/signals): every (status, action, role) is tried on a constructed aggregate. Allowed
triples must succeed and land on the table's target; every other triple must raise the one domain error that says
why (no such move: 409 InvalidTransition; wrong role: 403 NotPermitted)."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from hotline.core.events import EVENTS, OrderEvent
from hotline.workorders.domain.model import (
    Actor,
    InvalidTransition,
    NotPermitted,
    Transition,
    WorkOrder,
)
from hotline.workorders.domain.workflow import (
    ACTIONS,
    CLOSED_STATES,
    EVENT_OF,
    MILESTONES,
    OVERLAY_ACTIONS,
    OWNER_ACTIONS,
    PREVIOUS,
    TRANSITIONS,
    VILLAGE_STATES,
    Role,
    Status,
)

AT = datetime(2025, 9, 30, 2, 0, tzinfo=timezone.utc)
LEAD, ASSIST = "town_humen", "dept_env"
VILLAGE = "village_441900121004"     # a village of LEAD (二级派单, issue 17)

# valid input for every action, so only the table decides
DATA = {
    "dispatch": {"unit": LEAD}, "merge": {"master_id": 999}, "transfer_emergency": {"line": "110"},
    "emergency_feedback": {"feedback": "已出警"},
    "request_return": {"legal_basis": "三定方案", "suggested_unit": "town_dongcheng"},
    "approve_return": {"unit": "town_dongcheng"}, "arbitrate": {"unit": "town_dongcheng"},
    "assign": {"handler": "张三"}, "request_extension": {"days": 2},
    "approve_extension": {"days": 2}, "reply": {"reply": "已处理完毕"},
    "add_assist": {"unit": "dept_water", "task": "协助排查", "due": "2025-10-10T18:00:00+08:00"},
    "assist_input": {"input": "已派员现场检测"},
    "subdispatch": {"unit": VILLAGE}, "village_report": {"report": "已清理完毕"},
    # issue 17 (cases)
    "transfer_platform": {"platform": "xinfang", "receiver": "市信访局"},
    "transfer_answer": {"answer": "已受理, 按信访程序办理"},
    "consult_open": {"consultation_id": 1}, "consult_decide": {"consultation_id": 1},
    "link_repeat": {"earlier_id": 7},
}


def order_in(status: Status) -> WorkOrder:
    o = WorkOrder(content="市民反映问题", received_at=AT, id=1, status=status, unit=LEAD,
                  first_unit=LEAD, assist_units=[ASSIST], category="sanitation",
                  village=VILLAGE if status in VILLAGE_STATES else None)
    setup = "request_return" if status == Status.RETURN_REQUESTED else "setup"
    # the order reached `status` from SIGNED, so PREVIOUS resolves to SIGNED
    o.history.append(Transition(1, setup, AT, "x", "department", LEAD, Status.SIGNED, status))
    return o


def actor(role: Role, action: str, status: Status | None = None) -> Actor:
    rule = TRANSITIONS.get((status, action)) if status is not None else None
    if role == Role.DEPARTMENT and rule is not None and rule.by_village:
        return Actor(VILLAGE, role, VILLAGE)    # docs/design/domain.md §6.8
    if role == Role.DEPARTMENT:
        return Actor(ASSIST if action == "assist_input" else LEAD, role,
                     ASSIST if action == "assist_input" else LEAD)
    return Actor(role.value, role)


TRIPLES = list(itertools.product(list(Status), ACTIONS, list(Role)))


def test_the_table_is_not_trivial():
    assert len(TRIPLES) == len(Status) * len(ACTIONS) * len(Role) > 2000
    allowed = [(s, a, r) for s, a, r in TRIPLES if (s, a) in TRANSITIONS
               and r in TRANSITIONS[(s, a)].roles]
    assert len(allowed) > 100


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_triple_of_a_status(status):
    failures = []
    for action, role in itertools.product(ACTIONS, list(Role)):
        o = order_in(status)
        rule = TRANSITIONS.get((status, action))
        try:
            t = o.apply(action, actor(role, action, status), AT, reason="理由充分",
                        data=DATA.get(action))
        except InvalidTransition:
            if rule is not None:
                failures.append(f"{status}/{action}/{role}: refused as invalid")
            continue
        except NotPermitted:
            if rule is not None and role in rule.roles:
                failures.append(f"{status}/{action}/{role}: refused as not permitted")
            continue
        if rule is None or role not in rule.roles:
            failures.append(f"{status}/{action}/{role}: allowed but not in the table")
            continue
        want = status if rule.to == PREVIOUS and action in OVERLAY_ACTIONS else \
            Status.SIGNED if rule.to == PREVIOUS else rule.to
        if t.to_status != want or o.status != want:
            failures.append(f"{status}/{action}/{role}: went to {o.status}, want {want}")
        if t.from_status != status or o.history[-1] is not t:
            failures.append(f"{status}/{action}/{role}: history not appended")
        # the rule's consequence: the owner changes exactly when the rule says so
        want_unit = DATA[action]["unit"] if rule.changes_owner else LEAD
        if o.unit != want_unit:
            failures.append(f"{status}/{action}/{role}: owner {o.unit}, want {want_unit}"
                            f" (changes_owner={rule.changes_owner})")
    assert not failures, "\n".join(failures)


def test_forbidden_errors_say_why():
    o = order_in(Status.DISPATCHED)
    with pytest.raises(InvalidTransition, match="dispatched"):
        o.apply("reply", actor(Role.DEPARTMENT, "reply"), AT, data={"reply": "x"})
    with pytest.raises(NotPermitted, match="签收"):
        o.apply("sign", Actor("agent", Role.AGENT), AT)


# ---- the consequences each rule carries (docs/design/architecture.md §3.1) ----

def test_every_rule_of_an_action_has_the_same_consequences():
    # the history records the action, not the rule: clocks, facts, events and the citizen's
    # timeline ask by action, so two rules of one action must agree
    seen: dict[str, tuple] = {}
    for (status, action), rule in TRANSITIONS.items():
        c = (rule.changes_owner, rule.event, rule.milestone)
        assert seen.setdefault(action, c) == c, f"{action} from {status}: {c} vs {seen[action]}"


def test_owner_changes_name_the_unit_and_reach_it():
    assert OWNER_ACTIONS == {"dispatch", "approve_return", "arbitrate"}
    for action in OWNER_ACTIONS:
        # whoever receives the order is told (the bug of issue 13: a dispatch from the queue
        # raised an event nobody handled)
        assert EVENT_OF[action].notifies and EVENT_OF[action].webhook == "order.dispatched"


def test_raised_events_are_declared_order_events():
    for action, event in EVENT_OF.items():
        assert issubclass(event, OrderEvent) and EVENTS[event.name] is event, action


def test_every_end_of_an_order_is_a_milestone_the_citizen_sees():
    for (_, action), rule in TRANSITIONS.items():
        if rule.to in CLOSED_STATES:
            assert MILESTONES.get(action), action
    # nothing internal leaks to the citizen's timeline
    assert not {"note", "assign", "urge", "supervise", "escalate_leader", "request_return",
                "reject_return", "assist_input"} & set(MILESTONES)


def test_every_action_effect_is_listed_and_names_an_action():
    from hotline.workorders.domain.model import EFFECTS
    methods = {n[len("_on_"):] for n in vars(WorkOrder) if n.startswith("_on_")}
    assert set(EFFECTS) == methods       # a misnamed `_on_*` method is never a silent no-op
    assert set(EFFECTS) <= set(ACTIONS)
    assert all(fn is getattr(WorkOrder, f"_on_{a}") for a, fn in EFFECTS.items())


# ---- 二级派单 (issue 17; docs/design/domain.md §6.8) ----

def test_village_rows_are_acted_on_by_the_village_and_the_town_only():
    town, village = Actor(LEAD, Role.DEPARTMENT, LEAD), Actor(VILLAGE, Role.DEPARTMENT, VILLAGE)
    other = Actor("village_441900121005", Role.DEPARTMENT, "village_441900121005")
    o = order_in(Status.SIGNED)
    with pytest.raises(NotPermitted):      # a village never passes an order on
        o.apply("subdispatch", village, AT, data={"unit": VILLAGE})
    t = o.apply("subdispatch", town, AT, data={"unit": VILLAGE})
    assert (o.status, o.unit, o.village, t.data["town"]) == \
        (Status.VILLAGE_DISPATCHED, LEAD, VILLAGE, LEAD)   # ownership stays with the town
    for who in (town, other):              # only the village it was passed to signs
        with pytest.raises(NotPermitted):
            o.apply("sign", who, AT)
    o.apply("sign", village, AT)
    o.apply("contact", village, AT, data={"note": "已电话联系"})
    with pytest.raises(NotPermitted):      # the village never replies to the citizen
        o.apply("village_report", town, AT, data={"report": "x"})
    o.apply("village_report", village, AT, data={"report": "已清理"})
    with pytest.raises(NotPermitted):      # the town reviews its village's report
        o.apply("accept_village_report", village, AT)
    o.apply("accept_village_report", town, AT)
    assert o.status == Status.IN_PROGRESS
    with pytest.raises(NotPermitted):      # back with the town: the village only reads it
        o.apply("note", village, AT, data={"note": "x"})
    o.apply("reply", town, AT, data={"reply": "已处理"})
    assert [t.action for t in o.history[1:]] == [
        "subdispatch", "sign", "contact", "village_report", "accept_village_report", "reply"]


def test_a_village_hands_back_with_a_reason():
    from hotline.workorders.domain.model import RuleViolation
    village = Actor(VILLAGE, Role.DEPARTMENT, VILLAGE)
    o = order_in(Status.VILLAGE_SIGNED)
    with pytest.raises(RuleViolation) as e:
        o.apply("village_return", village, AT)
    assert e.value.field == "reason"
    o.apply("village_return", village, AT, reason="涉及相邻村, 需镇统筹")
    assert (o.status, o.unit) == (Status.IN_PROGRESS, LEAD)
