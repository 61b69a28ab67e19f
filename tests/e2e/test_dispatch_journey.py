"""Dispatch in a browser: an agent logs an order, the department signs it, returns it inside
the window, the dispatcher rejects the return, the department replies, the dispatcher accepts
the reply. Screenshots of every page go to var/screenshots/dispatch-*.png."""
import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
# Waits use locators (polled by Playwright), never wait_for_function: that evaluates a string
# inside the page, which the pages' CSP (no 'unsafe-eval', issue 12) refuses.


def _logout(page):
    page.evaluate("sessionStorage.clear()")


def _do(page, action, reason=None, fill=None, select=None):
    page.click(f"#act-{action}")
    page.wait_for_selector("#action-form:not([hidden])")
    for sel, value in (fill or {}).items():
        page.fill(sel, value)
    for sel, value in (select or {}).items():
        page.select_option(sel, value)
    if reason:
        page.fill("#f-reason", reason)
    page.click("#action-submit")
    # every action is confirmed in a dialog naming its effect (issue 15, docs/design/ux.md §6)
    page.click("#confirm-dialog #confirm-ok")
    page.wait_for_selector("#action-form", state="hidden")


def test_sign_return_reject_reply_accept(live_server, page):
    base = live_server.url
    # 1. the agent logs an order, dispatched directly to 虎门镇
    login(page, base, "agent")
    page.fill("#caller_name", "陈先生")
    page.fill("#caller_phone", "13800138000")
    page.select_option("#town", "town_humen")
    page.fill("#content", "市民来电反映虎门镇某小区门口垃圾堆积多日无人清运, 气味难闻, 请尽快处理。")
    page.select_option("select[name=unit]", "town_humen")
    page.click("#submit-btn")
    page.locator("#recent tbody tr.new-order td.number").first.wait_for(timeout=30000)
    number = page.locator("#recent tbody tr.new-order td.number").first.inner_text()
    screenshot(page, "dispatch-01-intake")
    _logout(page)

    # 2. the department signs it with one click from the inbox
    login(page, base, "town_humen")
    assert page.url.endswith("/inbox")
    row = page.locator("#inbox tbody tr", has_text=number)
    row.wait_for()
    assert "待签收" in page.locator("#inbox-tabs").inner_text()
    screenshot(page, "dispatch-02-inbox-to-sign")
    row.locator(".sign-btn").click()
    expect(page.locator("#confirm-dialog h2")).to_have_text(f"签收工单 {number}？")
    page.click("#confirm-dialog #confirm-ok")
    page.locator("#inbox tbody tr", has_text=number).wait_for(state="detached")
    page.click("#inbox-tabs button[data-tab=in_progress]")
    page.locator("#inbox tbody tr", has_text=number).wait_for()

    # 3. ... and returns it inside the window, with reason, basis and suggested unit
    page.click(f"#inbox tbody a:has-text('{number}')")
    page.wait_for_selector("#act-request_return")
    _do(page, "request_return", "该小区地址属东城街道管辖, 非本镇职责",
        fill={"#f-legal_basis": "《东莞市镇街权责清单》"},
        select={"#f-suggested_unit": "town_dongcheng", "#f-reason_code": "wrong_town"})
    expect(page.locator("#o-status")).to_have_text("退单审核中", timeout=10000)
    # the timeline re-renders after the status: wait for it rather than racing it
    expect(page.locator("#timeline")).to_contain_text("退单时限", timeout=10000)
    screenshot(page, "dispatch-03-order-return-requested")
    order_url = page.url
    _logout(page)

    # 4. the dispatcher sees it in the return review queue and rejects it
    login(page, base, "dispatcher")
    page.goto(f"{base}/dispatch")
    page.locator("#reviews tbody tr", has_text=number).wait_for()
    screenshot(page, "dispatch-04-review-queue")
    page.goto(order_url)
    page.wait_for_selector("#act-reject_return")
    _do(page, "reject_return", "经核实地址属虎门镇辖区, 请按首派责任制办理")
    expect(page.locator("#o-status")).to_have_text("已签收", timeout=10000)
    screenshot(page, "dispatch-05-return-rejected")
    _logout(page)

    # 5. the department (same owner, still signed) replies
    login(page, base, "town_humen")
    page.goto(order_url)
    page.wait_for_selector("#act-reply")
    _do(page, "reply", fill={"#f-reply": "已组织环卫人员清运完毕, 并电话告知市民。"})
    expect(page.locator("#o-status")).to_have_text("答复待审核", timeout=10000)
    _logout(page)

    # 6. the dispatcher accepts the reply
    login(page, base, "dispatcher")
    page.goto(f"{base}/dispatch")
    page.click("#review-tabs button[data-kind=replies]")
    page.locator("#reviews tbody tr", has_text=number).wait_for()
    page.goto(order_url)
    page.wait_for_selector("#act-accept_reply")
    _do(page, "accept_reply")
    expect(page.locator("#o-status")).to_have_text("待回访", timeout=10000)
    expect(page.locator("#timeline")).to_contain_text("审核通过", timeout=10000)
    timeline = page.locator("#timeline").inner_text()
    for label in ("派单", "签收", "申请退单", "驳回退单", "提交答复", "审核通过"):
        assert label in timeline
    screenshot(page, "dispatch-06-order-accepted")
    _logout(page)

    # the supervisor's arbitration page renders (empty queue) in Chinese
    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor/arbitration")
    page.wait_for_selector("#arbitration tbody tr")
    assert "裁定队列" in page.content()
    screenshot(page, "dispatch-07-arbitration")
