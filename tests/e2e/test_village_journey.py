"""二级派单 in a browser (issue 17; docs/design/domain.md §6.8): an agent logs a local matter in
虎门镇; the town signs it and passes it to one of its villages; the village's user signs and
reports; the town reviews the report and replies; the return visit scores the town and the
village. Screenshots go to var/screenshots/village-*.png."""
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import login, screenshot
from .test_dispatch_journey import _do, _logout
from .test_survey_journey import _pending

pytestmark = pytest.mark.browser
TOWN, VILLAGE = "town_humen", "village_441900121004"      # 虎门镇, 东方社区


def test_town_passes_to_village_which_reports_and_both_are_scored(live_server, page):
    base, rt = live_server.url, live_server.rt
    # 1. the agent logs a local matter in 虎门镇, dispatched to the town
    login(page, base, "agent")
    page.fill("#caller_name", "陈先生")
    page.fill("#caller_phone", "13800138017")
    page.select_option("#town", TOWN)
    page.fill("#content", "市民来电反映虎门镇东方社区某巷口垃圾堆积多日无人清运, 气味难闻, 请尽快处理。")
    # the agent's unit picker offers units, not the 605 villages (those come from the town)
    assert page.locator(f"select[name=unit] option[value={VILLAGE}]").count() == 0
    page.select_option("select[name=unit]", TOWN)
    page.click("#submit-btn")
    # the first intake loads the text pipeline: allow for a busy machine
    page.locator("#recent tbody tr.new-order td.number").first.wait_for(timeout=60000)
    number = page.locator("#recent tbody tr.new-order td.number").first.inner_text()
    _logout(page)

    # 2. the town signs it from its inbox and passes it to its village
    login(page, base, TOWN)
    row = page.locator("#inbox tbody tr", has_text=number)
    row.wait_for()
    row.locator(".sign-btn").click()
    page.click("#confirm-dialog #confirm-ok")              # the confirmation (issue 15)
    row.wait_for(state="detached")
    page.goto(f"{base}/inbox?tab=in_progress")
    page.click(f"#inbox tbody a:has-text('{number}')")
    page.wait_for_selector("#act-subdispatch")
    assert page.locator("#act-subdispatch").inner_text() == "派至村（社区）"
    page.click("#act-subdispatch")
    picker = page.locator("#f-unit")
    assert picker.input_value() == ""                       # empty by default, and required
    options = picker.locator("option").all_inner_texts()
    assert options[0] == "请选择村（社区）" and "东方社区" in options and len(options) == 33
    assert all("委员会" not in o for o in options)
    page.click("#action-submit")                            # the browser refuses an empty choice
    assert page.locator("#action-form").is_visible()
    picker.select_option(VILLAGE)
    page.fill("#f-note", "请核实并组织清运")
    screenshot(page, "village-01-town-subdispatch")
    page.click("#action-submit")
    page.click("#confirm-dialog #confirm-ok")
    page.wait_for_selector("#action-form", state="hidden")
    expect(page.locator("#o-status")).to_have_text("已派至村（社区）", timeout=10000)
    expect(page.locator("#o-facts")).to_contain_text("东方社区")
    order_url = page.url
    page.goto(f"{base}/inbox?tab=at_village")
    page.locator("#inbox tbody tr", has_text=number).wait_for()
    screenshot(page, "village-02-town-inbox-at-village")
    _logout(page)

    # 3. the village's user signs it from its inbox, contacts the citizen and reports
    login(page, base, VILLAGE)
    assert page.url.endswith("/inbox")
    row = page.locator("#inbox tbody tr", has_text=number)
    row.wait_for()
    screenshot(page, "village-03-village-inbox")
    row.locator(".sign-btn").click()
    page.click("#confirm-dialog #confirm-ok")              # the confirmation (issue 15)
    row.wait_for(state="detached")
    page.goto(order_url)
    page.wait_for_selector("#act-village_report")
    buttons = page.locator("#actions button").all_inner_texts()
    assert "提交答复" not in buttons and "派至村（社区）" not in buttons   # not the village's
    _do(page, "contact", fill={"#f-note": "已电话联系陈先生, 约定下午到场"})
    _do(page, "village_report", fill={"#f-report": "社区已组织清运, 巷口已清理干净, 市民认可。"})
    expect(page.locator("#o-status")).to_have_text("村（社区）已上报", timeout=10000)
    screenshot(page, "village-04-village-reported")
    _logout(page)

    # 4. the town reviews the village's report, then replies
    login(page, base, TOWN)
    page.goto(f"{base}/inbox?tab=village_reported")
    page.locator("#inbox tbody tr", has_text=number).wait_for()
    page.goto(order_url)
    page.wait_for_selector("#act-accept_village_report")
    expect(page.locator("#timeline")).to_contain_text("社区已组织清运")
    screenshot(page, "village-05-town-review")
    _do(page, "accept_village_report")
    page.wait_for_selector("#act-reply")
    _do(page, "reply", fill={"#f-reply": "经东方社区核实, 垃圾已清运完毕。"})
    expect(page.locator("#o-status")).to_have_text("答复待审核", timeout=10000)
    _logout(page)

    # 5. the centre accepts the reply; the return visit (the citizen's answer)
    login(page, base, "dispatcher")
    page.goto(order_url)
    page.wait_for_selector("#act-accept_reply")
    _do(page, "accept_reply")
    expect(page.locator("#o-status")).to_have_text("待回访", timeout=10000)
    timeline = page.locator("#timeline").inner_text()
    for label in ("派至村（社区）", "签收", "村（社区）上报办理结果", "审核通过村（社区）上报",
                  "提交答复", "审核通过"):
        assert label in timeline, label
    _logout(page)
    oid = int(order_url.rstrip("/").rsplit("/", 1)[1])
    s = _pending(rt, oid)
    req = urllib.request.Request(f"{base}/api/v1/surveys/{s['token']}", method="POST",
                                 data=json.dumps({"contacted": True, "resolved": "resolved",
                                                  "satisfaction": "satisfied"}).encode(),
                                 headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(req).status == 200

    # 6. the supervisor's unit report scores both the town and the village
    login(page, base, "supervisor")
    page.goto(f"{base}/supervisor/rankings")                 # the ranking page (issue 15)
    for unit in (TOWN, VILLAGE):
        cell = page.locator(f'#units tr[data-unit="{unit}"] td[data-k="satisfaction_rate"]')
        cell.wait_for(timeout=10000)
        assert cell.inner_text() == "100%", unit
    screenshot(page, "village-06-supervisor-scores")
