"""An agent logs in and logs an order; it appears with its number."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_agent_logs_in_and_submits_an_order(live_server, page):
    page.goto(f"{live_server.url}/login")
    assert page.title().startswith("登录")
    screenshot(page, "intake-01-login")
    login(page, live_server.url, "agent")
    assert page.url.endswith("/intake")
    page.fill("#caller_name", "陈先生")
    page.fill("#caller_phone", "13800138000")
    page.select_option("#town", "town_humen")
    page.fill("#content", "市民来电反映虎门镇某小区门口垃圾堆积多日无人清运, 气味难闻, 请尽快处理。")
    page.select_option("select[name=unit]", "town_humen")
    screenshot(page, "intake-02-form")
    page.click("#submit-btn")
    number = page.locator("#recent tbody tr.new-order td.number").first
    number.wait_for(timeout=10000)
    assert re.fullmatch(r"DG\d{15}", number.inner_text())
    assert "虎门镇" in page.locator("#recent tbody tr.new-order").first.inner_text()
    screenshot(page, "intake-03-submitted")
    # the order exists server-side, dispatched to the unit the agent chose
    from hotline.dispatch.model import Actor
    from hotline.services.orders import list_orders
    items = list_orders(live_server.rt, Actor("admin", "admin"), {"q": number.inner_text()})
    assert items["total"] == 1 and items["items"][0]["unit"] == "town_humen"


def test_bad_input_shows_chinese_error(live_server, page):
    login(page, live_server.url, "agent")
    page.fill("#content", "短")
    page.evaluate("document.getElementById('content').removeAttribute('minlength')")
    page.click("#submit-btn")
    err = page.locator("#intake-error")
    err.wait_for()
    expect(err).not_to_have_text("", timeout=10000)
    assert "content" in err.inner_text() and "字符" in err.inner_text()
    screenshot(page, "intake-04-error")
