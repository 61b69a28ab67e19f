"""The intake triage in a real browser (issue 14, Build 2 and 4): the agent sees the predicted
appeal type, and a blocking banner with the line to transfer an emergency to; the citizen's
self-service page answers an emergency with the number to call instead of filing it."""
import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

GAS = "我家厨房燃气泄漏了，一股很浓的煤气味，怎么办"


def _history(rt, order_id):
    from hotline.workorders.commands import get_order
    from hotline.workorders.domain.model import Actor
    return get_order(rt, Actor("admin", "admin"), order_id)["history"]


def test_agent_types_an_emergency_sees_the_line_and_transfers(live_server, page):
    login(page, live_server.url, "agent")
    page.fill("#caller_phone", "13800138000")
    page.select_option("#town", "town_dongcheng")
    page.fill("#content", GAS)
    banner = page.locator("#emergency-banner")
    expect(banner).to_be_visible(timeout=10000)
    expect(banner.locator("h2")).to_contain_text("119")
    # blocking: the ordinary submit is off until the transfer
    expect(page.locator("#submit-btn")).to_be_disabled()
    # the predicted appeal type is shown with its score and preselected
    expect(page.locator("#appeal-type-hint")).to_contain_text("%")
    assert page.locator("#appeal_type").input_value() != ""
    screenshot(page, "triage-01-emergency-banner")
    page.fill("#em-operator", "119 接警员 李明")
    page.fill("#em-reference", "JJ0042")
    page.click("#em-transfer")
    row = page.locator("#recent tbody tr.new-order").first
    expect(row).to_contain_text("已转紧急热线", timeout=10000)
    expect(banner).to_be_hidden()
    screenshot(page, "triage-02-transferred")
    order_id = int(row.get_attribute("data-id"))
    [t] = [x for x in _history(live_server.rt, order_id) if x["action"] == "transfer_emergency"]
    assert t["data"]["line"] == "119" and t["data"]["operator"] == "119 接警员 李明"
    assert t["data"]["reference"] == "JJ0042" and t["data"]["transferred_at"]


def test_plain_appeal_shows_the_predicted_type_and_no_banner(live_server, page):
    login(page, live_server.url, "agent")
    page.fill("#content", "请问办理居住证需要带什么材料，在哪里办理")
    expect(page.locator("#appeal-type-hint")).to_contain_text("咨询", timeout=10000)
    assert page.locator("#appeal_type").input_value() == "consultation"
    expect(page.locator("#emergency-banner")).to_be_hidden()
    expect(page.locator("#submit-btn")).to_be_enabled()
    screenshot(page, "triage-03-appeal-type")


def test_citizen_emergency_shows_the_number_instead_of_filing(live_server, phone_page):
    pg = phone_page
    pg.goto(f"{live_server.url}/self/new")
    pg.fill("#content", GAS)
    pg.fill("#phone", "13800138000")
    # the form token refuses a post faster than a person types
    pg.wait_for_timeout(3200)
    pg.click("#submit-btn")
    call = pg.locator("#emergency-call")
    expect(call).to_be_visible(timeout=10000)
    expect(pg.locator("#emergency-line")).to_have_text("119")
    assert pg.locator("#emergency-line").get_attribute("href") == "tel:119"
    assert pg.locator("#order-number").count() == 0
    screenshot(pg, "triage-04-self-emergency")
