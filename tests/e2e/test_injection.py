"""Issue 12, findings 1-2 replayed in a real browser: markup and quotes typed by a stranger
(a failed login's username), by a unit (an action's reason and data) or by a caller (appeal
text, title, address, name) are shown as text on the staff pages, and no script runs.

Every page gets a sentinel `window.f` (an init script, outside the page's CSP): the payloads
call f(), so a payload that became markup and ran would leave window.__pwned set."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from hotline.core.db import utcnow
from hotline.core.orm import TransitionRow
from hotline.sla.sweep import sweep_tick
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

LOGIN_PAYLOAD = 'z" autofocus onfocus="document.title=\'x\'" x="'
MARKUP = "<img src=x onerror=f()>"
QUOTE = '"><img src=x onerror=f()>'
SENTINEL = "window.f = () => { window.__pwned = (window.__pwned || 0) + 1; document.title = 'x'; };"
# elements carrying an event-handler attribute, by tag and attribute name
HANDLERS_JS = """() => [...document.querySelectorAll('*')].flatMap(e =>
  [...e.attributes].filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name))"""


def _assert_inert(page, title: str | None = None):
    assert page.evaluate(HANDLERS_JS) == []
    assert page.evaluate("() => window.__pwned || 0") == 0
    assert page.locator("main img, main svg:not(.chart)").count() == 0
    if title is not None:
        assert page.title() == title


def test_failed_login_username_is_text_on_admin_page(live_server, page):
    """Finding 1: no account needed, the lock-out table used to put the name in an attribute."""
    base = live_server.url
    page.add_init_script(SENTINEL)
    r = page.request.post(f"{base}/api/v1/auth/token",
                          data={"username": LOGIN_PAYLOAD, "password": "wrong-password-1"})
    assert r.status == 401
    login(page, base, "admin")
    page.goto(f"{base}/admin")
    row = page.locator("#lockouts tbody tr", has_text="autofocus")
    row.wait_for()
    assert row.locator("td").first.text_content() == LOGIN_PAYLOAD
    assert row.locator("button").get_attribute("data-unlock") == LOGIN_PAYLOAD
    assert page.locator("[autofocus]").count() == 0
    _assert_inert(page, "系统管理 · 东莞12345政务服务便民热线")
    screenshot(page, "xss-admin-lockouts")
    # the admin can still unlock that name: the attribute value is the name itself
    row.locator("button").click()
    expect(page.locator("#lockouts tbody tr", has_text="autofocus")).to_have_count(0)


def test_action_reason_and_data_are_text_on_order_page(live_server, page):
    """Finding 2: a unit's words and an action's stored data, opened by a supervisor."""
    rt, base = live_server.rt, live_server.url
    dept = Actor("town_humen", "department", "town_humen")
    o = orders.create_order(rt, Actor("agent", "agent"), {
        "content": "市民反映小区门口垃圾堆积多日无人清运", "unit": "town_humen"})
    orders.act(rt, dept, o["id"], "sign", {})
    orders.act(rt, dept, o["id"], "request_return", {"reason": MARKUP, "data": {
        "legal_basis": QUOTE, "suggested_unit": "town_dongcheng", "reason_code": "wrong_town"}})
    orders.act(rt, dept, o["id"], "note", {"reason": QUOTE, "data": {"note": MARKUP}})
    # A row stored before per-action data schemas existed (any key was accepted then): the
    # page printed 16 characters of window_closes_at without escaping.
    with rt.engine.begin() as c:
        tid, data = c.execute(select(TransitionRow.id, TransitionRow.data).where(
            TransitionRow.order_id == o["id"], TransitionRow.action == "request_return")).one()
        c.execute(update(TransitionRow).where(TransitionRow.id == tid).values(
            data={**data, "window_closes_at": "<svg onload=f()>"}))

    page.add_init_script(SENTINEL)
    login(page, base, "supervisor")
    page.goto(f"{base}/orders/{o['id']}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("退单时限", timeout=10000)
    text = timeline.text_content()
    assert "理由: " + MARKUP in text and "理由: " + QUOTE in text
    assert "依据: " + QUOTE in text and "退单时限: <svg onload=f()>" in text
    _assert_inert(page, f"工单 {o['number']} · 12345")
    screenshot(page, "xss-order-timeline")


def test_appeal_fields_are_text_on_every_staff_page(live_server, page):
    """Appeal text, title, address and caller name accept any characters and show as text on
    /dispatch, /inbox (with its SLA tabs), /supervisor and the order page."""
    rt, base = live_server.rt, live_server.url
    agent = Actor("agent", "agent")
    fields = {"content": MARKUP + " 垃圾'\"<b>堆积</b>", "title": QUOTE, "address": QUOTE + "路 1 号",
              "caller": {"name": "<b onmouseover=f()>陈</b>", "phone": "13800138000"}}
    queued = orders.create_order(rt, agent, dict(fields))
    assert queued["status"] == "pending_dispatch"
    owned = orders.create_order(rt, agent, dict(fields, unit="dept_housing",
                                                appeal_type="complaint"))
    repeat = orders.create_order(rt, agent, dict(fields))
    orders.act(rt, Actor("dispatcher", "dispatcher"), repeat["id"], "merge",
               {"reason": "同一诉求", "data": {"master_id": owned["id"]}})
    sweep_tick(rt, now=utcnow() + timedelta(days=12))   # owned is overdue: the SLA tabs list it
    page.add_init_script(SENTINEL)

    login(page, base, "dispatcher")
    page.goto(f"{base}/dispatch")
    row = page.locator(f"#queue tr[data-id='{queued['id']}']")
    row.wait_for()
    # the appeal as text, then the queue's reason (待派原因) in its own line
    cell = row.locator("td").nth(1).text_content()
    assert cell.startswith(fields["content"]) and "待派原因" in cell[len(fields["content"]):]
    _assert_inert(page)
    screenshot(page, "xss-dispatch")

    login(page, base, "dept_housing")
    page.goto(f"{base}/inbox")
    row = page.locator(f"#inbox tr[data-id='{owned['id']}']")
    row.wait_for()
    # (the third column is the time left, issue 15)
    assert row.locator("td").nth(3).text_content() == fields["content"]
    assert row.locator("td").nth(4).text_content().endswith(fields["address"])
    sla_row = page.locator(f"#sla-tabs tr[data-order='{owned['id']}']")
    sla_row.wait_for()
    assert sla_row.locator("td").nth(1).text_content() == fields["title"]
    _assert_inert(page)
    screenshot(page, "xss-inbox")

    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor/comments")
    spot = page.locator("#hot-spots tbody tr", has_text=owned["number"])
    spot.wait_for()
    assert spot.locator("td[data-k=address]").text_content() == fields["address"]
    _assert_inert(page)
    screenshot(page, "xss-supervisor")

    page.goto(f"{base}/orders/{queued['id']}")
    facts = page.locator("#o-facts")
    expect(facts).to_contain_text("来电人", timeout=10000)
    cells = {tr.locator("th").text_content(): tr.locator("td").text_content()
             for tr in facts.locator("tr").all()}
    assert page.locator("#o-content").text_content() == fields["content"]   # its own card
    assert cells["来电人"].startswith(fields["caller"]["name"] + " ")
    assert cells["镇街 / 地址"].endswith(fields["address"])
    _assert_inert(page, f"工单 {queued['number']} · 12345")
    screenshot(page, "xss-order-facts")


PAGES = {"admin": ["/intake", "/admin", "/docs", "/survey-queue", "/sms-outbox"],
         "supervisor": ["/supervisor", "/supervisor/rankings", "/supervisor/sla",
                        "/supervisor/returns", "/supervisor/surveys", "/supervisor/comments",
                        "/supervisor/arbitration"],
         "dept_housing": ["/inbox", "/inbox/sla"], "dispatcher": ["/dispatch"]}


def test_pages_run_under_the_policy(live_server, page):
    """Each staff page loads and finishes its requests with the CSP in force: the page
    fixture fails the test on any CSP refusal or uncaught script error."""
    for username, paths in PAGES.items():
        login(page, live_server.url, username)
        for path in paths:
            page.goto(live_server.url + path, wait_until="networkidle")
            assert page.locator("main").inner_text().strip(), path
    expect(page.locator("#queue tbody tr").first).to_be_attached()
    page.goto(live_server.url + "/docs", wait_until="networkidle")
    expect(page.locator("#swagger-ui .opblock-tag").first).to_be_attached()
    # the citizen pages as a citizen: a staff session is refused on the survey link
    page.context.clear_cookies()
    for path in ("/self/new", "/self/track", "/s/no-such-token"):
        page.goto(live_server.url + path, wait_until="networkidle")
    expect(page.locator("#intro")).to_have_text("链接无效。")
