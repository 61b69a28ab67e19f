"""Reference data from config/ into the database, demo users and demo orders."""
from __future__ import annotations

import random
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hotline.core.auth import hash_password
from hotline.core.db import utcnow
from hotline.core.orm import UnitRow, UserRow, WorkOrderRow
from hotline.core.passwords import check_password
from hotline.core.runtime import Runtime
from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role

TZ = ZoneInfo("Asia/Shanghai")
# 二级派单 demo (issue 17): every village of these towns gets a demo user (username = its unit
# code); the other ~560 villages have none, so seeding stays quick (README, Demo users).
DEMO_VILLAGE_TOWNS = ("town_humen", "town_changan")


def sync_units(rt: Runtime) -> int:
    """Units are configured in config/units.yaml; the table mirrors it (admins may add)."""
    with rt.uow() as uow:
        existing = {u.code: u for u in uow.session.execute(select(UnitRow)).scalars()}
        for u in rt.city.units.values():
            row = existing.get(u.code) or UnitRow(code=u.code)
            row.name, row.kind, row.level, row.population = u.name, u.kind, u.level, u.population
            row.parent = u.parent
            if row.active is None:
                row.active = True
            uow.session.add(row)
        uow.commit()
    return len(rt.city.units)


def seed_users(rt: Runtime) -> list[str]:
    """Demo users (config/users.yaml) plus one department user per unit (username = code).

    This is demo mode (core/passwords.py): the one path that may give the public demo
    password, and only to these demo accounts. The password must still pass every other rule."""
    check_password(rt.city.demo_password, demo=True)
    pw_hash = hash_password(rt.city.demo_password)
    wanted = [dict(u) for u in rt.city.demo_users]
    wanted += [{"username": u.code, "name": u.name, "role": Role.DEPARTMENT, "unit": u.code}
               for u in rt.city.units.values()
               if u.kind != "village" or u.parent in DEMO_VILLAGE_TOWNS]
    created = []
    with rt.uow() as uow:
        have = set(uow.session.execute(select(UserRow.username)).scalars())
        for u in wanted:
            if u["username"] in have:
                continue
            uow.session.add(UserRow(username=u["username"], name=u.get("name", u["username"]),
                                    role=u["role"], unit=u.get("unit"), password_hash=pw_hash))
            created.append(u["username"])
        uow.commit()
    return created


def seed_demo_orders(rt: Runtime, count: int = 300, seed: int = 12345) -> int:
    """A few hundred realistic orders spread over every state of the lifecycle and over the
    last 60 days (demo.Timeline: office hours, realistic delays, a few late), so reports have
    durations and the previous calendar month is covered."""
    from hotline.workorders.commands import act, create_order
    from hotline.workorders.demo import DEMO_APPEALS, DaySchedule, plan, walk_to
    with rt.uow() as uow:
        if uow.session.execute(select(func.count(WorkOrderRow.id))).scalar_one() >= count:
            return 0
    rnd = random.Random(seed)
    now = utcnow()
    schedule = DaySchedule(rnd, now.astimezone(TZ).date(), rt.config.sla_engine.calendar)
    towns = list(rt.city.towns)
    # calls come from where people live: towns weighted by their census population
    # (config/units.yaml), so the big towns have the volume the monthly ranking needs
    weights = [getattr(rt.city.units.get(t), "population", None) or 100_000 for t in towns]
    made = 0
    targets = ["registered_queue", "dispatched", "signed", "in_progress", "replied",
               "return_visit", "closed", "return_requested", "answered_directly",
               "not_accepted", "transferred_emergency", "suspended", "extension_requested",
               "reopened", "closed_unreasonable", "merged", "registered",
               # 二级派单 (issue 17): a town's local matter in one of its villages' hands
               "village_dispatched", "village_signed", "village_reported"]
    last_open = None
    agent = Actor("agent", Role.AGENT)
    for i in range(count):
        text, category, appeal_type = DEMO_APPEALS[i % len(DEMO_APPEALS)]
        town = rnd.choices(towns, weights)[0]
        unit = rt.city.unit_for(category, town)
        target = targets[i % len(targets)] if i < len(targets) * 4 else \
            rnd.choice(targets[:7] * 3 + targets[7:])
        if target.startswith("village_"):    # a 属地 matter of a town whose villages have users
            town = unit = DEMO_VILLAGE_TOWNS[i % len(DEMO_VILLAGE_TOWNS)]
        when = plan(rnd, schedule, target, appeal_type, now)
        # the agent logs it (nothing routes it by itself: the walk below decides), then
        # dispatches it at intake a few minutes later, or closes it there
        data = {"content": text, "category": category, "appeal_type": appeal_type,
                "town": town, "channel": rnd.choice(["phone"] * 6 + ["web", "app", "wechat"]),
                "caller": {"name": rnd.choice("陈李张王刘黄何林周吴") + rnd.choice(["先生", "女士"]),
                           "phone": f"1{rnd.choice('3589')}{rnd.randrange(10**8, 10**9)}"},
                "address": f"{rt.city.units[town].name}{rnd.choice(['新城', '振兴', '太平', '兴业', '福民'])}路{rnd.randint(1, 300)}号",
                "received_at": when.received, "queue": False}
        order = create_order(rt, Actor("admin", Role.ADMIN), data)
        if target == "registered_queue":     # the agent hands it to the dispatcher queue
            act(rt, agent, order["id"], "queue", {"data": {}}, at=when("queue"))
        elif target == "merged" and last_open:
            act(rt, agent, order["id"], "merge",
                {"reason": "同一事项的重复来电", "data": {"master_id": last_open}},
                at=when("merge"))
        else:
            if target not in ("answered_directly", "not_accepted", "transferred_emergency",
                              "merged", "registered"):
                act(rt, agent, order["id"], "dispatch", {"data": {"unit": unit}},
                    at=when("dispatch"))
            walk_to(rt, order["id"], target, unit, rt.city, when)
        if target == "dispatched":
            last_open = order["id"]
        made += 1
    return made


def seed_demo_knowledge(rt: Runtime) -> int:
    """The Dongguan demo knowledge base (config/knowledge/dongguan_seed.csv, marked demo) when
    the file is present (issue 16 item 7); re-running adds nothing unchanged."""
    from hotline.core.config import config_dir
    path = config_dir() / "knowledge" / "dongguan_seed.csv"
    if not path.exists():
        return 0
    from hotline.knowledge.service import seed_demo
    return seed_demo(rt, path)

