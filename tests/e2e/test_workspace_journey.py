"""Issue 15 (the staff workspace), through the pages only, role by role: the agent logs a
rapid-response order and an ordinary one with the keyboard and reads the 查询码 from the banner
(the shift's list survives a reload); the unit sees the rapid order first with its badge and a
live countdown, signs it after a confirmation, and returns the other order (the suggested-unit
box starts empty and is required); the dispatcher rules on the return (re-dispatch, confirmed
by name); a unit on /dispatch gets a refusal page; the supervisor reads the clocks; the
citizen follows the order with the 查询码 on a phone.

Screenshots: var/screenshots/workspace/*.png, staff at 1366x768, citizen pages at 390x844.
No page shows a unit, category, status, role or survey code as visible text."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, _context_page, login
from .test_no_raw_codes import RAW_WORKSPACE as CODES

pytestmark = pytest.mark.browser

SHOTS = SCREENSHOTS / "workspace"
MANHOLE = "虎门镇连升路这边的井盖不见了，晚上路过很危险，快派人来看看"
# 井盖 (rr23) goes to the road authority (config/rapid_response.yaml); the other order is sent
# there directly, so the unit has an older rapid order and a newer ordinary one
UNIT = "dept_transport"
GARBAGE = "市民来电反映虎门镇某小区门口垃圾堆积多日无人清运, 气味难闻, 请尽快处理。"


@pytest.fixture(scope="module")
def model_home(tmp_path_factory):
    """The seed-trained classifier, so the triage finds the rapid-response item (井盖缺失)."""
    from tests.conftest import train_seed_model
    return train_seed_model(tmp_path_factory.mktemp("var"), threshold=0.5)


@pytest.fixture
def with_model(model_home, monkeypatch):
    monkeypatch.setenv("HOTLINE_VAR", str(model_home))


@pytest.fixture
def staff_page(browser):
    yield from _context_page(browser, viewport={"width": 1366, "height": 768}, locale="zh-CN")


@pytest.fixture
def citizen_page(browser):
    yield from _context_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                             is_mobile=True, has_touch=True, locale="zh-CN")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_codes(page):
    found = CODES.findall(page.locator("body").inner_text())
    assert not found, f"raw codes on {page.url}: {found}"


def logout(page):
    page.evaluate("sessionStorage.clear()")
    page.context.clear_cookies()


def act(page, action, select=None, fill=None, reason=None, confirm_title=None):
    page.click(f"#act-{action}")
    page.wait_for_selector("#action-form:not([hidden])")
    for sel, value in (select or {}).items():
        page.select_option(sel, value)
    for sel, value in (fill or {}).items():
        page.fill(sel, value)
    if reason:
        page.fill("#f-reason", reason)
    page.click("#action-submit")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    if confirm_title:
        expect(dialog.locator("h2")).to_have_text(confirm_title)
    page.click("#confirm-ok")
    page.wait_for_selector("#action-form", state="hidden", timeout=15000)


def log_call(page, content, unit=None):
    """The agent's keyboard flow: focus starts in 来电人, Ctrl+Enter submits, Alt+N starts
    the next call (the banner of the last one goes)."""
    page.keyboard.press("Alt+N")
    expect(page.locator("#intake-success")).to_be_hidden()
    expect(page.locator("#caller_name")).to_be_focused()
    page.keyboard.type("陈先生")
    page.keyboard.press("Tab")
    page.keyboard.type("13800138000")
    page.select_option("#town", "town_humen")
    if unit:
        page.select_option("select[name=unit]", unit)
    page.fill("#content", content)
    page.keyboard.press("Control+Enter")
    banner = page.locator("#intake-success")
    expect(banner).to_be_visible(timeout=30000)
    number = page.locator("#success-number").inner_text()
    code = page.locator("#success-code").inner_text()
    assert re.fullmatch(r"\d{6}", code), code
    row = page.locator("#recent tbody tr", has_text=number)
    expect(row.locator("td.query-code")).to_have_text(code)
    expect(page.locator("#caller_name")).to_be_focused()        # ready for the next call
    return number, code, row.get_attribute("data-id")


def test_order_life_by_role(with_model, live_server, staff_page, citizen_page):
    page, base = staff_page, live_server.url

    # 1. agent: keyboard intake, the banner with the 查询码, the shift's list after a reload
    login(page, base, "agent")
    expect(page.locator("#shortcuts")).to_contain_text("Ctrl")
    rapid_no, _, rapid_id = log_call(page, MANHOLE)
    expect(page.locator("#intake-success")).to_contain_text("查询码")
    shot(page, "01-agent-intake-banner")
    number, code, oid = log_call(page, GARBAGE, unit=UNIT)
    page.reload()
    for n in (rapid_no, number):
        expect(page.locator("#recent tbody tr", has_text=n)).to_be_visible()
    no_codes(page)
    shot(page, "02-agent-shift-after-reload")
    logout(page)

    # 2. the unit: the rapid order first (logged before the other), its badge, a live countdown
    login(page, base, UNIT)
    first = page.locator("#inbox tbody tr").first
    expect(first).to_contain_text(rapid_no)
    expect(first.locator(".badge.rapid")).to_have_text("快速响应")
    live = first.locator(".time-left.tl-live")
    expect(live).to_have_text(re.compile(r"^(即将超时 · )?剩余 (\d+ 分 \d+ 秒|\d+ 小时 \d+ 分)$"))
    other = page.locator("#inbox tbody tr", has_text=number).locator(".time-left")
    expect(other).to_have_text(re.compile(r"^剩余 \d+ (个工作日|小时)"))
    no_codes(page)
    shot(page, "03-unit-inbox-rapid-first")
    first.locator(".sign-btn").click()
    expect(page.locator("#confirm-dialog h2")).to_have_text(f"签收工单 {rapid_no}？")
    shot(page, "04-unit-sign-confirmation")
    page.click("#confirm-ok")
    expect(page.locator("#inbox tbody tr", has_text=rapid_no)).to_have_count(0)

    # the rapid order's page: badge, the running clocks in words, the agent by name
    page.goto(f"{base}/orders/{rapid_id}")
    expect(page.locator("#o-rapid .badge.rapid")).to_be_visible(timeout=15000)
    expect(page.locator("#clocks tr.running").first).to_be_visible()
    expect(page.locator("#o-facts")).to_contain_text("话务员")
    expect(page.locator("#caller-phone")).to_have_text("138****8000")       # masked for units
    no_codes(page)
    shot(page, "05-unit-rapid-order")

    # 3. the unit returns the ordinary order: no unit is picked for it
    page.goto(f"{base}/orders/{oid}")
    page.click("#act-request_return")
    expect(page.locator("#f-suggested_unit")).to_have_value("")
    expect(page.locator("#f-reason_code")).to_have_value("")
    page.click("#action-submit")                                     # nothing chosen
    expect(page.locator("#f-suggested_unit")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#action-form .field-error").first).to_contain_text("请选择")
    expect(page.locator("#confirm-dialog")).to_have_count(0)
    shot(page, "06-unit-return-field-errors")
    page.click("#action-cancel")
    act(page, "request_return", select={"#f-reason_code": "wrong_town", "#f-suggested_unit": "town_humen"},
        fill={"#f-legal_basis": "《东莞市镇街权责清单》"}, reason="生活垃圾清运属虎门镇")
    expect(page.locator("#o-status")).to_have_text("退单审核中", timeout=15000)
    no_codes(page)
    shot(page, "07-unit-return-requested")

    # a unit on a centre page: a refusal, not empty tables
    page.goto(f"{base}/dispatch")
    expect(page.locator("h1")).to_have_text("无权使用此页面")
    shot(page, "08-unit-refused-dispatch")
    logout(page)

    # 4. the dispatcher rules on the return: re-dispatch, confirmed by the unit's name
    login(page, base, "dispatcher")
    page.goto(f"{base}/dispatch")
    expect(page.locator("#reviews tbody tr", has_text=number)).to_be_visible(timeout=15000)
    no_codes(page)
    shot(page, "09-dispatcher-review-queue")
    page.goto(f"{base}/orders/{oid}")
    page.click("#act-approve_return")
    expect(page.locator("#f-unit")).to_have_value("")
    page.click("#action-cancel")
    act(page, "approve_return", select={"#f-unit": "town_humen"}, reason="垃圾清运属属地镇街",
        confirm_title="同意退单并改派 → 虎门镇？")
    expect(page.locator("#o-status")).to_have_text("待签收", timeout=15000)
    expect(page.locator("#o-facts tr", has_text="承办(主办)单位")).to_contain_text("虎门镇")
    expect(page.locator("#timeline")).to_contain_text("同意退单")
    no_codes(page)
    shot(page, "10-dispatcher-ruling")
    logout(page)

    # 5. the supervisor: the SLA page and the order's clocks
    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor/sla")
    expect(page.locator("#nav a[aria-current=page]")).to_have_text("时限监控")
    shot(page, "11-supervisor-sla")
    page.goto(f"{base}/orders/{oid}")
    expect(page.locator("#clocks tr.running").first).to_be_visible(timeout=15000)
    no_codes(page)
    shot(page, "12-supervisor-order")

    # 6. the citizen, on a phone, with the number and the 查询码 the agent read out
    cp = citizen_page
    cp.goto(f"{base}/self/track")
    cp.fill("#number", number)
    cp.fill("#code", code)
    cp.click("#track-btn")
    expect(cp.locator("#progress")).to_be_visible()
    no_codes(cp)
    shot(cp, "13-citizen-track-phone")
