"""Open311 GeoReport v2: a client that knows only the published field names."""
import hashlib
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

BASE = "/open311/v2"
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"}


@pytest.fixture
def key(api):
    r = api.as_("admin").post("/api/v1/admin/api-keys", json={"name": "wechat-app"})
    assert r.status_code == 201, r.json
    return r.json["api_key"]


def xml(resp):
    assert resp.mimetype == "text/xml", resp.mimetype
    return ET.fromstring(resp.data)


def post(api, fmt, **form):
    return api.client.post(f"{BASE}/requests.{fmt}", data=form)


def test_discovery_and_services_in_both_formats(api):
    d = api.client.get(f"{BASE}/discovery.json").json
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(d)
    assert set(d["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    assert xml(api.client.get(f"{BASE}/discovery.xml")).tag == "discovery"

    services = api.client.get(f"{BASE}/services.json").json
    codes = {s["service_code"] for s in services}
    assert {"street_lights", "sanitation"} <= codes
    assert set(services[0]) == {"service_code", "service_name", "description", "metadata",
                                "type", "keywords", "group"}
    root = xml(api.client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert first.find("service_code").text in codes and first.find("metadata").text == "true"


def test_service_definition_lists_attributes(api):
    d = api.client.get(f"{BASE}/services/sanitation.json").json
    town = next(a for a in d["attributes"] if a["code"] == "town")
    assert town["datatype"] == "singlevaluelist" and town["required"] is True
    assert {"key": "town_humen", "name": "虎门镇"} in town["values"]
    root = xml(api.client.get(f"{BASE}/services/street_lights.xml"))
    assert root.tag == "service_definition"
    attr = root.find("attributes/attribute")
    assert attr.find("code").text == "town" and attr.find("required").text == "false"
    assert attr.find("values/value/key") is not None


def test_errors_in_the_standard_format(api, key):
    r = post(api, "json", service_code="street_lights", address_string="莞城")
    assert r.status_code == 403 and r.json[0]["code"] == 403 and "api_key" in r.json[0][
        "description"]
    r = post(api, "xml", api_key="wrong", service_code="street_lights", address_string="莞城")
    assert r.status_code == 403
    root = xml(r)
    assert root.tag == "errors" and root.find("error/code").text == "403"
    r = post(api, "json", api_key=key, service_code="nope", address_string="莞城")
    assert r.status_code == 404 and set(r.json[0]) == {"code", "description"}
    r = post(api, "json", api_key=key, service_code="street_lights")   # no location
    assert r.status_code == 400 and "location" in r.json[0]["description"]
    r = post(api, "json", api_key=key, service_code="sanitation", address_string="某路")
    assert r.status_code == 400 and "town" in r.json[0]["description"]
    r = api.client.get(f"{BASE}/services.json?jurisdiction_id=shenzhen.gov.cn")
    assert r.status_code == 404 and r.json[0]["code"] == 404
    assert api.client.get(f"{BASE}/services.json?jurisdiction_id=dongguan.gov.cn").status_code \
        == 200
    r = api.client.get(f"{BASE}/requests/DG000.xml")
    assert r.status_code == 404 and xml(r).find("error/description").text
    r = api.client.get(f"{BASE}/requests.json?start_date=2026-01-01T00:00:00%2B08:00"
                       "&end_date=2026-06-01T00:00:00%2B08:00")
    assert r.status_code == 400 and r.json[0]["code"] == 400


def test_posted_request_reaches_the_department_inbox(api, key):
    r = post(api, "json", api_key=key, jurisdiction_id="dongguan.gov.cn",
             service_code="street_lights", address_string="东城街道东城大道 88 号",
             lat="23.02", long="113.77", description="路灯已经连续三晚不亮, 行人夜间不安全",
             first_name="明", last_name="李", phone="13800138000", email="li@example.cn",
             device_id="dev-1", account_id="acc-1", media_url="https://img.example.cn/1.jpg")
    assert r.status_code == 201, r.json
    [created] = r.json
    number = created["service_request_id"]
    assert created["token"] and created["account_id"] == "acc-1"
    inbox = api.as_("dept_urban").get("/api/v1/orders").json["items"]
    mine = [o for o in inbox if o["number"] == number]
    assert mine and mine[0]["status"] == "dispatched" and mine[0]["channel"] == "open311"
    assert number not in {o["number"] for o in api.as_("dept_housing").get(
        "/api/v1/orders").json["items"]}

    [req] = api.client.get(f"{BASE}/requests/{number}.json").json
    assert set(req) == REQUEST_FIELDS
    assert req["status"] == "open" and req["service_code"] == "street_lights"
    assert req["lat"] == 23.02 and req["long"] == 113.77 and req["agency_responsible"]
    assert req["requested_datetime"].endswith("+08:00")   # ISO 8601 with time zone
    # expected: the legal reply deadline, the end of a working day (23:59:59+08:00)
    assert req["expected_datetime"] and req["expected_datetime"].endswith("23:59:59+08:00")
    assert req["expected_datetime"] > req["requested_datetime"]
    assert req["media_url"] == "https://img.example.cn/1.jpg"
    assert api.client.get(f"{BASE}/tokens/{created['token']}.json").json == [
        {"service_request_id": number, "token": created["token"]}]


def test_xml_post_with_town_attribute_goes_to_the_town(api, key):
    r = post(api, "xml", api_key=key, service_code="sanitation", lat="22.8", long="113.67",
             **{"attribute[town]": "town_humen"}, description="<b>垃圾</b>站满溢多日无人清运")
    assert r.status_code == 201
    root = xml(r)
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text
    inbox = api.as_("town_humen").get("/api/v1/orders").json["items"]
    assert number in {o["number"] for o in inbox}
    got = xml(api.client.get(f"{BASE}/requests/{number}.xml")).find("request")
    assert {c.tag for c in got} == REQUEST_FIELDS
    assert got.find("description").text == "垃圾站满溢多日无人清运"   # no HTML kept
    assert got.find("status").text == "open"


def test_get_requests_filters_and_paginates(api, key):
    numbers = [post(api, "json", api_key=key, service_code=code, address_string="南城街道",
                    description=f"第{i}件诉求内容描述").json[0]["service_request_id"]
               for i, code in enumerate(["street_lights", "street_lights", "road_maintenance"])]
    api.create(content="电话渠道的诉求不在 Open311 公开列表中")
    got = api.client.get(f"{BASE}/requests.json").json
    assert {r["service_request_id"] for r in got} == set(numbers)
    by_code = api.client.get(f"{BASE}/requests.json?service_code=road_maintenance").json
    assert [r["service_request_id"] for r in by_code] == [numbers[2]]
    both = api.client.get(f"{BASE}/requests.json?service_request_id={numbers[0]},"
                          f"{numbers[2]}&service_code=nothing").json
    assert {r["service_request_id"] for r in both} == {numbers[0], numbers[2]}
    assert api.client.get(f"{BASE}/requests.json?status=closed").json == []
    assert len(api.client.get(f"{BASE}/requests.json?status=open").json) == 3
    p1 = api.client.get(f"{BASE}/requests.json?page_size=2&page=1").json
    p2 = api.client.get(f"{BASE}/requests.json?page_size=2&page=2").json
    assert len(p1) == 2 and len(p2) == 1
    assert {r["service_request_id"] for r in p1 + p2} == set(numbers)
    root = xml(api.client.get(f"{BASE}/requests.xml?service_code=street_lights"))
    assert len(root.findall("request")) == 2


def test_closed_request_maps_to_closed_with_citizen_reply(api, key):
    number = post(api, "json", api_key=key, service_code="street_lights",
                  address_string="莞城街道", description="路灯不亮需要尽快维修处理"
                  ).json[0]["service_request_id"]
    oid = next(o["id"] for o in api.as_("dept_urban").get("/api/v1/orders").json["items"]
               if o["number"] == number)
    api.act("dept_urban", oid, "sign")
    api.act("dept_urban", oid, "reply", reply="内部: 已派维修班组更换灯具",
            citizen_reply="您反映的路灯已修复, 感谢监督")
    api.act("dispatcher", oid, "accept_reply")
    api.act("dispatcher", oid, "close")
    [req] = api.client.get(f"{BASE}/requests/{number}.json").json
    assert req["status"] == "closed"
    assert req["status_notes"] == "您反映的路灯已修复, 感谢监督"
    assert "内部" not in str(req)
    assert api.client.get(f"{BASE}/requests.json?status=closed").json[0][
        "service_request_id"] == number


def test_api_keys_are_admin_only_hashed_and_revocable(api, rt, key):
    from hotline.intake.orm import ApiKeyRow
    r = api.as_("dispatcher").post("/api/v1/admin/api-keys", json={"name": "x1"})
    assert r.status_code == 403
    with rt.uow() as uow:
        row = uow.session.execute(select(ApiKeyRow)).scalar_one()
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in {row.name, row.prefix, row.key_hash}
    listed = api.as_("admin").get("/api/v1/admin/api-keys").json["items"]
    assert listed[0]["name"] == "wechat-app" and "api_key" not in listed[0]
    assert api.as_("admin").post("/api/v1/admin/api-keys",
                                 json={"name": "wechat-app"}).status_code == 409
    assert api.as_("admin").post("/api/v1/admin/api-keys/wechat-app/revoke",
                                 json={}).status_code == 200
    r = post(api, "json", api_key=key, service_code="street_lights", address_string="莞城")
    assert r.status_code == 403


def _light(api, key, **extra):
    return api.client.post(f"{BASE}/requests.json", data={
        "api_key": key, "service_code": "street_lights", "address_string": "东城街道东城大道 88 号",
        "description": "路灯已经连续三晚不亮, 行人夜间不安全"}, **extra)


def test_retry_with_idempotency_key_returns_the_same_request(api, rt, key):
    from hotline.core.orm import WorkOrderRow
    from hotline.intake.orm import Open311RequestRow
    first = _light(api, key, headers={"Idempotency-Key": "wx-7f3a"})
    again = _light(api, key, headers={"Idempotency-Key": "wx-7f3a"})
    assert first.status_code == 201 and again.status_code == 200, again.json
    assert again.json[0]["service_request_id"] == first.json[0]["service_request_id"]
    assert again.json[0]["token"] == first.json[0]["token"]
    other = api.client.post(f"{BASE}/requests.json", headers={"Idempotency-Key": "wx-7f3a"}, data={
            "api_key": key, "service_code": "street_lights", "address_string": "东城大道 1 号",
            "description": "另一处路灯也不亮"})
    assert other.status_code == 400
    assert other.json == [{"code": 400, "description":
                           "Idempotency-Key was already used for another request"}]
    bad = _light(api, key, headers={"Idempotency-Key": "键"})
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json[0]["description"]
    with rt.uow() as uow:
        assert len(uow.session.execute(select(WorkOrderRow.id)).all()) == 1
        assert len(uow.session.execute(select(Open311RequestRow.id)).all()) == 1


def test_order_and_request_row_commit_together(api, rt, key, monkeypatch):
    """The request row (with the client's token) is written in the order's transaction: when
    it cannot be stored, neither is the order (no order the client has no id or token for)."""
    from hotline.core.orm import WorkOrderRow
    from hotline.intake import open311
    monkeypatch.setattr(open311.secrets, "token_urlsafe", lambda n: "same-token")
    assert _light(api, key).status_code == 201
    clash = _light(api, key)              # the token's unique index refuses the second row
    assert clash.status_code == 503
    with rt.uow() as uow:
        assert len(uow.session.execute(select(WorkOrderRow.id)).all()) == 1


# ------------------------------------------------------------------ issue 12: hostile input,
# limits, privacy and conformance (each test failed on the code before its fix)

def _strict_json(resp):
    """A strict JSON parser (as the GeoReport clients use): NaN and Infinity are refused."""
    import json

    def refuse(token):
        raise ValueError(f"not JSON: {token}")
    return json.loads(resp.get_data(as_text=True), parse_constant=refuse)


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=0", "page=-1",
                                   "page_size=0", "page_size=1001", "page_size=-5",
                                   "page=1e3", "page_size=99999999999999999999"])
def test_page_and_page_size_out_of_range_are_400(api, query):
    """Finding 4: a page beyond the offset range answered 500; every out-of-range value is
    refused in the standard's error format."""
    r = api.client.get(f"{BASE}/requests.json?{query}")
    assert r.status_code == 400, (query, r.status_code, r.data[:200])
    assert r.json[0]["code"] == 400 and "page" in r.json[0]["description"]
    r = api.client.get(f"{BASE}/requests.xml?{query}")
    assert r.status_code == 400 and xml(r).find("error/code").text == "400"


@pytest.mark.parametrize("query", ["end_date=0001-01-01T00:00:00", "start_date=9999-12-31T23:59:59"
                                   "&end_date=9999-12-31T23:59:59%2B14:00",
                                   "start_date=0001-01-01T00:00:00-12:00"
                                   "&end_date=0001-01-02T00:00:00-12:00"])
def test_dates_at_the_ends_of_the_calendar_are_4xx(api, query):
    r = api.client.get(f"{BASE}/requests.json?{query}")
    assert r.status_code < 500, (query, r.status_code)


def test_the_largest_valid_page_answers(api):
    assert api.client.get(f"{BASE}/requests.json?page=100000&page_size=1000").json == []


@pytest.mark.parametrize("lat,lon", [("nan", "113.7"), ("23.0", "inf"), ("-inf", "113.7"),
                                     ("NaN", "NaN"), ("1e999", "113.7"), ("999", "113.7"),
                                     ("91", "181"), ("-90.0001", "113.7"), ("23.0", "-180.5")])
def test_non_finite_and_out_of_range_coordinates_are_400(api, rt, key, lat, lon):
    """Findings 6 and 13: nan/inf were stored and the feed then carried Infinity; lat=999 was
    stored as given."""
    from hotline.intake.orm import Open311RequestRow
    r = post(api, "json", api_key=key, service_code="street_lights", lat=lat, long=lon,
             description="路灯不亮")
    assert r.status_code == 400, (lat, lon, r.json)
    assert r.json[0]["code"] == 400 and ("lat" in r.json[0]["description"]
                                         or "long" in r.json[0]["description"])
    with rt.uow() as uow:
        assert uow.session.execute(select(Open311RequestRow.id)).first() is None


def test_coordinates_at_the_limits_are_accepted(api, key):
    r = post(api, "json", api_key=key, service_code="street_lights", lat="-90", long="180",
             description="路灯不亮")
    assert r.status_code == 201, r.json
    [req] = _strict_json(api.client.get(f"{BASE}/requests/{r.json[0]['service_request_id']}"
                                        ".json"))
    assert (req["lat"], req["long"]) == (-90.0, 180.0)


def test_feed_never_carries_non_finite_numbers(api, rt, key):
    """A row stored before the fix (or written by other code) with Infinity/NaN is published
    without its coordinates: the feed stays strict JSON."""
    from hotline.intake.orm import Open311RequestRow
    number = post(api, "json", api_key=key, service_code="street_lights", lat="23", long="113",
                  description="路灯不亮").json[0]["service_request_id"]
    with rt.uow() as uow:
        row = uow.session.execute(select(Open311RequestRow)).scalar_one()
        row.lat, row.long = float("inf"), float("nan")
        uow.commit()
    [req] = _strict_json(api.client.get(f"{BASE}/requests.json"))
    assert req["service_request_id"] == number and req["lat"] is None and req["long"] is None
    got = xml(api.client.get(f"{BASE}/requests.xml")).find("request")
    assert got.find("lat").text is None and got.find("long").text is None


def test_confidential_requests_stay_out_of_the_public_feed(api, key):
    """Finding 7: name and phone were hidden but description and address were published."""
    secret = post(api, "json", api_key=key, service_code="street_lights",
                  address_string="东城街道 某小区 3 栋", description="我家门口路灯坏了 13800138000",
                  **{"attribute[confidential]": "true"})
    assert secret.status_code == 201
    number = secret.json[0]["service_request_id"]
    public = post(api, "json", api_key=key, service_code="street_lights",
                  address_string="南城街道", description="路灯不亮",
                  **{"attribute[confidential]": "false"}).json[0]["service_request_id"]
    for fmt in ("json", "xml"):
        body = api.client.get(f"{BASE}/requests.{fmt}").get_data(as_text=True)
        assert number not in body and "某小区" not in body and public in body
        r = api.client.get(f"{BASE}/requests/{number}.{fmt}")
        assert r.status_code == 404 and "某小区" not in r.get_data(as_text=True)
        body = api.client.get(f"{BASE}/requests.{fmt}?service_request_id={number},{public}"
                              ).get_data(as_text=True)
        assert number not in body and public in body
    # the client that filed it still resolves its token to the number it was given
    token = secret.json[0]["token"]
    assert api.client.get(f"{BASE}/tokens/{token}.json").json[0]["service_request_id"] == number


def test_public_description_and_address_are_masked(api, key):
    text = ("路灯坏了, 请联系 138 0013 8000 或 0769-22345678, 身份证 44190019900101123X, "
            "邮箱 li.ming@example.cn")
    number = post(api, "json", api_key=key, service_code="street_lights",
                  address_string="东城大道 88 号 (电话 13912345678)", description=text
                  ).json[0]["service_request_id"]
    for fmt in ("json", "xml"):
        body = api.client.get(f"{BASE}/requests.{fmt}").get_data(as_text=True) + \
            api.client.get(f"{BASE}/requests/{number}.{fmt}").get_data(as_text=True)
        for leaked in ("0013", "8000", "22345678", "44190019900101123X", "li.ming",
                       "example.cn", "13912345678"):
            assert leaked not in body, (fmt, leaked)
        assert "路灯坏了" in body and "东城大道 88 号" in body
    # staff still see the appeal as the citizen wrote it
    order = next(o for o in api.as_("dispatcher").get("/api/v1/orders").json["items"]
                 if o["number"] == number)
    assert "138 0013 8000" in api.as_("dispatcher").get(f"/api/v1/orders/{order['id']}"
                                                        ).json["content"]


def test_missing_api_key_is_403(api):
    """Finding 13: GeoReport v2 answers 403 for a missing or invalid api_key."""
    for fmt in ("json", "xml"):
        r = post(api, fmt, service_code="street_lights", address_string="莞城")
        assert r.status_code == 403
        desc = r.json[0]["description"] if fmt == "json" else xml(r).find(
            "error/description").text
        assert "api_key" in desc


@pytest.mark.parametrize("method,path,status", [
    ("get", "services.html", 400), ("get", "requests.txt", 400), ("get", "services", 400),
    ("get", "requests/DG000", 400), ("get", "discovery.yaml", 400),
    ("post", "requests.txt", 400), ("post", "requests", 400), ("get", "nothing.json", 404),
    ("get", "nothing", 404), ("post", "services.json", 405), ("put", "requests.xml", 405)])
def test_wrong_or_missing_format_answers_in_the_standard_error_list(api, method, path, status):
    """Finding 13: under /open311/v2/ these answered with the JSON API's error body. An unknown
    format is answered in XML, the standard's default; .json asks for JSON."""
    r = getattr(api.client, method)(f"{BASE}/{path}")
    assert r.status_code == status, (path, r.status_code)
    if path.endswith(".json"):
        assert r.content_type == "application/json; charset=utf-8"
        assert r.json == [{"code": status, "description": r.json[0]["description"]}]
    else:
        assert r.content_type == "text/xml; charset=utf-8"
        root = xml(r)
        assert root.tag == "errors" and root.find("error/code").text == str(status)
        assert root.find("error/description").text
    # the JSON API keeps its own envelope
    assert "error" in api.client.get("/api/v1/nothing").json


def test_answers_carry_the_charset(api, key):
    """Finding 13: JSON answers lacked `; charset=utf-8`."""
    for path in ("discovery", "services", "services/street_lights", "requests"):
        assert api.client.get(f"{BASE}/{path}.json").content_type == \
            "application/json; charset=utf-8"
        assert api.client.get(f"{BASE}/{path}.xml").content_type == "text/xml; charset=utf-8"
    r = post(api, "json", api_key=key, service_code="street_lights", address_string="莞城")
    assert r.status_code == 201 and r.content_type == "application/json; charset=utf-8"
    r = post(api, "json", api_key="wrong", service_code="street_lights", address_string="莞城")
    assert r.status_code == 403 and r.content_type == "application/json; charset=utf-8"


def test_post_and_get_limits_trip_independently(rt, monkeypatch):
    """Finding 5: the general /open311/ rule wrapped the POST endpoint first, so the POST
    limit never applied. One limit per route; each trips on its own with a GeoReport 429.
    Windows of a day start at the first hit: no clock boundary can reset them mid-test."""
    monkeypatch.setenv("HOTLINE_RATELIMIT_OPEN311_POST", "2/day")
    monkeypatch.setenv("HOTLINE_RATELIMIT_OPEN311", "3/day")
    from hotline.web.app import create_app
    app = create_app(rt)
    limits = app.extensions["hotline.route_limits"]
    assert limits["open311.post_request"] == "open311_post"
    assert limits["open311.get_requests"] == "open311"
    c = app.test_client()
    posts = [c.post(f"{BASE}/requests.json", data={"service_code": "street_lights"})
             for _ in range(3)]
    assert [r.status_code for r in posts] == [403, 403, 429]
    assert posts[2].content_type == "application/json; charset=utf-8"
    assert posts[2].json[0]["code"] == 429 and posts[2].json[0]["description"]
    r = c.post(f"{BASE}/requests.xml", data={"service_code": "street_lights"})
    assert r.status_code == 429 and xml(r).find("error/code").text == "429"
    # the POSTs used none of the GET route's budget
    gets = [c.get(f"{BASE}/requests.json").status_code for _ in range(4)]
    assert gets == [200, 200, 200, 429]
    r = c.get(f"{BASE}/requests.xml")
    assert r.status_code == 429 and xml(r).find("error/code").text == "429"
    assert c.get(f"{BASE}/services.json").status_code == 200   # another route, its own count


def test_request_routes_by_the_responsibility_table_with_assisting_units(api, key):
    """A service_code routes like an agent's category: through the responsibility table
    (docs/design/domain.md §6.6), so 餐饮油烟 goes to 城管 with 生态环境 assisting (the
    Open311 path used the category's default owner and lost the assisting unit)."""
    r = post(api, "json", api_key=key, service_code="cooking_fumes",
             address_string="东城街道东城大道 88 号", description="楼下餐馆油烟直排, 熏得无法开窗")
    assert r.status_code == 201, r.json
    number = r.json[0]["service_request_id"]
    [o] = [o for o in api.as_("dispatcher").get(f"/api/v1/orders?q={number}").json["items"]]
    assert o["status"] == "dispatched" and o["unit"] == "dept_urban"
    assert o["assist_units"] == ["dept_env"]
    # the assisting unit sees the order and has its 协办 task
    assert api.as_("dept_env").get(f"/api/v1/orders/{o['id']}").status_code == 200
    tasks = api.as_("dept_env").get("/api/v1/inbox?tab=assist").json["items"]
    assert number in {t["number"] for t in tasks}
