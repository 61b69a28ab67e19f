"""The demo's previous calendar month looks like a real centre's month (issue 18): every tier
of the bulletin has a real ranking (the busy units reach config/scoring.yaml's min_sample,
which stays 10), smaller units are listed below the sample, the red and black lists, the
units below the pass line, hard cases, rapid-response orders and the centre's own figures are
all there, and the history stays inside the last 60 days on working days (issue 14).

Fixed clocks: a date early in a month and one late in a month (the month plan must cover the
previous calendar month whatever today is)."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline.core.db import aware
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.workorders.demo import (
    HISTORY_DAYS,
    month_days,
    month_orders,
    previous_month,
)
from hotline.workorders.seed import DEMO_VILLAGE_TOWNS
from tests.conftest import Api
from tests.integration.test_bulletin import pdf_text

TZ = ZoneInfo("Asia/Shanghai")
TIERS = ("town", "department", "utility", "village")
MIN_RANKED = 3
# early in a month (the previous month has 31 days and a week of holidays: 国庆), late in a
# month (the previous month has 30 days) and the first morning of a month (the previous
# month's last orders have had a few hours)
CLOCKS = (datetime(2026, 11, 2, 10, 0, tzinfo=TZ), datetime(2026, 10, 29, 16, 30, tzinfo=TZ),
          datetime(2026, 12, 1, 8, 0, tzinfo=TZ))


@pytest.mark.parametrize("today", [date(2026, 11, 2), date(2026, 10, 29), date(2026, 8, 31),
                                   date(2026, 3, 1), date(2027, 1, 31)])
def test_the_month_plan_covers_the_previous_month_inside_the_last_60_days(rt, today):
    cal = rt.config.sla_engine.calendar
    first, last = previous_month(today)
    days = month_days(today, cal)
    assert days and all(first <= d <= last for d in days)
    assert min(days) >= today - timedelta(days=HISTORY_DAYS)
    working = [d for d in days if cal.day(d).working]
    assert len(working) >= 0.7 * len(days)      # calls come mostly on working days
    plan = month_orders(random.Random(2026), rt.city, today, cal, DEMO_VILLAGE_TOWNS)
    assert all(first <= o["day"] <= last for o in plan)
    per_unit: dict = {}
    for o in plan:
        key = (o["tier"], o["village"] or o["unit"])
        per_unit[key] = per_unit.get(key, 0) + 1
    min_sample = rt.config.scoring.min_sample
    for tier in TIERS:
        busy = [u for (t, u), n in per_unit.items() if t == tier and n > min_sample]
        few = [u for (t, u), n in per_unit.items() if t == tier and n < min_sample]
        assert len(busy) >= MIN_RANKED, (tier, busy)
        assert few, tier                   # units below the sample are listed, not ranked
    for town in DEMO_VILLAGE_TOWNS:         # villages of both demo towns get their orders
        assert any(o["village"] and o["town"] == town for o in plan), town


@pytest.fixture(scope="module", params=CLOCKS, ids=("early-in-month", "late-in-month", "first-of-month"))
def month(request):
    from hotline.web.app import create_app
    from hotline.workorders.seed import seed_demo_month
    from tests.conftest import _fresh_runtime
    rt = _fresh_runtime("sqlite", request)
    now = request.param
    made = seed_demo_month(rt, now=now.astimezone(ZoneInfo("UTC")))
    assert made["orders"] > 250 and made["visits"] > 150 and made["calls"] > 1000, made
    first, last = previous_month(now.date())
    yield rt, Api(create_app(rt)), now, first, last
    rt.engine.dispose()


@pytest.mark.slow
def test_every_tier_of_the_month_has_a_real_ranking(month):
    rt, api, now, first, last = month
    for tier in TIERS:
        r = api.as_("supervisor").get(
            f"/api/v1/reports/units?tier={tier}&from={first}&to={last}")
        assert r.status_code == 200, r.json
        items = r.json["items"]
        assert {i["tier"] for i in items} == {tier}
        ranked = [i for i in items if i["rank"] is not None]
        assert len(ranked) >= MIN_RANKED, (tier, len(ranked))
        # ranked 1..n by score (ties share a rank), each with at least the minimum sample
        assert ranked[0]["rank"] == 1
        assert [i["rank"] for i in ranked] == sorted(i["rank"] for i in ranked)
        assert max(i["rank"] for i in ranked) > len(ranked) // 2
        assert all(i["sample"] >= rt.config.scoring.min_sample for i in ranked)
        assert len({i["score"] for i in ranked}) > 1, tier      # a real ranking, not all equal
        below = [i for i in items if i["rank"] is None and i["sample"]]
        assert below, tier                  # units with orders below the minimum sample
        if tier == "village":               # ranked within 虎门 and 长安 as well
            for town in DEMO_VILLAGE_TOWNS:
                mine = [i for i in ranked if i["parent"] == town]
                assert mine and min(i["rank_in_town"] for i in mine) == 1, town


@pytest.mark.slow
def test_the_bulletin_of_the_month_ranks_every_tier_in_chinese(month):
    rt, api, now, first, last = month
    from hotline.reports import bulletin
    from hotline.workorders.domain.model import Actor
    from hotline.workorders.domain.workflow import Role
    data = bulletin.build(rt, Actor("supervisor", Role.SUPERVISOR), f"{first:%Y-%m}")
    assert {t["tier"] for t in data["tiers"]} == set(TIERS)
    for t in data["tiers"]:
        assert len(t["ranked"]) >= MIN_RANKED, t["tier"]
        assert t["red"] and t["black"], t["tier"]          # 红黑榜
    assert data["below_line"] and all(i["faults"] for i in data["below_line"])
    assert data["rapid"] and data["rapid"]["assigned"] > 0    # rapid-response orders
    for key in ("hard_cases", "centre_figures"):
        assert data["sections"][key]["table"], key
    r = api.as_("supervisor").get(f"/api/v1/reports/bulletin?month={first:%Y-%m}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    assert "通报" in text and f"{first.year}年{first.month}月" in text
    lines = [ln.split() for ln in text.splitlines()]
    for t in data["tiers"]:
        for i in t["ranked"]:   # every ranked unit: its rank, its Chinese name (a village's
            # with its town: 南面社区（虎门镇）)
            name = i["unit_name"] + (f"（{i['parent_name']}）" if t["tier"] == "village" else "")
            assert any(ln[:2] == [str(i["rank"]), name] for ln in lines), \
                (t["tier"], i["rank"], name)
    assert "本月暂无数据" not in text and "接通率" in text and "town_" not in text


@pytest.mark.slow
def test_the_month_is_history_on_working_days_inside_the_last_60_days(month):
    rt, api, now, first, last = month
    cal = rt.config.sla_engine.calendar
    with rt.uow() as uow:
        received = [aware(t).astimezone(TZ) for t in uow.session.execute(
            select(WorkOrderRow.received_at)).scalars()]
        steps = [aware(t) for t in uow.session.execute(select(TransitionRow.at)).scalars()]
    assert all(first <= t.date() <= last for t in received)
    assert min(received) >= now - timedelta(days=HISTORY_DAYS + 1)
    assert max(steps) <= now
    office = [t for t in received if cal.day(t.date()).working and 8 <= t.hour < 21]
    assert len(office) >= 0.6 * len(received)
