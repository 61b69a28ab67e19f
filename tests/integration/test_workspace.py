"""Issue 15 (the staff workspace), API side: lists carry each running clock's time left from
the SLA engine, rapid-response orders lead the inbox, the order page's facts (who logged it,
the unit's handlers, the effects of the actions from the transition table), the agent's
shift list from the server, and a refusal page (403) for a role on a page it may not use."""
from __future__ import annotations

import pytest

GARBAGE = "市民反映虎门镇某小区门口垃圾堆积多日无人清运, 气味难闻"


def test_inbox_items_carry_time_left_and_rapid_orders_lead(api, rt):
    from sqlalchemy import update

    from hotline.core.orm import WorkOrderRow
    a = api.create(content=GARBAGE, town="town_humen", unit="town_humen")
    b = api.create(content=GARBAGE + "。", town="town_humen", unit="town_humen")
    # the older one is a rapid-response order (as the triage marks 井盖 etc.)
    with rt.uow() as uow:
        uow.session.execute(update(WorkOrderRow).where(WorkOrderRow.id == a["id"])
                            .values(rapid_item="rr23"))
        uow.commit()
    items = api.as_("town_humen").get("/api/v1/inbox?tab=to_sign").json["items"]
    assert [i["id"] for i in items] == [a["id"], b["id"]]        # rapid first, then newest
    sla = items[1]["sla"]
    assert sla["clock"] == "sign" and sla["clock_label"] == "签收"
    tl = sla["time_left"]
    assert tl["overdue"] is False and tl["natural"] is False and 0 < tl["seconds"] <= 5 * 86400


def test_dispatch_queue_and_deadlines_carry_time_left(api):
    o = api.create(content=GARBAGE)                      # no model: the dispatcher queue
    [q] = [i for i in api.as_("dispatcher").get("/api/v1/dispatch/queue").json["items"]
           if i["id"] == o["id"]]
    assert set(q["time_left"]) == {"overdue", "seconds", "natural", "ticking"}
    dl = api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}/deadlines").json["deadlines"]
    running = [d for d in dl if d["running"]]
    assert running and all(d["time_left"] is not None for d in running)
    assert all(d["time_left"] is None for d in dl if not d["running"])


def test_order_workspace_names_the_agent_handlers_and_effects(api):
    o = api.create(content=GARBAGE, town="town_humen", unit="town_humen",
                   caller={"name": "陈先生", "phone": "13800138000"})
    other = api.create(content=GARBAGE + "!", caller={"phone": "13800138000"})
    ws = api.as_("town_humen").get(f"/api/v1/orders/{o['id']}/workspace").json
    assert ws["created_by_name"] and ws["created_by_name"] != "agent"
    assert [h["username"] for h in ws["handlers"]] == ["town_humen"]
    # the effects come from the transition table: 签收 leads to 已签收
    assert ws["effects"]["sign"]["to_label"] == "已签收"
    assert ws["effects"]["request_return"]["to_label"] == "退单审核中"
    # the other order went to the dispatcher queue: the unit does not see it as related
    assert other["id"] not in [r["id"] for r in ws["related"]]
    centre = api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}/workspace").json
    assert [r["id"] for r in centre["related"]] == [other["id"]] and centre["handlers"] == []
    assert api.as_("town_dongcheng").get(f"/api/v1/orders/{o['id']}/workspace").status_code == 404


def test_shift_lists_the_agents_own_orders_of_today(api):
    mine = api.create(content=GARBAGE)
    api.create("dispatcher", content=GARBAGE + "。")
    r = api.as_("agent").get("/api/v1/intake/shift").json
    assert [i["id"] for i in r["items"]] == [mine["id"]]
    assert r["items"][0]["query_code"]                     # read to the caller
    assert api.as_("town_humen").get("/api/v1/intake/shift").status_code == 403


@pytest.mark.parametrize("user,path", [("town_humen", "/dispatch"), ("town_humen", "/supervisor"),
                                       ("town_humen", "/intake"), ("agent", "/inbox"),
                                       ("agent", "/admin"), ("leader", "/sms-outbox")])
def test_a_page_the_role_may_not_use_is_refused(sqlite_api, user, path):
    r = sqlite_api.as_(user).get(path)
    assert r.status_code == 403
    assert "无权使用此页面" in r.get_data(as_text=True)


def test_pages_are_served_to_their_roles_and_to_visitors(sqlite_api):
    pages = [("agent", "/intake"), ("town_humen", "/inbox"), ("dispatcher", "/dispatch"),
             ("supervisor", "/supervisor/sla"), ("agent", "/survey-queue")]
    for user, _ in pages:       # tokens first: a page sets the session cookie (CSRF) after
        sqlite_api.token(user)
    for user, path in pages:
        assert sqlite_api.as_(user).get(path).status_code == 200, (user, path)
    # no session: the page loads and its script sends the visitor to /login
    assert sqlite_api.client.get("/dispatch").status_code == 200
