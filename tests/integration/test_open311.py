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
    assert r.status_code == 400 and r.json[0]["code"] == 400 and "api_key" in r.json[0][
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
    from hotline.adapters.orm_open311 import ApiKeyRow
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
    from hotline.adapters.orm import WorkOrderRow
    from hotline.adapters.orm_open311 import Open311RequestRow
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
    from hotline.adapters.orm import WorkOrderRow
    from hotline.services import open311
    monkeypatch.setattr(open311.secrets, "token_urlsafe", lambda n: "same-token")
    assert _light(api, key).status_code == 201
    clash = _light(api, key)              # the token's unique index refuses the second row
    assert clash.status_code == 503
    with rt.uow() as uow:
        assert len(uow.session.execute(select(WorkOrderRow.id)).all()) == 1
