"""Citizen self-service filing and progress through the real pages."""
import re
import time

import pytest

from hotline.intake import selfservice

GOOD = {"content": "小区门口路灯坏了一个多星期, 晚上很黑, 请尽快维修", "phone": "13800138000",
        "town": "town_humen", "address": "虎门镇某某路 1 号", "name": "王女士"}


def token(rt, age=10):
    return selfservice.form_token(rt, now=time.time() - age)


def file(api, rt, ip="10.0.0.1", age=10, **over):
    form = dict(GOOD, form_token=token(rt, age), website="", **over)
    return api.client.post("/self/new", data=form, environ_base={"REMOTE_ADDR": ip})


def done(resp):
    html = resp.get_data(as_text=True)
    number = re.search(r'id="order-number">([^<]+)<', html).group(1)
    code = re.search(r'id="query-code">([^<]+)<', html).group(1)
    return number, code


def track(api, number, code, ip="10.0.0.1"):
    return api.client.post("/self/track", data={"number": number, "code": code},
                           environ_base={"REMOTE_ADDR": ip})


def test_page_is_chinese_and_mobile_ready(api):
    r = api.client.get("/self/new")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="viewport"' in html and "我要反映" in html
    assert 'name="form_token"' in html and 'name="website"' in html
    assert api.client.get("/self/track").status_code == 200


def test_file_then_track_with_number_and_code(api, rt):
    r = file(api, rt)
    assert r.status_code == 200, r.get_data(as_text=True)
    number, code = done(r)
    assert re.fullmatch(r"\d{6}", code)
    order = next(o for o in api.as_("dispatcher").get("/api/v1/orders").json["items"]
                 if o["number"] == number)
    assert order["channel"] == "web" and order["town"] == "town_humen"
    page = track(api, number, code)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="progress"' in html and "诉求已受理" in html
    assert "13800138000" not in html and "王女士" not in html


def test_wrong_code_or_number_shows_nothing(api, rt):
    number, code = done(file(api, rt))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for n, c in [(number, wrong), (number, ""), ("DG2026000000000", code)]:
        r = track(api, n, c)
        html = r.get_data(as_text=True)
        assert r.status_code == 404 and 'id="not-found"' in html
        assert 'id="progress"' not in html and GOOD["content"] not in html


def test_progress_never_shows_internal_notes_or_unit_reports(api, rt):
    number, code = done(file(api, rt))
    oid = next(o["id"] for o in api.as_("dispatcher").get("/api/v1/orders").json["items"]
               if o["number"] == number)
    o = api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json
    if o["status"] == "pending_dispatch":
        api.act("dispatcher", oid, "dispatch", unit="dept_urban")
    unit = api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json["unit"]
    api.act("dispatcher", oid, "note", note="内部备注: 该市民多次来电")
    api.act(unit, oid, "sign")
    api.act(unit, oid, "reply", reply="单位报告: 已派班组三人处理",
            citizen_reply="您好, 路灯已修复, 感谢反映")
    html = track(api, number, code).get_data(as_text=True)
    assert "承办单位已提交答复" in html
    assert "路灯已修复" not in html            # not yet accepted by the centre
    api.act("dispatcher", oid, "accept_reply")
    html = track(api, number, code).get_data(as_text=True)
    assert 'id="citizen-reply">您好, 路灯已修复, 感谢反映' in html
    assert "内部备注" not in html and "单位报告" not in html and "dispatcher" not in html


@pytest.mark.parametrize("over,age,message", [
    ({"website": "http://spam"}, 10, "提交失败"),
    ({}, 0, "提交过快"),
    ({}, 3 * 3600, "过期"),
    ({"form_token": "123.abc.def"}, 10, "表单无效"),
    ({"content": "太短"}, 10, "10 至 2000 字"),
    ({"phone": "12"}, 10, "电话"),
])
def test_anti_abuse_and_validation(api, rt, over, age, message):
    form = dict(GOOD, form_token=token(rt, age), website="")
    form.update(over)
    r = api.client.post("/self/new", data=form)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert api.as_("dispatcher").get("/api/v1/orders").json["total"] == 0


def test_token_is_used_once_and_ip_rate_is_limited(api, rt):
    t = token(rt)
    form = dict(GOOD, form_token=t, website="")
    assert api.client.post("/self/new", data=form).status_code == 200
    again = api.client.post("/self/new", data=form)
    assert again.status_code == 400 and "重复提交" in again.get_data(as_text=True)
    limit = rt.config.selfservice["file_per_ip_per_hour"]
    codes = [file(api, rt, ip="10.9.9.9").status_code for _ in range(limit + 1)]
    assert codes == [200] * limit + [429]
    assert file(api, rt, ip="10.9.9.8").status_code == 200   # another IP is unaffected


def test_track_guessing_is_rate_limited(api, rt):
    number, _ = done(file(api, rt))
    limit = rt.config.selfservice["track_per_ip_per_hour"]
    codes = {track(api, number, f"{i:06d}", ip="10.7.7.7").status_code
             for i in range(limit)}
    assert codes == {404}
    assert track(api, number, "000000", ip="10.7.7.7").status_code == 429


def test_form_whose_order_was_not_stored_can_be_sent_again(api, rt):
    """The hit that uses up the form commits before the order. If the order's commit then
    failed (a 503 while PostgreSQL restarted), sending the same form again files it, once."""
    t = token(rt)
    nonce = t.split(".")[1]
    # what the first try left behind: the form counted, no order
    selfservice._count_hit(rt, "file", "10.0.0.5", 100, nonce)
    form = dict(GOOD, form_token=t, website="")
    first = api.client.post("/self/new", data=form)
    assert first.status_code == 200, first.get_data(as_text=True)
    number, code = done(first)
    orders = api.as_("dispatcher").get("/api/v1/orders").json
    assert orders["total"] == 1 and orders["items"][0]["number"] == number
    # once it is stored, the form is used up as before
    again = api.client.post("/self/new", data=form)
    assert again.status_code == 400 and "重复提交" in again.get_data(as_text=True)
    other = api.client.post("/self/new", data=dict(form, content="另一条诉求: 小区附近工地夜间施工噪音扰民"))
    assert other.status_code == 400 and "已提交过" in other.get_data(as_text=True)
    assert api.as_("dispatcher").get("/api/v1/orders").json["total"] == 1
