"""Browser journeys of issue 18 (callcentre helper): a 差评 opens a 整改 task, the unit writes
its feedback on /rectifications and the supervisor sees and accepts it; an 服务体验官 is
enrolled and given a task on /experience, evaluates it on the phone page /x/<token>, and the
quarterly report shows it; the 话务报表 shows imported switch events."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.core.outbox import drain_once
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
U = "town_humen"
TZ = ZoneInfo("Asia/Shanghai")


def _drain(rt):
    while drain_once(rt):
        pass


def _bad_rating(rt, phone="13800000001"):
    from hotline.survey import service as survey
    from hotline.survey.orm import SurveyRow
    o = orders.create_order(rt, Actor("agent", "agent"), {
        "content": "市民反映小区门口垃圾堆积多日无人清运", "town": U, "category": "sanitation",
        "unit": U, "appeal_type": "complaint", "caller": {"name": "陈先生", "phone": phone}})
    dept = Actor(U, "department", U)
    orders.act(rt, dept, o["id"], "sign", {})
    orders.act(rt, dept, o["id"], "reply", {"data": {"reply": "已清运"}})
    orders.act(rt, Actor("dispatcher", "dispatcher"), o["id"], "accept_reply", {})
    _drain(rt)
    with rt.uow() as uow:
        token = uow.session.execute(select(SurveyRow.token).where(
            SurveyRow.order_id == o["id"])).scalar_one()
    survey.answer(rt, token, {"contacted": True, "resolved": "partial",
                              "satisfaction": "dissatisfied", "comment": "清运不及时, 气味仍在"})
    _drain(rt)
    return o


def test_bad_rating_rectification_feedback_supervisor(live_server, browser, page):
    rt = live_server.rt
    o = _bad_rating(rt)
    login(page, live_server.url, U)
    page.goto(f"{live_server.url}/rectifications")
    row = page.locator('#tasks tr[data-task]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(o["number"])
    expect(row).to_contain_text("待整改")
    expect(row).to_contain_text("清运不及时")
    expect(page.locator("#figures-card")).to_be_hidden()
    row.locator("textarea").fill("短")
    row.locator('button[data-act="feedback"]').click()
    expect(row.locator(".field-error")).to_contain_text("5 至 2000")
    row.locator("textarea").fill("已与环卫公司约定每日两次清运, 并电话回访市民")
    screenshot(page, "issue18_rectification_department")
    row.locator('button[data-act="feedback"]').click()
    expect(row.locator('td[data-k="status"]')).to_contain_text("已反馈待审核")

    page.context.clear_cookies()
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/rectifications")
    row = page.locator("#tasks tr[data-task]")
    expect(row.locator('td[data-k="feedback"]')).to_contain_text("每日两次清运")
    expect(page.locator(f'#figures tr[data-unit="{U}"]')).to_contain_text("虎门镇")
    screenshot(page, "issue18_rectification_supervisor")
    row.locator('button[data-act="accept"]').click()
    expect(row.locator('td[data-k="status"]')).to_contain_text("整改完成")
    expect(page.locator(f'#figures tr[data-unit="{U}"] td').nth(4)).to_have_text("1")


def test_officer_task_evaluation_quarterly_report(live_server, browser, page, phone_page):
    rt = live_server.rt
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/experience")
    expect(page.locator("#officers")).to_contain_text("暂无服务体验官")
    today = datetime.now(TZ).date()
    page.fill("#o-name", "李体验")
    page.fill("#o-phone", "1391234")
    page.fill("#o-start", (today - timedelta(days=10)).isoformat())
    page.fill("#o-end", (today + timedelta(days=300)).isoformat())
    page.click("#enrol-btn")
    expect(page.locator("#enrol .field-error")).to_contain_text("手机号应为 11 位数字")
    page.fill("#o-phone", "13912345678")
    page.select_option("#o-area", U)
    page.click("#enrol-btn")
    expect(page.locator("#officers tr[data-officer]")).to_contain_text("13912345678")
    page.select_option("#t-kind", "followup")
    page.select_option("#t-unit", U)
    page.fill("#t-subject", "核查虎门镇对垃圾清运投诉的办理情况")
    page.click("#assign-btn")
    task = page.locator("#tasks tr[data-task]")
    expect(task).to_contain_text("待体验")
    screenshot(page, "issue18_experience_supervisor")

    from hotline.experience.orm import ExperienceTaskRow
    with rt.uow() as uow:
        token = uow.session.execute(select(ExperienceTaskRow.token)).scalar_one()
    phone_page.goto(f"{live_server.url}/x/{token}")
    expect(phone_page.locator("#intro")).to_contain_text("核查虎门镇")
    phone_page.click("#submit")   # nothing chosen: the browser's own required check stops it
    for key, n in (("speed", 4), ("attitude", 5), ("accuracy", 4), ("result", 3)):
        phone_page.check(f'input[name="{key}"][value="{n}"]')
    phone_page.fill('textarea[name="comment"]', "单位回复及时, 但现场仍有少量垃圾")
    screenshot(phone_page, "issue18_officer_form")
    phone_page.click("#submit")
    expect(phone_page.locator("#intro")).to_contain_text("提交成功")
    screenshot(phone_page, "issue18_officer_done")

    page.goto(f"{live_server.url}/experience")
    expect(page.locator('#tasks td[data-k="status"]')).to_have_text("已评价")
    page.goto(f"{live_server.url}/experience/report")
    unit = page.locator(f'#by-unit tr[data-unit="{U}"]')
    expect(unit).to_contain_text("虎门镇")
    expect(unit.locator("td").nth(6)).to_have_text("4.00")
    expect(page.locator('#by-channel tr[data-channel="followup"]')).to_contain_text("办理回访核查")
    screenshot(page, "issue18_experience_report")

    page.context.clear_cookies()
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/experience")
    expect(page.locator("#officers tr[data-officer]")).to_contain_text("139****5678")
    expect(page.locator("#enrol-card")).to_be_hidden()


def test_calls_report_page(live_server, browser, page):
    from hotline.callcentre import service
    from hotline.callcentre.domain import queue_log as Q
    rt = live_server.rt
    # yesterday 09:00 in the city: inside the page's default week whatever the hour of the run
    # and the browser's time zone (today's 09:00 is still ahead after midnight in the city)
    base = (datetime.now(TZ) - timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                          microsecond=0)
    evs = []
    for i in range(20):
        t = base + timedelta(minutes=7 * i)
        evs.append(Q.make_event(t, f"c{i}", "12345", None, "ENTERQUEUE"))
        if i % 5 == 0:
            evs.append(Q.make_event(t + timedelta(seconds=30), f"c{i}", "12345", None,
                                    "ABANDON", ["1", "1", "30"]))
        else:
            wait = 8 if i % 2 else 20
            evs.append(Q.make_event(t + timedelta(seconds=wait), f"c{i}", "12345", "SIP/8001",
                                    "CONNECT", [str(wait), "x", "2"]))
    service.ingest(rt, evs, "api")
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/calls/report")
    total = page.locator("#calls tbody tr").last
    expect(total).to_contain_text("合计")
    expect(total.locator("td").nth(3)).to_have_text("80.0%")
    expect(total.locator("td").nth(7)).to_have_text("20.0%")
    expect(page.locator("#calls-summary")).to_contain_text("直接答复率")
    screenshot(page, "issue18_calls_report_day")
    page.select_option("#by", "hour")
    page.click("#go")
    expect(page.locator("#calls tbody tr").first).to_contain_text(":00")
    screenshot(page, "issue18_calls_report_hour")
