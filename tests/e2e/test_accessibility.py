"""Issue 15 (item 11): axe-core (npm, node_modules/axe-core/axe.min.js) run in Chromium on every
staff page as the role that uses it and on every citizen page (also at phone width) finds no
serious or critical violation (docs/design/ux.md §10: every field has a label, contrast,
landmarks, lang). A page added to the app must be added to VISITS: the last test fails
otherwise."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline.core.outbox import drain_once
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor
from tests.conftest import IN_CI

from .conftest import login

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# (who, path): None is a citizen (no login). {order}, {token} are filled in by the test.
VISITS = [
    (None, "/login"), (None, "/self/new"), (None, "/self/track"), (None, "/s/{token}"),
    ("agent", "/intake"), ("agent", "/survey-queue"), ("agent", "/knowledge"),
    ("agent", "/orders/{order}"), ("agent", "/orders/{order}/deadlines"),
    ("dispatcher", "/dispatch"), ("dispatcher", "/orders/{order}"),
    ("town_humen", "/inbox"), ("town_humen", "/inbox/sla"), ("town_humen", "/orders/{order}"),
    ("town_humen", "/knowledge"), ("town_humen", "/supervisor"),      # the refusal page
    ("supervisor", "/supervisor"), ("supervisor", "/supervisor/rankings"),
    ("supervisor", "/supervisor/sla"), ("supervisor", "/supervisor/returns"),
    ("supervisor", "/supervisor/surveys"), ("supervisor", "/supervisor/comments"),
    ("supervisor", "/supervisor/arbitration"), ("supervisor", "/sms-outbox"),
    ("supervisor", "/knowledge/report"), ("supervisor", "/docs"),
    ("leader", "/supervisor"), ("admin", "/admin"), ("admin", "/docs"),
    # issue 15 search, issue 18 (bulletin, 话务, 整改, 服务体验官)
    ("agent", "/orders"), ("town_humen", "/orders"), ("supervisor", "/orders"),
    ("supervisor", "/supervisor/bulletin"), ("supervisor", "/calls/report"),
    ("supervisor", "/rectifications"), ("town_humen", "/rectifications"),
    ("supervisor", "/experience"), ("supervisor", "/experience/report"),
    (None, "/x/{xtoken}"),           # an officer's task link (here an unknown one)
    # issue 17: 会商, 疑难工单, 热点预警
    ("dispatcher", "/consultations"), ("town_humen", "/consultations"),
    ("supervisor", "/hard-cases"), ("dispatcher", "/hotspots"),
]


def axe_source() -> str:
    if not AXE.exists():
        msg = f"{AXE} missing: run `make test` (npm ci installs axe-core)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return AXE.read_text(encoding="utf-8")


def blocking_violations(page, source: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each.
    The script is evaluated by the test driver, not added as a <script>: the page's own CSP
    (script-src 'self') stays in force."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(source + "\n;0")
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact,
                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['nodes']}" for v in found
            if v["impact"] in BLOCKING]


def _data(rt):
    """An order through dispatch to a unit, one in return visit with its survey link."""
    agent = Actor("agent", "agent")
    o = orders.create_order(rt, agent, {
        "content": "市民反映小区门口垃圾堆积多日无人清运", "town": "town_humen",
        "category": "sanitation", "unit": "town_humen", "appeal_type": "complaint",
        "caller": {"name": "陈先生", "phone": "13800000001"}})
    orders.create_order(rt, agent, {"content": "莞城西正路路灯不亮已经一周, 晚上出行不安全",
                                    "town": "town_guancheng", "caller": {"phone": "13800000002"}})
    v = orders.create_order(rt, agent, {
        "content": "虎门镇某路段垃圾桶满溢无人清理", "town": "town_humen", "category": "sanitation",
        "unit": "town_humen", "appeal_type": "complaint", "caller": {"phone": "13800000003"}})
    dept = Actor("town_humen", "department", "town_humen")
    orders.act(rt, dept, v["id"], "sign", {})
    orders.act(rt, dept, v["id"], "reply", {"data": {"reply": "已安排清运"}})
    orders.act(rt, Actor("dispatcher", "dispatcher"), v["id"], "accept_reply", {})
    while drain_once(rt):
        pass
    from sqlalchemy import select

    from hotline.survey.orm import SurveyRow
    with rt.uow() as uow:
        token = uow.session.execute(select(SurveyRow.token).where(
            SurveyRow.order_id == v["id"], SurveyRow.status == "pending")).scalar_one()
    return o, token


def test_every_page_has_no_serious_or_critical_violation(live_server, browser):
    source = axe_source()
    base = live_server.url
    order, token = _data(live_server.rt)
    problems: list[str] = []
    by_user: dict = {}
    for who, path in VISITS:
        by_user.setdefault(who, []).append(path.format(order=order["id"], token=token,
                                                           xtoken="0" * 32))
    for who, paths in by_user.items():
        sizes = [{"width": 1366, "height": 768}]
        if who is None:
            sizes.append({"width": 390, "height": 844})     # the citizen pages on a phone
        for size in sizes:
            ctx = browser.new_context(viewport=size, locale="zh-CN")
            page = ctx.new_page()
            if who:
                login(page, base, who)
            for path in paths:
                page.goto(base + path, wait_until="networkidle")
                problems += blocking_violations(page, source)
            if who is None:
                # the citizen's answers: a tracking result and a wrong code
                page.goto(base + "/self/track")
                page.fill("#number", order["number"])
                page.fill("#code", order["query_code"])
                with page.expect_navigation():
                    page.click("#track-btn")
                problems += blocking_violations(page, source)
                page.goto(base + "/self/track")
                page.fill("#number", order["number"])
                page.fill("#code", "000000")
                with page.expect_navigation():
                    page.click("#track-btn")
                problems += blocking_violations(page, source)
            ctx.close()
    assert problems == [], "axe-core:\n" + "\n".join(problems)


def test_pages_in_use_have_no_serious_or_critical_violation(live_server, page):
    """States a person reaches by working: the supervisor's failed date range, an order's
    action dialog, the API browser with an operation tried."""
    source = axe_source()
    base = live_server.url
    order, _ = _data(live_server.rt)
    problems: list[str] = []
    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor", wait_until="networkidle")
    page.fill("#from", "2026-12-05")
    page.fill("#to", "2026-12-01")
    page.click("#go")
    page.locator("#from-error").wait_for()
    problems += blocking_violations(page, source)
    page.goto(f"{base}/docs")
    page.locator("#operations-tag-auth").click()          # tags start collapsed (docs.js)
    op = page.locator("#operations-auth-get_api_v1_auth_me")
    op.locator(".opblock-summary-control").click()
    op.locator(".try-out__btn").click()
    op.locator(".execute").click()
    op.locator(".live-responses-table").wait_for()
    page.locator(".auth-wrapper .authorize").click()
    page.locator(".modal-ux").wait_for()
    problems += blocking_violations(page, source)

    login(page, base, "town_humen")
    page.goto(f"{base}/orders/{order['id']}", wait_until="networkidle")
    page.locator("#act-sign").click()
    page.wait_for_selector("#action-form:not([hidden])")
    problems += blocking_violations(page, source)
    assert problems == [], "axe-core:\n" + "\n".join(problems)


def test_every_page_route_is_visited(live_server):
    """Every HTML page of the app is in VISITS (a new page gets its accessibility check)."""
    visited = {re.sub(r"\{\w+\}", "<x>", p) for _, p in VISITS}
    pages = set()
    for rule in live_server.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or rule.rule == "/":
            continue
        if rule.rule.startswith(("/api/", "/open311/", "/healthz", "/static/", "/vendor/")):
            continue
        pages.add(re.sub(r"<(?:\w+(?:\([^)]*\))?:)?\w+>", "<x>", rule.rule))
    assert pages - visited == set()
