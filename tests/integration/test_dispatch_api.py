"""Dispatch scenarios through the HTTP API, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from hotline.core.orm import TransitionRow

RET = {"legal_basis": "《东莞市镇街权责清单》第12项", "suggested_unit": "town_dongcheng",
       "reason_code": "wrong_town"}


def _rt(api):
    return api.app.extensions["hotline"]


def _order(api, unit="town_humen", **kw):
    return api.create(unit=unit, town="town_humen", **kw)["id"]


def _age_dispatch(api, oid, days):
    """Move the order's dispatch back in time (the 退单 window runs from dispatch)."""
    rt = _rt(api)
    with rt.uow() as uow:
        for t in uow.session.query(TransitionRow).filter_by(order_id=oid).all():
            uow.session.execute(update(TransitionRow).where(TransitionRow.id == t.id)
                                .values(at=t.at - timedelta(days=days)))
        uow.commit()


def _err(api, user, oid, action, reason=None, expect=409, **data):
    r = api.as_(user).post(f"/api/v1/orders/{oid}/{action}", json={"reason": reason, "data": data})
    assert r.status_code == expect, (r.status_code, r.json)
    return r.json["error"]["message"]


def test_return_inside_window_then_rejected_keeps_owner_and_status(api):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    o = api.act("town_humen", oid, "request_return", "该路段属东城街道管辖", **RET)
    assert o["status"] == "return_requested"
    assert o["history"][-1]["data"]["window_closes_at"]
    q = api.as_("dispatcher").get("/api/v1/dispatch/reviews?kind=returns").json
    assert [i["id"] for i in q["items"]] == [oid]
    assert q["items"][0]["request"]["data"]["legal_basis"] == RET["legal_basis"]
    inbox = api.as_("town_humen").get("/api/v1/inbox?tab=return_pending").json
    assert inbox["counts"]["return_pending"] == 1 and inbox["items"][0]["id"] == oid
    o = api.act("dispatcher", oid, "reject_return", "经核实属虎门镇辖区")
    assert o["status"] == "signed" and o["unit"] == "town_humen"


def test_return_after_the_window_is_409_with_closing_time(api):
    oid = _order(api)
    _age_dispatch(api, oid, 30)
    msg = _err(api, "town_humen", oid, "request_return", "不属于本镇", **RET)
    assert "退单窗口已于" in msg and "关闭" in msg


def test_return_without_reason_or_basis_is_422(api):
    oid = _order(api)
    r = api.as_("town_humen").post(f"/api/v1/orders/{oid}/request_return",
                                   json={"data": RET})
    assert r.status_code == 422 and "理由" in r.json["error"]["message"]
    assert "reason" in r.json["error"]["fields"]
    msg = _err(api, "town_humen", oid, "request_return", "不属于", 422,
               suggested_unit="town_dongcheng")
    assert "依据" in msg


def test_reply_by_a_unit_that_is_not_the_owner_is_404_or_403(api):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    # another unit cannot even see it
    r = api.as_("town_dongcheng").post(f"/api/v1/orders/{oid}/reply",
                                       json={"data": {"reply": "已处理"}})
    assert r.status_code == 404


def test_co_handling_assistant_inputs_and_no_reply(api):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    api.act("town_humen", oid, "add_assist", unit="dept_env", task="夜间噪声检测", days=2)
    # the assisting unit sees the order and its task, not a reply button
    task = api.as_("dept_env").get("/api/v1/inbox?tab=assist").json
    assert task["items"][0]["id"] == oid and task["items"][0]["assist_task"]["task"] == "夜间噪声检测"
    assert api.as_("dept_env").get(f"/api/v1/orders/{oid}").status_code == 200
    msg = _err(api, "dept_env", oid, "reply", None, 403, reply="已处理")
    assert "协办单位" in msg and "主办单位" in msg
    api.act("dept_env", oid, "assist_input", input="检测结果: 62 分贝, 超标")
    facts = api.as_("town_humen").get(f"/api/v1/orders/{oid}/dispatch").json
    t = facts["assist_tasks"][0]
    assert t["unit"] == "dept_env" and t["inputs"] == 1
    assert t["inputs_detail"][0]["input"].startswith("检测结果")
    o = api.act("town_humen", oid, "reply", reply="已协调整改, 噪声达标")
    assert o["status"] == "replied"


def test_second_return_goes_to_arbitration_dispatcher_403(api):
    oid = _order(api, category="sanitation")
    api.act("town_humen", oid, "request_return", "不属于本镇", **RET)
    api.act("dispatcher", oid, "approve_return", "地址在东城", unit="town_dongcheng",
            attributed_to="agent")
    api.act("town_dongcheng", oid, "request_return", "也不属于东城",
            legal_basis="权责清单", suggested_unit="town_humen")
    assert api.as_("dispatcher").get("/api/v1/dispatch/reviews?kind=returns").json["total"] == 0
    msg = _err(api, "dispatcher", oid, "approve_return", "同意", 403, unit="town_humen")
    assert "裁定" in msg
    _err(api, "dispatcher", oid, "reject_return", "驳回", 403)
    arb = api.as_("supervisor").get("/api/v1/dispatch/arbitration").json
    assert [i["id"] for i in arb["items"]] == [oid] and len(arb["items"][0]["returns"]) == 2
    assert api.as_("dispatcher").get("/api/v1/dispatch/arbitration").status_code == 403
    o = api.act("supervisor", oid, "arbitrate", "裁定: 由虎门镇办理", unit="town_humen",
                save_rule=True)
    assert o["status"] == "dispatched" and o["unit"] == "town_humen"
    rules = api.as_("dispatcher").get("/api/v1/routing/rules").json["items"]
    assert rules[0]["lead"] == "town_humen" and rules[0]["order_id"] == oid
    s = api.as_("agent").get("/api/v1/routing/suggest?category=sanitation&town=town_humen").json
    assert s["source"] == "ruling" and s["lead"] == "town_humen"


def test_returns_report_counts_each_outcome(api):
    a, b, c = _order(api), _order(api), _order(api)
    for oid in (a, b, c):
        api.act("town_humen", oid, "request_return", "不属于", **RET)
    api.act("dispatcher", a, "approve_return", "同意", unit="town_dongcheng",
            attributed_to="agent")
    api.act("dispatcher", b, "reject_return", "驳回")
    api.act("dispatcher", c, "approve_return", "同意", unit="town_dongcheng")
    api.act("town_dongcheng", c, "request_return", "不属于", legal_basis="清单",
            suggested_unit="town_humen")
    api.act("supervisor", c, "arbitrate_keep", "裁定维持东城办理")
    # a period around today (a report spans at most ten years, issue 12)
    period = f"from={date.today() - timedelta(days=366)}&to={date.today() + timedelta(days=366)}"
    r = api.as_("supervisor").get(f"/api/v1/reports/returns?{period}").json
    units = {u["unit"]: u for u in r["units"]}
    assert units["town_humen"] == dict(units["town_humen"], requested=3, approved=2, rejected=1,
                                       arbitration_kept=0)
    assert units["town_dongcheng"]["requested"] == 1 and \
        units["town_dongcheng"]["arbitration_kept"] == 1
    agents = {x["agent"]: x for x in r["agents"]}
    assert agents["agent"]["attributed_returns"] == 1 and agents["agent"]["orders"] == 3
    assert r["totals"]["approved"] == 2 and r["totals"]["rejected"] == 1
    bad = api.as_("supervisor").get("/api/v1/reports/returns?from=x&to=2100-01-01")
    assert bad.status_code == 422 and "from" in bad.json["error"]["fields"]
    assert api.as_("town_humen").get(f"/api/v1/reports/returns?{period}").status_code == 403


@pytest.mark.parametrize("received,urgency,due", [
    # received_at given in UTC (10:00, 14:00, 09:00 Beijing time): on SQLite the intake
    # service currently stores a +08:00 value without converting it (reported to the lead)
    ("2025-09-30T02:00:00+00:00", "normal", "2025-09-30T23:59:59+08:00"),  # before 12:00
    ("2025-09-30T06:00:00+00:00", "normal", "2025-10-09T12:00:00+08:00"),  # after the holiday
    ("2025-10-01T01:00:00+00:00", "urgent", "2025-10-01T09:05:00+08:00"),  # 5 min, 24x7
])
def test_dispatcher_queue_has_its_own_clock(api, received, urgency, due):
    # not a rapid-response item (a 红绿灯故障 is rr27 now: dispatched to its unit at once)
    o = api.create("admin", content="市民反映某路口人行道地砖松动多处, 请安排维修",
                   received_at=received, urgency=urgency)          # no unit: queued
    q = api.as_("dispatcher").get("/api/v1/dispatch/queue").json
    item = next(i for i in q["items"] if i["id"] == o["id"])
    assert item["dispatch_due"] == due and item["dispatch_overdue"] is True
    assert api.as_("town_humen").get("/api/v1/dispatch/queue").status_code == 403


def test_merge_link_and_the_master_reply_reaches_the_merged_caller(api):
    from hotline.core.outbox import drain_once
    master = _order(api)
    child = api.create(content="市民反映小区门口垃圾堆积多日, 与之前反映同一问题")["id"]
    o = api.act("agent", child, "merge", "同一地点同一事项", master_id=master)
    assert o["status"] == "merged" and o["master_id"] == master
    _err(api, "agent", _order(api), "merge", "x", 422, master_id=999999)
    facts = api.as_("dispatcher").get(f"/api/v1/orders/{master}/dispatch").json
    assert facts["merged_orders"][0]["id"] == child
    api.act("town_humen", master, "sign")
    api.act("town_humen", master, "reply", reply="已清运完毕")
    api.act("dispatcher", master, "accept_reply")
    drain_once(_rt(api))
    drain_once(_rt(api))
    notes = api.as_("dispatcher").get(f"/api/v1/orders/{child}").json["notes"]
    assert [n["body"] for n in notes if n["kind"] == "citizen_reply"] == ["已清运完毕"]


def test_emergency_and_not_accept(api):
    oid = api.create(content="市民来电称家中起火, 情况紧急需要帮助")["id"]
    _err(api, "agent", oid, "transfer_emergency", None, 422, line="12345")
    o = api.act("agent", oid, "transfer_emergency", line="119")
    assert o["history"][-1]["data"]["line"] == "119" and o["history"][-1]["data"]["transferred_at"]


def _attributed_returns(api, n_orders, n_returns, **extra):
    ids = [_order(api) for _ in range(n_orders)]
    for oid in ids[:n_returns]:
        api.act("town_humen", oid, "request_return", "不属于", **RET)
        api.act("dispatcher", oid, "approve_return", "同意", unit="town_dongcheng",
                attributed_to="agent", **extra)
    return ids


def test_two15_flags_agent_at_15_percent_and_blocks_intake(api):
    _attributed_returns(api, 20, 2)            # 10 %: no flag
    ov = api.as_("supervisor").get("/api/v1/dispatch/two15").json
    assert ov["flags"] == [] and ov["agents"][0]["percent"] == 10.0
    # one more return on the 20 orders: 3/20 = 15.0 % -> flagged, intake blocked
    more = [i["id"] for i in api.as_("town_humen").get("/api/v1/inbox?tab=to_sign").json["items"]]
    api.act("town_humen", more[0], "request_return", "不属于", **RET)
    api.act("dispatcher", more[0], "approve_return", "同意", unit="town_dongcheng",
            attributed_to="agent")
    ov = api.as_("supervisor").get("/api/v1/dispatch/two15").json
    flag = ov["flags"][0]
    assert (flag["subject"], flag["returned"], flag["total"], flag["rate_percent"]) == \
        ("agent", 3, 20, 15.0)
    r = api.as_("agent").post("/api/v1/orders", json={"content": "市民反映路灯不亮已有一周"})
    assert r.status_code == 403 and "15%" in r.json["error"]["message"]
    assert api.as_("dispatcher").post(f"/api/v1/dispatch/two15/flags/{flag['id']}/clear",
                                      json={"reason": "x"}).status_code == 403
    c = api.as_("supervisor").post(f"/api/v1/dispatch/two15/flags/{flag['id']}/clear",
                                   json={"reason": "已完成再培训"})
    assert c.status_code == 200 and c.json["cleared_by"] == "supervisor"
    assert api.as_("agent").post("/api/v1/orders", json={
        "content": "市民反映路灯不亮已有一周"}).status_code == 201


def test_two15_not_below_the_minimum(api):
    _attributed_returns(api, 19, 3)            # 15.8 % of 19 orders: not judged
    ov = api.as_("supervisor").get("/api/v1/dispatch/two15").json
    assert ov["flags"] == [] and ov["agents"][0]["judged"] is False
    assert api.as_("agent").post("/api/v1/orders", json={
        "content": "市民反映路灯不亮已有一周"}).status_code == 201


def test_two15_category_flag(api):
    ids = [_order(api, category="sanitation") for _ in range(20)]
    for oid in ids[:3]:
        api.act("town_humen", oid, "request_return", "分类错误", **RET)
        api.act("dispatcher", oid, "approve_return", "同意", unit="town_dongcheng",
                attributed_to="category")
    flags = api.as_("supervisor").get("/api/v1/dispatch/two15").json["flags"]
    assert [(f["kind"], f["subject"], f["intake_blocked"]) for f in flags] == \
        [("category", "sanitation", False)]
