"""Knowledge base in a real browser (issue 16, acceptance): an agent answers a consultation
from an article; a citizen asks the text service, then files an appeal from it; a unit edits
its article, the centre publishes it, and an expired article is no longer offered."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hotline.knowledge import service as kb
from hotline.knowledge.domain.article import load_articles

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
SMALL = Path(__file__).resolve().parents[1] / "integration" / "fixtures" / "kb_small.csv"


@pytest.fixture
def kb_server(live_server):
    kb.import_articles(live_server.rt, load_articles(SMALL))
    return live_server


def test_agent_answers_a_consultation_from_an_article(kb_server, page):
    login(page, kb_server.url, "agent")
    page.fill("#caller_phone", "13800138000")
    page.fill("#content", "市民来电咨询: 公积金怎么取出来, 要带什么材料?")
    page.locator("#content").dispatch_event("input")
    first = page.locator("#kb-results li").first
    first.wait_for(timeout=10000)
    assert "住房公积金" in first.inner_text() and "第 1 版" in first.inner_text()
    screenshot(page, "kb-01-intake-suggestions")
    first.locator("button.kb-choose").click()
    assert "购房合同" in page.input_value("#kb-reply")
    page.click("#kb-answer-btn")
    link = page.locator("#kb-done-link")
    link.wait_for(timeout=10000)
    screenshot(page, "kb-02-intake-answered")
    # the form is ready for the next caller: the panel starts empty
    expect(page.locator("#kb-results li")).to_have_count(0)
    assert page.input_value("#content") == ""
    link.click()
    page.wait_for_url("**/orders/*")
    expect(page.locator("#timeline")).to_contain_text("第 1 版", timeout=10000)
    expect(page.locator("#notes")).to_contain_text("购房合同")
    expect(page.locator("#notes")).to_contain_text("答复市民")
    screenshot(page, "kb-03-order-shows-answer")


def test_citizen_asks_then_files_an_appeal_with_the_conversation(kb_server, phone_page):
    page = phone_page
    page.goto(f"{kb_server.url}/self/new")
    page.fill("#kb-q", "社保卡丢了怎么补办")
    page.click("#kb-send")
    answer = page.locator("#kb-log li.kb-service").first
    answer.wait_for(timeout=10000)
    assert "12333" in answer.inner_text() and "市人力资源社会保障局" in answer.inner_text()
    page.fill("#kb-q", "补办以后旧卡里的钱怎么办")
    page.click("#kb-send")
    expect(page.locator("#kb-log li.kb-service")).to_have_count(2, timeout=10000)
    screenshot(page, "kb-04-text-service")
    page.click("#kb-unsolved")
    expect(page.locator("#content")).to_have_value(
        re.compile("补办以后旧卡里的钱怎么办"), timeout=10000)
    page.locator("#content").press("End")
    page.locator("#content").type("希望告知旧卡余额如何转移。")
    page.fill("#phone", "13800138001")
    page.wait_for_timeout(3200)                          # the form token's minimum age
    screenshot(page, "kb-05-prefilled-appeal")
    page.click("#submit-btn")
    page.wait_for_selector("#order-number")
    number = page.inner_text("#order-number").strip()
    conv = kb.list_conversations(kb_server.rt, kb.Actor("supervisor", "supervisor"), number)
    assert conv["items"] and conv["items"][0]["outcome"] == "filed"
    assert [m["role"] for m in conv["items"][0]["messages"]] == ["citizen", "service"] * 2
    from hotline.workorders.commands import get_order, list_orders
    from hotline.workorders.domain.model import Actor
    oid = list_orders(kb_server.rt, Actor("admin", "admin"), {"q": number})["items"][0]["id"]
    order = get_order(kb_server.rt, Actor("admin", "admin"), oid)
    assert any("智能文本客服对话记录" in n["body"] and "社保卡丢了怎么补办" in n["body"]
               for n in order["notes"])


def _offered(page, base, text):
    """Whether the intake panel offers the article whose question contains `text`."""
    page.goto(f"{base}/intake")
    page.fill("#content", "市民来电咨询: 社保卡丢了怎么补办, 在哪里办")
    page.locator("#content").dispatch_event("input")
    expect(page.locator("#kb-status")).not_to_contain_text("输入诉求", timeout=10000)
    return text in page.inner_text("#kb-results")


def test_unit_edits_centre_publishes_expired_no_longer_offered(kb_server, browser):
    base = kb_server.url
    new_answer = "社保卡遗失请拨打12333挂失, 可在粤省事或社保网点补办, 补办免费, 当场可取。"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    login(page, base, "dept_hrss")
    page.goto(f"{base}/knowledge")
    row = page.locator("#kb-list tr[data-code='DG-SB-002']")
    row.wait_for(timeout=10000)
    # the unit's to-do shows its expired article
    expect(page.locator("#kb-todo")).to_contain_text("已过有效期")
    row.locator("button[data-kb='编辑']").click()
    page.fill("#kb-answer", new_answer)
    screenshot(page, "kb-06-unit-edits")
    page.click("#kb-save-submit")
    expect(row).to_contain_text("第 2 版 · 待审核", timeout=10000)
    expect(row).to_contain_text("第 1 版")
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    login(page, base, "supervisor")
    page.goto(f"{base}/knowledge")
    page.select_option("#kb-status-filter", "in_review")
    row = page.locator("#kb-list tr[data-code='DG-SB-002']")
    row.wait_for(timeout=10000)
    screenshot(page, "kb-07-centre-review-queue")
    row.locator("button.kb-publish").click()
    page.select_option("#kb-status-filter", "")
    expect(page.locator("#kb-list tr[data-code='DG-SB-002']")).to_contain_text(
        "第 2 版 · 已发布", timeout=10000)
    screenshot(page, "kb-08-centre-published")
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    login(page, base, "agent")
    art = next(i for i in kb.list_articles(kb_server.rt, kb.Actor("admin", "admin"), {})["items"]
               if i["code"] == "DG-SB-002")
    assert _offered(page, base, "社保卡丢了怎么补办")
    # the edited article itself (another article may rank first for the same words)
    page.locator(f"#kb-results li[data-id='{art['id']}'] button.kb-choose").click()
    assert page.input_value("#kb-reply") == new_answer
    # the article expires: it is no longer offered
    yesterday = kb.today() - timedelta(days=1)
    admin = kb.Actor("admin", "admin")
    kb.edit_article(kb_server.rt, admin, art["id"], {"end_date": yesterday,
                                                      "start_date": yesterday - timedelta(days=9)})
    kb.review(kb_server.rt, admin, art["id"], "publish", None, None)
    assert not _offered(page, base, "社保卡丢了怎么补办")
    screenshot(page, "kb-09-expired-not-offered")
    ctx.close()
