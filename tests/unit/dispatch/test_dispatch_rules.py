"""Dispatch rules on constructed aggregates (no database): 首派 window, returns, arbitration,
co-handling, agent outcomes, the responsibility table and the "two 15%" arithmetic."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from hotline.core.app_config import load_config
from hotline.dispatch.domain import routing
from hotline.dispatch.domain.returns import Two15Policy, check
from hotline.workorders.domain.model import (
    Actor,
    InvalidTransition,
    NotPermitted,
    RuleViolation,
    WindowClosed,
    WorkOrder,
)
from hotline.workorders.domain.workflow import Role, Status
from hotline.workorders.rules import return_window_end

TZ = ZoneInfo("Asia/Shanghai")
TUE = dt.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)     # the day before National Day
AGENT = Actor("agent", Role.AGENT)
DISP = Actor("dispatcher", Role.DISPATCHER)
SUP = Actor("supervisor", Role.SUPERVISOR)
HUMEN = Actor("town_humen", Role.DEPARTMENT, "town_humen")
DONGCHENG = Actor("town_dongcheng", Role.DEPARTMENT, "town_dongcheng")
ENV = Actor("dept_env", Role.DEPARTMENT, "dept_env")
# the window production uses: services/rules.return_window_end over the shipped configuration
# (the configured working days in the SLA engine's calendar)
WINDOW = return_window_end(SimpleNamespace(config=load_config()))
RETURN = {"legal_basis": "《东莞市镇街权责清单》", "suggested_unit": "town_dongcheng"}


def dispatched(at=TUE, unit="town_humen") -> WorkOrder:
    o = WorkOrder(content="小区垃圾堆积", received_at=at, id=7, category="sanitation",
                  town="town_humen")
    o.apply("dispatch", AGENT, at, data={"unit": unit})
    return o


def test_return_window_spans_the_national_day_holiday():
    assert WINDOW(TUE) == dt.datetime(2025, 10, 9, 23, 59, 59, tzinfo=TZ)
    o = dispatched()
    t = o.apply("request_return", HUMEN, dt.datetime(2025, 10, 9, 23, 0, tzinfo=TZ),
                reason="不属于本镇职责", data=dict(RETURN), return_window_end=WINDOW)
    assert t.data["window_closes_at"].startswith("2025-10-09T23:59:59")
    assert o.status == Status.RETURN_REQUESTED


def test_return_after_the_window_is_refused_with_the_closing_time():
    o = dispatched()
    o.apply("sign", HUMEN, TUE)
    with pytest.raises(WindowClosed) as e:
        o.apply("request_return", HUMEN, dt.datetime(2025, 10, 10, 0, 0, 1, tzinfo=TZ),
                reason="不属于本镇职责", data=dict(RETURN), return_window_end=WINDOW)
    assert e.value.http_status == 409
    assert "2025-10-09T23:59:59" in e.value.message and "首办责任单位" in e.value.message
    assert o.status == Status.SIGNED and len(o.history) == 2


@pytest.mark.parametrize("reason,data,field", [
    (None, RETURN, "reason"), ("  ", RETURN, "reason"),
    ("不属于本镇", {"suggested_unit": "town_dongcheng"}, "legal_basis"),
    ("不属于本镇", {"legal_basis": "清单"}, "suggested_unit"),
    ("不属于本镇", {**RETURN, "suggested_unit": "town_humen"}, "suggested_unit"),
    ("不属于本镇", {**RETURN, "reason_code": "bogus"}, "reason_code"),
])
def test_return_needs_reason_basis_and_another_unit(reason, data, field):
    o = dispatched()
    with pytest.raises(RuleViolation) as e:
        o.apply("request_return", HUMEN, TUE, reason=reason, data=dict(data))
    assert e.value.field == field and e.value.http_status == 422


def test_rejected_return_goes_back_to_the_status_it_had_same_owner():
    o = dispatched()                                     # not signed
    o.apply("request_return", HUMEN, TUE, reason="不属于", data=dict(RETURN))
    o.apply("reject_return", DISP, TUE, reason="属于属地管理")
    assert o.status == Status.DISPATCHED and o.unit == "town_humen"
    o.apply("sign", HUMEN, TUE)                          # signed, then returned again
    o.apply("request_return", HUMEN, TUE, reason="仍不属于", data=dict(RETURN))
    with pytest.raises(NotPermitted, match="裁定"):     # second return: not a dispatcher's call
        o.apply("reject_return", DISP, TUE, reason="驳回")
    with pytest.raises(NotPermitted, match="裁定"):
        o.apply("approve_return", DISP, TUE, reason="同意", data={"unit": "town_dongcheng"})
    with pytest.raises(NotPermitted):
        o.apply("arbitrate_keep", DISP, TUE, reason="维持")
    o.apply("arbitrate_keep", SUP, TUE, reason="裁定: 属地管理, 由虎门镇办理")
    assert o.status == Status.SIGNED and o.unit == "town_humen"


def test_approved_return_redispatches_and_records_attribution():
    o = dispatched()
    o.apply("request_return", HUMEN, TUE, reason="不属于", data=dict(RETURN))
    with pytest.raises(RuleViolation, match="责任归属"):
        o.apply("approve_return", DISP, TUE, reason="同意",
                data={"unit": "town_dongcheng", "attributed_to": "somebody"})
    t = o.apply("approve_return", DISP, TUE, reason="地址在东城",
                data={"unit": "town_dongcheng", "attributed_to": "agent"})
    assert o.status == Status.DISPATCHED and o.unit == "town_dongcheng"
    assert o.first_unit == "town_humen"                  # 首派 is never rewritten
    assert t.data["from_unit"] == "town_humen" and t.data["attributed_to"] == "agent"
    # the new owner gets a fresh window; a second return by ANY unit goes to arbitration
    o.apply("request_return", DONGCHENG, TUE, reason="也不属于",
            data={**RETURN, "suggested_unit": "town_humen"})
    with pytest.raises(NotPermitted):
        o.apply("approve_return", DISP, TUE, reason="x", data={"unit": "town_humen"})
    t = o.apply("arbitrate", SUP, TUE, reason="裁定由虎门办理",
                data={"unit": "town_humen", "attributed_to": "category"})
    assert o.unit == "town_humen" and o.status == Status.DISPATCHED and t.data["from_unit"] == \
        "town_dongcheng"


def test_only_the_lead_replies_assistants_give_inputs():
    o = dispatched()
    o.apply("sign", HUMEN, TUE)
    o.apply("add_assist", HUMEN, TUE, data={"unit": "dept_env", "task": "噪声检测",
                                           "due": "2025-10-10T18:00:00+08:00"})
    assert o.assist_units == ["dept_env"]
    with pytest.raises(NotPermitted, match="协办单位"):
        o.apply("reply", ENV, TUE, data={"reply": "已处理"})
    with pytest.raises(NotPermitted):
        o.apply("reply", DONGCHENG, TUE, data={"reply": "已处理"})
    with pytest.raises(NotPermitted):
        o.apply("assist_input", HUMEN, TUE, data={"input": "x"})
    with pytest.raises(RuleViolation):
        o.apply("assist_input", ENV, TUE, data={})
    o.apply("assist_input", ENV, TUE, data={"input": "夜间噪声 62 分贝, 超标"})
    tasks = o.assist_tasks()
    assert tasks[0]["unit"] == "dept_env" and tasks[0]["inputs"][0]["input"].startswith("夜间")
    with pytest.raises(RuleViolation, match="已是协办单位"):
        o.apply("add_assist", DISP, TUE, data={"unit": "dept_env", "task": "x", "due": "2025"})
    with pytest.raises(RuleViolation, match="期限"):
        o.apply("add_assist", DISP, TUE, data={"unit": "dept_water", "task": "x"})
    o.apply("reply", HUMEN, TUE, data={"reply": "已协调整改"})
    assert o.status == Status.REPLIED


def test_agent_outcomes_without_dispatch():
    o = WorkOrder(content="咨询", received_at=TUE, id=3)
    with pytest.raises(RuleViolation, match="110/119/120/122"):
        o.apply("transfer_emergency", AGENT, TUE, data={"line": "12345"})
    t = o.apply("transfer_emergency", AGENT, TUE, data={"line": 119})
    assert t.data == {"line": "119", "transferred_at": TUE.isoformat()}
    m = WorkOrder(content="重复", received_at=TUE, id=4)
    with pytest.raises(RuleViolation):
        m.apply("merge", AGENT, TUE, reason="同一事项", data={"master_id": 4})
    m.apply("merge", AGENT, TUE, reason="同一事项", data={"master_id": "3"})
    assert m.master_id == 3 and m.status == Status.MERGED
    n = WorkOrder(content="诉讼", received_at=TUE, id=5)
    with pytest.raises(RuleViolation, match="理由"):
        n.apply("not_accept", AGENT, TUE, data={"reason_code": "legal_procedure"})
    with pytest.raises(RuleViolation):
        n.apply("not_accept", AGENT, TUE, reason="x", data={"reason_code": "nope"})
    n.apply("not_accept", AGENT, TUE, reason="属诉讼事项", data={"reason_code": "legal_procedure"})
    with pytest.raises(InvalidTransition):   # routing never re-runs after dispatch
        dispatched().apply("dispatch", DISP, TUE, data={"unit": "town_dongcheng"})


# ---- responsibility table ----

ENTRIES = routing.parse_entries([
    {"category": "cooking_fumes", "lead": "dept_urban", "assist": ["dept_env"]},
    {"category": "cooking_fumes", "town": "town_humen", "lead": "town_humen",
     "valid_from": "2026-01-01"},
    {"category": "river_pollution", "lead": "dept_water", "assist": ["town"],
     "valid_to": "2025-12-31"},
])


def test_most_specific_valid_entry_wins():
    d25, d26 = dt.date(2025, 6, 1), dt.date(2026, 6, 1)
    assert routing.resolve(ENTRIES, "cooking_fumes", "town_humen", d25).lead == "dept_urban"
    a = routing.resolve(ENTRIES, "cooking_fumes", "town_humen", d26)
    assert (a.lead, a.assist) == ("town_humen", ())
    r = routing.resolve(ENTRIES, "river_pollution", "town_changan", d25)
    assert (r.lead, r.assist) == ("dept_water", ("town_changan",))
    assert routing.resolve(ENTRIES, "river_pollution", "town_changan", d26) is None
    ruling = routing.parse_entries([{"category": "cooking_fumes", "lead": "dept_env"}],
                                   source="ruling")
    assert routing.resolve(ENTRIES + ruling, "cooking_fumes", "town_x", d25).lead == "dept_env"


def test_bad_entries_name_the_key():
    with pytest.raises(routing.RoutingError, match=r"entries\[0\]"):
        routing.parse_entries([{"category": "x", "lead": "nobody"}], units={"a"})
    with pytest.raises(routing.RoutingError, match="valid_from"):
        routing.parse_entries([{"category": "x", "lead": "a", "valid_from": "2025-13-01"}])


def test_configured_table_loads_against_the_city():
    from hotline.core.app_config import load_config
    conf = load_config()
    city, table = conf.city, conf.responsibility
    a = routing.unit_for(city, "cooking_fumes", "town_humen", dt.date(2026, 1, 5), table)
    assert a.lead == "dept_urban" and "dept_env" in a.assist
    b = routing.unit_for(city, "sanitation", "town_humen", dt.date(2026, 1, 5), table)
    assert (b.lead, b.source) == ("town_humen", "taxonomy")


# ---- two 15% ----

P = Two15Policy()


@pytest.mark.parametrize("returned,total,flagged,judged", [
    (149, 1000, False, True),    # 14.9 % : no
    (150, 1000, True, True),     # 15.0 % : yes
    (3, 20, True, True),         # 15 % at exactly the minimum
    (2, 20, False, True),
    (3, 19, False, False),       # 15.8 % but below the minimum of 20 orders
    (0, 0, False, False),
])
def test_two15_threshold_is_exact(returned, total, flagged, judged):
    r = check("agent", returned, total, P)
    assert (r.flagged, r.judged) == (flagged, judged)
