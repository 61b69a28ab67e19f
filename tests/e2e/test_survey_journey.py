"""A citizen answers the survey on the mobile page (phone viewport); the supervisor page then
shows the unit's satisfaction rate changed."""
import re

import pytest
from playwright.sync_api import expect

from hotline.core.outbox import drain_once
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor

from .conftest import login, screenshot, watch_console

pytestmark = pytest.mark.browser
U = "town_humen"


def _order_in_return_visit(rt, phone):
    o = orders.create_order(rt, Actor("agent", "agent"), {
        "content": "市民反映小区门口垃圾堆积多日无人清运", "town": U, "category": "sanitation",
        "unit": U, "appeal_type": "complaint", "caller": {"name": "陈先生", "phone": phone}})
    dept = Actor(U, "department", U)
    orders.act(rt, dept, o["id"], "sign", {})
    orders.act(rt, dept, o["id"], "reply", {"data": {"reply": "已清运"}})
    orders.act(rt, Actor("dispatcher", "dispatcher"), o["id"], "accept_reply", {})
    while drain_once(rt):
        pass
    return o["id"]


def _pending(rt, order_id):
    """The order's pending survey and its citizen token, read where the SMS gets it: staff
    listings carry no token (issue 12 finding 9)."""
    from sqlalchemy import select

    from hotline.survey.orm import SurveyRow
    with rt.uow() as uow:
        s = uow.session.execute(select(SurveyRow).where(
            SurveyRow.order_id == order_id, SurveyRow.status == "pending")).scalar_one()
        return {"id": s.id, "token": s.token}


def _sat_cell(page):
    row = page.locator(f'#units tr[data-unit="{U}"] td[data-k="satisfaction_rate"]')
    row.wait_for(timeout=10000)
    return row.inner_text()


def test_mobile_answer_changes_supervisor_satisfaction(live_server, browser, page):
    rt = live_server.rt
    first = _order_in_return_visit(rt, "13800000001")
    s1 = _pending(rt, first)
    # a first, dissatisfied answer through the API: the unit's 满意率 is 0 %
    import json
    import urllib.request
    req = urllib.request.Request(f"{live_server.url}/api/v1/surveys/{s1['token']}", method="POST",
                                 data=json.dumps({"contacted": True, "resolved": "resolved",
                                                  "satisfaction": "dissatisfied"}).encode(),
                                 headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(req).status == 200
    second = _order_in_return_visit(rt, "13800000002")
    s2 = _pending(rt, second)

    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/supervisor/rankings")
    assert _sat_cell(page) == "0%"
    screenshot(page, "survey-01-supervisor-before")

    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                              has_touch=True)
    phone = ctx.new_page()
    problems = watch_console(phone)
    phone.goto(f"{live_server.url}/s/{s2['token']}")
    phone.get_by_text("联系过", exact=True).click()
    phone.get_by_text("已解决", exact=True).click()
    phone.locator("input[name=satisfaction][value=satisfied]").check()
    phone.fill("textarea[name=comment]", "处理及时，谢谢")
    screenshot(phone, "survey-02-mobile-form")
    phone.click("#submit")
    phone.get_by_text("提交成功").wait_for(timeout=10000)
    screenshot(phone, "survey-03-mobile-done")
    # the page fits the phone: no horizontal scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ctx.close()
    assert problems == []                      # no CSP refusal, no script error (issue 12)

    page.reload()
    assert _sat_cell(page) == "50%"          # (1 满意 + 0) / 2 valid answers
    # the ranking chart (ECharts, a canvas) by 满意率: one bar for the unit, described for
    # screen readers
    page.select_option("#metric", "satisfaction_rate")
    expect(page.locator("#chart-rank canvas").first).to_be_visible()
    expect(page.locator("#chart-rank")).to_have_attribute("aria-label", re.compile("满意率"))
    screenshot(page, "survey-04-supervisor-after")
    assert orders.get_order(rt, Actor("admin", "admin"), second)["status"] == "closed"


def test_agent_records_a_phone_answer_on_the_survey_queue(live_server, page):
    """The phone queue page records the answer through the phone-survey path: the agent is
    recorded, channel phone (issue 12 finding 9); the queue shows masked phones only."""
    rt = live_server.rt
    oid = _order_in_return_visit(rt, "13800000003")
    sid = _pending(rt, oid)["id"]
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/survey-queue")
    row = page.locator(f'#queue tr[data-id="{sid}"]')
    row.wait_for(timeout=10000)
    assert "138****0003" in row.inner_text()
    # nothing is preselected: saving before both answers are chosen is refused next to the selects
    row.locator("select.sat").select_option("basic")
    row.locator("button.save").click()
    expect(row.locator(".field-error")).to_have_text("请选择解决情况")
    expect(row.locator("select.res")).to_have_attribute("aria-invalid", "true")
    row.locator("select.res").select_option("resolved")
    row.locator("button.save").click()
    row.wait_for(state="detached", timeout=10000)
    from hotline.survey.orm import SurveyRow
    with rt.uow() as uow:
        s = uow.session.get(SurveyRow, sid)
        assert (s.status, s.answered_by, s.answered_via, s.satisfaction) == \
            ("answered", "agent", "phone", "basic")
