"""Knowledge base (issue 16) on SQLite and PostgreSQL: versions, review and publish, unit
permissions, validity and the to-do list, import, the search API and the direct answer."""
from datetime import timedelta
from pathlib import Path

import pytest

from hotline.knowledge import service as kb
from hotline.knowledge.domain.article import load_articles

SMALL = Path(__file__).parent / "fixtures" / "kb_small.csv"


def _import(rt):
    return kb.import_articles(rt, load_articles(SMALL))


def _search(api, q, user="agent"):
    r = api.as_(user).get("/api/v1/knowledge/search", query_string={"q": q})
    assert r.status_code == 200, r.json
    return r.json


def test_import_stores_published_with_units_and_is_idempotent(api, rt):
    assert _import(rt) == {"created": 4, "updated": 0, "unchanged": 0}
    assert _import(rt) == {"created": 0, "updated": 0, "unchanged": 4}
    items = api.as_("supervisor").get("/api/v1/knowledge/articles").json["items"]
    units = {i["code"]: i["unit"] for i in items}
    # a unit code, or a unit's name, in the dept column
    assert units["DG-GJJ-001"] == "dept_fund" and units["DG-SB-002"] == "dept_hrss"
    assert all(i["published_version"] == 1 for i in items)
    # export: the latest versions, in the import format, and back unchanged
    codes = [a.id for a in kb.export_articles(rt)]
    assert sorted(codes) == sorted(units)


def test_search_serves_only_valid_published_articles(api, rt):
    _import(rt)
    r = _search(api, "我想问下公积金怎么取出来，要带啥材料")
    assert r["answer"]["code"] == "DG-GJJ-001" and r["answer"]["version"] == 1
    assert r["answer"]["unit_name"] == "市住房公积金管理中心"
    # the 2019 article is past its end date: never offered, not even in the top 5
    r = _search(api, "2019年灵活就业人员社保补贴怎么领")
    assert all(i["code"] != "DG-OLD-004" for i in r["items"])
    # nothing fits: an honest "no answer"
    r = _search(api, "小区门口的路灯坏了好几天")
    assert r["abstained"] and r["answer"] is None
    assert api.client.get("/api/v1/knowledge/search?q=x").status_code == 401
    assert api.as_("agent").get("/api/v1/knowledge/search").status_code == 422


def _article(api, code):
    items = api.as_("supervisor").get("/api/v1/knowledge/articles").json["items"]
    return next(i for i in items if i["code"] == code)


def test_unit_edits_centre_publishes_every_version_kept(api, rt):
    _import(rt)
    art = _article(api, "DG-GJJ-001")
    path = f"/api/v1/knowledge/articles/{art['id']}"
    # another unit may neither see nor edit it; an agent may not write
    assert api.as_("dept_housing").post(path + "/versions", json={"answer": "x"}).status_code == 404
    assert api.as_("agent").post(path + "/versions", json={"answer": "x"}).status_code == 403
    new_answer = "购房提取住房公积金需提供身份证、购房合同、购房发票和银行卡，可全程网办。"
    r = api.as_("dept_fund").post(path + "/versions", json={"answer": new_answer, "submit": True})
    assert r.status_code == 201, r.json
    assert r.json["latest_version"] == 2 and r.json["published_version"] == 1
    # the unit cannot publish its own version: the centre reviews
    assert api.as_("dept_fund").post(path + "/review", json={"decision": "publish"}).status_code == 403
    assert _search(api, "公积金提取要带什么")["answer"]["version"] == 1   # still the old one
    queue = api.as_("supervisor").get("/api/v1/knowledge/articles?status=in_review").json
    assert [i["code"] for i in queue["items"]] == ["DG-GJJ-001"]
    r = api.as_("supervisor").post(path + "/review", json={"decision": "publish", "version": 2})
    assert r.status_code == 200, r.json
    assert [v["status"] for v in r.json["versions"]] == ["published", "withdrawn"]
    hit = _search(api, "公积金提取要带什么")["answer"]
    assert hit["version"] == 2 and hit["answer"] == new_answer
    # withdraw by the owning unit: no longer served at once
    assert api.as_("dept_fund").post(path + "/withdraw", json={}).status_code == 200
    assert all(i["code"] != "DG-GJJ-001" for i in _search(api, "公积金提取要带什么")["items"])
    versions = api.as_("dept_fund").get(path).json["versions"]
    assert [v["version"] for v in versions] == [2, 1]


def test_unit_creates_article_only_for_itself(api, rt):
    body = {"question": "公租房租金怎么交？", "answer": "公租房租金可通过银行代扣或网上缴纳。",
            "unit": "dept_fund"}
    r = api.as_("dept_housing").post("/api/v1/knowledge/articles", json=body)
    assert r.status_code == 403 and "unit" in r.json["error"]["fields"]
    del body["unit"]
    r = api.as_("dept_housing").post("/api/v1/knowledge/articles", json=body)
    assert r.status_code == 201 and r.json["unit"] == "dept_housing"
    assert r.json["status"] == "draft" and r.json["published_version"] is None
    bad = api.as_("supervisor").post("/api/v1/knowledge/articles", json={
        **body, "unit": "dept_housing", "start_date": "2025-01-02", "end_date": "2025-01-01"})
    assert bad.status_code == 422 and "end_date" in bad.json["error"]["fields"]
    mine = api.as_("dept_housing").get("/api/v1/knowledge/articles").json["items"]
    assert {i["unit"] for i in mine} == {"dept_housing"}


def test_expired_or_review_due_article_is_not_served_and_is_in_the_units_todo(api, rt):
    _import(rt)
    art = _article(api, "DG-SB-002")
    path = f"/api/v1/knowledge/articles/{art['id']}"
    yesterday = (kb.today() - timedelta(days=1)).isoformat()
    r = api.as_("supervisor").post(path + "/versions", json={"review_date": yesterday})
    assert r.status_code == 201
    api.as_("supervisor").post(path + "/review", json={"decision": "publish"})
    assert all(i["code"] != "DG-SB-002" for i in _search(api, "社保卡丢了怎么补办")["items"])
    todo = api.as_("dept_hrss").get("/api/v1/knowledge/todo").json["items"]
    kinds = {(i["code"], i["kind"]) for i in todo}
    assert ("DG-SB-002", "review_overdue") in kinds and ("DG-OLD-004", "expired") in kinds
    # expired AND past its review date: one row, the more pressing problem
    assert [i["code"] for i in todo].count("DG-OLD-004") == 1
    assert api.as_("dept_fund").get("/api/v1/knowledge/todo").json["items"] == []
    assert api.as_("agent").get("/api/v1/knowledge/todo").status_code == 403


def test_other_process_sees_a_publish_through_the_generation_counter(api, rt):
    """Two runtimes on one database = two processes: the second one's index follows."""
    from hotline.core.runtime import Runtime
    other = Runtime.build(rt.settings)
    try:
        assert kb.search(other, None, "公积金提取要带什么", log=False)["items"] == []
        _import(rt)
        assert kb.search(other, None, "公积金提取要带什么", log=False)["answer"]["code"] == \
            "DG-GJJ-001"
        art = _article(api, "DG-GJJ-001")
        api.as_("dept_fund").post(f"/api/v1/knowledge/articles/{art['id']}/withdraw", json={})
        res = kb.search(other, None, "公积金提取要带什么", log=False)
        assert all(i["code"] != "DG-GJJ-001" for i in res["items"])
    finally:
        other.engine.dispose()


def test_direct_answer_records_text_article_and_version(api, rt):
    _import(rt)
    hit = _search(api, "公积金提取要带什么")["answer"]
    o = api.create(content="咨询住房公积金提取需要带什么材料", queue=False,
                   appeal_type="consultation")
    oid = o["id"]
    # answer needs its text
    r = api.as_("agent").post(f"/api/v1/orders/{oid}/answer", json={"data": {}})
    assert r.status_code == 422 and "data.reply" in r.json["error"]["fields"]
    # a version that is not the published one is refused
    r = api.as_("agent").post(f"/api/v1/orders/{oid}/answer", json={"data": {
        "reply": hit["answer"], "article_id": hit["article_id"], "article_version": 9}})
    assert r.status_code == 422 and "data.article_version" in r.json["error"]["fields"]
    # an expired article cannot back an answer, even named with its published version
    old = _article(api, "DG-OLD-004")
    r = api.as_("agent").post(f"/api/v1/orders/{oid}/answer", json={"data": {
        "reply": "x", "article_id": old["id"], "article_version": 1}})
    assert r.status_code == 422 and "data.article_id" in r.json["error"]["fields"]
    done = api.act("agent", oid, "answer", reply=hit["answer"], article_id=hit["article_id"],
                   article_version=hit["version"])
    assert done["status"] == "answered_directly"
    t = [t for t in done["history"] if t["action"] == "answer"][0]
    assert t["data"]["article_id"] == hit["article_id"] and t["data"]["article_version"] == 1
    rep = api.as_("supervisor").get("/api/v1/reports/knowledge").json
    assert rep["total"]["direct_answers"] == 1 and rep["total"]["direct_from_article"] == 1
    assert rep["total"]["contacts"] == 1 and rep["total"]["direct_answer_rate"] == 1.0
    assert rep["total"]["searches"] >= 1 and rep["total"]["hit_rate"] is not None
    assert api.as_("agent").get("/api/v1/reports/knowledge").status_code == 403


def test_text_service_conversation_answer_then_appeal(api, rt):
    _import(rt)
    c = api.client
    r = c.post("/self/api/knowledge/ask", json={"q": "社保卡丢了怎么办"})
    assert r.status_code == 200, r.json
    key = r.json["key"]
    assert r.json["answer"]["unit_name"] == "市人力资源社会保障局" and r.json["answer"]["date"]
    r = c.post("/self/api/knowledge/ask", json={"q": "小区电梯坏了一个月没人修", "key": key})
    assert r.json["answer"] is None and r.json["key"] == key and len(r.json["messages"]) == 4
    r = c.post("/self/api/knowledge/unresolved", json={"key": key})
    assert "小区电梯坏了一个月没人修" in r.json["content"]
    kb.conversation_filed(rt, key, api.create(content=r.json["content"])["number"])
    conv = kb.list_conversations(rt, kb.Actor("supervisor", "supervisor"))["items"][0]
    assert conv["outcome"] == "filed" and conv["order_number"]
    gaps = api.as_("supervisor").get("/api/v1/reports/knowledge-gaps").json
    assert any(q["text"] == "小区电梯坏了一个月没人修" for q in gaps["unanswered_queries"])
    assert c.post("/self/api/knowledge/ask", json={"q": "x"}).status_code == 422


@pytest.mark.parametrize("user", ["agent", "leader"])
def test_readers_cannot_review(api, rt, user):
    _import(rt)
    art = _article(api, "DG-ZF-003")
    r = api.as_(user).post(f"/api/v1/knowledge/articles/{art['id']}/review",
                           json={"decision": "publish"})
    assert r.status_code == 403


def test_cli_import_and_export_through_the_database(sqlite_rt, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hotline.cli import main
    monkeypatch.setenv("DATABASE_URL", sqlite_rt.settings.database_url)
    r = CliRunner().invoke(main, ["kb", "import", "--data", str(SMALL)])
    assert r.exit_code == 0, r.output
    assert "stored: 4 new" in r.output
    out = tmp_path / "export.csv"
    r = CliRunner().invoke(main, ["kb", "export", "--out", str(out)])
    assert r.exit_code == 0 and "exported 4" in r.output
    again = load_articles(out)
    assert {a.id: a.unit for a in again}["DG-SB-002"] == "dept_hrss"
    assert kb.import_articles(sqlite_rt, again)["unchanged"] == 4


def test_seed_demo_loads_the_dongguan_seed_when_present(sqlite_rt, tmp_path, monkeypatch):
    import shutil

    from hotline.core.config import config_dir
    from hotline.workorders.seed import seed_demo_knowledge
    conf = tmp_path / "conf"
    shutil.copytree(config_dir(), conf)
    monkeypatch.setenv("HOTLINE_CONFIG", str(conf))
    (conf / "knowledge" / "dongguan_seed.csv").unlink(missing_ok=True)
    assert seed_demo_knowledge(sqlite_rt) == 0            # no seed file: nothing
    (conf / "knowledge").mkdir(exist_ok=True)
    shutil.copy(SMALL, conf / "knowledge" / "dongguan_seed.csv")
    assert seed_demo_knowledge(sqlite_rt) == 4
    assert seed_demo_knowledge(sqlite_rt) == 0            # idempotent


def test_direct_answer_gets_the_sms_rating_and_a_bad_one_is_a_unit_review_task(api, rt):
    from tests.integration.survey_flow import answer, drain, pending_for
    _import(rt)
    hit = _search(api, "公积金提取要带什么")["answer"]
    o = api.create(content="咨询住房公积金提取需要带什么材料", queue=False,
                   appeal_type="consultation", caller={"name": "陈先生", "phone": "13800000009"})
    api.act("agent", o["id"], "answer", reply=hit["answer"], article_id=hit["article_id"],
            article_version=hit["version"])
    drain(api)
    surveys = pending_for(api, o["id"])
    assert len(surveys) == 1                      # the same SMS rating link as a handled order
    answer(api, surveys[0]["token"], resolved="unresolved", satisfaction="dissatisfied")
    drain(api)
    todo = api.as_("dept_fund").get("/api/v1/knowledge/todo").json["items"]
    assert [(i["code"], i["kind"]) for i in todo] == [("DG-GJJ-001", "bad_rating")]
    gaps = api.as_("supervisor").get("/api/v1/reports/knowledge-gaps").json
    followed = gaps["articles_followed_by_complaint"]
    assert followed and followed[0]["code"] == "DG-GJJ-001" and followed[0]["bad_ratings"] == 1
