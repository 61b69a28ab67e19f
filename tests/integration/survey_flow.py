"""Helpers for the survey/report integration tests: walk an order through the API."""
from __future__ import annotations

from hotline.core.outbox import drain_once


def drain(api):
    rt = api.app.extensions["hotline"]
    while drain_once(rt):
        pass


def to_return_visit(api, unit="town_humen", phone="13800000001", **extra):
    o = api.create(content="市民反映小区门口垃圾堆积多日无人清运", town="town_humen",
                   category="sanitation", unit=unit, appeal_type="complaint",
                   caller={"name": "陈先生", "phone": phone}, **extra)
    oid = o["id"]
    api.act(unit, oid, "sign")
    api.act(unit, oid, "contact")
    api.act(unit, oid, "reply", reply="已安排清运, 现场已清理干净")
    api.act("dispatcher", oid, "accept_reply")
    drain(api)
    return oid


def pending_for(api, order_id):
    """The staff listing's pending surveys of an order, each with the citizen's link token
    added from the database (what the SMS carries): staff listings do not show it."""
    r = api.as_("agent").get("/api/v1/surveys?status=pending")
    assert r.status_code == 200, r.json
    items = [s for s in r.json["items"] if s["order_id"] == order_id]
    return [dict(s, token=citizen_token(api, s["id"])) for s in items]


def citizen_token(api, survey_id):
    """The token of the survey's SMS link, read where the citizen's phone would get it."""
    from sqlalchemy import select

    from hotline.survey.orm import SurveyRow
    rt = api.app.extensions["hotline"]
    with rt.uow() as uow:
        return uow.session.execute(select(SurveyRow.token)
                                   .where(SurveyRow.id == survey_id)).scalar_one()


def answer(api, token, expect=200, user=None, **body):
    """The citizen's answer through the SMS link (no credentials; with `user`, that staff
    member's credentials are sent, which the public endpoint refuses)."""
    body = {"contacted": True, "resolved": "resolved", "satisfaction": "satisfied",
            "comment": None, **body}
    client = api.as_(user) if user else api.client
    r = client.post(f"/api/v1/surveys/{token}", json=body)
    assert r.status_code == expect, (r.status_code, r.json)
    return r.json


def answer_by_phone(api, survey_id, user="agent", expect=200, **body):
    """A staff member records the answer the citizen gave on the phone (by survey id)."""
    body = {"contacted": True, "resolved": "resolved", "satisfaction": "satisfied",
            "comment": None, **body}
    r = api.as_(user).post(f"/api/v1/surveys/{survey_id}/answer", json=body)
    assert r.status_code == expect, (r.status_code, r.json)
    return r.json
