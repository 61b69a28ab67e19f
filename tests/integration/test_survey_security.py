"""Issue 12 findings 9 and 10, on SQLite and PostgreSQL.

9: staff could answer a citizen's survey with the token of the staff listing, recorded as the
   citizen's answer by SMS. Staff answers go through the phone-survey path (by survey id, the
   staff member recorded, channel phone); the public token endpoints refuse staff credentials
   and staff listings carry no token.
10: the survey queue and the SMS outbox showed callers' (masked) phones without writing the
   PIPL access log (个人信息保护法 第51-55条; docs/design/domain.md §10.2)."""
from sqlalchemy import select

from hotline.privacy.orm import PersonalDataAccessRow
from hotline.survey.orm import SurveyAuditRow, SurveyRow

from .survey_flow import answer, answer_by_phone, citizen_token, pending_for, to_return_visit

BODY = {"contacted": True, "resolved": "resolved", "satisfaction": "satisfied"}


def _rt(api):
    return api.app.extensions["hotline"]


def _survey_row(api, survey_id):
    with _rt(api).uow() as uow:
        s = uow.session.get(SurveyRow, survey_id)
        return {"status": s.status, "answered_by": s.answered_by, "via": s.answered_via,
                "order_id": s.order_id, "caller_order_id": s.caller_order_id}


def _log(api, **where):
    with _rt(api).uow() as uow:
        q = select(PersonalDataAccessRow)
        for k, v in where.items():
            q = q.where(getattr(PersonalDataAccessRow, k) == v)
        return [(r.actor, r.kind, r.order_id, r.fields)
                for r in uow.session.execute(q.order_by(PersonalDataAccessRow.id)).scalars()]


# ------------------------------------------------------------------ finding 9

def test_staff_listing_carries_no_citizen_token(api):
    oid = to_return_visit(api)
    for who in ("agent", "dispatcher", "supervisor", "leader", "admin"):
        items = api.as_(who).get("/api/v1/surveys?status=pending").json["items"]
        mine = [s for s in items if s["order_id"] == oid]
        assert mine and all("token" not in s for s in mine), who
    # the SMS outbox shows the message with the link's token masked
    token = citizen_token(api, mine[0]["id"])
    out = api.as_("dispatcher").get("/api/v1/sms-outbox").json["items"]
    assert len(out) == 1 and "/s/" in out[0]["body"]
    assert token not in str(out), "the SMS outbox leaks the citizen's link token"


def test_staff_bearer_on_the_public_token_endpoints_is_refused(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    for who in ("agent", "dispatcher", "supervisor", "admin"):
        r = api.as_(who).post(f"/api/v1/surveys/{s['token']}", json=BODY)
        assert r.status_code == 403, (who, r.status_code, r.json)
        assert "电话回访" in r.json["error"]["message"]
        assert "/api/v1/surveys/" in r.json["error"]["message"]   # names the phone path
        assert api.as_(who).get(f"/api/v1/surveys/{s['token']}").status_code == 403
    r = api.as_("town_humen").post(f"/api/v1/surveys/{s['token']}", json=BODY)
    assert r.status_code == 403
    # nothing was recorded: the citizen can still answer with the link
    assert _survey_row(api, s["id"])["status"] == "pending"
    out = answer(api, s["token"])
    assert out["status"] == "answered" and "token" not in out and "phone" not in out
    row = _survey_row(api, s["id"])
    assert (row["answered_by"], row["via"]) == ("citizen", "sms")


def test_staff_session_cookie_on_the_public_token_endpoints_is_refused(api):
    """The pages' session cookie counts as staff credentials too: a staff member logged in
    through /api/v1/auth/session is refused on the citizen's token endpoints and page."""
    import re

    from tests.conftest import PASSWORD
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    c = api.app.test_client()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                     c.get("/login").get_data(as_text=True)).group(1)
    hdr = {"X-CSRFToken": csrf}
    assert c.post("/api/v1/auth/session", json={"username": "agent", "password": PASSWORD},
                  headers=hdr).status_code == 200
    r = c.post(f"/api/v1/surveys/{s['token']}", json=BODY, headers=hdr)
    assert r.status_code == 403 and "电话回访" in r.json["error"]["message"]
    assert c.get(f"/api/v1/surveys/{s['token']}").status_code == 403
    page = c.get(f"/s/{s['token']}")
    assert page.status_code == 403 and "电话回访队列" in page.get_data(as_text=True)
    assert _survey_row(api, s["id"])["status"] == "pending"
    # the same browser after logging out is a citizen again
    assert c.post("/api/v1/auth/logout", headers=hdr).status_code == 200
    assert c.get(f"/s/{s['token']}").status_code == 200
    r = c.post(f"/api/v1/surveys/{s['token']}", json=BODY, headers=hdr)
    assert r.status_code == 200, r.json


def test_staff_answer_goes_through_the_phone_path(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    for who in ("town_humen", "supervisor", "leader", "admin"):
        assert api.as_(who).post(f"/api/v1/surveys/{s['id']}/answer",
                                 json=BODY).status_code == 403, who
    assert api.client.post(f"/api/v1/surveys/{s['id']}/answer", json=BODY).status_code == 401
    out = answer_by_phone(api, s["id"], user="dispatcher", satisfaction="very_dissatisfied")
    assert out["answered_via"] == "phone" and out["grade5"] == "very_dissatisfied"
    row = _survey_row(api, s["id"])
    assert (row["answered_by"], row["via"]) == ("dispatcher", "phone")
    with _rt(api).uow() as uow:
        audit = uow.session.execute(select(SurveyAuditRow.actor, SurveyAuditRow.role).where(
            SurveyAuditRow.survey_id == s["id"], SurveyAuditRow.action == "answer")).all()
    assert [tuple(a) for a in audit] == [("dispatcher", "dispatcher")]
    # once only, whoever answers: a second phone answer and the citizen's link get 409
    answer_by_phone(api, s["id"], expect=409)
    answer(api, s["token"], expect=409)
    answer_by_phone(api, 999999, expect=404)


# ------------------------------------------------------------------ finding 10

def test_survey_queue_and_sms_outbox_reads_are_in_the_access_log(api):
    oid = to_return_visit(api, phone="13800000001")
    [s] = pending_for(api, oid)
    caller = _survey_row(api, s["id"])["caller_order_id"]
    before = _log(api, actor="agent", kind="survey")   # pending_for read the queue once
    assert before == [("agent", "survey", caller, "phone(masked)")]
    api.as_("supervisor").get("/api/v1/surveys?review=pending")          # nothing listed
    assert _log(api, actor="supervisor") == []
    r = api.as_("dispatcher").get("/api/v1/sms-outbox")
    assert r.json["items"][0]["phone"] == "138****0001"
    assert _log(api, actor="dispatcher", kind="sms_outbox") == [
        ("dispatcher", "sms_outbox", caller, "phone(masked)")]
    # an attempt and a phone answer show the masked phone: logged as survey reads
    api.as_("agent").post(f"/api/v1/surveys/{s['id']}/attempts", json={})
    answer_by_phone(api, s["id"], user="agent")
    assert len(_log(api, actor="agent", kind="survey")) == 3
    # supervisors find them through the access-log API, filtered by the new kinds
    got = api.as_("supervisor").get(f"/api/v1/privacy/access-log?order_id={caller}").json
    assert {"sms_outbox", "survey"} <= {i["kind"] for i in got["items"]}
    assert api.as_("supervisor").get(
        "/api/v1/privacy/access-log?kind=sms_outbox").status_code == 200


def test_merged_callers_reads_are_logged_against_their_own_orders(api):
    master = api.create(content="市民反映虎门镇某路段路灯不亮多日", town="town_humen",
                        category="sanitation", unit="town_humen", appeal_type="complaint",
                        caller={"name": "甲", "phone": "13800000011"})
    dup = api.create(content="又有市民反映同一路段路灯不亮", town="town_humen",
                     caller={"name": "乙", "phone": "13800000022"}, queue=False)   # the agent keeps it to merge (a rapid item would route)
    api.act("agent", dup["id"], "merge", reason="同一事项", master_id=master["id"])
    api.act("town_humen", master["id"], "sign")
    api.act("town_humen", master["id"], "reply", reply="已修复")
    api.act("dispatcher", master["id"], "accept_reply")
    from .survey_flow import drain
    drain(api)
    api.as_("leader").get("/api/v1/surveys?status=pending")
    assert sorted(o for _, _, o, _ in _log(api, actor="leader", kind="survey")) == \
        [master["id"], dup["id"]]
