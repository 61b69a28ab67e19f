"""The inbox tab counts are per-unit counters kept in the transaction of every save
(hotline/dispatch/counters.py; issue 15, Build 4): after a walk through the transitions that
move orders between tabs and units, they equal a recount of the orders, on SQLite and
PostgreSQL, and the inbox shows them."""
from hotline.dispatch import counters


def _check(rt, api=None, unit=None):
    with rt.uow() as uow:
        stored, recount = counters.stored(uow.session), counters.recount(uow.session)
    assert stored == recount
    if api is not None:
        shown = api.as_(unit).get("/api/v1/inbox").json["counts"]
        # (a town with villages has two more tabs, counted by a query: 二级派单, issue 17)
        assert {k: v for k, v in shown.items()
                if k not in ("assist", "at_village", "village_reported")} == {
            t: recount.get((unit, t), 0)
            for t in ("to_sign", "in_progress", "return_pending", "sent_back")}
    return recount


def test_counters_equal_a_recount_after_a_walk_of_transitions(api, rt):
    ids = [api.create(unit="town_humen", town="town_humen",
                      content=f"第{i}位市民反映小区垃圾无人清运")["id"] for i in range(6)]
    queued = api.create(content="市民咨询一个比较复杂的问题需要派单员判断")["id"]
    a, b, c, d, e, f = ids
    assert _check(rt, api, "town_humen")[("town_humen", "to_sign")] == 6
    for oid in (a, b, c, e):
        api.act("town_humen", oid, "sign")                      # 待签收 -> 办理中
    _check(rt, api, "town_humen")
    api.act("town_humen", b, "reply", reply="已处理")             # leaves the tabs
    api.act("dispatcher", b, "send_back", "答复未说明处理结果")     # -> 被回退
    assert _check(rt, api, "town_humen")[("town_humen", "sent_back")] == 1
    api.act("town_humen", b, "reply", reply="已补充处理结果")        # 被回退 -> none
    api.act("town_humen", d, "request_return", "不属于本镇", legal_basis="权责清单",
            suggested_unit="town_dalang")                        # -> 退单审核中
    _check(rt, api, "town_humen")
    api.act("dispatcher", d, "approve_return", "属大朗镇", unit="town_dalang")   # another unit
    rc = _check(rt, api, "town_dalang")
    assert rc[("town_dalang", "to_sign")] == 1
    api.act("dispatcher", queued, "dispatch", unit="town_dalang")              # from the queue
    api.act("town_humen", e, "reply", reply="已清运")
    api.act("dispatcher", e, "accept_reply")
    api.act("dispatcher", e, "close")                            # closed: in no tab
    api.act("town_humen", c, "request_extension", "需协调", days=3)  # still 办理中
    rc = _check(rt, api, "town_humen")
    assert rc[("town_humen", "in_progress")] == 2                # a, c
    assert rc[("town_humen", "to_sign")] == 1                    # f
    assert rc[("town_dalang", "to_sign")] == 2
    _check(rt, api, "town_dalang")


def test_rebuild_repairs_counters_from_the_orders(api, rt):
    for i in range(3):
        api.create(unit="town_humen", town="town_humen", content=f"第{i}位市民反映路灯不亮")
    with rt.uow() as uow:
        uow.session.execute(counters.InboxCountRow.__table__.delete())
        assert counters.stored(uow.session) == {}
        counters.rebuild(uow.session)
        assert counters.stored(uow.session) == {("town_humen", "to_sign"): 3}
        uow.commit()
