"""Return visits over the API on SQLite and PostgreSQL."""
from datetime import timedelta

from sqlalchemy import select, update

from hotline.core.db import utcnow
from hotline.survey.orm import SmsOutboxRow, SurveyAuditRow, SurveyRow
from tests.integration.survey_flow import (
    answer,
    answer_by_phone,
    drain,
    pending_for,
    to_return_visit,
)


def _rt(api):
    return api.app.extensions["hotline"]


def test_accept_reply_creates_one_survey_and_one_sms(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    assert s["token"] and s["phone"] == "138****0001"
    # a replayed event creates nothing more and sends nothing more
    from hotline.core.events import OrderReplyAccepted
    from hotline.survey.handlers import on_accept_reply
    rt = _rt(api)
    with rt.uow() as uow:
        seq = uow.session.execute(select(SurveyRow.closure_seq)
                                  .where(SurveyRow.order_id == oid)).scalar_one()
        on_accept_reply(rt, uow, 0, OrderReplyAccepted(order_id=oid, seq=seq))
        uow.commit()
        assert len(uow.session.execute(select(SurveyRow).where(
            SurveyRow.order_id == oid)).scalars().all()) == 1
        sms = [m.body for m in uow.session.execute(select(SmsOutboxRow)).scalars()]
    assert len(sms) == 1 and f"/s/{s['token']}" in sms[0]


def test_post_once_then_409_and_satisfied_closes_as_system(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    answer(api, s["token"], comment="处理很及时")
    answer(api, s["token"], expect=409)
    answer(api, s["token"], expect=409, satisfaction="dissatisfied")
    order = api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json
    assert order["status"] == "closed"
    last = order["history"][-1]
    assert last["action"] == "close" and last["role"] == "system"
    assert pending_for(api, oid) == []


def test_department_cannot_read_or_post(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    dept = api.as_("town_humen")
    assert dept.get(f"/api/v1/surveys/{s['token']}").status_code in (403, 404)
    assert dept.post(f"/api/v1/surveys/{s['token']}", json={
        "contacted": True, "resolved": "resolved", "satisfaction": "satisfied"}
    ).status_code in (403, 404)
    assert dept.get("/api/v1/surveys?status=pending").status_code == 403
    # another unit's department too; and nothing was recorded
    assert api.as_("dept_housing").post(f"/api/v1/surveys/{s['token']}", json={
        "contacted": True, "resolved": "resolved", "satisfaction": "satisfied"}
    ).status_code in (403, 404)
    assert pending_for(api, oid)[0]["status"] == "pending"


def test_expired_token_is_410(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    rt = _rt(api)
    with rt.uow() as uow:
        uow.session.execute(update(SurveyRow).where(SurveyRow.id == s["id"]).values(
            expires_at=utcnow() - timedelta(days=1)))
        uow.commit()
    assert api.client.get(f"/api/v1/surveys/{s['token']}").status_code == 410
    answer(api, s["token"], expect=410)


def test_unknown_token_404_and_bad_answer_422(api):
    answer(api, "nope-not-a-token", expect=404)
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    r = answer(api, s["token"], expect=422, satisfaction="超级满意")
    assert "satisfaction" in r["error"]["fields"]


def test_five_grade_scale_maps_by_config(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    out = answer_by_phone(api, s["id"], user="agent", satisfaction="very_dissatisfied")
    assert out["satisfaction"] == "dissatisfied" and out["grade5"] == "very_dissatisfied"
    assert out["answered_via"] == "phone"


def test_dissatisfied_goes_to_supervisor_who_reopens(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    answer(api, s["token"], satisfaction="dissatisfied", resolved="unresolved",
           comment="问题仍未解决")
    order = api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json
    assert order["status"] == "return_visit"
    queue = api.as_("supervisor").get("/api/v1/surveys?review=pending").json["items"]
    assert [q["id"] for q in queue] == [s["id"]]
    r = api.as_("supervisor").post(f"/api/v1/surveys/{s['id']}/decision",
                                   json={"decision": "reopen", "reason": "单位未实际处理"})
    assert r.status_code == 200, r.json
    order = api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json
    assert order["status"] == "reopened" and order["unit"] == "town_humen"
    assert order["history"][-1]["action"] == "reopen"
    # the dispatcher may not decide
    assert api.as_("dispatcher").post(f"/api/v1/surveys/{s['id']}/decision", json={
        "decision": "close"}).status_code == 403


def test_unreasonable_close_and_appeal_overturn(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    answer(api, s["token"], satisfaction="dissatisfied")
    sup = api.as_("supervisor")
    r = sup.post(f"/api/v1/surveys/{s['id']}/decision", json={"decision": "unreasonable"})
    assert r.status_code == 422     # reason required
    r = sup.post(f"/api/v1/surveys/{s['id']}/decision",
                 json={"decision": "unreasonable", "reason": "诉求超出政策范围"})
    assert r.status_code == 200
    assert api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json["status"] == \
        "closed_unreasonable"
    # appeal once, by the unit of the order only
    assert api.as_("dept_housing").post(f"/api/v1/surveys/{s['id']}/appeal", json={
        "reason": "x", "evidence": "y"}).status_code == 404
    r = api.as_("town_humen").post(f"/api/v1/surveys/{s['id']}/appeal", json={
        "reason": "市民诉求与本单位无关", "evidence": "现场照片及通话录音"})
    assert r.status_code == 201, r.json
    assert api.as_("town_humen").post(f"/api/v1/surveys/{s['id']}/appeal", json={
        "reason": "再次申诉", "evidence": "同上"}).status_code == 409
    r = sup.post(f"/api/v1/appeals/{r.json['id']}/ruling",
                 json={"decision": "overturn", "reason": "证据充分"})
    assert r.status_code == 200 and r.json["status"] == "overturned"
    hist = sup.get(f"/api/v1/orders/{oid}/surveys").json["items"]
    assert [h["action"] for h in hist] == ["create", "sms_sent", "answer", "decision",
                                           "appeal", "ruling"]


def test_unreachable_after_attempts_on_two_days(api):
    from datetime import datetime, timezone

    from hotline.survey import service as survey
    from hotline.workorders.domain.model import Actor
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    rt, agent = _rt(api), Actor("agent", "agent")
    d1 = datetime(2026, 11, 20, 3, tzinfo=timezone.utc)
    survey.record_attempt(rt, agent, s["id"], d1)
    survey.record_attempt(rt, agent, s["id"], d1 + timedelta(hours=2))
    out = survey.record_attempt(rt, agent, s["id"], d1 + timedelta(hours=4))
    assert out["status"] == "pending"          # 3 attempts, but all on one day
    out = survey.record_attempt(rt, agent, s["id"], d1 + timedelta(days=1))
    assert out["status"] == "unreachable"
    order = api.as_("dispatcher").get(f"/api/v1/orders/{oid}").json
    assert order["status"] == "closed" and order["history"][-1]["role"] == "system"


def test_merged_caller_gets_own_survey(api):
    master = api.create(content="市民反映虎门镇某路段路灯不亮多日", town="town_humen",
                        category="sanitation", unit="town_humen", appeal_type="complaint",
                        caller={"name": "甲", "phone": "13800000011"})
    # the agent keeps the duplicate to merge it (queue=False): 路灯不亮 is a rapid-response
    # item, which intake would otherwise dispatch at once (issue 14)
    dup = api.create(content="又有市民反映同一路段路灯不亮", town="town_humen",
                     caller={"name": "乙", "phone": "13800000022"}, queue=False)
    api.act("agent", dup["id"], "merge", reason="同一事项", master_id=master["id"])
    api.act("town_humen", master["id"], "sign")
    api.act("town_humen", master["id"], "reply", reply="已修复")
    api.act("dispatcher", master["id"], "accept_reply")
    drain(api)
    surveys = pending_for(api, master["id"])
    assert sorted(s["caller_order_id"] for s in surveys) == [master["id"], dup["id"]]
    answer(api, surveys[0]["token"])
    # not closed yet: the merged caller has not answered
    assert api.as_("dispatcher").get(f"/api/v1/orders/{master['id']}").json["status"] == \
        "return_visit"
    answer(api, surveys[1]["token"], satisfaction="basic")
    assert api.as_("dispatcher").get(f"/api/v1/orders/{master['id']}").json["status"] == \
        "closed"


def test_views_are_audited(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    api.client.get(f"/api/v1/surveys/{s['token']}")
    # staff do not view by the citizen's token (issue 12 finding 9): refused, nothing viewed
    assert api.as_("agent").get(f"/api/v1/surveys/{s['token']}").status_code == 403
    rt = _rt(api)
    with rt.uow() as uow:
        views = uow.session.execute(select(SurveyAuditRow.actor).where(
            SurveyAuditRow.survey_id == s["id"], SurveyAuditRow.action == "view")).scalars()
        assert sorted(views) == ["citizen"]


def test_sms_link_uses_the_configured_public_address(api):
    """Issue 14: links pointed at 127.0.0.1:8000 whatever the server's address."""
    import dataclasses
    rt = _rt(api)
    rt.settings = dataclasses.replace(rt.settings, public_url="https://12345.dg.example.cn/")
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    with rt.uow() as uow:
        [body] = [m.body for m in uow.session.execute(select(SmsOutboxRow)).scalars()]
    assert f"https://12345.dg.example.cn/s/{s['token']}" in body and "127.0.0.1" not in body


def test_public_address_comes_from_the_environment(monkeypatch):
    import pytest

    from hotline.core.config import Settings
    monkeypatch.setenv("HOTLINE_PUBLIC_URL", "https://12345.dg.example.cn")
    assert Settings.from_env(database_url="sqlite://").public_url == "https://12345.dg.example.cn"
    monkeypatch.setenv("HOTLINE_PUBLIC_URL", "12345.dg.example.cn")
    with pytest.raises(ValueError, match="HOTLINE_PUBLIC_URL"):
        Settings.from_env(database_url="sqlite://")
