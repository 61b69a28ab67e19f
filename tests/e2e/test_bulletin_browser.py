"""Browser: the supervisor previews the previous month's bulletin (通报) on /supervisor/bulletin,
opens the PDF, publishes it twice (two numbered editions, never an overwrite); a leader reads
the published editions but has no publish button (issue 18 item 5)."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.core.db import utcnow
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser
TZ = ZoneInfo("Asia/Shanghai")


def _previous_month() -> str:
    first = utcnow().astimezone(TZ).date().replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def test_supervisor_previews_and_publishes_the_bulletin(live_server, page):
    from hotline.workorders.seed import seed_demo_orders
    rt = live_server.rt
    seed_demo_orders(rt, 60)        # demo history over the last 60 days
    month = _previous_month()
    y, m = int(month[:4]), int(month[5:])

    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/supervisor/bulletin")
    assert page.locator("#month").input_value() == month      # the previous month by default
    page.locator("#outline li").first.wait_for()
    assert page.locator("#btitle").inner_text() == \
        f"东莞市12345政务服务便民热线工单办理情况通报（{y}年{m}月）"
    items = page.locator("#outline li").all_inner_texts()
    assert items[0] == "一、总体情况"
    assert any("镇街园区考评排名" in t for t in items)
    assert any("疑难工单" in t and "本月暂无数据" in t for t in items)
    assert "2026" in page.locator("#bmeta").inner_text() or "考评公式版本" in \
        page.locator("#bmeta").inner_text()
    # the nav leads here
    assert page.locator("#nav a[href='/supervisor/bulletin']").inner_text() == "月度通报"

    # the preview link opens the PDF (same session)
    href = page.locator("#pdf").get_attribute("href")
    assert href == f"/api/v1/reports/bulletin?month={month}"
    pdf = page.request.get(live_server.url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    screenshot(page, "bulletin_preview_supervisor")

    # publish: asks first, then stores edition 1; a second publication is edition 2
    page.on("dialog", lambda d: d.accept())
    assert page.locator("#published").inner_text().count("尚未发布通报") == 1
    page.click("#publish")
    page.wait_for_selector("#pubmsg:has-text('第 1 版')")
    page.wait_for_selector("#published tr[data-id]")
    page.click("#publish")
    page.wait_for_selector("#pubmsg:has-text('第 2 版')")
    page.locator("#published tr[data-id]").nth(1).wait_for()
    rows = page.locator("#published tbody tr").all_inner_texts()
    assert "第 2 版" in rows[0] and "第 1 版" in rows[1] and month in rows[1]
    # the stored file is the one published: its hash is on the page
    link = page.locator("#published tbody tr").nth(1).get_by_role("link", name="PDF")
    stored = page.request.get(live_server.url + link.get_attribute("href"))
    digest = hashlib.sha256(stored.body()).hexdigest()
    assert digest[:16] in rows[1]
    screenshot(page, "bulletin_published_supervisor")

    # a month the form refuses is said in Chinese, under the form
    page.fill("#month", "")
    page.click("#preview")
    page.wait_for_selector("#err:has-text('YYYY-MM')")
    assert page.locator("#outline-box").is_hidden()

    # the leader reads, never publishes
    page.evaluate("sessionStorage.clear()")
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/supervisor/bulletin")
    page.locator("#outline li").first.wait_for()
    page.wait_for_selector("#published tr[data-id]")
    assert page.locator("#publish").is_hidden()
    assert page.locator("#published tr[data-id]").count() == 2
    screenshot(page, "bulletin_leader")
