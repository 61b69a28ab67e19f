"""热点预警 (issue 17, Build 7, acceptance): a burst of 20 similar appeals from one town
within 30 minutes, replayed among 500 ordinary ones with an injected clock (each appeal's
received time), raises exactly one alert, by the 10th appeal of the burst (config/cases.yaml:
10 in 30 minutes), so before the 20th is logged; the ordinary traffic raises none. The alert
reaches every dispatcher and supervisor through the outbox; later similar appeals join it and
the dispatcher groups them under the master order. Both backends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from hotline.core.orm import NotificationRow
from hotline.core.outbox import drain_once
from hotline.hotspots.orm import HotspotAlertRow, HotspotMemberRow
from hotline.intake.service import IntakeRequest, submit
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role

T0 = datetime(2026, 7, 6, 0, 30, tzinfo=timezone.utc)     # Monday 08:30 in Dongguan
AGENT = Actor("agent", Role.AGENT)
TOWNS = ["town_humen", "town_changan", "town_dongcheng", "town_nancheng", "town_houjie",
         "town_tangxia", "town_changping", "town_dalang"]
# everyday appeals, each about something else (an ordinary hour in eight towns)
ORDINARY = [
    "小区门口垃圾堆积多日无人清运, 气味难闻", "楼下餐馆油烟直排, 窗户都不敢开",
    "工地晚上十二点还在打桩施工, 严重影响休息", "路口红绿灯故障, 早高峰车辆拥堵",
    "公交车站台被拆除后一直没有恢复", "孩子入学积分怎么计算, 需要什么材料",
    "公司拖欠三个月工资不发, 要求帮助讨薪", "社保卡丢失了去哪里补办",
    "路边有一棵大树倒伏压住了电线", "小区物业擅自提高管理费",
    "河涌发黑发臭, 有大量死鱼", "人行道被摊贩占用, 行人只能走机动车道",
    "想咨询公积金提取的办理流程", "楼上住户装修噪音从早到晚",
    "网购商品质量问题商家拒绝退货", "医院挂号难, 希望增加号源",
    "燃气管道有异味, 担心泄漏", "共享单车乱停乱放堵塞消防通道",
    "出租屋房东不退押金", "驾驶证换证需要去哪里办理",
    "菜市场卫生脏乱差, 地面积水", "小区电梯经常故障困人",
    "企业偷排废气, 晚上味道特别刺鼻", "路灯坏了好几天晚上一片漆黑",
    "夜宵档占道经营到凌晨两点",
]
PLACES = ["白沙社区", "怀德社区", "博头村", "南栅社区", "赤岗社区", "沙角社区", "大宁社区",
          "北栅社区", "龙眼社区", "武山沙社区"]


def _burst(k: int) -> str:
    """The k-th 停水 appeal from 虎门镇: the same matter in the callers' own words."""
    place = PLACES[k % len(PLACES)]
    tails = ["请尽快恢复供水", "什么时候能来水", "也没有提前通知", "老人小孩都没水用"]
    return f"虎门镇{place}从早上开始突然停水了, 家里没有自来水, {tails[k % len(tails)]}"


def _traffic():
    """(received_at, town, text, burst index or None), in the order they are logged: 500
    ordinary appeals over five hours (one every 36 s, eight towns in turn, each town's next
    appeal about another matter) and 20 停水 calls from 虎门镇 within 26 minutes."""
    items = []
    for i in range(500):
        town = TOWNS[i % len(TOWNS)]
        text = ORDINARY[(i // len(TOWNS) + i) % len(ORDINARY)]
        items.append((T0 + timedelta(seconds=36 * i), town, f"{text} (来电 {i})", None))
    start = T0 + timedelta(hours=2)
    for k in range(20):
        items.append((start + timedelta(seconds=80 * k, milliseconds=500), "town_humen",
                      _burst(k), k))
    return sorted(items, key=lambda x: x[0])


def _alerts(rt):
    t = HotspotAlertRow
    with rt.uow() as uow:
        return uow.session.execute(select(t.id, t.town, t.trigger_order_id, t.master_order_id)
                                   .order_by(t.id)).all()


def test_a_burst_among_ordinary_traffic_raises_one_alert_before_the_20th(rt, api):
    burst_ids: dict[int, int] = {}
    alerts_before_20th = None
    for at, town, text, k in _traffic():
        if k == 19:
            alerts_before_20th = _alerts(rt)
        o = submit(rt, AGENT, IntakeRequest(content=text, town=town, received_at=at))
        if k is not None:
            burst_ids[k] = o["id"]
        else:
            assert not _alerts(rt) or len(burst_ids) >= 10, "an ordinary appeal raised an alert"
    alerts = _alerts(rt)
    assert len(alerts) == 1
    a = alerts[0]
    # raised by the 10th appeal of the burst, so it existed before the 20th was logged
    assert a.trigger_order_id == burst_ids[9]
    assert [x.id for x in alerts_before_20th] == [a.id]
    assert a.town == "town_humen" and a.master_order_id == burst_ids[0]
    with rt.uow() as uow:
        members = set(uow.session.execute(select(HotspotMemberRow.order_id).where(
            HotspotMemberRow.alert_id == a.id)).scalars())
    assert members == set(burst_ids.values())      # the 20 calls, no ordinary appeal

    # dispatchers and supervisors are told after the commit, through the outbox
    while drain_once(rt):
        pass
    with rt.uow() as uow:
        told = set(uow.session.execute(select(NotificationRow.username).where(
            NotificationRow.kind == "hotspot")).scalars())
    assert {"dispatcher", "supervisor"} <= told and "agent" not in told

    # the alert list and the grouping under the master order
    r = api.as_("dispatcher").get("/api/v1/hotspots/alerts?status=open")
    assert r.status_code == 200 and r.json["total"] == 1
    item = r.json["items"][0]
    assert item["count"] == 20 and item["town_name"] == "虎门镇" and item["unmerged"] == 19
    assert api.as_("agent").get("/api/v1/hotspots/alerts").status_code == 403
    # 停水 is a rapid-response item: every call went straight to the water utility, and the
    # transition table merges only orders not yet dispatched, so nothing merges here
    r = api.as_("dispatcher").post(f"/api/v1/hotspots/alerts/{a.id}/merge", json={})
    assert r.status_code == 200 and r.json["merged"] == [] and len(r.json["failed"]) == 19


def test_queued_members_are_grouped_under_the_master(rt, api):
    """Appeals that wait for dispatch (a consultation: no rapid item, no model) are merged
    into the alert's master order by the dispatcher; each keeps its own history."""
    rt.config.cases["hotspots"]["threshold"] = 3
    try:
        ids = [submit(rt, AGENT, IntakeRequest(
            content=f"咨询虎门镇{PLACES[k]}附近社保卡补办的地点和办理时间", town="town_humen",
            received_at=T0 + timedelta(minutes=k)))["id"] for k in range(4)]
    finally:
        rt.config.cases["hotspots"]["threshold"] = 10
    [alert] = api.as_("supervisor").get("/api/v1/hotspots/alerts").json["items"]
    assert alert["master_order_id"] == ids[0] and alert["count"] == 4
    r = api.as_("supervisor").post(f"/api/v1/hotspots/alerts/{alert['id']}/merge", json={})
    assert r.status_code == 403          # 并单 is the dispatcher's
    r = api.as_("dispatcher").post(f"/api/v1/hotspots/alerts/{alert['id']}/merge", json={})
    assert r.status_code == 200 and sorted(r.json["merged"]) == ids[1:], r.json
    assert r.json["alert"]["unmerged"] == 0
    child = api.as_("dispatcher").get(f"/api/v1/orders/{ids[2]}").json
    assert child["status"] == "merged" and child["master_id"] == ids[0]
    r = api.as_("dispatcher").post(f"/api/v1/hotspots/alerts/{alert['id']}/close")
    assert r.status_code == 200 and r.json["status"] == "closed"


def test_weekly_report_lists_top_and_rising_topics_per_town(rt, api):
    week = datetime(2026, 7, 6, 2, 0, tzinfo=timezone.utc)     # Monday
    plan = [("town_humen", "water_supply", 0, 2), ("town_humen", "water_supply", 7, 6),
            ("town_humen", "sanitation", 0, 5), ("town_humen", "sanitation", 7, 4),
            ("town_changan", "street_lights", 7, 1)]
    for town, cat, day, n in plan:
        for k in range(n):
            submit(rt, AGENT, IntakeRequest(content=f"{cat} 诉求 {day} {k}", town=town,
                                            category=cat, unit="town_humen",
                                            received_at=week + timedelta(days=day, minutes=k)))
    r = api.as_("supervisor").get("/api/v1/reports/hotspots/weekly?week_of=2026-07-15")
    assert r.status_code == 200, r.json
    assert r.json["week_start"] == "2026-07-13"
    humen = next(t for t in r.json["towns"] if t["town"] == "town_humen")
    assert [(t["topic"], t["count"]) for t in humen["top"]] == [("water_supply", 6),
                                                                ("sanitation", 4)]
    assert [(t["topic"], t["rise"]) for t in humen["rising"]] == [("water_supply", 4)]
    assert humen["top"][0]["topic_name"] == "供水与水费"
    assert len(humen["top"][0]["examples"]) == 3
    assert api.as_("agent").get("/api/v1/reports/hotspots/weekly").status_code == 403


def test_threshold_and_window_come_from_config(rt, api):
    """Nine similar appeals in 30 minutes, or ten spread over more than 30 minutes: no alert."""
    for k in range(9):
        submit(rt, AGENT, IntakeRequest(content=_burst(k), town="town_humen",
                                        received_at=T0 + timedelta(minutes=3 * k)))
    assert _alerts(rt) == []
    later = T0 + timedelta(hours=3)
    for k in range(10):
        submit(rt, AGENT, IntakeRequest(content=_burst(k), town="town_changan",
                                        received_at=later + timedelta(minutes=4 * k)))
    assert _alerts(rt) == []
    rt.config.cases["hotspots"]["threshold"] = 8      # a stricter city: 8 in 30 minutes
    try:
        submit(rt, AGENT, IntakeRequest(content=_burst(3), town="town_changan",
                                        received_at=later + timedelta(minutes=37)))
    finally:
        rt.config.cases["hotspots"]["threshold"] = 10
    assert [x.town for x in _alerts(rt)] == ["town_changan"]
