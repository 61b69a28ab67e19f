"""Issue 17: hard cases (Build 4), repeat appeals (Build 5) and transfers to other platforms
(Build 8), through the API on both backends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hotline.core.outbox import drain_once

PHONE = "13800138000"
LATER = (datetime.now(timezone.utc) + timedelta(days=10)).isoformat()
TODAY = datetime.now(timezone(timedelta(hours=8))).date()


def _returned_twice(api):
    o = api.create(content="小区门口垃圾堆积多日无人清运", town="town_humen", unit="town_humen")
    for n in range(2):
        api.act("town_humen", o["id"], "request_return", reason="不属本镇职责",
                legal_basis="三定方案", suggested_unit="dept_urban")
        if n == 0:
            api.act("dispatcher", o["id"], "reject_return", reason="属地管理, 由镇街办理")
    return o


def test_an_order_returned_twice_is_proposed_then_tracked_and_resolved(rt, api):
    o = _returned_twice(api)
    cases = api.as_("supervisor").get("/api/v1/hard-cases?status=proposed").json["items"]
    assert [(c["order_id"], c["reasons"], c["source"]) for c in cases] == [
        (o["id"], ["returned"], "auto")]
    while drain_once(rt):
        pass
    # supervisors are asked (their notification), units are not told of a proposal
    assert api.as_("agent").get("/api/v1/hard-cases").status_code == 403
    case = cases[0]
    r = api.as_("supervisor").post("/api/v1/hard-cases", json={
        "order_id": o["id"], "leader": "市政府副秘书长", "coordination_due": LATER,
        "note": "协调城管与镇街"})
    assert r.status_code == 201, r.json
    assert r.json["id"] == case["id"] and r.json["status"] == "open"
    assert r.json["leader"] == "市政府副秘书长" and not r.json["overdue"]
    # 挂牌督办 was recorded on the order when its status allowed it
    hist = api.as_("supervisor").get(f"/api/v1/orders/{o['id']}").json["history"]
    assert hist[-1]["action"] == "escalate_leader"
    # progress notes (append-only), by supervisors and leaders, never empty
    r = api.as_("leader").post(f"/api/v1/hard-cases/{case['id']}/notes",
                               json={"body": "已召开协调会, 明确城管牵头"})
    assert r.status_code == 200 and r.json["notes"][-1]["kind"] == "progress"
    r = api.as_("supervisor").post(f"/api/v1/hard-cases/{case['id']}/notes", json={"body": ""})
    assert r.status_code == 422
    assert api.as_("town_humen").post(f"/api/v1/hard-cases/{case['id']}/notes",
                                      json={"body": "x"}).status_code == 403
    r = api.as_("supervisor").post(f"/api/v1/hard-cases/{case['id']}/close",
                                   json={"outcome": "resolved", "body": "问题已化解"})
    assert r.status_code == 200 and r.json["status"] == "resolved"
    m = api.as_("leader").get(f"/api/v1/reports/hard-cases/monthly?year={TODAY.year}").json
    assert m["resolved"] == 1 and m["city_level"] == 1 and m["yearly_target"] == 50
    assert m["months"][TODAY.month - 1]["resolved"] == 1
    # a resolved case is not listed again by hand or by the criteria
    r = api.as_("supervisor").post("/api/v1/hard-cases", json={
        "order_id": o["id"], "leader": "x", "coordination_due": LATER})
    assert r.status_code == 422


def test_supervisor_flags_any_order_and_bad_input_is_named(api):
    o = api.create(content="某路段长期积水", town="town_humen", unit="town_humen")
    r = api.as_("dispatcher").post("/api/v1/hard-cases", json={
        "order_id": o["id"], "leader": "x", "coordination_due": LATER})
    assert r.status_code == 403
    r = api.as_("supervisor").post("/api/v1/hard-cases", json={
        "order_id": o["id"], "leader": "分管副市长", "coordination_due": "2001-01-01"})
    assert r.status_code == 422 and "coordination_due" in r.json["error"]["fields"]
    r = api.as_("supervisor").post("/api/v1/hard-cases", json={
        "order_id": o["id"], "leader": "分管副市长", "coordination_due": LATER})
    assert r.status_code == 201 and r.json["reasons"] == ["supervisor"]
    r = api.as_("supervisor").post(f"/api/v1/hard-cases/{r.json['id']}/close",
                                   json={"outcome": "dismissed", "body": "已正常办理"})
    assert r.status_code == 200 and r.json["status"] == "dismissed"


def _closed_order(api, content):
    o = api.create(content=content, town="town_humen", unit="town_humen",
                   address="虎门镇白沙社区一巷3号", caller={"name": "张先生", "phone": PHONE})
    api.act("town_humen", o["id"], "sign")
    api.act("town_humen", o["id"], "reply", reply="已安排清运, 今后每日清运两次")
    api.act("dispatcher", o["id"], "accept_reply")
    api.act("dispatcher", o["id"], "close")
    return o


def test_repeat_appeals_are_linked_reopened_and_counted(api):
    first = _closed_order(api, "白沙社区一巷垃圾堆积多日无人清运")
    # the new appeal is shown the caller's and the place's earlier order with its outcome
    new = api.create(content="白沙社区一巷垃圾又堆满了", town="town_humen",
                     address="虎门镇白沙社区一巷3号", caller={"phone": PHONE})
    [e] = [e for e in new["earlier"] if e["id"] == first["id"]]
    assert e["closed"] and e["same_caller"] and e["same_place"]
    assert e["outcome"] == "已安排清运, 今后每日清运两次"
    listed = api.as_("agent").get(f"/api/v1/orders/{new['id']}/earlier").json["items"]
    assert [x["id"] for x in listed] == [first["id"]]
    assert api.as_("town_humen").get(f"/api/v1/orders/{new['id']}/earlier").status_code == 403

    # reopen the earlier order (reason required) and link the new appeal to it
    r = api.as_("agent").post(f"/api/v1/orders/{new['id']}/repeat",
                              json={"earlier_id": first["id"], "reopen": True})
    assert r.status_code == 422
    r = api.as_("agent").post(f"/api/v1/orders/{new['id']}/repeat", json={
        "earlier_id": first["id"], "reopen": True, "reason": "清运后再次堆积, 问题未解决"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "repeat_linked"
    old = api.as_("agent").get(f"/api/v1/orders/{first['id']}").json
    assert old["status"] == "reopened" and old["unit"] == "town_humen"
    assert old["history"][-1]["action"] == "reopen_repeat"

    # a second caller's repeat is linked to the (now open) order without reopening
    third = api.create(content="白沙社区一巷的垃圾一直没人清理", town="town_humen")
    r = api.as_("agent").post(f"/api/v1/orders/{third['id']}/repeat",
                              json={"earlier_id": first["id"]})
    assert r.status_code == 200 and r.json["status"] == "repeat_linked"
    # only earlier orders; an unknown one is named
    r = api.as_("agent").post(f"/api/v1/orders/{first['id']}/repeat",
                              json={"earlier_id": third["id"]})
    assert r.status_code in (409, 422)
    r = api.as_("agent").post(f"/api/v1/orders/{third['id']}/repeat",
                              json={"earlier_id": 999999})
    assert r.status_code == 422 and "earlier_id" in r.json["error"]["fields"]

    rep = api.as_("supervisor").get("/api/v1/reports/repeats").json
    assert rep["repeats"] == 2 and rep["reopened"] == 1
    [row] = rep["items"]
    assert (row["unit"], row["unit_name"], row["repeats"], row["reopened"]) == (
        "town_humen", "虎门镇", 2, 1)


def test_transfers_to_other_platforms_stay_open_until_answered_or_closed(api):
    a = api.create(content="我对法院的判决不服, 要求重新审理", town="town_humen")
    r = api.as_("agent").post(f"/api/v1/orders/{a['id']}/transfer_platform", json={
        "data": {"platform": "other_city", "receiver": "广州12345"}})
    assert r.status_code == 422 and "city" in str(r.json["error"]["fields"])
    r = api.as_("agent").post(f"/api/v1/orders/{a['id']}/transfer_platform", json={
        "data": {"platform": "weibo", "receiver": "x"}})
    assert r.status_code == 422
    api.act("agent", a["id"], "transfer_platform", platform="xinfang", receiver="市信访局",
            reference="XF2026-001")
    b = api.create(content="广州的社保关系转移到东莞怎么办", town="town_humen")
    api.act("agent", b["id"], "transfer_platform", platform="yue12345",
            receiver="广东省12345 (粤省心)")
    o = api.as_("agent").get(f"/api/v1/orders/{a['id']}").json
    assert o["status"] == "transferred_platform"
    items = api.as_("dispatcher").get("/api/v1/transfers").json["items"]
    assert [(i["order_id"], i["platform_label"], i["receiver"], i["reference"])
            for i in items] == [(a["id"], "信访部门", "市信访局", "XF2026-001"),
                                (b["id"], "广东省12345 (粤省心)", "广东省12345 (粤省心)", None)]
    # the receiver's answer closes the transfer; closing without one needs a reason
    api.act("agent", a["id"], "transfer_answer", answer="已按信访程序受理")
    api.act("dispatcher", b["id"], "transfer_close", expect=422)
    api.act("agent", b["id"], "transfer_close", expect=403)
    api.act("dispatcher", b["id"], "transfer_close", reason="对方平台已电话告知办结")
    assert api.as_("dispatcher").get("/api/v1/transfers").json["items"] == []
    o = api.as_("agent").get(f"/api/v1/orders/{a['id']}").json
    assert o["status"] == "transfer_closed"
    assert [t["action"] for t in o["history"]][-2:] == ["transfer_platform", "transfer_answer"]


def test_the_bulletin_lists_the_months_hard_cases(rt, api):
    """Issue 18 item 5: the bulletin's 疑难工单 section is filled by the hard cases (wired in
    core/bootstrap.py): a case opened this month is listed with its leader and state."""
    o = api.create(content="某路段长期积水, 多次反映未解决", town="town_humen", unit="town_humen")
    r = api.as_("supervisor").post("/api/v1/hard-cases", json={
        "order_id": o["id"], "leader": "分管副市长", "coordination_due": LATER})
    assert r.status_code == 201
    month = f"{TODAY:%Y-%m}"
    outline = api.as_("supervisor").get(
        f"/api/v1/reports/bulletin?format=outline&month={month}").json
    sec = {s["key"]: s for s in outline["sections"]}["hard_cases"]
    assert sec["empty"] is False and sec["count"] == 1
    from hotline.hardcases import service as hardcases
    table = hardcases.bulletin_table(rt, TODAY.replace(day=1), TODAY)
    [row] = table["items"]
    assert row["order_number"] == o["number"] and row["leader"] == "分管副市长"
    # a month before any case: nothing to print (the bulletin says 本月暂无数据)
    assert hardcases.bulletin_table(rt, TODAY.replace(year=TODAY.year - 1, day=1),
                                    TODAY.replace(year=TODAY.year - 1, day=28)) is None
