"""Demo appeals (written by the team for demos; not from any dataset) and a walker that moves
an order along the lifecycle to a target state through the real services."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hotline.workorders.domain.model import Actor
from hotline.workorders.domain.workflow import Role

TZ = ZoneInfo("Asia/Shanghai")

DEMO_APPEALS = [
    ("市民来电反映，所住小区物业长期不清理楼道垃圾，电梯也经常停运，物业费却年年涨，要求住建部门督促物业整改。", "property_mgmt", "complaint"),
    ("来电人称附近工地每天晚上十一点后还在打桩施工，噪声很大影响休息，要求查处夜间违规施工。", "construction_noise", "complaint"),
    ("市民反映楼下烧烤店油烟直排，整栋楼都是油烟味，要求城管部门处理。", "cooking_fumes", "complaint"),
    ("市民来电称家里从今天早上开始停水，没有收到任何停水通知，请供水公司尽快恢复供水。", "water_supply", "help"),
    ("来电反映村口路段路灯坏了一个多月，晚上漆黑一片，老人小孩出行不安全。", "street_lights", "help"),
    ("市民反映在工厂打工三个月，老板一直拖欠工资共一万二千元，现在厂里找不到人，请求帮助讨薪。", "wage_arrears", "help"),
    ("咨询孩子明年上小学，积分入学需要准备哪些材料，什么时候开始申请。", "school_admission", "consultation"),
    ("市民咨询社保断缴了两个月，现在补缴需要什么手续，会不会影响医保报销。", "social_insurance", "consultation"),
    ("来电反映某餐馆后厨卫生很差，吃完后全家腹泻，怀疑食品变质，要求市场监管部门检查。", "food_safety", "report"),
    ("市民反映在健身房办了预付卡，现在健身房突然关门，老板联系不上，要求退款。", "prepaid_card", "complaint"),
    ("来电称小区电梯经常困人，昨天又困了二十分钟，要求检查电梯安全。", "elevator_safety", "complaint"),
    ("市民反映附近河涌发黑发臭，还有死鱼漂浮，怀疑有工厂偷排污水。", "river_pollution", "report"),
    ("来电反映工业园有工厂晚上偷偷排放刺鼻废气，附近居民晚上都不敢开窗。", "industrial_pollution", "report"),
    ("市民反映公交车经常不按时到站，一等就是四十分钟，建议增加班次。", "public_transit", "suggestion"),
    ("来电反映路面出现一个大坑，已经有电动车摔倒，请尽快修补。", "road_maintenance", "help"),
    ("市民反映小区门口经常有车辆乱停乱放堵住消防通道，请交警处理。", "traffic_violation", "complaint"),
    ("市民反映路边有人长期占道摆摊卖水果，行人只能走机动车道，很危险。", "street_vending", "complaint"),
    ("来电反映邻居在天台加建铁皮房，属于违章建筑，存在安全隐患。", "illegal_building", "report"),
    ("市民反映小区垃圾桶满了三天没人清运，臭气熏天，蚊虫很多。", "sanitation", "complaint"),
    ("咨询住房公积金提取用于租房需要什么条件，每年可以提取多少。", "housing_fund", "consultation"),
    ("咨询办理居住证需要哪些材料，在哪里办理，多久可以拿到。", "household_registration", "consultation"),
    ("市民反映家里老人独居，行动不便，申请低保一直没有结果，希望民政部门帮忙。", "social_assistance", "help"),
    ("来电反映在医院看病等了三个小时，医生态度恶劣，要求处理。", "medical_service", "complaint"),
    ("咨询异地就医备案怎么办理，在外地住院能不能直接结算。", "medical_insurance", "consultation"),
    ("市民反映楼下商铺堆放大量纸箱堵住楼梯，存在火灾隐患。", "fire_safety", "report"),
    ("来电反映附近小工厂使用液化气罐没有任何安全措施，担心爆炸。", "work_safety", "report"),
    ("市民表扬镇政府工作人员上门帮助解决了困扰多年的积水问题，服务很好。", "drainage", "praise"),
    ("市民反映一下雨小区门口就严重积水，水深过膝，排水系统需要改造。", "drainage", "complaint"),
    ("咨询企业申请技术改造补贴需要满足什么条件。", "enterprise_policy", "consultation"),
    ("市民反映晚上广场舞音响声音太大，一直跳到十点多，影响学生学习。", "living_noise", "complaint"),
    ("来电反映家里经常停电，电压也不稳定，家电都烧坏了。", "power_supply", "complaint"),
    ("市民反映在政务服务中心办理业务排队太久，窗口只开了两个。", "gov_service", "suggestion"),
    ("来电反映小区管道燃气这周已经停了两次气，也没有提前通知，家里没法做饭。", "gas_supply", "complaint"),
    ("市民反映家里宽带经常断网，报修一个星期了还没有人上门处理。", "telecom", "complaint"),
]


def walk_to(rt, order_id: int, target: str, unit: str | None, city, when=None,
            dispatch: bool = False, village: str | None = None) -> list:
    """Move an order to `target` through the services (so histories are real): every step is
    a workflow action with its rules and its recorded transition, all of one order's steps in
    one unit of work (commands.act_many: one commit per order keeps seeding quick).
    `when(action)` gives the time of each step (a `Timeline`); now when omitted. `dispatch`:
    the agent dispatches it to `unit` first; `village`: the village a `village_*` target
    subdispatches to (one of the town's by default). Returns the transitions."""
    from hotline.workorders.commands import act_many
    steps: list = []
    if dispatch:
        steps.append((Actor("agent", Role.AGENT), "dispatch", {"data": {"unit": unit}},
                      when("dispatch") if when else None))
    _plan_steps(steps, order_id, target, unit, city, when, village)
    return act_many(rt, order_id, steps) if steps else []


def _plan_steps(steps: list, order_id: int, target: str, unit: str | None, city, when,
                village: str | None = None) -> None:
    agent = Actor("agent", Role.AGENT)
    disp = Actor("dispatcher", Role.DISPATCHER)
    sup = Actor("supervisor", Role.SUPERVISOR)
    dept = Actor(unit or "", Role.DEPARTMENT, unit)

    def do(actor, action, reason=None, **data):
        steps.append((actor, action, {"reason": reason, "data": data},
                      when(action) if when else None))

    if target == "answered_directly":
        return do(agent, "answer", reply="已根据知识库答复市民")
    if target == "not_accepted":
        return do(agent, "not_accept", "属于诉讼程序处理事项, 已告知市民依法通过诉讼途径解决")
    if target == "transferred_emergency":
        return do(agent, "transfer_emergency", None, line="110")
    if target in ("registered_queue", "dispatched", "registered", "merged"):
        return
    if target == "return_requested":
        return do(dept, "request_return", "该事项不属于本单位职责", legal_basis="三定方案",
                  suggested_unit="town_dongcheng")
    do(dept, "sign")
    if target == "signed":
        return
    do(dept, "contact", note="已电话联系市民")
    if target == "in_progress":
        return
    if target.startswith("village_"):        # 二级派单 (issue 17; docs/design/domain.md §6.8)
        village = village or city.villages_of(unit)[order_id % len(city.villages_of(unit))].code
        do(dept, "subdispatch", unit=village, note="请核实现场情况并处理")
        if target == "village_dispatched":
            return
        vil = Actor(village, Role.DEPARTMENT, village)
        do(vil, "sign")
        if target == "village_signed":
            return
        do(vil, "village_report", report="已到现场核实, 问题已处理完毕。")
        if target == "village_reported":
            return
        # the town reviews the village's report, then replies to the citizen itself
        do(dept, "accept_village_report")
        target = target[len("village_"):]          # village_return_visit -> return_visit
    if target == "extension_requested":
        return do(dept, "request_extension", "需协调多个部门现场核查", days=3)
    if target == "suspended":
        do(dept, "request_suspension", "市民外出, 约定下周现场核查")
        return do(disp, "approve_suspension", "理由充分, 同意挂起")
    do(dept, "reply", reply="经现场核查, 已督促整改完毕, 并已电话告知市民。")
    if target == "replied":
        return
    do(disp, "accept_reply")
    if target == "return_visit":
        return
    if target == "closed":
        return do(disp, "close")
    if target == "reopened":
        return do(sup, "reopen", "市民反映问题未解决, 经核实属单位主观原因")
    if target == "closed_unreasonable":
        return do(sup, "close_unreasonable", "诉求超出政策规定, 已多次解释, 作最终答复")


# --- when things happen (issue 14: every step used to be stamped at seeding time, so every
# handling-time median was 0 h and orders received days ago were dispatched "late") ---------
# The steps of each demo order are spread over the last HISTORY_DAYS days as a centre sees
# them: calls arrive mostly on working days in office hours (the line is open 24x7, so some
# come in the evening or at the weekend); agents dispatch at intake within minutes; units
# sign and reply in their working hours, mostly within the clocks (docs/design/domain.md §4),
# a few late (LATE_SHARE), so the overdue lists are not empty.
HISTORY_DAYS = 60
LATE_SHARE = 0.08
WORK_START, WORK_END = time(8, 30), time(18, 0)
_REPLY_DAYS = {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15}


class DaySchedule:
    """Which day each demo order is received: a deterministic cycle over the last
    HISTORY_DAYS days, every working day first (so every working day of the previous
    calendar month has orders once there are a few dozen of them), then every day."""

    def __init__(self, rnd: random.Random, today: date, cal):
        self.cal = cal      # the runtime's working calendar (rt.config.sla_engine.calendar)
        days = [today - timedelta(days=i) for i in range(1, HISTORY_DAYS + 1)]
        working = [d for d in days if cal.day(d).working]
        rnd.shuffle(working)
        rest = list(days)
        rnd.shuffle(rest)
        self.order = [days[-1]] + working + rest     # the oldest day first: the full span
        self.i = 0

    def next(self) -> date:
        d = self.order[self.i % len(self.order)]
        self.i += 1
        return d


class Timeline:
    """The times of one order's steps, each after the previous one and never in the future."""

    def __init__(self, rnd: random.Random, received: datetime, appeal_type: str | None,
                 now: datetime, cal, fast: bool = False):
        self.rnd, self.t, self.now, self.fast = rnd, received, now, fast
        self.received = received
        self.reply_days = _REPLY_DAYS.get(appeal_type or "", 10)
        self.late = rnd.random() < LATE_SHARE
        self.cal = cal

    def _working(self, t: datetime) -> datetime:
        """The first office-hours moment at or after `t` (units work office hours)."""
        if self.fast:
            return t
        local = t.astimezone(TZ)
        for _ in range(30):
            if self.cal.day(local.date()).working:
                start = datetime.combine(local.date(), WORK_START, tzinfo=TZ)
                if local < start:
                    return start + timedelta(minutes=self.rnd.randint(0, 60))
                if local.time() < WORK_END:
                    return local
            local = datetime.combine(local.date() + timedelta(days=1), WORK_START, tzinfo=TZ)
        return local

    def _after_working_days(self, n: float) -> datetime:
        """About n working days after the current step, in office hours."""
        t = self._working(self.t)
        whole, part = int(n), n - int(n)
        for _ in range(whole):
            t = self._working(t + timedelta(days=1))
        return self._working(t + timedelta(hours=part * 9))

    def __call__(self, action: str) -> datetime:
        r, fast = self.rnd, self.fast
        m = lambda a, b: timedelta(minutes=r.randint(a, b))   # noqa: E731
        if action in ("dispatch", "queue", "answer", "not_accept", "transfer_emergency",
                      "merge"):
            # at intake, 24x7, within the tightest dispatch clock (urgent and rapid-response
            # orders: 5 minutes, config/sla.yaml dispatch_queue)
            t = self.t + m(1, 4)
        elif fast:
            t = self.t + m(10, 90)
        elif action == "sign":
            t = self._after_working_days(1.4) if self.late else self._working(self.t) + m(5, 150)
        elif action in ("contact", "request_return"):
            t = self._working(self._working(self.t) + m(20, 300))
        elif action == "reply":
            limit = self.reply_days
            n = r.uniform(limit + 0.5, limit + 3) if self.late else \
                r.uniform(0.2, max(0.6, min(limit - 0.5, 5)))
            t = self._after_working_days(n)
        elif action in ("request_extension", "request_suspension"):
            t = self._after_working_days(r.uniform(0.5, 2))
        elif action in ("approve_suspension", "accept_reply"):
            t = self._working(self._working(self.t) + m(30, 360))
        else:                                           # close / reopen / final reply after 回访
            t = self._after_working_days(r.uniform(0.5, 3))
        # never in the future, always after the previous step (a safety net for the few
        # chains `plan` could only estimate)
        t = max(self.t + timedelta(seconds=30), min(t, self.now - timedelta(minutes=1)))
        self.t = t.astimezone(TZ)
        return self.t.astimezone(timezone.utc)    # stored as UTC (SQLite keeps no offset)


def received_time(rnd: random.Random, day: date) -> datetime:
    """Mostly office hours; the line is open 24x7, so some calls come early or late."""
    if rnd.random() < 0.85:
        minute = rnd.randint(8 * 60 + 30, 20 * 60)
    else:
        minute = rnd.randint(7 * 60, 23 * 60 + 30)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=TZ) + \
        timedelta(seconds=rnd.randint(0, 59))


STEPS = {"registered": 0, "registered_queue": 1, "merged": 1, "answered_directly": 1,
         "not_accepted": 1, "transferred_emergency": 1, "dispatched": 1, "return_requested": 2,
         "signed": 2, "in_progress": 3, "extension_requested": 4, "replied": 4,
         "suspended": 5, "return_visit": 5, "closed": 6, "reopened": 6,
         "closed_unreasonable": 6,
         "village_dispatched": 3, "village_signed": 3, "village_reported": 4}


FINISHED_TARGETS = frozenset({"closed", "closed_unreasonable", "answered_directly",
                              "not_accepted", "transferred_emergency", "merged"})
OLD_WAITING_SHARE = 0.2      # orders left waiting for weeks: the overdue lists' demo


def _fits(rnd, received, appeal_type, steps, now, fast, cal) -> bool:
    """Would the chain of `steps` from `received` end before `now`? (a dry run that leaves
    the random generator as it was, so the real run draws the same delays)"""
    if received >= now - timedelta(minutes=30):
        return False
    state = rnd.getstate()
    probe = Timeline(rnd, received, appeal_type, now + timedelta(days=365), cal, fast)
    last = max([probe(a) for a in steps], default=received)
    rnd.setstate(state)
    return last < now - timedelta(minutes=5)


def plan(rnd: random.Random, schedule: DaySchedule, target: str, appeal_type: str | None,
         now: datetime) -> Timeline:
    """A timeline for an order walked to `target` that ends before `now`. An order still
    waiting on someone took its last step recently (its clock runs, mostly within time), but
    OLD_WAITING_SHARE of them were left for weeks (the overdue lists); finished orders take
    the next day of the schedule. A chain that would reach into the future is run fast, then
    moved a day earlier until it fits."""
    steps = ["dispatch", "sign", "contact", "reply", "accept_reply", "close"][
        :STEPS.get(target, 6)]
    if target not in FINISHED_TARGETS and rnd.random() >= OLD_WAITING_SHARE:
        back = timedelta(0)
        for _ in range(200):            # the latest received time whose chain has ended
            back += timedelta(minutes=rnd.randint(60, 240))
            if _fits(rnd, now - back, appeal_type, steps, now, False, schedule.cal):
                return Timeline(rnd, now - back, appeal_type, now, schedule.cal)
    day = schedule.next()
    received = received_time(rnd, day)
    # the drawn time; run fast; early the same morning (the day stays covered); days earlier
    early = datetime.combine(day, time(7, rnd.randint(0, 59)), tzinfo=TZ)
    tries = [(received, False), (received, True), (min(received, early), True)] + \
        [(min(received, early) - timedelta(days=k), True) for k in range(1, 30)]
    for at, fast in tries:
        if _fits(rnd, at, appeal_type, steps, now, fast, schedule.cal):
            return Timeline(rnd, at, appeal_type, now, schedule.cal, fast)
    return Timeline(rnd, tries[-1][0], appeal_type, now, schedule.cal, True)


# --- the previous calendar month as a centre's month looks (issue 18: the bulletin ranks each
# tier, and a unit needs `min_sample` scored orders to be ranked, config/scoring.yaml) -------
# Workload is not spread evenly over 671 units: most orders go to the busiest ones. The month's
# orders are drawn per tier: the busiest units (towns by census population, departments and
# utilities by how many of the demo's matters they own) get a ranked month's worth each, a few
# smaller ones get a handful (listed, below the sample); the villages of DEMO_VILLAGE_TOWNS get
# subdispatched orders (二级派单). Each unit has a standard of service (`quality`) that decides
# how often it is late and what its callers answer on the return visit, so rankings, the 红黑榜
# and the units below the pass line differ as they would in a real month.
MONTH_BUSY = {"department": 6, "town": 5, "utility": 4, "village": 3}   # ranked units per tier
MONTH_SAMPLE = (12, 17)      # orders of a busy unit: above config/scoring.yaml min_sample (10)
# even after the few that leave the sample (最终答复, an approved return)
MONTH_FEW = (1, 6)           # orders of a smaller unit (listed, not ranked)
MONTH_SMALL = {"department": 8, "town": 10, "utility": 1, "village": 2}
# what happened to a month's order (the rest: answered on the return visit, then closed)
MONTH_OUTCOMES = (("visit", 0.80), ("reopened", 0.05), ("closed_unreasonable", 0.04),
                  ("in_progress", 0.06), ("suspended", 0.05))
VILLAGE_OUTCOMES = (("village_visit", 0.75), ("village_reported", 0.08),
                    ("village_signed", 0.10), ("village_dispatched", 0.07))
QUALITY = ((0.50, 0.68), (0.72, 0.86), (0.88, 0.98))     # poor, middling, good
HARD_CASES = 2               # orders of the month listed as 疑难工单 (挂牌督办)


def previous_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def month_days(today: date, cal) -> list[date]:
    """The days of the previous calendar month the demo may use: inside the last HISTORY_DAYS
    days (issue 14; a 31st after a 31-day month would reach 61 days back), working days first
    listed as many times as they weigh (calls come mostly on working days)."""
    first, last = previous_month(today)
    first = max(first, today - timedelta(days=HISTORY_DAYS))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days for _ in range(4 if cal.day(d).working else 1)]


def _owners(city) -> dict[str, list[int]]:
    """Demo appeal indexes by the unit that owns their matter ("town" for 属地 matters)."""
    out: dict[str, list[int]] = {}
    for i, (_, category, _) in enumerate(DEMO_APPEALS):
        out.setdefault(city.unit_for(category, "town"), []).append(i)
    return out


def month_units(rnd: random.Random, city, village_towns) -> list[dict]:
    """Which units get how many of the previous month's orders, each with its `quality`: per
    tier the busiest MONTH_BUSY units get MONTH_SAMPLE orders, MONTH_SMALL others MONTH_FEW
    (population-weighted for towns). Every tier's busy units span the three standards, so each
    tier has a poor unit (below the pass line) and a good one."""
    owners = _owners(city)
    units = city.units

    def busiest(codes, key):
        return sorted(codes, key=lambda c: (-key(c), c))

    def pop(c):
        return getattr(units.get(c), "population", None) or 100_000

    tiers = {
        "department": busiest([c for c in owners if c in units and
                               units[c].kind == "department"], lambda c: len(owners[c])),
        "utility": busiest([c for c in owners if c in units and units[c].kind == "utility"],
                           lambda c: len(owners[c])),
    }
    towns = list(city.towns)
    # the towns whose villages have demo users come first: their villages need their orders
    tiers["town"] = list(village_towns) + [t for t in busiest(towns, pop)
                                           if t not in village_towns]
    out = []
    for tier, codes in tiers.items():
        busy, rest = codes[:MONTH_BUSY[tier]], codes[MONTH_BUSY[tier]:]
        small = []
        while rest and len(small) < MONTH_SMALL[tier]:
            pick = rnd.choices(rest, [pop(c) for c in rest])[0] if tier == "town" \
                else rnd.choice(rest)
            rest.remove(pick)
            small.append(pick)
        out += _with_quality(rnd, busy, MONTH_SAMPLE, tier)
        out += _with_quality(rnd, small, MONTH_FEW, tier)
    for town in village_towns:                  # 二级派单: the villages of the demo towns
        villages = [v.code for v in city.villages_of(town)]
        rnd.shuffle(villages)
        busy = villages[:MONTH_BUSY["village"]]
        small = villages[MONTH_BUSY["village"]:MONTH_BUSY["village"] + MONTH_SMALL["village"]]
        for v in _with_quality(rnd, busy, MONTH_SAMPLE, "village") + \
                _with_quality(rnd, small, MONTH_FEW, "village"):
            out.append({**v, "town": town})
    return out


def _with_quality(rnd, codes, counts, tier) -> list[dict]:
    levels = [QUALITY[i % len(QUALITY)] for i in range(len(codes))]
    rnd.shuffle(levels)
    return [{"unit": c, "tier": tier, "n": rnd.randint(*counts),
             "quality": rnd.uniform(*lv)} for c, lv in zip(codes, levels)]


def month_orders(rnd: random.Random, city, today: date, cal, village_towns) -> list[dict]:
    """The previous month's orders: unit, town, appeal, outcome, received day, the unit's
    quality; in received order."""
    owners = _owners(city)
    days = month_days(today, cal)
    out = []
    for u in month_units(rnd, city, village_towns):
        for _ in range(u["n"]):
            if u["tier"] == "village":
                town, unit, appeals = u["town"], u["town"], owners.get("town", [])
                outcome = _draw(rnd, VILLAGE_OUTCOMES)
            elif u["tier"] == "town":
                town, unit, appeals = u["unit"], u["unit"], owners.get("town", [])
                outcome = _draw(rnd, MONTH_OUTCOMES)
            else:
                towns = list(city.towns)
                town = rnd.choices(towns, [getattr(city.units[t], "population", None)
                                           or 100_000 for t in towns])[0]
                unit, appeals = u["unit"], owners[u["unit"]]
                outcome = _draw(rnd, MONTH_OUTCOMES)
            out.append({"unit": unit, "town": town, "tier": u["tier"],
                        "village": u["unit"] if u["tier"] == "village" else None,
                        "appeal": rnd.choice(appeals), "outcome": outcome,
                        "day": rnd.choice(days), "quality": u["quality"]})
    out.sort(key=lambda o: o["day"])
    return out


def _draw(rnd, table) -> str:
    r, acc = rnd.random(), 0.0
    for value, share in table:
        acc += share
        if r < acc:
            return value
    return table[0][0]


def visit_answer(rnd: random.Random, quality: float) -> dict:
    """A caller's return-visit answer at a unit of this standard of service."""
    def grade(labels):
        r = rnd.random()
        return labels[0] if r < quality else labels[1] if r < quality + (1 - quality) / 2 \
            else labels[2]
    return {"contacted": rnd.random() < min(0.99, quality + 0.1),
            "resolved": grade(("已解决", "部分解决", "未解决")),
            "satisfaction": grade(("满意", "基本满意", "不满意"))}


def month_timeline(rnd: random.Random, order: dict, appeal_type, actions: list[str],
                   now: datetime, cal) -> Timeline:
    """A timeline for one of the month's orders received on its day that ends before `now`
    (a unit of poorer quality is late more often); early the same day, fast, when not."""
    late = rnd.random() < (1 - order["quality"]) * 0.7
    received = received_time(rnd, order["day"])
    early = datetime.combine(order["day"], time(7, rnd.randint(0, 59)), tzinfo=TZ)
    for at, fast, is_late in ((received, False, late), (received, False, False),
                              (min(received, early), True, False)):
        state = rnd.getstate()
        probe = Timeline(rnd, at, appeal_type, now + timedelta(days=365), cal, fast)
        probe.late = is_late
        end = max([probe(a) for a in actions], default=at)
        rnd.setstate(state)
        if end < now - timedelta(minutes=5):
            break
    t = Timeline(rnd, at, appeal_type, now, cal, fast)
    t.late = is_late
    return t


def step_actions(target: str, unit: str, city, village: str | None, visit: bool) -> list[str]:
    """The actions `walk_to` takes to reach `target` (after the dispatch), plus the visit."""
    steps: list = []
    _plan_steps(steps, 0, target, unit, city, None, village)
    return ["dispatch"] + [a for _, a, _, _ in steps] + (["close"] if visit else [])
