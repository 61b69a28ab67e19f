"""Issue 17 pages, in Chromium: the 会商 page and the order page's panel (a unit answers, the
supervisor decides), the hard-case tracking list (a supervisor takes a proposal on) and the
hot-spot alerts (the dispatcher groups a surge under its master order). Screenshots in
var/screenshots/cases-*.png; names on the pages, never codes."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from hotline.consult import service as consult
from hotline.intake.service import IntakeRequest, submit
from hotline.workorders.commands import act
from hotline.workorders.domain.model import Actor, Caller
from hotline.workorders.domain.workflow import Role

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
RAW = re.compile(r"dept_|town_|util_|\bdepartment\b|\bdispatcher\b|\bsupervisor\b|living_noise"
                 r"|\bdecline\b|\bassist\b")
AGENT = Actor("agent", Role.AGENT)
SUP = Actor("supervisor", Role.SUPERVISOR)
DISPATCHER = Actor("dispatcher", Role.DISPATCHER)
HUMEN = Actor("town_humen", Role.DEPARTMENT, "town_humen")


def _no_codes(page):
    found = RAW.findall(page.locator("main").inner_text())
    assert not found, f"raw codes on {page.url}: {found}"


def _logout(page):
    page.click("#logout")
    page.wait_for_url(lambda u: "/login" in u)


def test_consult_hardcase_and_hotspot_pages(live_server, page):
    rt, base = live_server.rt, live_server.url
    o = submit(rt, AGENT, IntakeRequest(content="小区楼下广场舞音响声音很大, 每晚十点后仍不停止",
                                        town="town_humen", category="living_noise"))
    act(rt, HUMEN, o["id"], "request_return", {"reason": "噪声源为经营场所", "data": {
        "legal_basis": "《噪声污染防治法》第八条", "suggested_unit": "dept_env"}})
    deadline = datetime.now(timezone.utc) + timedelta(days=2)
    c = consult.open_consultation(rt, SUP, o["id"], ["town_humen", "dept_env", "dept_police"],
                                  deadline, "广场舞噪声由谁牵头")
    consult.answer(rt, Actor("dept_env", Role.DEPARTMENT, "dept_env"), c["id"], "lead", None,
                   "我局牵头, 现场监测")
    # a hard case proposed by the criteria (returned twice)
    h = submit(rt, AGENT, IntakeRequest(content="白沙社区一巷垃圾堆积多日无人清运",
                                        town="town_humen", unit="town_humen"))
    for n in range(2):
        act(rt, HUMEN, h["id"], "request_return", {"reason": "不属本镇职责", "data": {
            "legal_basis": "三定方案", "suggested_unit": "dept_urban"}})
        if n == 0:
            act(rt, DISPATCHER, h["id"], "reject_return", {"reason": "属地管理"})
    # a surge of queued appeals (a stricter threshold for the demo of the page)
    rt.config.cases["hotspots"]["threshold"] = 4
    now = datetime.now(timezone.utc)
    try:
        for k, place in enumerate(["白沙社区", "怀德社区", "博头村", "南栅社区", "赤岗社区"]):
            submit(rt, AGENT, IntakeRequest(
                content=f"咨询虎门镇{place}附近社保卡补办的地点和办理时间", town="town_humen",
                received_at=now - timedelta(minutes=10 - k)))
    finally:
        rt.config.cases["hotspots"]["threshold"] = 10

    # the unit answers on the 会商 page (a decline needs its legal basis)
    login(page, base, "town_humen")
    page.goto(f"{base}/consultations")
    form = page.locator("form.answer-form")
    form.locator("select[name=answer]").select_option("decline")
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_contain_text("法律依据")
    form.locator("input[name=legal_basis]").fill("《噪声污染防治法》第六十一条")
    form.locator("button[type=submit]").click()
    expect(page.locator("article.consult")).to_contain_text("不同意")
    _no_codes(page)
    screenshot(page, "cases-consult-unit")
    _logout(page)

    # the supervisor sees the order page's panel and decides on the 会商 page
    login(page, base, "supervisor")
    page.goto(f"{base}/orders/{o['id']}")
    expect(page.locator("#consult-panel")).to_contain_text("同意牵头办理")
    _no_codes(page)
    screenshot(page, "cases-order-panel")
    page.click("#consult-link")
    dec = page.locator("form.decision-form")
    dec.locator("select[name=lead]").select_option("dept_env")
    dec.locator("input[name=assist][value=dept_police]").check()
    dec.locator("textarea[name=reason]").fill("经营场所噪声由生态环境局牵头")
    dec.locator("button[type=submit]").click()
    expect(page.locator("form.decision-form")).to_have_count(0)
    page.click("#filter button[data-pending='0']")
    expect(page.locator("article.consult .decision")).to_contain_text("主办 市生态环境局")
    _no_codes(page)
    screenshot(page, "cases-consult-supervisor")

    # the hard-case list: take the proposal on with a leader and a deadline
    page.goto(f"{base}/hard-cases")
    page.click("#filter button[data-status='proposed']")
    card = page.locator("article.hardcase")
    expect(card).to_contain_text("退单两次及以上")
    card.locator("input[name=leader]").fill("市政府副秘书长")
    card.locator("button[type=submit]").click()
    expect(page.locator("form.accept-form")).to_have_count(0)
    page.click("#filter button[data-status='open']")
    expect(page.locator("article.hardcase")).to_contain_text("牵头领导 市政府副秘书长")
    page.locator("form.note-form textarea").fill("已召开协调会, 明确城管牵头")
    page.locator("form.note-form button[type=submit]").click()
    expect(page.locator("article.hardcase")).to_contain_text("协调进展")
    _no_codes(page)
    screenshot(page, "cases-hardcases-supervisor")
    page.goto(f"{base}/hotspots")
    expect(page.locator("article.hotspot")).to_contain_text("虎门镇")
    screenshot(page, "cases-hotspots-supervisor")
    _logout(page)

    # the dispatcher groups the surge under its master order
    login(page, base, "dispatcher")
    page.goto(f"{base}/hotspots")
    page.locator("button.merge").click()
    expect(page.locator("article.hotspot")).to_contain_text("已并入主工单")
    expect(page.locator("#weekly")).to_contain_text("虎门镇")
    _no_codes(page)
    screenshot(page, "cases-hotspots-dispatcher")
    page.goto(f"{base}/consultations")
    expect(page.locator("#open-card")).to_be_visible()
    screenshot(page, "cases-consult-dispatcher")


def test_agent_links_a_repeat_at_intake_and_transfers_on_the_order_page(live_server, page):
    rt, base = live_server.rt, live_server.url
    first = submit(rt, AGENT, IntakeRequest(
        content="白沙社区一巷垃圾堆积多日无人清运", town="town_humen", unit="town_humen",
        caller=Caller("张先生", "13800138000")))
    act(rt, HUMEN, first["id"], "sign", {})
    act(rt, HUMEN, first["id"], "reply", {"data": {"reply": "已安排清运, 今后每日清运两次"}})
    act(rt, DISPATCHER, first["id"], "accept_reply", {})
    act(rt, DISPATCHER, first["id"], "close", {})

    login(page, base, "agent")
    page.goto(f"{base}/intake")
    page.fill("#caller_phone", "13800138000")
    page.select_option("#town", "town_humen")
    page.fill("#content", "咨询一下白沙社区一巷的垃圾为什么又没人清运了")
    page.click("#submit-btn")
    card = page.locator("#repeats-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("已安排清运, 今后每日清运两次")
    expect(card).to_contain_text("同一来电人")
    _no_codes(page)
    screenshot(page, "cases-intake-repeats-agent")
    page.fill("#repeat-reason", "清运后再次堆积, 问题未解决")
    card.locator("button.repeat-reopen").click()
    expect(card).to_be_hidden()
    expect(page.locator("#recent tbody tr").first).to_contain_text("重复诉求")

    # a transfer to the provincial hotline, recorded on the order page
    o = submit(rt, AGENT, IntakeRequest(content="广州的社保关系转移到东莞怎么办理",
                                        town="town_humen"))
    page.goto(f"{base}/orders/{o['id']}")
    page.click("#act-transfer_platform")
    page.select_option("#f-platform", "yue12345")
    page.fill("#f-receiver", "广东省12345 (粤省心)")
    page.fill("#f-reference", "YSX20261203001")
    page.click("#action-submit")
    page.click("#confirm-dialog #confirm-ok")              # the confirmation (issue 15)
    expect(page.locator("#o-status")).to_have_text("已转其他平台")
    expect(page.locator("#timeline")).to_contain_text("编号 YSX20261203001")
    _no_codes(page)
    screenshot(page, "cases-transfer-agent")
