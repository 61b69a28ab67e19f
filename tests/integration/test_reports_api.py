"""Unit report over the API on hand-made orders; expected values worked out by hand."""
import csv
import io

import pytest

from tests.integration.survey_flow import answer, drain, pending_for, to_return_visit

U = "town_humen"


def _survey(api, oid):
    [s] = pending_for(api, oid)
    return s


def _build(api):
    o1 = to_return_visit(api, phone="13800000001")
    answer(api, _survey(api, o1)["token"])                               # 满意 / 已解决
    o2 = to_return_visit(api, phone="13800000002")
    answer(api, _survey(api, o2)["token"], satisfaction="basic", resolved="partial")
    o3 = to_return_visit(api, phone="13800000003")
    s3 = _survey(api, o3)
    answer(api, s3["token"], satisfaction="dissatisfied", resolved="unresolved",
           comment="还是没人来处理")
    assert api.as_("supervisor").post(f"/api/v1/surveys/{s3['id']}/decision",
                                      json={"decision": "close"}).status_code == 200
    o4 = to_return_visit(api, phone="13800000004")
    s4 = _survey(api, o4)
    answer(api, s4["token"], satisfaction="dissatisfied")
    assert api.as_("supervisor").post(f"/api/v1/surveys/{s4['id']}/decision", json={
        "decision": "unreasonable", "reason": "诉求不合理"}).status_code == 200
    # o5: a return request the dispatcher rejects (不当退单), then handled, satisfied
    o5 = api.create(content="市民反映小区门口垃圾堆积多日无人清运", town=U, category="sanitation",
                    unit=U, appeal_type="complaint", caller={"phone": "13800000005"})["id"]
    api.act(U, o5, "request_return", reason="不属本单位职责", legal_basis="三定方案", suggested_unit="dept_housing")
    api.act("dispatcher", o5, "reject_return", reason="属地管理")
    api.act(U, o5, "sign")
    api.act(U, o5, "contact")
    api.act(U, o5, "reply", reply="已处理")
    api.act("dispatcher", o5, "accept_reply")
    drain(api)
    answer(api, _survey(api, o5)["token"])
    # o6: a return the dispatcher approves (合理退单): counts in 退单率 only
    o6 = api.create(content="市民反映小区门口垃圾堆积多日无人清运", town=U, category="sanitation",
                    unit=U, appeal_type="complaint", caller={"phone": "13800000006"})["id"]
    api.act(U, o6, "request_return", reason="不属本单位职责", legal_basis="三定方案", suggested_unit="dept_housing")
    api.act("dispatcher", o6, "approve_return", reason="改派", unit="dept_housing")


def test_unit_rates_by_hand_and_exports_agree(api):
    _build(api)
    r = api.as_("supervisor").get("/api/v1/reports/units")
    assert r.status_code == 200, r.json
    items = {i["unit"]: i for i in r.json["items"]}
    h = items[U]
    # assigned o1..o6 = 6; excluded: o4 (最终答复), o6 (approved return) -> population 4
    assert (h["assigned"], h["population"]) == (6, 4)
    assert (h["unreasonable"], h["returns_ok"], h["returns_bad"]) == (1, 1, 1)
    # valid answers o1,o2,o3,o5 = 4. 满意率 = (o1 + o5 + 基本满意 o2 × 1.0) / 4 = 0.75
    assert h["answers"] == 4
    assert h["satisfaction_rate"] == pytest.approx(0.75)
    # 解决率 = (o1 + o5 + 0.5 × 部分解决 o2) / 4 = 0.625
    assert h["resolution_rate"] == pytest.approx(0.625)
    # 退单率 = 2 requests (o5, o6) / 6 assigned; 合理 1/6, 不当 1/6
    assert h["return_rate"] == pytest.approx(2 / 6)
    assert h["return_ok_rate"] == pytest.approx(1 / 6)
    assert h["return_bad_rate"] == pytest.approx(1 / 6)
    assert h["return_flag"] is True          # 33 % >= 15 %
    # everything was signed, contacted and replied just now: 100 %
    assert h["sign_rate"] == 1.0 and h["response_rate"] == 1.0 and h["ontime_rate"] == 1.0
    # closed o1,o2,o3,o5 = 4, none reopened, all first-time
    assert h["closed"] == 4 and h["reopen_rate"] == 0.0 and h["first_time_rate"] == 1.0
    # score (2026.2) = 100 × (0.20 × 1 + 0.25 × 0.625 + 0.25 × 0.75 + 0.05 × 1 + 0.10 × 1
    #   + 0.05 × (1 − 0) + 0.05 × (1 − 0)) / 0.95 (no 协办: its weight drops out) = 83.5526
    #   − 20 × 不当退单率 1/6 = 80.22
    assert h["score"] == pytest.approx(80.22, abs=0.0051)
    assert h["formula_version"] == "2026.2"
    assert h["tier"] == "town" and h["kind"] == "town"
    assert h["sample"] == 4 and h["rank"] is None     # 4 scored orders < min_sample 10
    # the unit it was returned to owns o6 now (assigned 1, nothing scored yet)
    assert items["dept_housing"]["assigned"] == 1

    csv_r = api.as_("supervisor").get("/api/v1/reports/units?format=csv")
    assert csv_r.status_code == 200 and csv_r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_r.data.decode("utf-8-sig"))))
    head = rows[0]
    line = next(r for r in rows[1:] if r[head.index("单位代码")] == U)
    assert float(line[head.index("满意率")]) == pytest.approx(h["satisfaction_rate"])
    assert float(line[head.index("综合得分")]) == pytest.approx(h["score"])

    from openpyxl import load_workbook
    x = api.as_("supervisor").get("/api/v1/reports/units?format=xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.data)).active
    vals = list(ws.iter_rows(values_only=True))
    xhead = list(vals[0])
    xline = next(r for r in vals[1:] if r[xhead.index("单位代码")] == U)
    assert xline[xhead.index("满意率")] == pytest.approx(h["satisfaction_rate"])
    assert xline[xhead.index("综合得分")] == pytest.approx(h["score"])
    assert xline[xhead.index("派单量")] == 6


def test_other_reports_and_access(api):
    _build(api)
    sup = api.as_("supervisor")
    for name in ("trends", "distributions", "overdue", "category-town", "hot-spots",
                 "comments"):
        r = sup.get(f"/api/v1/reports/{name}")
        assert r.status_code == 200, (name, r.json)
        assert "columns" in r.json and "items" in r.json
        x = sup.get(f"/api/v1/reports/{name}?format=xlsx")
        assert x.status_code == 200
    comments = sup.get("/api/v1/reports/comments").json["items"]
    assert [c["comment"] for c in comments] == ["还是没人来处理"]
    dist = {d["unit"]: d for d in sup.get("/api/v1/reports/distributions").json["items"]}
    assert dist[U]["reply_n"] == 4
    assert api.as_(U).get("/api/v1/reports/units").status_code == 403
    assert api.as_("agent").get("/api/v1/reports/units").status_code == 403
    assert sup.get("/api/v1/reports/units?from=2026-13-01").status_code == 422
    assert sup.get("/api/v1/reports/nope").status_code == 404


def _facts(rt):
    from sqlalchemy import select

    from hotline.survey.orm import UnitFactRow
    cols = [c.name for c in UnitFactRow.__table__.columns]
    with rt.uow() as uow:
        rows = uow.session.execute(select(UnitFactRow)).scalars().all()
        return sorted(tuple(getattr(r, c) for c in cols) for r in rows)


def test_rebuild_facts_cli_recomputes_the_incremental_facts(api):
    """`hotline reports rebuild-facts` (the tool a change of scoring formula needs,
    docs/design/architecture.md §3.4) writes exactly the rows the after-save hook kept."""
    from sqlalchemy import delete, update

    from hotline.survey.orm import UnitFactRow
    from tests.integration.helpers import hotline_cmd, runtime_env
    rt = api.app.extensions["hotline"]
    _build(api)
    incremental = _facts(rt)
    assert len(incremental) >= 7
    with rt.uow() as uow:   # a stale rollup: a formula changed, a row lost
        uow.session.execute(update(UnitFactRow).values(replies=99, closed=False))
        first = min(r[0] for r in incremental)
        uow.session.execute(delete(UnitFactRow).where(UnitFactRow.order_id == first))
        uow.commit()
    assert _facts(rt) != incremental
    out = hotline_cmd(["reports", "rebuild-facts", "--batch", "2"], runtime_env(rt))
    assert out.returncode == 0, out.stderr
    assert "rebuilt the scoring facts of" in out.stdout
    assert _facts(rt) == incremental


def test_daily_trend_and_heat_map_for_the_overview(api):
    """Issue 15 (item 7): the overview's daily chart has a row for every day of the period
    (empty days 0, their rates empty), counts an order once however many units it went to, and
    the heat map counts appeals by town × category with names, never codes."""
    from datetime import date, timedelta

    from hotline.core.db import utcnow
    from hotline.reports.service import TZ
    _build(api)
    # one more appeal elsewhere: 路灯 in 莞城 (dept_urban leads)
    api.create(content="莞城西正路路灯不亮已经一周", town="town_guancheng",
               category="street_lights", unit="dept_urban", appeal_type="complaint",
               caller={"phone": "13800000007"})
    today = utcnow().astimezone(TZ).date()
    sup = api.as_("supervisor")
    q = f"from={today - timedelta(days=2)}&to={today}"
    d = sup.get(f"/api/v1/reports/daily?{q}")
    assert d.status_code == 200, d.json
    days = [i["day"] for i in d.json["items"]]
    assert days == [(today - timedelta(days=k)).isoformat() for k in (2, 1, 0)]
    empty, last = d.json["items"][0], d.json["items"][-1]
    assert (empty["orders"], empty["ontime_rate"], empty["satisfaction_rate"]) == (0, None, None)
    # o1..o6 and the street light: 7 orders (o6 went to two units: counted once)
    assert last["orders"] == 7
    assert last["closed"] == 4 and last["ontime_rate"] == 1.0
    assert last["satisfaction_rate"] == pytest.approx(0.75)

    m = sup.get(f"/api/v1/reports/heatmap?{q}").json
    towns, cats = m["towns"], m["categories"]
    assert towns[:2] == ["莞城街道", "东城街道"] and "虎门镇" in towns
    assert cats == ["市容环卫与垃圾清运", "路灯与园林绿化"]
    cells = {(cats[x], towns[y]): n for x, y, n in m["cells"]}
    assert cells == {("市容环卫与垃圾清运", "虎门镇"): 6, ("路灯与园林绿化", "莞城街道"): 1}
    assert m["max"] == 6
    assert sup.get(f"/api/v1/reports/heatmap?{q}&format=csv").status_code == 200
    # a period that ends before it starts names the field, in Chinese
    bad = sup.get(f"/api/v1/reports/daily?from={today}&to={today - timedelta(days=1)}")
    assert bad.status_code == 422 and "from" in bad.json["error"]["fields"]
    assert api.as_(U).get("/api/v1/reports/heatmap").status_code == 403
    assert date.fromisoformat(m["to"]) == today
