"""The units that see an order, as rows (order_units, core/orm.OrderUnitRow; issue 15, the
search at 1 M orders): written in the order's own flush by every save, they stay equal to what
the orders say (core/access.scope_units) after intake, dispatch, 协办, an approved return to
another unit and 二级派单, on SQLite and PostgreSQL; and a unit's list and search through them
show exactly the orders `visible` allows."""
from hotline.core import access
from hotline.core.orm import OrderUnitRow
from hotline.workorders.domain.model import Actor

HUMEN, DALANG, ENV = "town_humen", "town_dalang", "dept_env"
V1 = "village_441900121004"                    # a village of 虎门镇


def _stored(rt) -> set[tuple[int, str]]:
    with rt.uow() as uow:
        stored, derived = access.stored_scope(uow.session), access.derived_scope(uow.session)
    assert stored == derived
    return stored


def _listed(api, unit, **params) -> set[int]:
    r = api.as_(unit).get("/api/v1/orders", query_string={"per_page": 100, **params})
    assert r.status_code == 200, r.json
    return {i["id"] for i in r.json["items"]}


def test_rows_follow_dispatch_assist_return_and_village(api, rt):
    a = api.create(unit=HUMEN, town=HUMEN, content="市民反映小区垃圾无人清运, 已有三天")["id"]
    b = api.create(unit=HUMEN, town=HUMEN, content="市民反映路口路灯不亮, 晚上很黑")["id"]
    queued = api.create(content="市民咨询一个比较复杂的问题需要派单员判断")["id"]
    assert {(a, HUMEN), (b, HUMEN)} <= _stored(rt)
    assert not {u for o, u in _stored(rt) if o == queued}          # no unit yet: no row
    api.act("dispatcher", queued, "dispatch", unit=DALANG)
    assert (queued, DALANG) in _stored(rt)
    api.act(HUMEN, a, "sign")
    api.act(HUMEN, a, "add_assist", unit=ENV, task="夜间噪声检测", days=2)   # 协办
    assert {(a, HUMEN), (a, ENV)} <= _stored(rt)
    api.act(HUMEN, b, "request_return", "不属于本镇", legal_basis="权责清单",
            suggested_unit=DALANG)
    api.act("dispatcher", b, "approve_return", "属大朗镇", unit=DALANG)     # another unit
    rows = _stored(rt)
    assert (b, DALANG) in rows and (b, HUMEN) not in rows
    api.act(HUMEN, a, "subdispatch", unit=V1, note="请核实并清理")         # 二级派单
    assert {u for o, u in _stored(rt) if o == a} == {HUMEN, ENV, V1}
    # each unit's list is what `visible` allows, no more
    assert {a} <= _listed(api, ENV) and b not in _listed(api, ENV)
    assert _listed(api, V1) == {a}
    assert {b, queued} <= _listed(api, DALANG) and a not in _listed(api, DALANG)
    assert b not in _listed(api, HUMEN)
    # a unit's search runs through the same rows
    assert _listed(api, ENV, q="垃圾") == {a}
    assert _listed(api, DALANG, q="垃圾") == set()


def test_rebuild_refills_the_rows_from_the_orders(api, rt):
    oid = api.create(unit=HUMEN, town=HUMEN, content="市民反映小区垃圾无人清运")["id"]
    api.act(HUMEN, oid, "sign")
    api.act(HUMEN, oid, "add_assist", unit=ENV, task="夜间噪声检测", days=2)
    before = _stored(rt)
    with rt.uow() as uow:
        uow.session.execute(OrderUnitRow.__table__.delete())
        assert access.stored_scope(uow.session) == set()
        access.rebuild_scope(uow.session, batch=1)     # page by page
        uow.commit()
    assert _stored(rt) == before and {(oid, HUMEN), (oid, ENV)} <= before


def test_list_pages_are_the_same_whatever_the_plan(api, rt):
    """The page's ids first, then its rows (workorders/search.page_queries): the page of a
    filter equals the slice of the whole sorted result, page after page."""
    from hotline.workorders.search import list_orders
    for i in range(7):
        api.create(unit=HUMEN, town=HUMEN, content=f"第{i}位市民反映小区垃圾无人清运")
    agent = Actor("agent", "agent")
    everything = [i["id"] for i in list_orders(rt, agent, {"per_page": 100})["items"]]
    assert everything == sorted(everything, reverse=True)
    pages = [i["id"] for p in (1, 2, 3)
             for i in list_orders(rt, agent, {"per_page": 3, "page": p})["items"]]
    assert pages == everything[:9]
    unit = Actor(HUMEN, "department", HUMEN)
    mine = [i["id"] for i in list_orders(rt, unit, {"per_page": 100, "q": "垃圾"})["items"]]
    assert len(mine) == 7
    assert [i["id"] for p in (1, 2, 3) for i in list_orders(
        rt, unit, {"per_page": 3, "page": p, "q": "垃圾"})["items"]] == mine
    by_number = [i["number"] for i in list_orders(rt, agent, {"per_page": 100,
                                                              "sort": "number"})["items"]]
    assert by_number == sorted(by_number)
