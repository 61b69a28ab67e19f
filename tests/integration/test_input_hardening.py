"""Hostile input to the JSON API (issue 12, findings 2, 4 and 8), on SQLite and PostgreSQL.

Each input here answered 500, or was accepted as given, before its fix. Every refusal must be
a 4xx carrying the error envelope {"error": {"code", "message", "fields"}} that names the
field when there is one.
"""
from __future__ import annotations

import pytest

from hotline.workorders.domain.workflow import ACTIONS

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


def _error(r, status):
    assert r.status_code == status, (r.status_code, r.data[:300])
    err = r.json["error"]
    assert set(err) == {"code", "message", "fields"}, err
    return err


def _order(api, **kw):
    return api.create(unit="town_humen", town="town_humen", **kw)["id"]


def _post(api, user, path, body):
    return api.as_(user).post(path, json=body)


# ------------------------------------------------------------------ finding 4: deep JSON

@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/surveys/no-such-token"])
def test_deeply_nested_json_is_refused_without_login(api, path, body):
    r = api.client.post(path, data=body, content_type="application/json")
    err = _error(r, 400)
    assert "_body" in err["fields"]


def test_moderate_nesting_inside_strings_does_not_count(api):
    # brackets inside a string are text, not nesting: the appeal keeps any characters
    content = "市民反映 " + "[{" * 300 + " 楼道堵塞"
    r = _post(api, "agent", "/api/v1/orders", {"content": content, "town": "town_humen"})
    assert r.status_code == 201, r.json
    assert r.json["content"] == content


def test_nesting_just_past_the_limit_is_refused_and_below_it_reaches_the_schema(api):
    from hotline.web.api import MAX_JSON_DEPTH
    ok = {"text": "x"}
    for _ in range(MAX_JSON_DEPTH - 1):
        ok = {"n": ok}
    r = _post(api, "agent", "/api/v1/classify", ok)
    assert _error(r, 422)["fields"] == {"n": ["未知字段"], "text": ["缺少必填字段"]}
    r = _post(api, "agent", "/api/v1/classify", {"n": ok})
    _error(r, 400)


# ------------------------------------------------------------------ finding 4: lone surrogates

def test_lone_surrogate_in_classify_is_422_naming_the_field(api):
    r = api.as_("agent").post("/api/v1/classify", data=b'{"text": "\\ud800abc"}',
                              content_type="application/json")
    assert list(_error(r, 422)["fields"]) == ["text"]


@pytest.mark.parametrize("raw, field", [
    (b'{"content": "\\udc00 \\u5e02\\u6c11\\u53cd\\u6620\\u5c0f\\u533a", "town": "town_humen"}',
     "content"),
    (b'{"content": "\\u5e02\\u6c11\\u53cd\\u6620\\u5c0f\\u533a\\u5783\\u573e", '
     b'"caller": {"name": "\\ud83d"}}', "caller.name"),
    (b'{"content": "\\u5e02\\u6c11\\u53cd\\u6620\\u5c0f\\u533a\\u5783\\u573e", '
     b'"\\ud800": 1}', "\ud800".encode("utf-8", "backslashreplace").decode()),
])
def test_lone_surrogate_anywhere_in_a_body_is_422(api, raw, field):
    r = api.as_("agent").post("/api/v1/orders", data=raw, content_type="application/json")
    assert field in _error(r, 422)["fields"]


def test_a_paired_surrogate_is_a_character_and_is_kept(api):
    # "\ud83d\ude00" is one emoji written as a UTF-16 pair: valid JSON, kept as given
    r = api.as_("agent").post(
        "/api/v1/orders", content_type="application/json",
        data=b'{"content": "\\u5e02\\u6c11\\u53cd\\u6620 \\ud83d\\ude00 \\u5783\\u573e\\u5806"}')
    assert r.status_code == 201, r.json
    assert "\U0001F600" in r.json["content"]


def test_lone_surrogate_in_an_action_note_is_422(api):
    oid = _order(api)
    r = api.as_("town_humen").post(f"/api/v1/orders/{oid}/note", content_type="application/json",
                                   data=b'{"data": {"note": "a\\udfffb"}}')
    assert "data.note" in _error(r, 422)["fields"]


# ------------------------------------------------------------------ finding 4: integer/list types

def test_merge_with_a_huge_master_id_is_422(api):
    oid = api.create(content="市民反映小区门口垃圾堆积多日无人清运")["id"]
    r = _post(api, "agent", f"/api/v1/orders/{oid}/merge",
              {"reason": "同一事项", "data": {"master_id": 10 ** 30}})
    assert "data.master_id" in _error(r, 422)["fields"]
    r = _post(api, "agent", f"/api/v1/orders/{oid}/merge",
              {"reason": "同一事项", "data": {"master_id": "1; drop"}})
    assert "data.master_id" in _error(r, 422)["fields"]


def test_add_assist_with_a_list_as_unit_is_422(api):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    r = _post(api, "town_humen", f"/api/v1/orders/{oid}/add_assist",
              {"data": {"unit": ["dept_env"], "task": "噪声检测"}})
    assert "data.unit" in _error(r, 422)["fields"]


@pytest.mark.parametrize("data, field", [
    ({"unit": "dept_env", "task": "噪声检测", "due": "下周一"}, "data.due"),
    ({"unit": "dept_env", "task": "噪声检测", "due": "9999-12-31T00:00:00+08:00"}, "data.due"),
    ({"unit": "dept_env", "task": "噪声检测", "due": "0001-01-01"}, "data.due"),
    ({"unit": "dept_env", "task": "噪声检测", "days": 10 ** 12}, "data.days"),
    ({"unit": "dept_env", "task": {"a": 1}}, "data.task"),
])
def test_add_assist_dates_and_numbers_are_parsed_and_bounded(api, data, field):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    r = _post(api, "town_humen", f"/api/v1/orders/{oid}/add_assist", {"data": data})
    assert field in _error(r, 422)["fields"]


def test_add_assist_with_an_iso_due_date_still_works(api):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    o = api.act("town_humen", oid, "add_assist", unit="dept_env", task="夜间噪声检测",
                due="2099-06-30T18:00:00+08:00")
    assert o["history"][-1]["data"]["due"].startswith("2099-06-30T18:00:00")


def test_extension_days_out_of_range_is_422(api):
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    for days in (10 ** 30, -1, "三天", True):
        r = _post(api, "town_humen", f"/api/v1/orders/{oid}/request_extension",
                  {"reason": "需协调", "data": {"days": days}})
        assert "data.days" in _error(r, 422)["fields"], days


# ------------------------------------------------------------------ finding 4: report dates

@pytest.mark.parametrize("path", ["/api/v1/reports/returns", "/api/v1/reports/units",
                                  "/api/v1/reports/trends"])
def test_report_date_ranges_are_bounded(api, path):
    sup = api.as_("supervisor")
    err = _error(sup.get(f"{path}?from=0001-01-01&to=9999-12-31"), 422)
    assert {"from", "to"} <= set(err["fields"]), err
    assert "from" in _error(sup.get(f"{path}?from=2026-03-01&to=2026-02-01"), 422)["fields"]
    assert "to" in _error(sup.get(f"{path}?from=2000-01-01&to=2099-12-31"), 422)["fields"]
    assert "from" in _error(sup.get(f"{path}?from=1999-12-31&to=2000-01-31"), 422)["fields"]
    assert sup.get(f"{path}?from=2026-01-01&to=2026-03-31").status_code == 200


def test_returns_report_datetime_bounds(api):
    sup = api.as_("supervisor")
    r = sup.get("/api/v1/reports/returns?from=2026-01-01T00:00:00%2B08:00"
                "&to=9999-12-31T23:59:59%2B08:00")
    assert "to" in _error(r, 422)["fields"]
    r = sup.get("/api/v1/reports/returns?from=2026-01-01T00:00:00%2B08:00"
                "&to=2026-01-31T23:59:59%2B08:00")
    assert r.status_code == 200


# ------------------------------------------------------------------ finding 2: per-action data

def test_every_action_refuses_an_unknown_data_key(api):
    oid = _order(api)
    for action in ACTIONS:
        r = _post(api, "dispatcher", f"/api/v1/orders/{oid}/{action}",
                  {"reason": "理由", "data": {"zz_unknown": 1}})
        err = _error(r, 422)
        # the unknown key is named whatever else the action's schema requires (answer: reply)
        assert err["fields"]["data.zz_unknown"] == ["未知字段"], (action, err)


def test_server_set_data_keys_cannot_be_supplied(api):
    """window_closes_at, return_number, transferred_at, ... are written by the service; a
    client that sends them (e.g. markup in window_closes_at) is refused."""
    oid = _order(api)
    api.act("town_humen", oid, "sign")
    ret = {"legal_basis": "权责清单", "suggested_unit": "town_dongcheng",
           "reason_code": "wrong_town"}
    for key, value in (("window_closes_at", '2026"><img src=x onerror=alert(1)>'),
                       ("return_number", 0), ("from_unit", "x")):
        r = _post(api, "town_humen", f"/api/v1/orders/{oid}/request_return",
                  {"reason": "不属于本镇", "data": {**ret, key: value}})
        assert f"data.{key}" in _error(r, 422)["fields"]
    fresh = api.create(content="市民来电称家中起火, 情况紧急需要帮助")["id"]
    r = _post(api, "agent", f"/api/v1/orders/{fresh}/transfer_emergency",
              {"data": {"line": "119", "transferred_at": "<b>x</b>"}})
    assert "data.transferred_at" in _error(r, 422)["fields"]
    r = _post(api, "dispatcher", f"/api/v1/orders/{oid}/urge",
              {"data": {"auto": True, "clock": "sign"}})   # only the SLA sweep records auto
    assert {"data.auto", "data.clock"} <= set(_error(r, 422)["fields"])


@pytest.mark.parametrize("action, data, field", [
    ("transfer_emergency", {"line": ["110"]}, "data.line"),
    ("not_accept", {"reason_code": "nope"}, "data.reason_code"),
    ("note", {"note": 12}, "data.note"),
    ("note", {"note": "x" * 5001}, "data.note"),
    ("dispatch", {"unit": "town_humen", "assist": "dept_env"}, "data.assist"),
    ("dispatch", {"unit": "town_humen", "assist": [{"unit": "dept_env", "x": 1}]},
     "data.assist.0.x"),
])
def test_wrong_types_in_action_data_are_422(api, action, data, field):
    oid = api.create(content="市民反映小区门口垃圾堆积多日无人清运")["id"]
    r = _post(api, "dispatcher", f"/api/v1/orders/{oid}/{action}", {"reason": "理由", "data": data})
    assert field in _error(r, 422)["fields"], r.json


def _resolve(spec, node):
    """A schema node with $ref / allOf[$ref] followed to its component."""
    comps = spec["components"]["schemas"]
    while True:
        if "$ref" in node:
            node = comps[node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        else:
            return node


def test_the_action_schemas_are_in_the_openapi_document(api):
    spec = api.client.get("/api/v1/openapi.json").json
    data = {}
    for action in ACTIONS:
        op = spec["paths"][f"/api/v1/orders/{{order_id}}/{action}"]["post"]
        body = _resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])
        assert body["additionalProperties"] is False, action
        data[action] = _resolve(spec, body["properties"]["data"])
        assert data[action]["additionalProperties"] is False, (action, data[action])
        assert body["properties"]["version"]["minimum"] == 0
    assert data["merge"]["properties"]["master_id"]["type"] == "integer"
    assert data["merge"]["properties"]["master_id"]["maximum"] == 2 ** 31 - 1
    assert data["add_assist"]["properties"]["due"]["format"] == "date-time"
    assert "window_closes_at" not in data["request_return"]["properties"]
    assert data["urge"].get("properties", {}) == {}


# ------------------------------------------------------------------ finding 8: version

def test_action_version_is_an_optimistic_lock(api):
    oid = _order(api)
    v = api.as_("town_humen").get(f"/api/v1/orders/{oid}").json["version"]
    r = _post(api, "town_humen", f"/api/v1/orders/{oid}/sign", {"version": v})
    assert r.status_code == 200, r.json
    assert r.json["version"] > v
    # the same (now stale) version again: somebody else changed the order since
    r = _post(api, "town_humen", f"/api/v1/orders/{oid}/note",
              {"data": {"note": "已联系"}, "version": v})
    assert _error(r, 409)["code"] == "conflict"
    assert api.as_("town_humen").get(f"/api/v1/orders/{oid}").json["history"][-1]["action"] \
        == "sign"
    # version stays optional
    r = _post(api, "town_humen", f"/api/v1/orders/{oid}/note", {"data": {"note": "已联系"}})
    assert r.status_code == 200


@pytest.mark.parametrize("version", [-1, 2 ** 31, "abc", 1.5])
def test_action_version_out_of_range_is_422(api, version):
    oid = _order(api)
    r = _post(api, "town_humen", f"/api/v1/orders/{oid}/sign", {"version": version})
    assert "version" in _error(r, 422)["fields"]
