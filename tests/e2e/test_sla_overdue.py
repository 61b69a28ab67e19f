"""Browser: an overdue order appears under the department inbox's 已超时 tab with the
escalation step the sweep recorded, the supervisor page lists it by unit, and the deadlines
page explains why the clock falls due when it does."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.core.db import utcnow
from hotline.sla.sweep import sweep_tick
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_overdue_order_under_yichaoshi_with_escalation(live_server, page):
    rt = live_server.rt
    o = orders.create_order(rt, Actor("agent", "agent"), {
        "content": "小区门口垃圾堆积多日无人清运, 气味难闻", "title": "垃圾堆积无人清运",
        "unit": "dept_housing", "appeal_type": "complaint"})
    fresh = orders.create_order(rt, Actor("agent", "agent"), {
        "content": "路灯不亮已经一周了请尽快维修", "unit": "town_humen",
        "appeal_type": "help"})
    # the sweep one working week after the sign clock ran out: 催办, 督办, 挂牌督办
    stats = sweep_tick(rt, now=utcnow() + timedelta(days=12))
    assert stats["steps"] >= 3

    login(page, live_server.url, "dept_housing")
    page.goto(f"{live_server.url}/inbox")
    tabs = page.locator("#sla-tabs")
    tabs.get_by_role("tab", name="已超时").wait_for()
    row = tabs.locator(f"tr[data-order='{o['id']}']")
    row.wait_for()
    assert o["number"] in row.inner_text()
    assert "已超时" in row.inner_text()
    assert row.locator(".ladder").inner_text().strip() == "挂牌督办"
    assert tabs.locator("[data-count='overdue']").inner_text() == "1"
    # another unit's order never shows in this unit's tabs
    assert tabs.locator(f"tr[data-order='{fresh['id']}']").count() == 0
    tabs.get_by_role("tab", name="即将超时").click()
    page.wait_for_selector("#sla-tabs .hint, #sla-tabs tr[data-order]")
    tabs.get_by_role("tab", name="已超时").click()
    row.wait_for()
    screenshot(page, "sla_inbox_overdue")

    # the explain page: every clock, why it falls there, and the recorded steps
    row.get_by_role("link").click()
    page.wait_for_selector("table.deadlines")
    body = page.locator("#deadlines").inner_text()
    assert "签收" in body and "法定时限" in body and "个工作日" in body
    assert "催办" in body and "督办" in body and "挂牌督办" in body and "系统自动" in body
    screenshot(page, "sla_deadlines")

    # the supervisor's view by unit
    page.evaluate("sessionStorage.clear()")
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/supervisor/sla")
    page.wait_for_selector("#sla-units table")
    assert "市住房和城乡建设局" in page.locator("#sla-units").inner_text()
    page.locator(f"#sla-tabs tr[data-order='{o['id']}']").wait_for()
    screenshot(page, "sla_supervisor")
