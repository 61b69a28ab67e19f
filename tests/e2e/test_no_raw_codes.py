"""Pages show names, never codes: the header names the role, intake suggestions name the
category and unit, the order page names the category, the units and the actors; an order the
user may not see is a clear page state (UI review of December 2026, items 1-3)."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

# unit codes, role codes and the category code of the appeal used below
RAW = re.compile(r"dept_|town_|utility_|\bdepartment\b|\bdispatcher\b|\bsupervisor\b|property_mgmt")
# issue 15 (the workspace pages): statuses, rapid-response items, survey answers, reason codes too
RAW_WORKSPACE = re.compile(RAW.pattern + r"|\bpending_dispatch\b|\bdispatched\b|\bin_progress\b"
                           r"|\breturn_requested\b|\bunresolved\b|\bdissatisfied\b|\brr\d+\b"
                           r"|\bwrong_town\b|\bpledge\b|\blegal\b|\boverdue\b")
APPEAL = "我们小区的物业公司不作为, 电梯坏了一个月没人修, 物业费照收, 业主意见很大, 请物业管理部门处理。"


@pytest.fixture(scope="module")
def model_home(tmp_path_factory):
    """A real classifier model (seed corpus, no cross-validation) in a private store, so the
    intake page gets real suggestions; other tests expect none published."""
    from tests.conftest import train_seed_model
    return train_seed_model(tmp_path_factory.mktemp("var"), threshold=0.5)


@pytest.fixture
def with_model(model_home, monkeypatch):
    # the runtime opens its model store on the first classification, after this
    monkeypatch.setenv("HOTLINE_VAR", str(model_home))


def _no_codes(page):
    text = page.locator("body").inner_text()
    found = RAW.findall(text)
    assert not found, f"raw codes on {page.url}: {found}"


def test_header_suggestions_and_order_page_show_names(with_model, live_server, page):
    base = live_server.url
    login(page, base, "agent")
    expect(page.locator("#whoami")).to_contain_text("话务员")
    page.fill("#content", APPEAL)
    sugg = page.locator("#suggestions")
    expect(sugg).to_contain_text("系统建议", timeout=10000)
    assert "%" in sugg.inner_text() and "→" in sugg.inner_text()
    _no_codes(page)
    screenshot(page, "names-01-intake-suggestions")
    page.select_option("select[name=category]", "property_mgmt")
    page.select_option("#town", "town_humen")
    page.select_option("select[name=unit]", "town_humen")
    page.click("#submit-btn")
    row = page.locator("#recent tbody tr.new-order").first
    row.wait_for(timeout=10000)
    oid = row.get_attribute("data-id")
    page.evaluate("sessionStorage.clear()")

    login(page, base, "town_humen")
    expect(page.locator("#whoami")).to_contain_text("承办单位")
    page.goto(f"{base}/orders/{oid}")
    expect(page.locator("#timeline li").first).to_be_visible(timeout=10000)
    expect(page.locator("#o-facts")).to_contain_text("虎门镇")
    page.locator("#act-sign").click()
    page.wait_for_selector("#action-form:not([hidden])")
    page.click("#action-submit")
    page.click("#confirm-dialog #confirm-ok")        # the confirmation (issue 15)
    page.wait_for_selector("#action-form", state="hidden")
    expect(page.locator("#timeline .actor").last).to_have_text("虎门镇")
    # centre staff are named by role; the username is only a tooltip
    first = page.locator("#timeline .actor").first
    expect(first).to_have_text("话务员")
    assert first.get_attribute("title") == "agent"
    _no_codes(page)
    screenshot(page, "names-02-order")


def test_order_the_user_may_not_see_is_a_clear_state(live_server, page):
    login(page, live_server.url, "town_humen")
    page.goto(f"{live_server.url}/orders/987654")
    expect(page.locator("h1")).to_have_text("工单不存在或无权查看", timeout=10000)
    expect(page.locator("#o-facts")).to_have_count(0)
    expect(page.locator("#timeline")).to_have_count(0)
    _no_codes(page)
    screenshot(page, "names-03-order-missing")


def test_admin_new_user_errors_stand_next_to_their_fields(live_server, page):
    """A password the API refuses (the browser's own checks removed) is reported under the
    初始密码 field, named by its label, never as `password: ...`."""
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin")
    expect(page.locator("#users tbody tr").first).to_be_visible(timeout=10000)
    expect(page.locator("select[name=role] option[value=department]")).to_have_text("承办单位")
    page.fill("#user-form input[name=username]", "new_clerk")
    page.fill("#user-form input[name=password]", "short")
    page.evaluate("document.getElementById('user-form').noValidate = true")
    page.click("#user-add")
    err = page.locator("#user-form .field-error")
    expect(err).to_have_count(1, timeout=10000)
    expect(err).to_contain_text("初始密码")
    expect(page.locator("#user-form input[name=password]")).to_have_attribute("aria-invalid", "true")
    assert "password" not in page.locator("#admin-error").inner_text()
    # usernames and the units' 代码 column are data here; the 角色 and 单位 columns are names
    roles = page.locator("#users tbody tr td:nth-child(3)").all_inner_texts()
    units = page.locator("#users tbody tr td:nth-child(4)").all_inner_texts()
    assert roles and set(roles) <= {"话务员", "派单员", "承办单位", "督办员", "领导", "管理员", "系统"}, roles
    assert not [u for u in units if RAW.search(u)], units
    screenshot(page, "names-04-admin-field-error")


def test_citizen_form_errors_stand_next_to_their_fields(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/self/new")
    page.fill("#content", "短")
    page.fill("#phone", "123")
    page.click("#submit-btn")
    expect(page.locator("#content-field-error")).to_contain_text("诉求内容")
    expect(page.locator("#content-field-error")).to_contain_text("10 至 2000")
    expect(page.locator("#phone-field-error")).to_contain_text("联系电话")
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    assert page.url.endswith("/self/new")                  # nothing was sent
    screenshot(page, "names-05-self-new-field-errors")


def test_workspace_pages_show_names_and_time_left(live_server, page):
    """Issue 15: the queues, the SLA lists, the survey and SMS pages, the refusal page and the
    order page show names and time left in words, never a code."""
    from datetime import datetime, timedelta, timezone

    from tests.conftest import Api
    api = Api(live_server.app)
    api.create(content="楼上邻居每天深夜装修噪音很大, 影响休息, 希望有关部门处理。")   # queued
    late = api.create("admin", content="市民反映虎门镇某小区门口垃圾堆积多日无人清运, 气味难闻。",
                      town="town_humen", unit="town_humen", received_at=(
                          datetime.now(timezone.utc) - timedelta(days=40)).isoformat())
    base = live_server.url

    def visit(path, expect_text=None):
        page.goto(base + path, wait_until="networkidle")
        if expect_text:
            expect(page.locator("main")).to_contain_text(expect_text, timeout=10000)
        found = RAW_WORKSPACE.findall(page.locator("body").inner_text())
        assert not found, f"raw codes on {path}: {found}"

    login(page, base, "dispatcher")
    visit("/dispatch", "剩余")
    screenshot(page, "names-08-dispatch-queue-time-left")
    visit(f"/orders/{late['id']}", "已超时")
    screenshot(page, "names-06-order-overdue")
    visit("/survey-queue")
    visit("/sms-outbox")
    login(page, base, "town_humen")
    visit("/inbox", "已超时")
    visit("/inbox/sla", "已超时")
    visit("/supervisor", "无权使用此页面")
    login(page, base, "supervisor")
    visit("/supervisor/sla", "已超时")
    screenshot(page, "names-07-supervisor-sla-time-left")
