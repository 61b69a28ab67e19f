"""Department inbox tabs are computed in SQL: 待签收 / 办理中 / 退单审核中 / 被回退."""


def test_tabs_counts_and_sent_back(api):
    ids = [api.create(unit="town_humen", town="town_humen",
                      content=f"第{i}位市民反映垃圾无人清运")["id"] for i in range(5)]
    a, b, c, d, _ = ids
    for oid in (a, b, c):
        api.act("town_humen", oid, "sign")
    api.act("town_humen", b, "reply", reply="已处理")
    api.act("dispatcher", b, "send_back", "答复未说明处理结果")       # b: 被回退
    api.act("town_humen", c, "reply", reply="已处理")
    api.act("dispatcher", c, "send_back", "答复不完整")
    api.act("town_humen", c, "reply", reply="已补充处理结果")          # c: replied again
    api.act("town_humen", d, "request_return", "不属于本镇", legal_basis="权责清单",
            suggested_unit="town_dalang")                            # d: 退单审核中
    other = api.create(unit="town_dalang", town="town_dalang")["id"]  # another unit's order

    def tab(name, **kw):
        q = "&".join(f"{k}={v}" for k, v in kw.items())
        return api.as_("town_humen").get(f"/api/v1/inbox?tab={name}&{q}").json

    t = tab("to_sign")
    # (a town also has its villages' tabs: 二级派单, issue 17)
    assert t["counts"] == {"to_sign": 1, "in_progress": 1, "return_pending": 1,
                           "sent_back": 1, "assist": 0, "at_village": 0, "village_reported": 0}
    assert [i["id"] for i in t["items"]] == [ids[4]]
    assert [i["id"] for i in tab("in_progress")["items"]] == [a]
    assert [i["id"] for i in tab("sent_back")["items"]] == [b]
    assert [i["id"] for i in tab("return_pending")["items"]] == [d]
    assert other not in [i["id"] for k in ("to_sign", "in_progress") for i in tab(k)["items"]]
    page = tab("to_sign", per_page=1, page=2)
    assert page["items"] == [] and page["total"] == 1
    assert api.as_("town_humen").get("/api/v1/inbox?per_page=500").status_code == 422


def test_closed_order_leaves_the_assisting_units_tab(api):
    """协办 lists the tasks still to do: once the order is closed (办结, 并单, ...) it is gone
    from the assisting unit's tab and count (docs/design/domain.md §6.5)."""
    done, open_ = (api.create(unit="town_humen", town="town_humen",
                              content=f"第{i}位市民反映夜间施工噪声扰民")["id"] for i in range(2))
    for oid in (done, open_):
        api.act("town_humen", oid, "sign")
        api.act("town_humen", oid, "add_assist", unit="dept_env", task="夜间噪声检测", days=2)
    tab = api.as_("dept_env").get("/api/v1/inbox?tab=assist").json
    assert sorted(i["id"] for i in tab["items"]) == sorted([done, open_])
    api.act("town_humen", done, "reply", reply="已协调整改, 噪声达标")
    api.act("dispatcher", done, "accept_reply")
    assert api.act("dispatcher", done, "close")["status"] == "closed"
    tab = api.as_("dept_env").get("/api/v1/inbox?tab=assist").json
    assert [i["id"] for i in tab["items"]] == [open_]
    assert tab["counts"]["assist"] == 1 and tab["total"] == 1
