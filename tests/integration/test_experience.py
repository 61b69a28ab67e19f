"""服务体验官 (issue 18 item 7): enrolment with the phone masked per role, a task whose link
goes out by SMS, the officer's evaluation once, the quarterly report per unit and channel, and
an officer's own appeal kept out of ordinary survey scoring. Both backends."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.experience.orm import ExperienceTaskRow
from hotline.survey.orm import SmsOutboxRow, SurveyRow
from tests.integration.survey_flow import answer, drain, pending_for, to_return_visit

PHONE = "13912345678"


def _enrol(api, phone=PHONE, **kw):
    today = utcnow().date()
    body = {"name": "李体验", "phone": phone, "area": "town_humen",
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": (today + timedelta(days=335)).isoformat(), **kw}
    return api.as_("supervisor").post("/api/v1/experience/officers", json=body)


def _token(rt, task_id):
    with rt.uow() as uow:
        return uow.session.execute(select(ExperienceTaskRow.token).where(
            ExperienceTaskRow.id == task_id)).scalar_one()


def test_enrol_mask_and_validation(rt, api):
    r = _enrol(api)
    assert r.status_code == 201 and r.json["phone"] == PHONE and r.json["in_period"]
    assert api.as_("leader").get("/api/v1/experience/officers").json["items"][0]["phone"] == \
        "139****5678"
    assert api.as_("town_humen").get("/api/v1/experience/officers").status_code == 403
    assert api.as_("leader").post("/api/v1/experience/officers", json={}).status_code == 403
    r = _enrol(api, phone="12345")
    assert r.status_code == 422 and "phone" in r.json["error"]["fields"]
    r = _enrol(api, period_end="2020-01-01")
    assert r.status_code == 422 and "period_end" in r.json["error"]["fields"]


def test_task_evaluation_once_and_quarterly_report(rt, api):
    officer = _enrol(api).json
    r = api.as_("supervisor").post("/api/v1/experience/tasks", json={
        "officer_id": officer["id"], "kind": "followup", "unit": "town_humen",
        "subject": "核查虎门镇对垃圾清运投诉的办理情况"})
    assert r.status_code == 201, r.json
    task = r.json
    assert (task["kind_label"], task["channel_label"], task["status"]) == \
        ("核查单位办理情况", "办理回访核查", "assigned")
    with rt.uow() as uow:   # the link went to the officer by SMS, not to staff
        sms = uow.session.execute(select(SmsOutboxRow.phone, SmsOutboxRow.body).where(
            SmsOutboxRow.dedupe_key == f"experience-task-{task['id']}")).one()
    assert sms.phone == PHONE and "/x/" in sms.body
    assert "token" not in task
    token = _token(rt, task["id"])
    page = api.client.get(f"/api/v1/experience/evaluations/{token}").json
    assert page["subject"].startswith("核查") and page["unit_name"] == "虎门镇"
    bad = api.client.post(f"/api/v1/experience/evaluations/{token}",
                          json={"speed": 6, "attitude": 5, "accuracy": 4, "result": 3})
    assert bad.status_code == 422 and "speed" in bad.json["error"]["fields"]
    ok = api.client.post(f"/api/v1/experience/evaluations/{token}", json={
        "speed": 4, "attitude": 5, "accuracy": 4, "result": 3, "comment": "回复及时"})
    assert ok.status_code == 200 and ok.json["status"] == "evaluated"
    again = api.client.post(f"/api/v1/experience/evaluations/{token}", json={
        "speed": 1, "attitude": 1, "accuracy": 1, "result": 1})
    assert again.status_code == 409
    # a second task by phone, evaluated with the officer's own order
    oid = api.create(content="体验官反映路灯不亮已有一周, 请尽快维修", town="town_humen",
                     unit="town_humen", caller={"name": "李体验", "phone": PHONE})["id"]
    number = api.as_("supervisor").get(f"/api/v1/orders/{oid}").json["number"]
    t2 = api.as_("supervisor").post("/api/v1/experience/tasks", json={
        "officer_id": officer["id"], "kind": "call", "subject": "拨打12345反映路灯问题"}).json
    tok2 = _token(rt, t2["id"])
    wrong = api.client.post(f"/api/v1/experience/evaluations/{tok2}", json={
        "speed": 2, "attitude": 3, "accuracy": 2, "result": 1, "order_number": "NOPE"})
    assert wrong.status_code == 422 and "order_number" in wrong.json["error"]["fields"]
    api.client.post(f"/api/v1/experience/evaluations/{tok2}", json={
        "speed": 2, "attitude": 3, "accuracy": 2, "result": 1, "order_number": number})
    from hotline.experience.domain.rules import quarter_of
    from hotline.experience.service import TZ
    q = quarter_of(utcnow().astimezone(TZ).date())
    rep = api.as_("leader").get(f"/api/v1/reports/experience?quarter={q}").json
    assert rep["officers"] == 1 and rep["total"]["evaluations"] == 2
    assert [(u["unit"], u["evaluations"], u["overall"]) for u in rep["by_unit"]] == \
        [("town_humen", 2, 3.0)]
    assert sorted((c["channel"], c["speed"], c["overall"]) for c in rep["by_channel"]) == \
        [("followup", 4.0, 4.0), ("phone", 2.0, 2.0)]
    r = api.as_("leader").get("/api/v1/reports/experience?quarter=2026Q5")
    assert r.status_code == 422 and "quarter" in r.json["error"]["fields"]


def test_an_officers_own_appeal_is_not_scored_twice(rt, api):
    _enrol(api)
    mine = to_return_visit(api, phone=PHONE)
    other = to_return_visit(api, phone="13800000002")
    with rt.uow() as uow:
        rows = dict(uow.session.execute(select(SurveyRow.order_id, SurveyRow.excluded)).all())
    assert rows == {mine: True, other: False}
    answer(api, pending_for(api, mine)[0]["token"], satisfaction="dissatisfied")
    answer(api, pending_for(api, other)[0]["token"], satisfaction="satisfied")
    drain(api)
    # the officer's bad rating is not a 差评 of the unit: no 整改 task, not in the 满意率
    assert api.as_("supervisor").get("/api/v1/rectifications").json["items"] == []
    from hotline.survey.orm import UnitFactRow
    with rt.uow() as uow:
        f = uow.session.execute(select(UnitFactRow.excluded_ratings, UnitFactRow.answers).where(
            UnitFactRow.order_id == mine, UnitFactRow.unit == "town_humen")).one()
    assert tuple(f) == (1, 0)
