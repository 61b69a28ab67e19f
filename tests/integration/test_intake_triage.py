"""Intake's triage for every channel (issue 14, Build 1-4), on SQLite and PostgreSQL: a vague
appeal waits in the dispatcher queue with its reason, an emergency is handed to its line and
never dispatched, a rapid-response hit runs on the pledge clocks at the item's own unit, and
every order from every channel has an appeal type and so its legal reply deadline."""
import re
import time
from datetime import datetime

import pytest
import yaml

from hotline.classify.text import CONFIG_DIR
from hotline.intake import selfservice

# the example: the demo model dispatched it to 市人社局 with 0.2461 ("other" 0.4352)
VAGUE = "我家楼下那个地方最近一直有问题，搞得我们很烦，不知道该找哪个部门，你们帮忙看一下怎么处理。"
GAS = "我家厨房燃气泄漏了，一股很浓的煤气味，怎么办"
MANHOLE = "虎门镇连升路这边的井盖不见了，晚上路过很危险，快派人来看看"
SUICIDE = "我真的不想活了，欠了好多钱，我现在就在楼顶"
HUMEN = "town_humen"


@pytest.fixture(scope="module")
def low_threshold_model(tmp_path_factory):
    """A real model published with the CV threshold the issue found on the demo model
    (0.11): only the triage's own floor and margin keep a weak reading from auto-dispatch."""
    from tests.conftest import train_seed_model
    return train_seed_model(tmp_path_factory.mktemp("var"), threshold=0.11)


@pytest.fixture
def model(rt, low_threshold_model, monkeypatch):
    monkeypatch.setenv("HOTLINE_VAR", str(low_threshold_model))
    assert rt.predictor() is not None
    return rt.predictor()


def _deadlines(api, oid):
    return api.as_("dispatcher").get(f"/api/v1/orders/{oid}/deadlines").json["deadlines"]


def _minutes(d):
    return (datetime.fromisoformat(d["due"]) - datetime.fromisoformat(d["started_at"])
            ).total_seconds() / 60


def _rapid_item(code):
    items = yaml.safe_load((CONFIG_DIR / "rapid_response.yaml").read_text(encoding="utf-8"))
    return next(it for it in items["items"] if it["code"] == code)


def test_vague_appeal_waits_in_the_queue_with_its_reason(api, model):
    o = api.create(content=VAGUE, town=HUMEN)
    assert o["status"] == "pending_dispatch" and o["unit"] is None
    t = o["triage"]
    assert t["auto"] is False and t["vague"] and t["reasons"]
    assert o["classification"]["auto"] is False
    q = api.as_("dispatcher").get("/api/v1/dispatch/queue").json["items"]
    [mine] = [x for x in q if x["id"] == o["id"]]
    # the reason is the triage's, in Chinese, never a code
    assert mine["queue_reason"] and re.search(r"[\u4e00-\u9fff]", mine["queue_reason"])
    assert not re.search(r"[a-z]{4,}", mine["queue_reason"]), mine["queue_reason"]


def test_gas_smell_at_home_is_an_emergency_for_119_never_dispatched(api, model):
    o = api.create(content=GAS, town="town_dongcheng")
    t = o["triage"]
    assert t["emergency"]["line"] == "119" and "119" in t["emergency"]["line_name"]
    assert t["auto"] is False and o["classification"]["auto"] is False
    # not dispatched and not queued: the agent transfers the caller (the page's banner)
    assert o["status"] == "registered" and o["unit"] is None
    history = api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}").json["history"]
    assert not [h for h in history if h["action"] in ("dispatch", "queue")]


def test_suicide_threat_is_an_emergency_even_without_a_model(api):
    """No model published: the emergency rules still fire (they are rules, not a model)."""
    o = api.create(content=SUICIDE, town="town_dongcheng")
    assert o["triage"]["emergency"]["line"] in ("110", "120")
    assert o["status"] == "registered" and o["unit"] is None


def test_manhole_in_humen_is_rapid_at_the_items_unit_on_the_pledge_clocks(api, model):
    item = _rapid_item("rr23")
    o = api.create(content=MANHOLE, town=HUMEN)
    assert o["rapid_item"] == "rr23" and o["triage"]["rapid_item"]["item_code"] == "rr23"
    unit = HUMEN if item["unit"] == "town" else item["unit"]
    assert o["status"] == "dispatched" and o["unit"] == unit
    assert o["category"] == item["category"]
    assert o["urgency"] == "urgent"          # the pledge tier, not "normal"
    dl = {(d["clock"], d["target"]): d for d in _deadlines(api, o["id"])}
    assert _minutes(dl[("dispatch", "pledge")]) == 5
    assert _minutes(dl[("sign", "pledge")]) == 5                          # 即时签收
    assert _minutes(dl[("contact", "pledge")]) == item["contact_minutes"] == 30
    assert _minutes(dl[("onsite", "pledge")]) == item["onsite_minutes"] == 60
    assert dl[("sign", "pledge")]["owner"] == unit


def test_agent_order_without_a_type_gets_the_predicted_one(api):
    o = api.create(content="请问办理居住证需要带什么材料，在哪里办理", town="town_dongcheng")
    at = o["triage"]["appeal_type"]
    assert at["code"] == "consultation" and 0 < at["score"] <= 1 and at["name"] == "咨询"
    assert o["appeal_type"] == "consultation"
    assert ("reply", "legal") in {(d["clock"], d["target"]) for d in _deadlines(api, o["id"])}
    # the agent's choice wins over the prediction
    mine = api.create(content="请问办理居住证需要带什么材料，在哪里办理", appeal_type="help")
    assert mine["appeal_type"] == "help"


def test_classify_endpoint_answers_every_decision(api):
    r = api.as_("agent").post("/api/v1/classify", json={"text": GAS})
    assert r.status_code == 200, r.json
    assert r.json["emergency"]["line"] == "119" and r.json["appeal_type"]["code"]
    assert r.json["auto"] is False
    r = api.as_("agent").post("/api/v1/classify", json={"text": MANHOLE, "town": HUMEN})
    assert r.status_code == 200 and r.json["rapid_item"]["item_code"] == "rr23"
    assert r.json["emergency"] is None


def test_open311_order_gets_the_predicted_type_and_a_legal_deadline(api):
    key = api.as_("admin").post("/api/v1/admin/api-keys", json={"name": "wechat-app"}).json["api_key"]
    text = "举报有人每天晚上在河边偷偷倾倒建筑垃圾，污染河道"
    r = api.client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "sanitation", "description": text,
        "address_string": "东城大道 1 号", "attribute[town]": "town_dongcheng"})
    assert r.status_code == 201, r.json
    [o] = api.as_("dispatcher").get(
        f"/api/v1/orders?q={r.json[0]['service_request_id']}").json["items"]
    predicted = api.as_("agent").post("/api/v1/classify", json={"text": text}).json
    # the prediction, not a 求助 hard-coded for every request
    assert o["appeal_type"] == predicted["appeal_type"]["code"] == "report"
    assert ("reply", "legal") in {(d["clock"], d["target"]) for d in _deadlines(api, o["id"])}


def _self_post(api, rt, content, ip="10.0.0.21"):
    return api.client.post("/self/new", data={
        "content": content, "phone": "13800138000", "town": "town_dongcheng",
        "address": "东城大道 1 号", "website": "",
        "form_token": selfservice.form_token(rt, now=time.time() - 10)},
        environ_base={"REMOTE_ADDR": ip})


def test_self_service_order_gets_a_type_and_a_legal_deadline(api, rt):
    r = _self_post(api, rt, "建议在我们小区门口增设一个公交站，方便老人出行")
    assert r.status_code == 200, r.get_data(as_text=True)
    number = re.search(r'id="order-number">([^<]+)<', r.get_data(as_text=True)).group(1)
    [o] = api.as_("dispatcher").get(f"/api/v1/orders?q={number}").json["items"]
    assert o["appeal_type"] == "suggestion"
    assert ("reply", "legal") in {(d["clock"], d["target"]) for d in _deadlines(api, o["id"])}


def test_self_service_emergency_is_not_filed_and_shows_the_number(api, rt):
    before = api.as_("dispatcher").get("/api/v1/orders").json["total"]
    r = _self_post(api, rt, GAS)
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert 'id="emergency-call"' in page and "119" in page
    assert 'id="order-number"' not in page
    assert api.as_("dispatcher").get("/api/v1/orders").json["total"] == before


def test_transfer_emergency_records_line_operator_reference_and_feedback(api):
    o = api.create(content=GAS, town="town_dongcheng")
    t = api.act("agent", o["id"], "transfer_emergency", line="119", operator="119 接警员 李明",
                reference="JJ20240601-0042")
    assert t["status"] == "transferred_emergency"
    got = api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}").json
    [h] = [x for x in got["history"] if x["action"] == "transfer_emergency"]
    assert h["data"]["line"] == "119" and h["data"]["operator"] == "119 接警员 李明"
    assert h["data"]["reference"] == "JJ20240601-0042" and h["data"]["transferred_at"]
    # the feedback step: the line's outcome, recorded later on the transferred order
    api.act("agent", o["id"], "emergency_feedback", feedback="消防已到场处置，无人员受伤")
    got = api.as_("dispatcher").get(f"/api/v1/orders/{o['id']}").json
    assert got["status"] == "transferred_emergency"
    [fb] = [x for x in got["history"] if x["action"] == "emergency_feedback"]
    assert fb["data"]["feedback"] == "消防已到场处置，无人员受伤"


def test_agent_overriding_an_emergency_reading_queues_it_with_the_note(api):
    o = api.create(content=GAS, town="town_dongcheng", not_emergency=True)
    assert o["status"] == "pending_dispatch" and o["unit"] is None
    q = api.as_("dispatcher").get("/api/v1/dispatch/queue").json["items"]
    [mine] = [x for x in q if x["id"] == o["id"]]
    assert "话务员判断不是紧急警情" in mine["queue_reason"]
