"""工单查询 (/orders) in Chromium (issue 15, Build 3): an agent finds a caller's order by its
number and by the caller's phone; the view lives in the URL (reload keeps it); a wrong date
range is shown next to its field in Chinese; a unit sees only its own orders and finds nothing
by phone; a supervisor sorts by deadline. Screenshots at 1366x768."""
import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

ORDERS = [("东城街道主山社区建筑工地夜间施工噪音扰民, 严重影响休息", "town_dongcheng", "13812341234"),
          ("虎门镇连升路路灯不亮已经一周, 晚上行人出行不安全", "town_humen", "13900001111"),
          ("虎门镇太平社区垃圾堆积多日无人清运, 气味难闻", "town_humen", "13900001111")]


def _seed(rt):
    from hotline.workorders.commands import create_order
    from hotline.workorders.domain.model import Actor
    return [create_order(rt, Actor("agent", "agent"), {
        "content": text, "unit": unit, "town": unit, "address": "主山路 12 号",
        "caller": {"name": "陈先生", "phone": phone}}) for text, unit, phone in ORDERS]


def _rows(page):
    return page.locator("#order-list tbody tr")


@pytest.fixture
def wide(browser):
    from .conftest import _context_page
    yield from _context_page(browser, viewport={"width": 1366, "height": 768}, locale="zh-CN")


def test_agent_finds_an_order_by_number_and_by_phone(live_server, wide):
    page = wide
    noise, light, rubbish = _seed(live_server.rt)
    login(page, live_server.url, "agent")
    expect(page.locator("#nav a[href='/orders']")).to_have_text("工单查询")
    page.click("#nav a[href='/orders']")
    expect(_rows(page)).to_have_count(3)
    screenshot(page, "orders-01-agent-list")
    # by number: exactly that order; the search is in the URL, a reload keeps it
    page.fill("#q", light["number"])
    page.press("#q", "Enter")
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text(light["number"])
    expect(_rows(page).first).to_contain_text("虎门镇")
    assert f"q={light['number']}" in page.url
    page.reload()
    expect(_rows(page)).to_have_count(1)
    expect(page.locator("#q")).to_have_value(light["number"])
    screenshot(page, "orders-02-agent-by-number")
    # by the caller's phone: both of that caller's orders, phone shown in full to the centre
    page.fill("#q", "13900001111")
    page.click("#search-btn")
    expect(_rows(page)).to_have_count(2)
    expect(page.locator("#order-list")).to_contain_text("13900001111")
    expect(page.locator("#search-summary")).to_have_text("找到 2 张工单。")
    screenshot(page, "orders-03-agent-by-phone")
    # Chinese text, a filter, and no code anywhere in the rows
    page.fill("#q", "噪音")
    page.click("#search-btn")
    expect(_rows(page)).to_have_count(1)
    text = page.locator("#order-list").inner_text()
    for code in ("town_", "dispatched", "complaint", "dept_"):
        assert code not in text
    # a wrong date range: the reason next to the field, in Chinese
    page.click("#search-reset")
    expect(_rows(page)).to_have_count(3)
    page.fill("input[name=received_from]", "2026-05-02")
    page.fill("input[name=received_to]", "2026-05-01")
    page.click("#search-btn")
    expect(page.locator("input[name=received_to]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("结束日期不能早于开始日期")
    screenshot(page, "orders-04-agent-bad-range")


def test_unit_sees_only_its_orders_and_not_by_phone(live_server, wide):
    page = wide
    noise, light, rubbish = _seed(live_server.rt)
    login(page, live_server.url, "town_humen")
    page.goto(f"{live_server.url}/orders")
    expect(_rows(page)).to_have_count(2)
    expect(page.locator("#order-list")).not_to_contain_text(noise["number"])
    expect(page.locator("#order-list")).to_contain_text("139****1111")
    expect(page.locator("#unit-filter")).to_be_hidden()
    screenshot(page, "orders-05-department-list")
    page.fill("#q", "13900001111")
    page.click("#search-btn")
    expect(page.locator("#order-list tbody")).to_contain_text("没有符合条件的工单")
    page.goto(f"{live_server.url}/orders?q={noise['number']}")
    expect(page.locator("#order-list tbody")).to_contain_text("没有符合条件的工单")


def test_supervisor_sorts_by_deadline_and_pages(live_server, wide):
    page = wide
    _seed(live_server.rt)
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/orders?per_page=20&town=town_humen")
    expect(_rows(page)).to_have_count(2)
    page.click("#order-list th[data-sort=due] button")
    expect(page.locator("#order-list th[data-sort=due]")).to_have_attribute("aria-sort",
                                                                            "ascending")
    assert "sort=due" in page.url and "town=town_humen" in page.url
    expect(page.locator("#pager")).to_contain_text("第 1 / 1 页，共 2 条")
    screenshot(page, "orders-06-supervisor-sorted")
