"""好差评 (issue 18 item 6): one reminder SMS for an unanswered rating link (never two), direct
answers rated by the same link and reminded alike, and a bad rating's 差评整改 task: the unit's
feedback, the centre's decision, the per-unit figures. Both backends (the `rt` fixture)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.rating import service as rating
from hotline.survey.orm import SmsOutboxRow
from tests.integration.survey_flow import answer, drain, pending_for, to_return_visit


def _reminders(rt, survey_id):
    with rt.uow() as uow:
        return uow.session.execute(select(SmsOutboxRow.body, SmsOutboxRow.phone).where(
            SmsOutboxRow.survey_id == survey_id,
            SmsOutboxRow.dedupe_key.startswith("survey-remind-"))).all()


def test_one_reminder_once_and_only_while_pending(rt, api):
    oid = to_return_visit(api)
    s = pending_for(api, oid)[0]
    now = utcnow()
    assert rating.remind_due(rt, now=now + timedelta(hours=23)) == 0       # not yet due
    assert rating.remind_due(rt, now=now + timedelta(hours=25)) == 1
    assert rating.remind_due(rt, now=now + timedelta(hours=26)) == 0       # never twice
    assert rating.remind_due(rt, now=now + timedelta(hours=48)) == 0
    rows = _reminders(rt, s["id"])
    assert len(rows) == 1 and "尚未评价" in rows[0].body and "/s/" in rows[0].body
    assert rows[0].phone == "13800000001"
    # an answered survey and an expired link get none
    other = to_return_visit(api, phone="13800000002")
    s2 = pending_for(api, other)[0]
    answer(api, s2["token"])
    late = to_return_visit(api, phone="13800000003")
    s3 = pending_for(api, late)[0]
    assert rating.remind_due(rt, now=now + timedelta(days=11)) == 0        # link expired
    assert _reminders(rt, s2["id"]) == [] and _reminders(rt, s3["id"]) == []


def test_direct_answer_is_reminded_and_its_bad_rating_is_the_centres_task(rt, api):
    o = api.create(content="咨询办理居住证需要带什么材料", queue=False, appeal_type="consultation",
                   caller={"name": "陈先生", "phone": "13800000009"})
    api.act("agent", o["id"], "answer", reply="请携带身份证和租房合同到所在镇街办理")
    drain(api)
    s = pending_for(api, o["id"])[0]
    assert rating.remind_due(rt, now=utcnow() + timedelta(hours=25)) == 1
    assert len(_reminders(rt, s["id"])) == 1
    answer(api, s["token"], resolved="unresolved", satisfaction="dissatisfied")
    drain(api)
    items = api.as_("supervisor").get("/api/v1/rectifications").json["items"]
    assert [(i["order_id"], i["unit"], i["direct_answer"], i["unit_name"]) for i in items] == \
        [(o["id"], None, True, "热线中心 (直接答复)")]


def test_bad_rating_rectification_walk(rt, api):
    oid = to_return_visit(api)
    good = to_return_visit(api, phone="13800000002")
    answer(api, pending_for(api, good)[0]["token"], satisfaction="satisfied")
    s = pending_for(api, oid)[0]
    answer(api, s["token"], resolved="partial", satisfaction="dissatisfied", comment="清运不及时")
    drain(api)
    drain(api)    # a re-run of the handler opens nothing more
    mine = api.as_("town_humen").get("/api/v1/rectifications").json["items"]
    assert len(mine) == 1
    t = mine[0]
    assert (t["order_id"], t["status"], t["status_label"], t["comment"]) == \
        (oid, "open", "待整改", "清运不及时")
    assert t["deadline"] > t["created_at"] and not t["overdue"]
    assert t["deadline"][11:19] == "23:59:59"    # the end of a working day, city time
    assert api.as_("town_changan").get("/api/v1/rectifications").json["items"] == []
    path = f"/api/v1/rectifications/{t['id']}"
    # another unit cannot see it; the centre cannot write the unit's feedback
    assert api.as_("town_changan").post(path + "/feedback",
                                        json={"feedback": "已整改完毕请审核"}).status_code == 404
    assert api.as_("supervisor").post(path + "/feedback",
                                      json={"feedback": "已整改完毕请审核"}).status_code == 403
    r = api.as_("town_humen").post(path + "/feedback", json={"feedback": "短"})
    assert r.status_code == 422 and "feedback" in r.json["error"]["fields"]
    r = api.as_("supervisor").post(path + "/decision", json={"decision": "accept"})
    assert r.status_code == 422                                    # nothing to decide yet
    r = api.as_("town_humen").post(path + "/feedback",
                                   json={"feedback": "已与环卫公司约定每日两次清运, 并回访市民"})
    assert r.status_code == 200 and r.json["status"] == "submitted"
    r = api.as_("supervisor").post(path + "/decision", json={"decision": "return"})
    assert r.status_code == 422 and "note" in r.json["error"]["fields"]
    r = api.as_("supervisor").post(path + "/decision",
                                   json={"decision": "return", "note": "请附清运记录"})
    assert r.json["status"] == "open" and r.json["rounds"] == 1
    api.as_("town_humen").post(path + "/feedback", json={"feedback": "补充: 清运记录已上传系统"})
    r = api.as_("supervisor").post(path + "/decision", json={"decision": "accept"})
    assert r.status_code == 200 and r.json["status"] == "accepted"
    rep = api.as_("supervisor").get("/api/v1/reports/rectifications").json["items"]
    assert [(x["unit"], x["tasks"], x["accepted"], x["overdue"], x["on_time_rate"])
            for x in rep] == [("town_humen", 1, 1, 0, 1.0)]
    assert api.as_("town_humen").get("/api/v1/reports/rectifications").status_code == 403


def test_a_task_without_feedback_by_its_deadline_is_overdue(rt, api):
    oid = to_return_visit(api)
    answer(api, pending_for(api, oid)[0]["token"], satisfaction="dissatisfied")
    drain(api)
    day = utcnow().date()
    rep = rating.unit_figures(rt, day - timedelta(days=1), day + timedelta(days=1),
                              now=utcnow() + timedelta(days=30))
    assert [(x["unit"], x["open"], x["overdue"], x["on_time_rate"]) for x in rep["items"]] == \
        [("town_humen", 1, 1, 0.0)]
