"""会商 (issue 17, Build 3): a consultation with three units ends in a supervisor's decision
that is recorded on the order, routes it, and becomes the routing rule that sends the next
order of that category and town to the decided units (both backends)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

HUMEN, CHANGAN = "town_humen", "town_changan"
NOISE = "living_noise"     # 社会生活噪声: a 属地 matter by the taxonomy (the town leads)
DEADLINE = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()


def _returned_order(api):
    """An order the town received by the taxonomy and asks to return (ownership unclear)."""
    o = api.create(content="小区楼下广场舞音响声音很大, 每晚十点后仍不停止", town=HUMEN,
                   category=NOISE)
    assert o["unit"] == HUMEN and o["status"] == "dispatched"
    api.act(HUMEN, o["id"], "request_return", reason="噪声源为经营场所, 属执法部门职责",
            legal_basis="《噪声污染防治法》第八条", suggested_unit="dept_env")
    return o


def _open(api, order_id, units=("town_humen", "dept_env", "dept_police"), expect=201, **kw):
    r = api.as_("supervisor").post("/api/v1/consultations", json={
        "order_id": order_id, "units": list(units), "deadline": DEADLINE,
        "topic": "广场舞噪声由谁牵头", **kw})
    assert r.status_code == expect, r.json
    return r.json


def _answer(api, unit, cid, answer, expect=200, **kw):
    r = api.as_(unit).post(f"/api/v1/consultations/{cid}/answers",
                           json={"answer": answer, **kw})
    assert r.status_code == expect, r.json
    return r.json


def test_consultation_of_three_units_routes_the_next_order(api):
    o = _returned_order(api)
    c = _open(api, o["id"])
    assert [u["unit"] for u in c["units"]] == [HUMEN, "dept_env", "dept_police"]
    # the opening is a transition of the order (append-only record)
    hist = api.as_("supervisor").get(f"/api/v1/orders/{o['id']}").json["history"]
    assert hist[-1]["action"] == "consult_open"

    # a decline needs its legal basis (422 naming the field)
    r = api.as_(HUMEN).post(f"/api/v1/consultations/{c['id']}/answers",
                            json={"answer": "decline"})
    assert r.status_code == 422 and "legal_basis" in r.json["error"]["fields"]
    _answer(api, HUMEN, c["id"], "decline", legal_basis="《噪声污染防治法》第六十一条")
    _answer(api, "dept_env", c["id"], "lead", note="我局牵头, 现场监测")
    c = _answer(api, "dept_police", c["id"], "assist")
    assert {u["unit"]: u["answer"] for u in c["units"]} == {
        HUMEN: "decline", "dept_env": "lead", "dept_police": "assist"}
    # a unit not consulted neither sees nor answers it
    assert api.as_("dept_housing").get(f"/api/v1/consultations/{c['id']}").status_code == 404
    _answer(api, "dept_housing", c["id"], "lead", expect=404)
    # only a supervisor decides
    r = api.as_("dispatcher").post(f"/api/v1/consultations/{c['id']}/decision",
                                   json={"lead": "dept_env", "reason": "x"})
    assert r.status_code == 403

    r = api.as_("supervisor").post(f"/api/v1/consultations/{c['id']}/decision", json={
        "lead": "dept_env", "assist": ["dept_police"], "reason": "经营场所噪声由生态环境局牵头"})
    assert r.status_code == 200, r.json
    d = r.json["decision"]
    assert d["lead"] == "dept_env" and d["assist"] == ["dept_police"]
    assert d["applied"] == "arbitrated" and d["routing_rule_id"]
    # the order itself follows the decision: the ruling and the assisting unit's task
    order = api.as_("supervisor").get(f"/api/v1/orders/{o['id']}").json
    assert order["unit"] == "dept_env" and order["assist_units"] == ["dept_police"]
    assert [t["action"] for t in order["history"][-3:]] == [
        "consult_decide", "arbitrate", "add_assist"]
    # decided once (append-only)
    r = api.as_("supervisor").post(f"/api/v1/consultations/{c['id']}/decision", json={
        "lead": HUMEN, "reason": "改变主意"})
    assert r.status_code == 422
    _answer(api, HUMEN, c["id"], "lead", expect=422)

    # the next order of that category and town goes to the decided units
    nxt = api.create(content="楼下商铺音响噪声扰民", town=HUMEN, category=NOISE)
    assert nxt["unit"] == "dept_env" and nxt["assist_units"] == ["dept_police"]
    # ... and another town keeps the taxonomy's owner
    other = api.create(content="楼下商铺音响噪声扰民", town=CHANGAN, category=NOISE)
    assert other["unit"] == CHANGAN
    rules = api.as_("supervisor").get("/api/v1/dispatch/rules")
    if rules.status_code == 200:   # the saved rulings' list names the consultation's rule
        assert any(r["id"] == d["routing_rule_id"] and r["lead"] == "dept_env"
                   for r in rules.json["items"])


def test_pending_order_is_dispatched_by_the_decision(api):
    o = api.create(content="某商场门口占道摆卖, 影响通行", town=HUMEN)
    assert o["status"] == "pending_dispatch"
    c = _open(api, o["id"], units=("town_humen", "dept_urban"))
    # the dispatcher may open one too, but not a second one on the same order
    _open(api, o["id"], units=("town_humen", "dept_urban"), expect=422)
    r = api.as_("supervisor").post(f"/api/v1/consultations/{c['id']}/decision", json={
        "lead": "dept_urban", "assist": ["town_humen"], "reason": "商场红线内由城管牵头",
        "category": "street_vending"})
    assert r.status_code == 200, r.json
    assert r.json["decision"]["applied"] == "dispatched"
    order = api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}").json
    assert order["status"] == "dispatched" and order["unit"] == "dept_urban"
    assert order["category"] == "street_vending" and order["assist_units"] == ["town_humen"]
    nxt = api.create(content="商场门口有人摆摊", town=HUMEN, category="street_vending")
    assert nxt["unit"] == "dept_urban"


def test_bad_consultations_are_refused(api):
    o = api.create(content="某商场门口占道摆卖, 影响通行", town=HUMEN)
    _open(api, o["id"], units=("town_humen",), expect=422)                     # one unit
    _open(api, o["id"], units=("town_humen", "dept_env", "dept_police", "dept_urban",
                               "dept_land"), expect=422)                        # five units
    _open(api, o["id"], units=("town_humen", "nope"), expect=422)              # unknown unit
    r = api.as_("supervisor").post("/api/v1/consultations", json={
        "order_id": o["id"], "units": ["town_humen", "dept_env"],
        "deadline": "2001-01-01T00:00:00+08:00"})
    assert r.status_code == 422 and "deadline" in r.json["error"]["fields"]
    r = api.as_("agent").post("/api/v1/consultations", json={
        "order_id": o["id"], "units": ["town_humen", "dept_env"], "deadline": DEADLINE})
    assert r.status_code == 403
    # the generic action endpoint cannot write a consultation record without one
    r = api.as_("supervisor").post(f"/api/v1/orders/{o['id']}/consult_open",
                                   json={"data": {}})
    assert r.status_code == 422
