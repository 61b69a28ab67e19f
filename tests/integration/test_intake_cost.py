"""Intake's cost in round trips (docs/design/architecture.md §9.3): one INSERT of the final order
row, no read-back of rows a new order cannot have yet, one batched INSERT per table; and the
per-process cache of saved routing rulings is dropped by the process that saves one."""
from sqlalchemy import event, func, select

from hotline.core.orm import OutboxRow, TransitionRow, WorkOrderRow
from hotline.sla.orm import SlaOrderStateRow
from hotline.survey.orm import UnitFactRow

from .test_dispatch_api import RET, _order


def _count_statements(rt):
    seen = []

    def before(conn, cursor, statement, params, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            seen.append(statement.split(None, 3)[:3])
    event.listen(rt.engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(rt.engine, "before_cursor_execute", before)


def test_intake_is_one_insert_per_table_and_no_updates(rt, api):
    api.token("agent")                     # log in outside the counted request
    seen, stop = _count_statements(rt)
    try:
        o = api.create(unit="town_humen", town="town_humen",
                       caller={"name": "张先生", "phone": "13812345678"})
    finally:
        stop()
    kinds = [s[0].upper() for s in seen]
    tables = sorted({s[2] for s in seen if s[0].upper() == "INSERT"})
    # user + id + duplicate search + the caller's and the place's earlier orders (issue 17,
    # 重复诉求), then work_orders, transitions, sla state, facts, outbox, the unit's inbox
    # counter (one upsert; issue 15), the order's visibility row (order_units: the lead unit,
    # one INSERT; core/access.py), on SQLite the full-text row; after the row is written,
    # the hot-spot check reads the town's open alert and its recent appeals (issue 17, 热点预警)
    assert kinds.count("SELECT") == 6, seen
    fts = ["work_orders_fts"] if rt.engine.dialect.name == "sqlite" else []
    assert tables == sorted(["inbox_counts", "order_units", "outbox", "sla_order_state",
                             "transitions", "unit_facts", "work_orders", *fts]), seen
    assert "UPDATE" not in kinds and "DELETE" not in kinds, seen
    if rt.engine.dialect.name == "postgresql":
        # one INSERT per table: 9 statements before issue 17 (was 16); the earlier-orders read
        # and the hot-spot check add three reads, and the outbox rows are flushed in two
        # statements around the hot-spot reads: 13; the visibility row (issue 15): 14
        assert len(seen) == 14, seen
    # ... and the order is whole: number from its id, final state, history, SLA, facts
    assert o["number"].startswith("DG") and o["number"].endswith(f"{o['id']:07d}")
    assert o["status"] == "dispatched" and o["unit"] == "town_humen"
    assert o["next_check_at"] is not None and o["duplicates"] == []
    with rt.uow() as uow:
        s = uow.session
        row = s.get(WorkOrderRow, o["id"])
        assert row.number == o["number"] and row.next_check_at is not None
        assert [t.action for t in s.execute(select(TransitionRow).where(
            TransitionRow.order_id == o["id"])).scalars()] == ["dispatch"]
        assert s.get(SlaOrderStateRow, o["id"]) is not None
        assert s.execute(select(func.count()).select_from(UnitFactRow).where(
            UnitFactRow.order_id == o["id"])).scalar_one() == 1
        assert sorted(s.execute(select(OutboxRow.topic)).scalars()) == \
            ["order.created", "order.dispatched"]


def test_ids_and_numbers_stay_unique_across_orders(rt, api):
    orders = [api.create(town="town_humen", queue=False) for _ in range(3)]
    ids = [o["id"] for o in orders]
    assert len(set(ids)) == 3 and ids == sorted(ids)
    assert len({o["number"] for o in orders}) == 3
    # the second order of the same caller finds the first as a duplicate
    a = api.create(town="town_humen", caller={"name": "李女士", "phone": "13900000001"})
    b = api.create(town="town_humen", caller={"name": "李女士", "phone": "13900000001"})
    assert [d["id"] for d in b["duplicates"]][:1] == [a["id"]]


def test_saved_ruling_applies_at_once_in_the_process_that_saves_it(api):
    suggest = "/api/v1/routing/suggest?category=sanitation&town=town_humen"
    before = api.as_("agent").get(suggest).json        # loads the rulings into the cache
    assert before["source"] != "ruling"
    oid = _order(api, category="sanitation")
    api.act("town_humen", oid, "request_return", "不属于本镇", **RET)
    api.act("dispatcher", oid, "approve_return", "地址在东城", unit="town_dongcheng")
    api.act("town_dongcheng", oid, "request_return", "也不属于东城",
            legal_basis="权责清单", suggested_unit="town_humen")
    api.act("supervisor", oid, "arbitrate", "裁定: 由虎门镇办理", unit="town_humen",
            save_rule=True)
    after = api.as_("agent").get(suggest).json
    assert after["source"] == "ruling" and after["lead"] == "town_humen"
