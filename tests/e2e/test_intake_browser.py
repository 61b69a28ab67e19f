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
    from hotline.workorders.commands import list_orders
    from hotline.workorders.domain.model import Actor
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
    # the message stands next to its field, named by its label, never by the API's path
    assert "content" not in err.inner_text()
    expect(page.locator("#content-error")).to_contain_text("诉求内容")
    expect(page.locator("#content-error")).to_contain_text("字符")
    expect(page.locator("#content")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "intake-04-error")


LONG = "市民反映虎门镇某小区地下车库长期渗水积水, 多次向物业反映未果。"      # 32 characters


def _order_count(rt) -> int:
    from sqlalchemy import func, select

    from hotline.core.orm import WorkOrderRow
    with rt.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(WorkOrderRow)).scalar_one()


def test_pasted_long_appeal_is_kept_counted_and_refused_in_chinese(live_server, page):
    """A 10,000-character appeal is not cut to 5,000 without a word: the field keeps all of
    it, shows the count and says in Chinese, next to the field, that it is too long; nothing is
    sent until it fits (the API refuses it too: 诉求内容须为 5 至 5000 个字符)."""
    login(page, live_server.url, "agent")
    text = (LONG * 313)[:10000]
    page.fill("#content", text)
    assert len(page.input_value("#content")) == 10000          # not silently truncated
    expect(page.locator("#content-count")).to_contain_text("10000 / 5000")
    err = page.locator("#content-error")
    expect(err).to_contain_text("超出")
    expect(err).to_contain_text("5000")
    page.click("#submit-btn")
    expect(err).to_contain_text("请精简")
    screenshot(page, "intake-05-too-long")
    assert _order_count(live_server.rt) == 0
    page.fill("#content", text[:5000])
    expect(page.locator("#content-count")).to_contain_text("5000 / 5000")
    expect(err).to_have_text("")
    page.select_option("select[name=unit]", "town_humen")
    page.click("#submit-btn")
    page.locator("#recent tbody tr.new-order").first.wait_for(timeout=10000)
    assert _order_count(live_server.rt) == 1


def test_triple_click_logs_one_order_listed_once(live_server, page):
    """Three clicks on 提交工单 send one request (the button is disabled while it is in flight)
    and list the order once in 本班次已登记."""
    login(page, live_server.url, "agent")
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST"
            and r.url.endswith("/api/v1/orders") else None)
    page.select_option("#town", "town_humen")
    page.fill("#content", LONG)
    page.select_option("select[name=unit]", "town_humen")
    page.click("#submit-btn", click_count=3)
    rows = page.locator("#recent tbody tr.new-order")
    rows.first.wait_for(timeout=10000)
    expect(page.locator("#submit-btn")).to_be_enabled()
    for r in posts:                          # every request sent has been answered
        r.response()
    assert len(posts) == 1
    expect(rows).to_have_count(1)
    assert _order_count(live_server.rt) == 1
    screenshot(page, "intake-06-one-row")


def test_retry_after_a_lost_answer_lists_the_stored_order_once(live_server, page):
    """The first answer is lost after the server stored the order: the agent submits again,
    the page sends the same Idempotency-Key, gets the stored order back and lists it once."""
    login(page, live_server.url, "agent")
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch())       # the server stores the order ...
            route.abort()                    # ... and the answer never arrives
        else:
            route.continue_()
    page.route("**/api/v1/orders", lose_first_answer)
    page.fill("#content", LONG)
    page.select_option("select[name=unit]", "town_humen")
    page.click("#submit-btn")
    expect(page.locator("#intake-error")).not_to_have_text("", timeout=10000)
    assert lost[0].status == 201 and _order_count(live_server.rt) == 1
    expect(page.locator("#submit-btn")).to_be_enabled()
    page.click("#submit-btn")
    rows = page.locator("#recent tbody tr.new-order")
    rows.first.wait_for(timeout=10000)
    expect(rows).to_have_count(1)
    assert rows.first.locator("td.number").inner_text() == lost[0].json()["number"]
    assert _order_count(live_server.rt) == 1
