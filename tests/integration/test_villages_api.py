"""二级派单 over the API, on SQLite and PostgreSQL (issue 17 item 2;
docs/design/domain.md §6.8): the town that owns an order passes it to one of its villages and keeps ownership; the
village signs, reports or hands it back; the town reviews the report before it replies. A
village sees only its own orders (core/access.py)."""
from __future__ import annotations

HUMEN, CHANGAN = "town_humen", "town_changan"
V1, V2 = "village_441900121004", "village_441900121005"      # two villages of 虎门镇
CV = "village_441900119002"                                   # a village of 长安镇


def _town_order(api, town=HUMEN):
    oid = api.create(unit=town, town=town)["id"]
    api.act(town, oid, "sign")
    return oid


def test_units_list_villages_with_their_town_in_one_response(api):
    r = api.as_("agent").get("/api/v1/units")
    assert r.status_code == 200
    items = {u["code"]: u for u in r.json["items"]}
    assert r.json["total"] == len(r.json["items"]) == r.json["per_page"] > 600   # no paging
    assert items[V1] == {"code": V1, "name": items[V1]["name"], "kind": "village",
                         "parent": HUMEN}
    assert items[V1]["name"].endswith(("村", "社区"))
    assert items[HUMEN]["kind"] == "town" and items[HUMEN]["parent"] is None
    assert sum(u["kind"] == "village" for u in items.values()) == 605


def test_the_town_passes_an_order_to_its_village_and_keeps_it(api):
    oid = _town_order(api)
    o = api.act(HUMEN, oid, "subdispatch", unit=V1, note="请核实并清理")
    assert (o["status"], o["unit"]) == ("village_dispatched", HUMEN)   # 首派责任制 stays
    api.act(V1, oid, "sign")
    api.act(V1, oid, "contact", note="已电话联系市民")
    api.act(V1, oid, "village_report", report="已组织清运, 现场已清理干净")
    # the village cannot reply to the citizen nor review its own report
    api.act(V1, oid, "accept_village_report", expect=403)
    api.act(HUMEN, oid, "accept_village_report")
    o = api.act(HUMEN, oid, "reply", reply="经村委核实, 垃圾已清运")
    assert o["status"] == "replied"
    hist = api.as_(HUMEN).get(f"/api/v1/orders/{oid}").json["history"]
    acts = [(t["action"], t["unit"]) for t in hist]
    assert acts[-6:] == [("subdispatch", HUMEN), ("sign", V1), ("contact", V1),
                         ("village_report", V1), ("accept_village_report", HUMEN),
                         ("reply", HUMEN)]
    # the village still sees what it did, read-only
    assert api.as_(V1).get(f"/api/v1/orders/{oid}").status_code == 200
    api.act(V1, oid, "note", note="补充", expect=403)


def test_a_village_sees_only_its_own_orders(api):
    mine, sibling = _town_order(api), _town_order(api)
    api.act(HUMEN, mine, "subdispatch", unit=V1)
    api.act(HUMEN, sibling, "subdispatch", unit=V2)
    assert api.as_(V1).get(f"/api/v1/orders/{mine}").status_code == 200
    assert api.as_(V1).get(f"/api/v1/orders/{sibling}").status_code == 404
    listed = api.as_(V1).get("/api/v1/orders").json["items"]
    assert [o["id"] for o in listed] == [mine]
    # nor can it act on a sibling's order, nor on an order still with its town
    api.act(V1, sibling, "sign", expect=404)
    town_only = _town_order(api)
    api.act(V1, town_only, "note", note="x", expect=404)
    # the town sees its villages' work
    ids = {o["id"] for o in api.as_(HUMEN).get("/api/v1/orders").json["items"]}
    assert {mine, sibling, town_only} <= ids


def test_a_village_cannot_act_on_another_towns_order(api):
    oid = _town_order(api, CHANGAN)
    api.act(CHANGAN, oid, "subdispatch", unit=CV)
    api.act(V1, oid, "sign", expect=404)
    api.act(V1, oid, "village_return", reason="不属本村", expect=404)
    # and a town cannot act in its neighbour's village work either
    api.act(HUMEN, oid, "accept_village_report", expect=404)


def test_subdispatch_to_another_towns_village_is_refused(api):
    oid = _town_order(api)
    r = api.as_(HUMEN).post(f"/api/v1/orders/{oid}/subdispatch", json={"data": {"unit": CV}})
    assert r.status_code == 422, r.json
    assert "data.unit" in r.json["error"]["fields"]
    assert "不属于虎门镇" in r.json["error"]["fields"]["data.unit"][0]
    for bad in ({}, {"unit": "dept_env"}, {"unit": HUMEN}):
        r = api.as_(HUMEN).post(f"/api/v1/orders/{oid}/subdispatch", json={"data": bad})
        assert r.status_code == 422 and "data.unit" in r.json["error"]["fields"], (bad, r.json)
    # the centre never dispatches to a village directly
    oid2 = api.create(town=HUMEN)["id"]
    r = api.as_("dispatcher").post(f"/api/v1/orders/{oid2}/dispatch", json={"data": {"unit": V1}})
    assert r.status_code == 422 and "data.unit" in r.json["error"]["fields"], r.json


def test_the_village_hands_back_and_the_town_sends_a_report_back(api):
    oid = _town_order(api)
    api.act(HUMEN, oid, "subdispatch", unit=V1)
    api.act(V1, oid, "village_return", expect=422)            # a reason is required
    o = api.act(V1, oid, "village_return", reason="涉及两村交界, 请镇统筹")
    assert (o["status"], o["unit"]) == ("in_progress", HUMEN)
    api.act(HUMEN, oid, "subdispatch", unit=V2)
    api.act(V2, oid, "sign")
    api.act(V2, oid, "village_report", report="已处理")
    o = api.act(HUMEN, oid, "reject_village_report", reason="未附现场照片")
    assert o["status"] == "village_signed"
    assert api.as_(V1).get(f"/api/v1/orders/{oid}").status_code == 404   # moved to V2


def test_inboxes_of_the_village_and_its_town(api):
    oid = _town_order(api)
    api.act(HUMEN, oid, "subdispatch", unit=V1)

    def tab(user, name):
        r = api.as_(user).get(f"/api/v1/inbox?tab={name}")
        assert r.status_code == 200, r.json
        return r.json

    v = tab(V1, "to_sign")
    assert [t["key"] for t in v["tabs"]] == ["to_sign", "in_progress", "reported", "assist"]
    assert [i["id"] for i in v["items"]] == [oid] and v["counts"]["to_sign"] == 1
    assert tab(V2, "to_sign")["items"] == []                 # the sibling's inbox is empty
    assert [i["id"] for i in tab(HUMEN, "at_village")["items"]] == [oid]
    assert oid not in [i["id"] for i in tab(HUMEN, "to_sign")["items"]]
    api.act(V1, oid, "sign")
    assert [i["id"] for i in tab(V1, "in_progress")["items"]] == [oid]
    api.act(V1, oid, "village_report", report="已处理")
    assert [i["id"] for i in tab(HUMEN, "village_reported")["items"]] == [oid]
    assert [i["id"] for i in tab(V1, "reported")["items"]] == [oid]
    # a department with no villages keeps its usual tabs
    assert "at_village" not in tab("dept_env", "to_sign")["counts"]


def test_a_village_sees_its_own_orders_on_its_sla_lists(api, rt):
    """/inbox/sla for a village: the orders its town passed to it that are overdue, not its
    sibling's (the SLA state's unit is the owning town, so a unit filter would show none)."""
    from sqlalchemy import update

    from hotline.sla.orm import SlaOrderStateRow
    mine, sibling = _town_order(api), _town_order(api)
    api.act(HUMEN, mine, "subdispatch", unit=V1)
    api.act(HUMEN, sibling, "subdispatch", unit=V2)
    with rt.uow() as uow:
        uow.session.execute(update(SlaOrderStateRow).where(
            SlaOrderStateRow.order_id.in_([mine, sibling])).values(status="overdue"))
        uow.commit()
    r = api.as_(V1).get("/api/v1/sla/inbox?tab=overdue")
    assert r.status_code == 200, r.json
    assert [i["id"] for i in r.json["items"]] == [mine]
    assert r.json["counts"]["overdue"] == 1
    town = api.as_(HUMEN).get("/api/v1/sla/inbox?tab=overdue").json   # the owner sees both
    assert town["counts"]["overdue"] >= 2


def test_only_an_owner_with_villages_is_offered_subdispatch(api):
    """二级派单 goes to one of the owner's villages: a town is offered it, a department (no
    villages) is not (the page shows the server's list as it is)."""
    town_order = _town_order(api)
    dept_order = api.create(unit="dept_housing", town=HUMEN)["id"]
    api.act("dept_housing", dept_order, "sign")
    offered = api.as_(HUMEN).get(f"/api/v1/orders/{town_order}").json["allowed_actions"]
    assert "subdispatch" in offered
    offered = api.as_("dept_housing").get(f"/api/v1/orders/{dept_order}").json["allowed_actions"]
    assert "subdispatch" not in offered and offered
