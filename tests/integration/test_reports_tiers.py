"""Tiers (issue 18 item 1): GET /api/v1/reports/units?tier= ranks a unit only against units of
its own kind, lists every unit of the tier (below the minimum sample: unranked), and ranks
villages within their town too. Scores worked out by hand in the comments (formula 2026.2).

A fresh dispatched order has data for two weighted rates only: 响应率 (0.20; the unit's own
contact, no return visit yet) and 按时签收率 (0.05). So signing alone scores
100 × 0.05 / 0.25 = 20, signing and contacting scores 100."""
from dataclasses import dataclass, replace

import pytest

from hotline.workorders.seed import seed_users, sync_units


@dataclass(frozen=True)
class Village:
    """A village unit as the villages feature configures it: kind `village`, parent = town."""
    code: str
    name: str
    parent: str
    kind: str = "village"
    level: str | None = None
    population: int | None = None


VILLAGES = (Village("vil_humen_a", "虎门镇甲村", "town_humen"),
            Village("vil_humen_b", "虎门镇乙社区", "town_humen"),
            Village("vil_hongmei_c", "洪梅镇丙村", "town_hongmei"))


@pytest.fixture
def tiers_api(api, rt, monkeypatch):
    # a minimum sample of 2 scored orders, so a handful of orders can show the line
    monkeypatch.setattr(rt, "config", replace(rt.config, scoring=replace(
        rt.config.scoring, min_sample=2)))
    for v in VILLAGES:
        monkeypatch.setitem(rt.city.units, v.code, v)
    sync_units(rt)
    seed_users(rt)
    return api


def _orders(api, unit, n, contact=0, sign=True):
    """n orders dispatched to `unit`; the first `contact` of them contacted too."""
    for k in range(n):
        oid = api.create(town="town_humen", category="sanitation", unit=unit,
                         appeal_type="complaint", caller={"phone": f"1380000{k:04d}"})["id"]
        if sign:
            api.act(unit, oid, "sign")
        if k < contact:
            api.act(unit, oid, "contact")


def _build(api):
    _orders(api, "town_humen", 3, contact=3)        # 100
    _orders(api, "town_dalang", 2, contact=1)       # 100 × (0.20 × 0.5 + 0.05) / 0.25 = 60
    _orders(api, "town_hongmei", 2)                 # 20
    _orders(api, "town_changan", 1, contact=1)      # 100, but 1 < 2 scored orders: unranked
    _orders(api, "dept_housing", 2)                 # 20
    _orders(api, "dept_edu", 1)                     # unranked
    _orders(api, "util_power", 2, contact=2)        # 100


def _units_by_kind(api):
    r = api.as_("supervisor").get("/api/v1/units")
    out = {}
    for u in r.json["items"]:
        out.setdefault(u["kind"], set()).add(u["code"])
    return out


def _get(api, tier):
    r = api.as_("supervisor").get(f"/api/v1/reports/units?tier={tier}")
    assert r.status_code == 200, r.json
    assert r.json["tier"] == tier and r.json["formula_version"] == "2026.2"
    return r.json["items"]


def _ranked(items):
    return [(i["unit"], i["rank"]) for i in items if i["rank"] is not None]


def test_each_tier_ranks_only_its_own_units(tiers_api):
    api = tiers_api
    _build(api)
    kinds = _units_by_kind(api)

    towns = _get(api, "town")
    # every town-level unit (镇, 街道, 园区: kind town) is listed, nothing else
    assert {i["unit"] for i in towns} == kinds["town"]
    assert all(i["kind"] == "town" and i["tier"] == "town" for i in towns)
    assert _ranked(towns) == [("town_humen", 1), ("town_dalang", 2), ("town_hongmei", 3)]
    by = {i["unit"]: i for i in towns}
    assert by["town_humen"]["score"] == 100.0
    assert by["town_dalang"]["score"] == pytest.approx(60.0)
    assert by["town_hongmei"]["score"] == pytest.approx(20.0)
    # below the minimum sample: listed, scored, not ranked; no orders at all: listed, no score
    assert by["town_changan"]["rank"] is None and by["town_changan"]["score"] == 100.0
    assert by["town_changan"]["sample"] == 1 and by["town_changan"]["ranked"] is False
    assert by["town_qishi"]["rank"] is None and by["town_qishi"]["score"] is None
    # ranked units come first, 1..n
    ranks = [i["rank"] for i in towns]
    assert ranks[:3] == [1, 2, 3] and all(r is None for r in ranks[3:])

    depts = _get(api, "department")
    assert {i["unit"] for i in depts} == kinds["department"]
    assert _ranked(depts) == [("dept_housing", 1)]

    utils = _get(api, "utility")
    assert {i["unit"] for i in utils} == kinds["utility"]
    assert _ranked(utils) == [("util_power", 1)]

    # without a tier every unit is listed, each ranked within its own tier
    everything = api.as_("supervisor").get("/api/v1/reports/units").json["items"]
    ranks = {i["unit"]: i["rank"] for i in everything}
    assert ranks["town_humen"] == ranks["dept_housing"] == ranks["util_power"] == 1


def test_tier_exports_and_bad_tier(tiers_api):
    api = tiers_api
    _orders(api, "town_humen", 2, contact=2)
    sup = api.as_("supervisor")
    r = sup.get("/api/v1/reports/units?tier=province")
    assert r.status_code == 422
    assert "tier" in r.json["error"]["fields"]
    r = sup.get("/api/v1/reports/units?tier=village&format=csv")
    assert r.status_code == 200
    head = r.data.decode("utf-8-sig").splitlines()[0]
    assert "镇街内排名" in head and "所属镇街" in head
    # the report names the formula version and the minimum sample it used
    j = sup.get("/api/v1/reports/units?tier=town").json
    assert j["min_sample"] == 2 and all(i["formula_version"] == "2026.2" for i in j["items"])


def test_response_rate_is_the_citizens_word_and_rebuild_recomputes_it(api, rt):
    """The unit logged `contact` on both orders; one caller says on the return visit that
    nobody contacted them: 响应率 = 1 of 2, not the unit's own 2 of 2 (issue 18 item 2).
    Rows written before the column existed read as "not asked" (the unit's record) until
    `hotline reports rebuild-facts` recomputes them from the history (item 3)."""
    from sqlalchemy import update

    from hotline.reports.facts import rebuild_facts
    from hotline.survey.orm import UnitFactRow
    from tests.integration.survey_flow import answer, pending_for, to_return_visit

    o1 = to_return_visit(api, phone="13800000011")
    answer(api, pending_for(api, o1)[0]["token"], contacted=True)
    o2 = to_return_visit(api, phone="13800000012")
    answer(api, pending_for(api, o2)[0]["token"], contacted=False)

    def humen():
        items = api.as_("supervisor").get("/api/v1/reports/units?tier=town").json["items"]
        return next(i for i in items if i["unit"] == "town_humen")
    assert humen()["response_rate"] == pytest.approx(0.5)
    with rt.uow() as uow:   # as after the migration: the answers not yet in the rollup
        uow.session.execute(update(UnitFactRow).values(visit_contacted=0,
                                                       visit_not_contacted=0))
        uow.commit()
    assert humen()["response_rate"] == 1.0
    assert rebuild_facts(rt) >= 2
    assert humen()["response_rate"] == pytest.approx(0.5)


# Villages work only through their town's 二级派单 (issue 17): real villages of 虎门镇 and 长安镇
VIL_A, VIL_B = "village_441900121004", "village_441900121005"      # 虎门镇


def _village_orders(api, town, village, n, sent_back):
    """n orders the town passes to the village, which reports; the first `sent_back` reports
    the town sends back (回退, a weighted rate of the formula)."""
    for k in range(n):
        oid = api.create(town=town, category="sanitation", unit=town, appeal_type="complaint",
                         caller={"phone": f"1390000{k:04d}"})["id"]
        api.act(town, oid, "sign")
        api.act(town, oid, "subdispatch", unit=village)
        api.act(village, oid, "sign")
        api.act(village, oid, "village_report", report="已清理")
        if k < sent_back:
            api.act(town, oid, "reject_village_report", reason="未附现场照片")


def test_villages_rank_in_their_tier_and_within_their_town(tiers_api, rt):
    api = tiers_api
    changan = sorted(v.code for v in rt.city.villages_of("town_changan"))[0]
    _village_orders(api, "town_humen", VIL_A, 2, sent_back=2)
    _village_orders(api, "town_humen", VIL_B, 2, sent_back=0)
    _village_orders(api, "town_changan", changan, 2, sent_back=2)
    kinds = _units_by_kind(api)
    villages = _get(api, "village")
    # every village of the city is listed in its tier, nothing else
    assert {i["unit"] for i in villages} == kinds["village"]
    assert all(i["tier"] == "village" for i in villages)
    ranked = _ranked(villages)
    # the village whose reports were accepted ranks first; the two sent back tie (并列)
    assert ranked[0] == (VIL_B, 1)
    assert sorted(ranked[1:]) == sorted([(VIL_A, 2), (changan, 2)])
    vby = {i["unit"]: i for i in villages}
    assert vby[VIL_A]["parent"] == "town_humen"
    # within the town: 虎门 ranks B then A; 长安's village is first among its own
    assert (vby[VIL_B]["rank_in_town"], vby[VIL_A]["rank_in_town"],
            vby[changan]["rank_in_town"]) == (1, 2, 1)
    # villages without orders are listed, unranked
    assert all(i["rank"] is None for i in villages if i["unit"] not in (VIL_A, VIL_B, changan))
