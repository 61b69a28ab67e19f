"""The order search and staff list (issue 15, Build 3) over SQLite and PostgreSQL: number,
查询码, phone (hidden from units), Chinese text, filters, sorting, paging, visibility, 422s."""
from sqlalchemy import update

from hotline.sla.orm import SlaOrderStateRow

NOISE = "东城街道主山社区建筑工地夜间施工噪音扰民, 严重影响休息"
LIGHT = "虎门镇连升路路灯不亮已经一周, 晚上行人出行不安全"
RUBBISH = "虎门镇太平社区垃圾堆积多日无人清运, 气味难闻"


def _find(api, user, **params):
    r = api.as_(user).get("/api/v1/orders", query_string=params)
    assert r.status_code == 200, r.json
    return r.json


def _numbers(body):
    return [o["number"] for o in body["items"]]


def _seed(api):
    noise = api.create(content=NOISE, unit="town_dongcheng", town="town_dongcheng",
                       address="主山路 12 号", caller={"name": "陈先生", "phone": "13812341234"})
    light = api.create(content=LIGHT, unit="town_humen", town="town_humen",
                       caller={"name": "李女士", "phone": "13900001111"})
    rubbish = api.create(content=RUBBISH, unit="town_humen", town="town_humen",
                         caller={"name": "王先生", "phone": "13900001111"})
    return noise, light, rubbish


def test_search_by_number_query_code_phone_and_text(api):
    noise, light, rubbish = _seed(api)
    detail = api.as_("agent").get(f"/api/v1/orders/{noise['id']}").json
    # the order number, exactly (lower case too)
    assert _numbers(_find(api, "agent", q=noise["number"])) == [noise["number"]]
    assert _numbers(_find(api, "agent", q=noise["number"].lower())) == [noise["number"]]
    assert _find(api, "agent", q=noise["number"][:-1])["total"] == 0
    # the 查询码 the caller reads out
    assert noise["number"] in _numbers(_find(api, "agent", q=detail["query_code"]))
    # the caller's phone: both of that caller's orders, newest first
    assert _numbers(_find(api, "agent", q="13900001111")) == [rubbish["number"], light["number"]]
    assert _numbers(_find(api, "dispatcher", q="139-0000-1111")) == [rubbish["number"],
                                                                      light["number"]]
    # Chinese text in content and address: words, parts of words, several words
    assert _numbers(_find(api, "agent", q="噪音")) == [noise["number"]]
    assert _numbers(_find(api, "agent", q="施工噪音")) == [noise["number"]]
    assert _numbers(_find(api, "agent", q="音扰")) == [noise["number"]]
    assert _numbers(_find(api, "agent", q="主山路")) == [noise["number"]]
    assert _numbers(_find(api, "supervisor", q="虎门 社区")) == [rubbish["number"]]
    assert _find(api, "agent", q="地铁站")["total"] == 0


def test_units_search_only_their_orders_and_never_by_phone_or_query_code(api):
    noise, light, rubbish = _seed(api)
    code = api.as_("agent").get(f"/api/v1/orders/{light['id']}").json["query_code"]
    # a unit never finds another unit's order, by number or by text
    assert _find(api, "town_dongcheng", q=light["number"])["total"] == 0
    assert _find(api, "town_dongcheng", q="路灯")["total"] == 0
    assert _numbers(_find(api, "town_humen", q="路灯")) == [light["number"]]
    assert _numbers(_find(api, "town_humen")) == [rubbish["number"], light["number"]]
    assert _numbers(_find(api, "town_dongcheng")) == [noise["number"]]
    # units see callers' phones masked and never the 查询码: neither finds anything
    assert _find(api, "town_humen", q="13900001111")["total"] == 0
    assert _find(api, "town_humen", q=code)["total"] == 0
    masked = _find(api, "town_humen")["items"][0]["caller"]["phone"]
    assert masked == "139****1111"


def test_filters_sorting_and_paging(api, rt):
    noise, light, rubbish = _seed(api)
    assert _numbers(_find(api, "agent", town="town_humen")) == [rubbish["number"],
                                                                light["number"]]
    assert _numbers(_find(api, "agent", unit="town_dongcheng")) == [noise["number"]]
    assert _find(api, "agent", status="dispatched")["total"] == 3
    assert _find(api, "agent", status="signed,closed")["total"] == 0
    api.act("town_humen", light["id"], "sign")
    assert _numbers(_find(api, "agent", status="signed")) == [light["number"]]
    assert _find(api, "agent", status="dispatched,signed")["total"] == 3
    # appeal type, rapid, date range
    t = api.as_("agent").get(f"/api/v1/orders/{noise['id']}").json["appeal_type"]
    assert noise["number"] in _numbers(_find(api, "agent", appeal_type=t))
    assert _find(api, "agent", rapid="true")["total"] == sum(
        1 for o in (noise, light, rubbish)
        if api.as_("agent").get(f"/api/v1/orders/{o['id']}").json["rapid_item"])
    today = noise["received_at"][:10]
    assert _find(api, "agent", received_from=today, received_to=today)["total"] == 3
    assert _find(api, "agent", received_to="2020-01-01")["total"] == 0
    # overdue: the SLA state's stored status (sla/orm.py)
    with rt.uow() as uow:
        uow.session.execute(update(SlaOrderStateRow).where(
            SlaOrderStateRow.order_id == rubbish["id"]).values(status="overdue"))
        uow.commit()
    assert _numbers(_find(api, "agent", overdue="true")) == [rubbish["number"]]
    assert _find(api, "agent", overdue="false")["total"] == 2
    assert _numbers(_find(api, "agent", overdue="true", town="town_dongcheng")) == []
    # sorting: received (both ways), number
    newest = _numbers(_find(api, "agent"))
    assert newest == [rubbish["number"], light["number"], noise["number"]]
    assert _numbers(_find(api, "agent", sort="received_at")) == newest[::-1]
    assert _numbers(_find(api, "agent", sort="number")) == sorted(newest)
    assert _find(api, "agent", sort="-due")["total"] == 3
    # paging: two pages of two, the same order as one page of all
    p1, p2 = _find(api, "agent", per_page=2), _find(api, "agent", per_page=2, page=2)
    assert p1["total"] == 3 and p1["total_exact"] is True
    assert _numbers(p1) + _numbers(p2) == newest
    assert _find(api, "agent", per_page=2, page=3)["items"] == []


def test_bad_parameters_are_422_with_field_and_reason(api):
    cases = {"status": "flying", "unit": "nope", "town": "dept_housing", "category": "nope",
             "appeal_type": "nope", "rapid": "maybe", "overdue": "2",
             "received_from": "2026-13-01", "sort": "content", "page": "0",
             "per_page": "1000", "q": "字" * 101, "colour": "red"}
    for field, value in cases.items():
        r = api.as_("agent").get("/api/v1/orders", query_string={field: value})
        assert r.status_code == 422, (field, r.status_code)
        msgs = r.json["error"]["fields"][field]
        assert msgs and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in msgs), msgs
    r = api.as_("agent").get("/api/v1/orders", query_string={
        "received_from": "2026-05-02", "received_to": "2026-05-01"})
    assert r.status_code == 422 and "received_to" in r.json["error"]["fields"]


def test_reference_lists_stay_whole(api):
    units = api.as_("agent").get("/api/v1/units").json
    cats = api.as_("agent").get("/api/v1/categories").json
    assert units["total"] == len(units["items"]) > 60
    assert cats["total"] == len(cats["items"]) > 20
