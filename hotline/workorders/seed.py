"""Reference data from config/ into the database, demo users and demo orders."""
from __future__ import annotations

import random
from datetime import timedelta
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
        appeal = DEMO_APPEALS[i % len(DEMO_APPEALS)]
        _, category, appeal_type = appeal
        town = rnd.choices(towns, weights)[0]
        unit = rt.city.unit_for(category, town)
        target = targets[i % len(targets)] if i < len(targets) * 4 else \
            rnd.choice(targets[:7] * 3 + targets[7:])
        if target.startswith("village_"):    # a 属地 matter of a town whose villages have users
            town = unit = DEMO_VILLAGE_TOWNS[i % len(DEMO_VILLAGE_TOWNS)]
        when = plan(rnd, schedule, target, appeal_type, now)
        # the agent logs it (nothing routes it by itself: the walk below decides), then
        # dispatches it at intake a few minutes later, or closes it there
        data = _demo_appeal(rnd, rt, town, appeal, when.received)
        order = create_order(rt, Actor("admin", Role.ADMIN), data)
        if target == "registered_queue":     # the agent hands it to the dispatcher queue
            act(rt, agent, order["id"], "queue", {"data": {}}, at=when("queue"))
        elif target == "merged" and last_open:
            act(rt, agent, order["id"], "merge",
                {"reason": "同一事项的重复来电", "data": {"master_id": last_open}},
                at=when("merge"))
        else:
            walk_to(rt, order["id"], target, unit, rt.city, when,
                    dispatch=target not in ("answered_directly", "not_accepted",
                                            "transferred_emergency", "merged", "registered"))
        if target == "dispatched":
            last_open = order["id"]
        made += 1
    return made


def _demo_appeal(rnd: random.Random, rt: Runtime, town: str, appeal: tuple, received) -> dict:
    """The intake fields of a demo appeal (text, category, type) from `town`: a channel, a
    caller and an address drawn from `rnd`, received at `received`, logged without queueing."""
    text, category, appeal_type = appeal
    return {"content": text, "category": category, "appeal_type": appeal_type, "town": town,
            "channel": rnd.choice(["phone"] * 6 + ["web", "app", "wechat"]),
            "caller": {"name": rnd.choice("陈李张王刘黄何林周吴") + rnd.choice(["先生", "女士"]),
                       "phone": f"1{rnd.choice('3589')}{rnd.randrange(10**8, 10**9)}"},
            "address": f"{rt.city.units[town].name}"
                       f"{rnd.choice(['新城', '振兴', '太平', '兴业', '福民'])}路{rnd.randint(1, 300)}号",
            "received_at": received, "queue": False}


# the supervisor's decisions on the month's bad ratings (survey/review.py): mostly 办结 after
# checking with the unit, some 重办 (counted against the unit), a few 最终答复
REVIEW_DAYS = 5
REVIEW_DECISIONS = ("close",) * 6 + ("reopen",) * 3 + ("unreasonable",)
REVIEW_REASONS = {"reopen": "经核实, 单位办理不到位, 退回重办",
                  "unreasonable": "诉求超出政策规定, 已多次解释, 作最终答复"}


def seed_demo_month(rt: Runtime, seed: int = 2026, now=None) -> dict:
    """The previous calendar month as a centre lives it (issue 18: its bulletin ranks every
    tier): the busiest units get a ranked month's worth of orders, smaller ones a handful
    (demo.month_orders); orders are walked through the services (demo.walk_to), most to a
    return visit whose answer the agent records by phone on its day, so the month's rates
    come from the citizens as the formula says (docs/scoring.md); two are listed as 疑难工单;
    the switch's calls of the last HISTORY_DAYS days are imported (the centre's own figures).
    Returns what it made."""
    from hotline.hardcases import service as hardcases
    from hotline.survey import review
    from hotline.survey import service as survey
    from hotline.workorders.commands import create_order
    from hotline.workorders.demo import (
        DEMO_APPEALS,
        HARD_CASES,
        month_orders,
        month_timeline,
        step_actions,
        visit_answer,
        walk_to,
    )
    rnd = random.Random(seed)
    now = now or utcnow()
    cal = rt.config.sla_engine.calendar
    admin, agent = Actor("admin", Role.ADMIN), Actor("agent", Role.AGENT)
    plan = month_orders(rnd, rt.city, now.astimezone(TZ).date(), cal, DEMO_VILLAGE_TOWNS)
    made = {"orders": 0, "visits": 0, "reviews": 0, "hard_cases": 0, "calls": 0}
    sup = Actor("supervisor", Role.SUPERVISOR)
    stale = []
    for o in plan:
        appeal = DEMO_APPEALS[o["appeal"]]
        appeal_type = appeal[2]
        visit = o["outcome"] in ("visit", "village_visit")
        target = o["outcome"].replace("visit", "return_visit") if visit else o["outcome"]
        when = month_timeline(rnd, o, appeal_type,
                              step_actions(target, o["unit"], rt.city, o["village"], visit),
                              now, cal)
        order = create_order(rt, admin, _demo_appeal(rnd, rt, o["town"], appeal, when.received))
        done = walk_to(rt, order["id"], target, o["unit"], rt.city, when, dispatch=True,
                       village=o["village"])
        made["orders"] += 1
        if o["outcome"] == "in_progress":
            stale.append((order["id"], done[-1].at))
        if not visit:
            continue
        # the return visit (docs/design/domain.md §8.3): the surveys of this closure as the
        # outbox handler makes them, answered on the phone a day or two later
        accept = done[-1]
        with rt.uow() as uow:
            pending = [s.id for s in survey.create_for_closure(rt, uow, order["id"], accept.seq,
                                                               now=accept.at)
                       if s.status == "pending"]
            uow.commit()
        at = when("close")
        for sid in pending:
            view = survey.answer_by_phone(rt, agent, sid, visit_answer(rnd, o["quality"]),
                                          at=at)
            made["visits"] += 1
            # a bad rating waits for the supervisor (docs/design/domain.md §8.7), who has
            # decided on all but the last few days' (those stay in the demo's review queue)
            decided = when("close")
            if view["review"] == "pending" and decided < now - timedelta(days=REVIEW_DAYS):
                decision = rnd.choice(REVIEW_DECISIONS)
                review.decide(rt, sup, sid, decision, REVIEW_REASONS.get(decision), at=decided)
                made["reviews"] += 1
    # 疑难工单 (挂牌督办): the month's oldest orders still unsolved; the first is resolved
    for i, (oid, last) in enumerate(stale[:HARD_CASES]):
        opened = last + timedelta(days=1)
        if opened >= now - timedelta(hours=1):
            continue
        case = hardcases.flag(rt, sup, oid, "市政府副秘书长", opened + timedelta(days=15),
                              note="涉及多个部门职责交叉, 需市级统筹协调", now=opened)
        made["hard_cases"] += 1
        closed = opened + timedelta(days=6)
        if i == 0 and closed < now - timedelta(hours=1):
            hardcases.close(rt, sup, case["id"], "resolved",
                            "经牵头领导召集相关部门现场协调, 问题已化解", now=closed)
    made["calls"] = seed_demo_calls(rt, rnd, now)
    return made


def seed_demo_calls(rt: Runtime, rnd: random.Random, now) -> int:
    """The switch's calls of the last HISTORY_DAYS days (the centre's 接通率, 15 秒接通率,
    放弃率, 平均等待: issue 18 item 4), imported through the same service as a queue_log file:
    more calls on working days and in office hours, most answered within 15 s, a few
    abandoned in the queue or timed out at the busy hours."""
    from datetime import datetime, time

    from hotline.callcentre import service as callcentre
    from hotline.callcentre.domain import queue_log as Q
    from hotline.workorders.demo import HISTORY_DAYS
    cal = rt.config.sla_engine.calendar
    agents = list(rt.config.callcentre.agents) or ["SIP/8001"]
    today = now.astimezone(TZ).date()
    n = 0
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        events = []
        for k in range(rnd.randint(28, 40) if cal.day(day).working else rnd.randint(10, 16)):
            minute = rnd.randint(8 * 60, 21 * 60) if rnd.random() < 0.85 else \
                rnd.randint(0, 24 * 60 - 1)
            busy = 9 * 60 <= minute < 11 * 60 or 14 * 60 <= minute < 16 * 60
            enter = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=TZ) + \
                timedelta(seconds=rnd.randint(0, 59))
            callid = f"demo-{day:%Y%m%d}-{k:03d}"
            events.append(Q.make_event(enter, callid, "12345", None, Q.ENTER,
                                       ("", f"1{rnd.randrange(10**9, 10**10)}")))
            r = rnd.random()
            wait = rnd.randint(3, 14) if rnd.random() < (0.75 if busy else 0.92) else \
                rnd.randint(15, 90)
            if r < (0.07 if busy else 0.03):
                events.append(Q.make_event(enter + timedelta(seconds=wait), callid, "12345",
                                           None, Q.ABANDON, ("2", "3", str(wait))))
            elif r < (0.09 if busy else 0.04):
                events.append(Q.make_event(enter + timedelta(seconds=120), callid, "12345",
                                           None, Q.TIMEOUT, ("1", "4", "120")))
            else:
                member = rnd.choice(agents)
                talk = rnd.randint(60, 540)
                events.append(Q.make_event(enter + timedelta(seconds=wait), callid, "12345",
                                           member, Q.CONNECT, (str(wait), callid, "2")))
                events.append(Q.make_event(enter + timedelta(seconds=wait + talk), callid,
                                           "12345", member,
                                           rnd.choice([Q.COMPLETECALLER, Q.COMPLETEAGENT]),
                                           (str(wait), str(talk), "1")))
            n += 1
        callcentre.ingest(rt, events, "demo")
    return n


def seed_demo_knowledge(rt: Runtime) -> int:
    """The Dongguan demo knowledge base (config/knowledge/dongguan_seed.csv, marked demo) when
    the file is present (issue 16 item 7); re-running adds nothing unchanged."""
    from hotline.core.config import config_dir
    path = config_dir() / "knowledge" / "dongguan_seed.csv"
    if not path.exists():
        return 0
    from hotline.knowledge.service import seed_demo
    return seed_demo(rt, path)

