"""Citizen self-service in a phone-sized browser: file, then follow progress."""
import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_file_and_track_on_a_phone(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/self/new")
    assert page.locator("h1").inner_text() == "我要反映"
    assert no_horizontal_scroll(page)
    page.fill("#content", "我家楼下的路灯已经坏了一个多星期, 晚上出行很不安全, 请尽快维修")
    page.select_option("#town", "town_humen")
    page.fill("#address", "虎门镇连升路 8 号")
    page.fill("#phone", "13800138000")
    box = page.locator("#website").bounding_box()          # the honeypot is off-screen
    assert box is None or box["x"] + box["width"] <= 0
    page.wait_for_timeout(3200)                          # a person takes a few seconds
    page.click("#submit-btn")
    page.wait_for_selector("#order-number")
    number = page.inner_text("#order-number").strip()
    code = page.inner_text("#query-code").strip()
    assert number.startswith("DG") and len(code) == 6
    assert no_horizontal_scroll(page)
    screenshot(page, "selfservice_done_phone")

    page.click("#go-track")
    page.wait_for_selector("#track-form")
    assert page.input_value("#number") == number
    page.fill("#code", code)
    page.click("#track-btn")
    page.wait_for_selector("#progress")
    assert "诉求已受理" in page.inner_text("#timeline")
    assert page.inner_text("#status-label")
    assert "13800138000" not in page.content()
    assert no_horizontal_scroll(page)
    screenshot(page, "selfservice_track_phone")

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.goto(f"{live_server.url}/self/track")
    page.fill("#number", number)
    page.fill("#code", wrong)
    page.click("#track-btn")
    page.wait_for_selector("#not-found")
    assert page.locator("#progress").count() == 0
    assert "路灯" not in page.content()
    screenshot(page, "selfservice_wrong_code_phone")
