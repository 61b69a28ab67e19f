"""One access predicate (docs/design/architecture.md §7.2): `access.visible(order, actor)` and its
SQL filter `access.visible_filter(actor)` agree on every order x actor, on SQLite and
PostgreSQL; so do `owned` and `owned_filter`."""
from sqlalchemy import select

from hotline.core import access
from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role

# name -> (lead unit, assisting units)
ORDERS = {
    "env_leads": ("dept_env", []),
    "urban_leads_env_assists": ("dept_urban", ["dept_env"]),
    "urban_leads_two_assist": ("dept_urban", ["dept_water", "dept_env"]),
    "queued": (None, []),
    # near misses: a longer code, a code with LIKE's wildcard in place of "_"
    "lookalikes": ("dept_urban", ["dept_envx", "xdept_env", "deptXenv"]),
    "housing_only": ("dept_housing", []),
    # 二级派单 (issue 17): 虎门镇 leads and passed it to its village 东方社区
    "town_passed_to_village": ("town_humen", []),
}
VILLAGE_OF = {"town_passed_to_village": "village_441900121004"}
ACTORS = {
    "dept_env": Actor("dept_env", Role.DEPARTMENT, "dept_env"),
    "dept_urban": Actor("dept_urban", Role.DEPARTMENT, "dept_urban"),
    "dept_water": Actor("dept_water", Role.DEPARTMENT, "dept_water"),
    "dept_other": Actor("dept_police", Role.DEPARTMENT, "dept_police"),
    "dept_no_unit": Actor("nobody", Role.DEPARTMENT, None),
    "agent": Actor("agent", Role.AGENT),
    "dispatcher": Actor("dispatcher", Role.DISPATCHER),
    "supervisor": Actor("supervisor", Role.SUPERVISOR),
    "leader": Actor("leader", Role.LEADER),
    "admin": Actor("admin", Role.ADMIN),
    "town_humen": Actor("town_humen", Role.DEPARTMENT, "town_humen"),
    "village": Actor("village_441900121004", Role.DEPARTMENT, "village_441900121004"),
    "sibling_village": Actor("village_441900121005", Role.DEPARTMENT, "village_441900121005"),
}
EVERYTHING = set(ORDERS)
# the oracle (docs/design/domain.md §3.7): a unit sees what it leads or assists on
EXPECTED_VISIBLE = {
    "dept_env": {"env_leads", "urban_leads_env_assists", "urban_leads_two_assist"},
    "dept_urban": {"urban_leads_env_assists", "urban_leads_two_assist", "lookalikes"},
    "dept_water": {"urban_leads_two_assist"},
    "dept_other": set(),
    "dept_no_unit": set(),
    # a village sees what its town passed to it; its sibling nothing (docs/design/domain.md §6.8)
    "town_humen": {"town_passed_to_village"}, "village": {"town_passed_to_village"},
    "sibling_village": set(),
} | {a: EVERYTHING for a in ("agent", "dispatcher", "supervisor", "leader", "admin")}
EXPECTED_OWNED = {
    "dept_env": {"env_leads"},
    "dept_urban": {"urban_leads_env_assists", "urban_leads_two_assist", "lookalikes"},
    "dept_water": set(), "dept_other": set(), "dept_no_unit": set(),
    "town_humen": {"town_passed_to_village"}, "village": set(), "sibling_village": set(),
} | {a: EVERYTHING for a in ("agent", "dispatcher", "supervisor", "leader", "admin")}


def _seed(rt) -> dict[int, str]:
    now = utcnow()
    ids = {}
    with rt.uow() as uow:
        for i, (name, (unit, assist)) in enumerate(ORDERS.items()):
            row = WorkOrderRow(number=f"ACCESS{i:04d}", query_code="000000",
                               status="dispatched" if unit else "pending_dispatch",
                               content=name, channel="phone", unit=unit, first_unit=unit,
                               assist_units=assist, village=VILLAGE_OF.get(name),
                               received_at=now, created_at=now,
                               updated_at=now, created_by="test")
            uow.session.add(row)
            uow.session.flush()
            ids[row.id] = name
        uow.commit()
    return ids


def test_predicate_and_sql_filter_agree(rt):
    ids = _seed(rt)
    with rt.uow() as uow:
        rows = uow.session.execute(select(WorkOrderRow).where(
            WorkOrderRow.id.in_(ids))).scalars().all()
        for who, actor in ACTORS.items():
            by_predicate = {ids[r.id] for r in rows if access.visible(r, actor)}
            by_sql = {ids[i] for i in uow.session.execute(select(WorkOrderRow.id).where(
                WorkOrderRow.id.in_(ids), access.visible_filter(actor))).scalars()}
            assert by_predicate == by_sql == EXPECTED_VISIBLE[who], who
            owned_p = {ids[r.id] for r in rows if access.owned(r, actor)}
            owned_sql = {ids[i] for i in uow.session.execute(select(WorkOrderRow.id).where(
                WorkOrderRow.id.in_(ids), access.owned_filter(actor))).scalars()}
            assert owned_p == owned_sql == EXPECTED_OWNED[who], who
            assert owned_p <= by_predicate   # owning never widens what is visible
            # the predicate reads rows, aggregates and row mappings alike
            for r in rows:
                as_dict = {"unit": r.unit, "assist_units": r.assist_units, "village": r.village}
                assert access.visible(as_dict, actor) == access.visible(r, actor)


def test_village_work_is_what_the_town_passed_to_it(rt):
    """The village's inbox filter (access.village_work_filter) narrows `visible` to the orders
    passed to it (二级派单, docs/design/domain.md §6.8)."""
    ids = _seed(rt)
    with rt.uow() as uow:
        for who in ("village", "sibling_village", "town_humen", "agent"):
            got = {ids[i] for i in uow.session.execute(select(WorkOrderRow.id).where(
                WorkOrderRow.id.in_(ids), access.village_work_filter(ACTORS[who]))).scalars()}
            want = {"town_passed_to_village"} if who == "village" else set()
            assert got == want and got <= EXPECTED_VISIBLE[who], who
