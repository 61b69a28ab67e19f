"""Issue 17 scores: the return visit of an order a village handled scores the town and the
village (their unit_facts rows), and each assisting unit's 协办 on-time rate appears in its
row of the unit report (docs/design/domain.md §6.8, §4.9), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from hotline.core.db import utcnow
from hotline.survey.orm import UnitFactRow
from hotline.workorders.commands import act
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role
from tests.integration.survey_flow import answer, drain, pending_for

HUMEN, V = "town_humen", "village_441900121004"


def test_the_return_visit_scores_town_and_village(api):
    oid = api.create(content="市民反映村口垃圾堆积多日无人清运", town=HUMEN, unit=HUMEN,
                     category="sanitation", appeal_type="complaint",
                     caller={"name": "陈先生", "phone": "13800000017"})["id"]
    api.act(HUMEN, oid, "sign")
    api.act(HUMEN, oid, "subdispatch", unit=V)
    api.act(V, oid, "sign")
    api.act(V, oid, "contact", note="已联系")
    api.act(V, oid, "village_report", report="已清运")
    api.act(HUMEN, oid, "accept_village_report")
    api.act(HUMEN, oid, "reply", reply="经村委核实已清运")
    api.act("dispatcher", oid, "accept_reply")
    drain(api)
    [s] = pending_for(api, oid)
    answer(api, s["token"], satisfaction="basic", resolved="resolved")
    rt = api.app.extensions["hotline"]
    with rt.uow() as uow:
        rows = {r.unit: r for r in uow.session.query(UnitFactRow)
                .filter(UnitFactRow.order_id == oid)}
        uow.session.expunge_all()
    assert set(rows) == {HUMEN, V}
    for unit in (HUMEN, V):
        assert (rows[unit].answers, rows[unit].sat_basic, rows[unit].res_yes) == (1, 1, 1), unit
    v = rows[V]
    assert v.signed_at and v.replied_at and v.sign_due_at and v.reply_due_at
    assert v.replied_at <= v.reply_due_at and not v.returned_away


def test_assist_on_time_rates_appear_in_the_assisting_units_rows(api):
    rt = api.app.extensions["hotline"]
    town = Actor(HUMEN, Role.DEPARTMENT, HUMEN)
    t0 = utcnow() - timedelta(days=20)
    tasks = [("dept_env", 1, 0.5), ("dept_water", 1, 3), ("dept_env", 2, 1)]   # unit, due, answer
    for i, (unit, due_days, answered_days) in enumerate(tasks):
        oid = api.create(town=HUMEN, unit=HUMEN, content=f"市民反映夜间施工噪声扰民第{i}次")["id"]
        act(rt, town, oid, "sign", {}, at=t0)
        act(rt, town, oid, "add_assist", {"data": {
            "unit": unit, "task": "协助检测", "due": (t0 + timedelta(days=due_days)).isoformat()}},
            at=t0)
        act(rt, Actor(unit, Role.DEPARTMENT, unit), oid, "assist_input",
            {"data": {"input": "已检测"}}, at=t0 + timedelta(days=answered_days))
    # a task never answered and past due counts as late; one not yet due is not counted
    oid = api.create(town=HUMEN, unit=HUMEN, content="市民反映夜间施工噪声扰民再次来电")["id"]
    act(rt, town, oid, "sign", {}, at=t0)
    act(rt, town, oid, "add_assist", {"data": {
        "unit": "dept_water", "task": "协助检测", "due": (t0 + timedelta(days=2)).isoformat()}},
        at=t0)
    frm, to = (t0 - timedelta(days=5)).date(), (utcnow() + timedelta(days=5)).date()
    r = api.as_("supervisor").get(f"/api/v1/reports/units?from={frm}&to={to}")
    assert r.status_code == 200, r.json
    rows = {i["unit"]: i for i in r.json["items"]}
    # the formula's 协办按时率 (survey/domain/scoring.py; decided tasks only)
    assert ["assist_rate", "协办按时率"] in r.json["columns"]
    assert (rows["dept_env"]["assist_due"], rows["dept_env"]["assist_rate"]) == (2, 1.0)
    assert (rows["dept_water"]["assist_due"], rows["dept_water"]["assist_rate"]) == (2, 0.0)
    assert rows[HUMEN]["assist_due"] == 0 and rows[HUMEN]["assist_rate"] is None
    # and in the exports, under the Chinese heading
    csv = api.as_("supervisor").get(f"/api/v1/reports/units?from={frm}&to={to}&format=csv")
    assert "协办按时率" in csv.get_data(as_text=True)
