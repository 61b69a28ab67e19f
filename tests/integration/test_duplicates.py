"""Duplicates at intake come back in the 201 response; merge only on request; surge attach."""


def test_similar_open_order_in_same_town_and_category_is_flagged(api):
    first = api.create(content="东城街道花园小区停水两天了, 没有任何通知, 请尽快恢复供水",
                       town="town_dongcheng", category="water_supply", unit="util_water")
    other = api.create(content="麻涌镇某工厂夜间排放刺鼻废气", town="town_machong",
                       category="industrial_pollution", unit="dept_env")
    second = api.create(content="花园小区从前天开始停水, 到现在还没有恢复供水, 也没有通知",
                        town="town_dongcheng", category="water_supply", unit="util_water")
    ids = [d["id"] for d in second["duplicates"]]
    assert first["id"] in ids and other["id"] not in ids
    assert second["status"] == "dispatched"          # flagged, not merged
    third = api.create(content="完全不同的事情: 咨询积分入学材料", caller={"phone": "13800001111"})
    fourth = api.create(content="再咨询一次积分入学何时开始申请", caller={"phone": "13800001111"})
    same = [d for d in fourth["duplicates"] if d["id"] == third["id"]]
    assert same and same[0]["same_caller"] is True


def test_surge_attach_merges_many_callers_into_master(api):
    master = api.create(content="长安镇大面积停电, 整个片区都没电", town="town_changan",
                        category="power_supply", unit="util_power")
    calls = [api.create(content=f"长安镇第{i}位市民反映停电", town="town_changan",
                        category="power_supply", queue=False)["id"] for i in range(4)]
    r = api.as_("dispatcher").post(f"/api/v1/orders/{master['id']}/attach",
                                   json={"order_ids": calls, "reason": "同一停电事件"})
    assert r.status_code == 200 and sorted(r.json["merged"]) == sorted(calls)
    for oid in calls:
        o = api.as_("admin").get(f"/api/v1/orders/{oid}").json
        assert o["status"] == "merged" and o["master_id"] == master["id"]
        assert o["history"][-1]["action"] == "merge"
    r = api.as_("town_changan").post(f"/api/v1/orders/{master['id']}/attach",
                                     json={"order_ids": calls, "reason": "x"})
    assert r.status_code == 403
