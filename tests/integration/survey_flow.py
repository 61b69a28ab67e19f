"""Helpers for the survey/report integration tests: walk an order through the API."""
from __future__ import annotations

from hotline.services.outbox import drain_once


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
    r = api.as_("agent").get("/api/v1/surveys?status=pending")
    assert r.status_code == 200, r.json
    return [s for s in r.json["items"] if s["order_id"] == order_id]


def answer(api, token, expect=200, user=None, **body):
    body = {"contacted": True, "resolved": "resolved", "satisfaction": "satisfied",
            "comment": None, **body}
    client = api.as_(user) if user else api.client
    r = client.post(f"/api/v1/surveys/{token}", json=body)
    assert r.status_code == expect, (r.status_code, r.json)
    return r.json
