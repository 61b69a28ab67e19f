"""Issue 15 (items 7 and 9) in Chromium: the supervisor workspace as pages with a sub-navigation,
a date range kept in the URL whose errors show next to their fields in Chinese, ECharts charts
(daily volume, heat map, ranking) from the app's own /vendor/ files, unit names on one line, a
refusal for a department user; /docs as Swagger UI whose "try it" calls as the page's login or
as a bearer token."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
PAGES = ("/supervisor", "/supervisor/rankings", "/supervisor/sla", "/supervisor/returns",
         "/supervisor/surveys", "/supervisor/comments")


def _orders(rt):
    agent = Actor("agent", "agent")
    for town, category, unit, content in (
            ("town_humen", "sanitation", "town_humen", "市民反映小区门口垃圾堆积多日无人清运"),
            ("town_humen", "sanitation", "town_humen", "虎门镇某路段垃圾桶满溢无人清理"),
            ("town_guancheng", "street_lights", "dept_urban", "莞城西正路路灯不亮已经一周"),
            ("town_changan", "property_mgmt", "dept_housing", "长安镇某小区物业不作为电梯长期故障")):
        orders.create_order(rt, agent, {"content": content, "town": town, "category": category,
                                        "unit": unit, "appeal_type": "complaint",
                                        "caller": {"phone": "13800000001"}})


def test_supervisor_pages_charts_and_date_range(live_server, page):
    base = live_server.url
    _orders(live_server.rt)
    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor")
    nav = page.locator("nav.subnav a")
    expect(nav).to_have_text(["总览", "单位排名", "超时督办", "退单统计", "回访督办", "市民意见"])
    expect(page.locator("nav.subnav a[aria-current=page]")).to_have_text("总览")
    # the charts are ECharts canvases with a Chinese description for screen readers
    expect(page.locator("#chart-daily canvas").first).to_be_visible()
    expect(page.locator("#chart-heat canvas").first).to_be_visible()
    expect(page.locator("#chart-heat")).to_have_attribute("aria-label", re.compile("图表"))
    expect(page.locator("#totals")).to_contain_text("4")
    assert page.evaluate("typeof echarts.version") == "string"
    screenshot(page, "supervisor-01-overview")

    # a range that ends before it starts: the reason next to 起始日期, in Chinese, no request
    page.fill("#from", "2026-12-05")
    page.fill("#to", "2026-12-01")
    page.click("#go")
    expect(page.locator("#from-error")).to_have_text(re.compile("起始日期不能晚于结束日期"))
    expect(page.locator("#from")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "supervisor-02-bad-range")
    # more than ten years: the server's 422 names 结束日期 and the page puts it there
    page.fill("#from", "2000-01-01")
    page.fill("#to", "2020-01-01")
    page.click("#go")
    expect(page.locator("#to-error")).to_contain_text("不能超过")
    expect(page.locator("#from-error")).to_have_text("")
    # a good range is kept in the URL and carried by the sub-navigation
    page.fill("#from", "2026-01-01")
    page.fill("#to", "2026-12-31")
    page.click("#go")
    expect(page.locator("#fv")).to_contain_text("2026-01-01")
    assert "from=2026-01-01" in page.url
    expect(page.locator("nav.subnav a", has_text="单位排名")).to_have_attribute(
        "href", re.compile(r"/supervisor/rankings\?from=2026-01-01&to=2026-12-31"))

    page.locator("nav.subnav a", has_text="单位排名").click()
    expect(page.locator("#chart-rank canvas").first).to_be_visible()
    cell = page.locator('#units tr[data-unit="dept_housing"] td[data-k="unit_name"]')
    expect(cell).to_have_text("市住房和城乡建设局")
    # a unit's name stays on one line (it was drawn one character a line)
    line = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert cell.evaluate("e => e.getBoundingClientRect().height") < 2.2 * line
    assert page.locator("#units th").count() < 16          # key columns first
    page.check("#all-cols")
    assert page.locator("#units th").count() > 25
    assert "dept_" not in page.locator("main").inner_text()
    screenshot(page, "supervisor-03-rankings")

    for path in PAGES[2:]:
        page.goto(f"{base}{path}")
        expect(page.locator("nav.subnav a[aria-current=page]")).to_have_count(1)
        expect(page.locator("main h1").first).to_be_visible()
        screenshot(page, "supervisor-04" + path.replace("/", "-"))


def test_department_user_is_refused_in_words(live_server, page):
    login(page, live_server.url, "town_humen")
    for path in PAGES:
        r = page.goto(f"{live_server.url}{path}")
        assert r.status == 403, path
        expect(page.locator("main h1")).to_have_text("无权使用此页面")
        expect(page.locator("main")).to_contain_text("承办单位")
        expect(page.locator("main table")).to_have_count(0)
    screenshot(page, "supervisor-05-refused-department")


def _token(base, username):
    import json
    import urllib.request

    from tests.conftest import PASSWORD
    req = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST", data=json.dumps(
        {"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["token"]


def test_docs_try_it_with_the_session_and_with_a_bearer_token(live_server, page):
    base = live_server.url
    login(page, base, "supervisor")
    page.goto(f"{base}/docs")
    expect(page.locator("#swagger-ui .opblock-tag").first).to_be_visible(timeout=15000)
    # every tag of the spec is listed (with every operation expanded, Swagger UI stopped after
    # the first few: docs.js)
    spec = page.request.get(f"{base}/api/v1/openapi.json").json()
    tags = {t for ops in spec["paths"].values() for o in ops.values() for t in o.get("tags", [])}
    expect(page.locator("#swagger-ui .opblock-tag")).to_have_count(len(tags))
    page.locator("#operations-tag-auth").click()          # tags start collapsed (docs.js)
    op = page.locator("#operations-auth-get_api_v1_auth_me")
    op.locator(".opblock-summary-control").click()
    op.locator(".try-out__btn").click()
    # $ref resolved: the documented error answers show the fields of the Error schema
    expect(op.locator(".responses-wrapper")).to_contain_text('"message"')
    expect(page.get_by_text("Could not resolve reference")).to_have_count(0)
    op.locator(".execute").click()
    body = op.locator(".live-responses-table .response-col_description .microlight").first
    expect(body).to_contain_text('"username": "supervisor"')
    screenshot(page, "docs-01-try-it-session")

    # a change carries the CSRF header: answered for what it asks (no such survey, 404), not
    # refused as a forged request (403 csrf_failed)
    page.locator("#operations-tag-surveys").click()
    op = page.locator("#operations-surveys-post_api_v1_surveys__survey_id__decision")
    op.locator(".opblock-summary-control").click()
    op.locator(".try-out__btn").click()
    op.locator(".parameters input[placeholder=survey_id]").fill("999999")
    op.locator("textarea.body-param__text").fill('{"decision": "close"}')
    op.locator(".execute").click()
    expect(op.locator(".live-responses-table tbody .response-col_status").first).to_have_text("404")
    expect(op.locator(".live-responses-table .microlight").first).to_contain_text("回访不存在")

    # a bearer token entered with Authorize is used instead of the session
    token = _token(base, "town_humen")
    page.locator(".auth-wrapper .authorize").click()
    page.locator(".modal-ux input").first.fill(token)
    page.locator(".modal-ux .auth-btn-wrapper button.authorize").click()
    page.locator(".modal-ux .btn-done").click()
    op = page.locator("#operations-auth-get_api_v1_auth_me")
    op.locator(".execute").click()
    body = op.locator(".live-responses-table .response-col_description .microlight").first
    expect(body).to_contain_text('"username": "town_humen"')
    screenshot(page, "docs-02-try-it-bearer")
