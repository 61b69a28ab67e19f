"""Clocks derived from the order's history (append-only transition records).

Nothing here is stored: give the order's facts and its history, get every deadline back, so a
change of category, policy or calendar is a recomputation (docs/design/architecture.md §3.2).

Clocks (``Deadline.clock``) and targets (``legal`` = Guangdong's limits, ``pledge`` = Dongguan's
service pledge, kept side by side):

* ``dispatch`` (pledge): the centre's dispatcher queue, from receipt.
* ``sign`` / ``contact`` / ``onsite``: PER-OWNER handling clocks. They start at the dispatch
  to a unit (not at signing); an approved return or an arbitration (data["unit"] = the new
  owner) starts a fresh set for the new owner and ends the old owner's set.
* ``reply``: the CITIZEN clock, from receipt, never reset by a change of owner. A ``reopen``
  (重办) adds a new reply clock of 3 working days (and sign/contact clocks) for the same unit.
* ``feedback`` (critical orders, pledge): first feedback within 2 hours of receipt.

Pauses: approved suspensions (``approve_suspension`` .. ``resume``) are audited intervals. A
natural-time clock moves by the paused seconds. A working-day clock moves by the number of
paused working days, where a working day counts as paused when the order was suspended at its
end (23:59:59): working days d with start.date() <= d < resume.date(). A suspension that has
not been resumed is counted up to ``now`` and reported in ``paused_since``.

Extensions: ``approve_extension`` (data {"days": n}) moves the running LEGAL reply clock by n
working days; ``extended_from`` keeps the due time without extensions for statistics.
A clock is overdue from the second after ``due`` (end of a working day -> 00:00 next day).

二级派单 (issue 17, docs/design/domain.md §6.8): a ``subdispatch`` starts the village's own
``village_sign`` and ``village_report`` clocks (legal target, owner = the village; config/sla.yaml
village), inside the town's: the report is due no later than ``reserve_working_days`` before
the citizen clock. The town's clocks run on, unchanged.

协办 (issue 17, docs/design/domain.md §4.9): each assisting unit's task is an ``assist`` clock
(target ``assist``, owner = the assisting unit) from the task's start to its deadline, met by
the unit's first ``assist_input``. It warns like any clock, and has its own ladder
(config/sla.yaml assist.escalation) recorded with data {"clock": "assist", "owner": unit};
the order's ladder ignores it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from hotline.sla.domain.calendar import WorkCalendar, as_local, end_of_day
from hotline.sla.domain.policy import Policy
from hotline.sla.domain.timeleft import TimeLeft, time_left
from hotline.workorders.domain.workflow import OWNER_ACTIONS as _OWNER_ACTIONS
from hotline.workorders.domain.workflow import REOPEN_ACTIONS

# the actions that start a new owner's handling clocks: the transition table says which
OWNER_ACTIONS = _OWNER_ACTIONS
CLOSE_ACTIONS = frozenset({"close", "close_unreasonable", "answer", "not_accept",
                           "transfer_emergency", "merge"})
DISPATCH_MET = frozenset({"dispatch", "answer", "not_accept", "transfer_emergency", "merge"})
# issue 17: a repeat linked to its earlier order ends there; a transfer to another platform
# needs no dispatch and ends with the receiver's answer or the centre's closing of it
CLOSE_ACTIONS = CLOSE_ACTIONS | {"link_repeat", "transfer_answer", "transfer_close"}
DISPATCH_MET = DISPATCH_MET | {"transfer_platform", "link_repeat"}
_ORDER = ("dispatch", "sign", "contact", "onsite", "feedback", "reply",
          "village_sign", "village_report", "assist")
# a village's episode ends at its hand-back or the town's acceptance (docs/design/domain.md §6.8)
VILLAGE_END = frozenset({"village_return", "accept_village_report", "subdispatch"})
ONE_SECOND = dt.timedelta(seconds=1)
_URGENCY_ZH = {"normal": "一般", "urgent": "紧急", "critical": "特急"}
_APPEAL_ZH = {"consultation": "咨询", "help": "求助", "complaint": "投诉", "report": "举报",
              "suggestion": "建议", "praise": "表扬"}


@dataclass(frozen=True)
class OrderFacts:
    """The order facts clocks depend on (any object with these attributes will do)."""
    received_at: dt.datetime
    appeal_type: str
    urgency: str = "normal"
    rapid_item: str | None = None


@dataclass(frozen=True)
class Transition:
    """A history record as clocks read it (the dispatch package's records duck-type this)."""
    action: str
    at: dt.datetime
    data: dict = field(default_factory=dict)
    to_status: str | None = None
    unit: str | None = None          # the actor's unit (a 协办 input names its unit)


@dataclass(frozen=True)
class Deadline:
    clock: str                       # dispatch | sign | contact | onsite | reply | feedback
    target: str                      # legal | pledge
    due: dt.datetime
    started_at: dt.datetime
    met_at: dt.datetime | None
    provisional: bool
    paused_seconds: int
    extended_from: dt.datetime | None
    reason: str
    owner: str | None = None         # the unit for per-owner clocks
    ended_at: dt.datetime | None = None      # stopped unmet (owner changed, replied, closed)
    paused_since: dt.datetime | None = None  # an approved suspension not yet resumed
    explain: tuple[str, ...] = ()
    natural: bool = False            # minutes in natural time (7x24), not working days (docs/design/domain.md §5.4)

    @property
    def stopped_at(self) -> dt.datetime | None:
        return self.met_at or self.ended_at

    def running_at(self, now: dt.datetime) -> bool:
        s = self.stopped_at
        return self.started_at <= now and (s is None or s > now)

    @property
    def overdue_at(self) -> dt.datetime:
        return self.due + ONE_SECOND


@dataclass(frozen=True)
class EscalationStep:
    action: str                      # urge | supervise | escalate_leader
    due_at: dt.datetime
    overdue_since: dt.datetime       # the episode: when the earliest running clock went overdue
    deadline: Deadline               # that clock

    def record_data(self) -> dict:
        """The ``data`` to store on the history record of this step (JSON-safe)."""
        d = self.deadline
        return {"auto": True, "clock": d.clock, "target": d.target, "due": d.due.isoformat(),
                "owner": d.owner, "step_due": self.due_at.isoformat()}


def _get(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


class SlaEngine:
    """Policy + calendar."""

    def __init__(self, policy: Policy | None = None, calendar: WorkCalendar | None = None):
        self.policy = policy or Policy()
        self.calendar = calendar or self.policy.calendar()

    # --- deadlines -------------------------------------------------------------------------
    def deadlines(self, order, history, now: dt.datetime | None = None) -> list[Deadline]:
        """Every deadline of the order, derived from its facts and its history."""
        p = self.policy
        received = as_local(_get(order, "received_at"))
        appeal = _get(order, "appeal_type")
        urgency = _get(order, "urgency") or "normal"
        item_code = _get(order, "rapid_item")
        item = p.rapid_items.get(item_code) if item_code else None
        pledge = p.on_pledge(urgency, item_code)
        ev = sorted(((as_local(_get(h, "at")), i, _get(h, "action"), _get(h, "data") or {})
                     for i, h in enumerate(history)), key=lambda e: (e[0], e[1]))
        ev = [(t, a, d) for t, _, a, d in ev]
        now = as_local(now) if now else None
        closed_at = next((t for t, a, _ in ev if a in CLOSE_ACTIONS), None)
        pauses = self._pauses(ev, now)
        out: list[Deadline] = []
        mk = _Maker(self, pauses)

        # the centre's dispatcher queue
        met = next((t for t, a, _ in ev if a in DISPATCH_MET), None)
        if urgency in ("urgent", "critical"):
            out.append(mk.natural("dispatch", "pledge", received, p.dispatch_urgent_minutes,
                                  met, None, f"{_URGENCY_ZH.get(urgency, urgency)}工单 "
                                  f"{p.dispatch_urgent_minutes} 分钟内派单"))
        else:
            out.append(mk.fixed("dispatch", "pledge", received, self._dispatch_due(received),
                                met, None, f"{p.dispatch_cutoff:%H:%M} 前受理当日派出，否则次一工作日 "
                                f"{p.dispatch_cutoff:%H:%M} 前"))

        # per-owner handling clocks
        episodes = [(i, t, d.get("unit"), a) for i, (t, a, d) in enumerate(ev)
                    if a in OWNER_ACTIONS or a in REOPEN_ACTIONS]
        owner = None
        for k, (i, start, unit, kind) in enumerate(episodes):
            owner = owner if kind in REOPEN_ACTIONS else unit
            end = episodes[k + 1][1] if k + 1 < len(episodes) else None
            stop = min((x for x in (end, closed_at) if x is not None and x >= start),
                       default=None)
            window = [(t, a) for t, a, _ in ev[i + 1:] if stop is None or t <= stop]

            def first(actions, window=window):
                return next((t for t, a in window if a in actions), None)

            replied = first({"reply"})
            label = "重办" if kind in REOPEN_ACTIONS else "派单"
            out.append(mk.working("sign", "legal", start, p.sign_working_days, first({"sign"}),
                                  stop, f"{label}后 {p.sign_working_days} 个工作日内签收", owner))
            if appeal not in p.no_contact_clock:
                c_end = _min(stop, replied)
                out.append(mk.working("contact", "legal", start, p.contact_working_days,
                                      first({"contact"}), c_end,
                                      f"{label}后 {p.contact_working_days} 个工作日内联系市民", owner))
            if kind in REOPEN_ACTIONS:
                out.append(mk.working("reply", "legal", start, p.reopen_reply_working_days,
                                      replied, stop, f"重办 {p.reopen_reply_working_days} "
                                      "个工作日内答复", owner, extendable=True, ev=ev))
                continue
            if pledge:
                why = f"快速响应事项 {item.name}" if item else \
                    f"{_URGENCY_ZH.get(urgency, urgency)}工单"
                c_min = item.contact_minutes if item else p.pledge_contact_minutes
                o_min = item.onsite_minutes if item else p.pledge_onsite_minutes
                out.append(mk.natural("sign", "pledge", start, p.pledge_sign_minutes,
                                      first({"sign"}), stop,
                                      f"{why}：即时签收（{p.pledge_sign_minutes} 分钟）", owner))
                out.append(mk.natural("contact", "pledge", start, c_min, first({"contact"}),
                                      _min(stop, replied),
                                      f"{why}：{c_min} 分钟内联系市民", owner))
                if o_min:
                    out.append(mk.natural("onsite", "pledge", start, o_min, first({"onsite"}),
                                          _min(stop, replied),
                                          f"{why}：{o_min} 分钟内到达现场", owner))

        # the citizen clock(s), from receipt, never reset by a change of owner
        first_reply = self._reply_met(ev)
        days = p.reply_days.get(appeal)
        zh = _APPEAL_ZH.get(appeal, appeal)
        if days:
            out.append(mk.working("reply", "legal", received, days, first_reply, closed_at,
                                  f"{zh}：法定答复时限 {days} 个工作日（自受理次日起）",
                                  extendable=True, ev=ev, end_before_reopen=True))
        if pledge:
            fdays = item.finish_working_days if item else p.pledge_finish_working_days
            why = f"快速响应事项 {item.name}" if item else \
                f"{_URGENCY_ZH.get(urgency, urgency)}工单"
            d = mk.working("reply", "pledge", received, fdays, first_reply, closed_at,
                           f"{why}：承诺 {fdays} 个工作日办结")
            if urgency == "critical":
                d2 = mk.natural("reply", "pledge", received, p.critical_final_reply_minutes,
                                first_reply, closed_at,
                                f"特急工单：{p.critical_final_reply_minutes // 60} 小时内最终答复")
                d = min(d, d2, key=lambda x: x.due)
            out.append(d)
        if urgency == "critical":
            met = next((t for t, a, _ in ev if a in p.feedback_met_by), None)
            out.append(mk.natural("feedback", "pledge", received, p.critical_feedback_minutes,
                                  met, closed_at,
                                  f"特急工单：{p.critical_feedback_minutes // 60} 小时内首次反馈"))
        out += self._village_clocks(mk, ev, closed_at, out)
        out += self._assist_clocks(history, closed_at)
        return sorted(out, key=lambda d: (d.started_at, _ORDER.index(d.clock), d.target))

    # --- issue 17: 二级派单 and 协办 clocks ------------------------------------------------------
    def _village_clocks(self, mk, ev, closed_at, town_clocks) -> list[Deadline]:
        """The village's sign and report clocks of each subdispatch (docs/design/domain.md §6.8),
        the report capped inside the town's citizen clock."""
        p, out = self.policy, []
        reply = min((d.due for d in town_clocks if d.clock == "reply" and d.owner is None
                     and d.target == "legal"), default=None)
        for i, (start, a, d) in enumerate(ev):
            if a != "subdispatch":
                continue
            village = d.get("unit")
            rest = ev[i + 1:]
            end = next((t for t, x, _ in rest if x in VILLAGE_END | OWNER_ACTIONS), None)
            stop = _min(end, closed_at)
            window = [(t, x) for t, x, _ in rest if stop is None or t <= stop]
            signed = next((t for t, x in window if x == "sign"), None)
            reported = next((t for t, x in window if x == "village_report"), None)
            out.append(mk.working("village_sign", "legal", start, p.village_sign_working_days,
                                  signed, stop, f"镇街派至村（社区）后 {p.village_sign_working_days}"
                                  " 个工作日内签收", village))
            rep = mk.working("village_report", "legal", start, p.village_report_working_days,
                             reported, stop, f"镇街派至村（社区）后 {p.village_report_working_days}"
                             " 个工作日内上报办理结果", village)
            if reply is not None:
                cap = self._working_days_before(reply, p.village_reserve_working_days)
                if cap < rep.due:
                    rep = replace(rep, due=max(cap, start), reason=rep.reason +
                                  f"（不晚于镇街答复时限前 {p.village_reserve_working_days} 个工作日）",
                                  explain=rep.explain + (f"镇街答复时限 {reply.isoformat()}，"
                                                         f"上报时限提前至 {cap.isoformat()}",))
            out.append(rep)
        return out

    def _working_days_before(self, due: dt.datetime, n: int) -> dt.datetime:
        day = due.date()
        while n > 0:
            day -= dt.timedelta(days=1)
            if self.calendar.is_working_day(day):
                n -= 1
        return end_of_day(day) if n == 0 and day != due.date() else due

    def _assist_clocks(self, history, closed_at) -> list[Deadline]:
        """One clock per 协办 task, to its own deadline (docs/design/domain.md §4.9)."""
        out: dict[str, Deadline] = {}
        hist = sorted(history, key=lambda h: as_local(_get(h, "at")))
        for h in hist:
            action, data = _get(h, "action"), _get(h, "data") or {}
            tasks = (data.get("assist") or []) if action == "dispatch" else \
                [data] if action == "add_assist" else []
            at = as_local(_get(h, "at"))
            for task in tasks:
                unit, due = task.get("unit"), task.get("due")
                if not unit or not due:
                    continue
                due = as_local(dt.datetime.fromisoformat(str(due)))
                met = next((as_local(_get(x, "at")) for x in hist
                            if _get(x, "action") == "assist_input" and _get(x, "unit") == unit
                            and as_local(_get(x, "at")) >= at), None)
                reason = f"协办任务：{task.get('task') or ''}（期限 {due.isoformat()}）"
                out[unit] = Deadline("assist", "assist", due, at, met,
                                     self.calendar.is_provisional(at.date(), due.date()), 0,
                                     None, reason, unit, None if met else closed_at, None,
                                     (reason,))
        return list(out.values())

    def _assist_steps(self, deadlines, history, now) -> list[EscalationStep]:
        """Each overdue 协办 task's own ladder (config/sla.yaml assist.escalation): a step is
        recorded once per task, as the ladder action with data clock "assist", owner = unit."""
        out = []
        for d in deadlines:
            if d.target != "assist" or not d.running_at(now) or d.overdue_at > now:
                continue
            done = {_get(h, "action") for h in history
                    if (_get(h, "data") or {}).get("clock") == "assist"
                    and (_get(h, "data") or {}).get("owner") == d.owner
                    and as_local(_get(h, "at")) >= d.started_at}
            for s in self.policy.assist_steps:
                at = d.overdue_at if s.after_working_days == 0 else \
                    self.calendar.add_working_days(d.due, s.after_working_days)
                if s.action not in done:
                    out.append(EscalationStep(s.action, at, d.overdue_at, d))
        return out

    def _reply_met(self, ev):
        """The citizen clock is met by a reply the centre did not send back (回退)."""
        met = None
        for t, a, _ in ev:
            if a in REOPEN_ACTIONS:
                break
            if a == "reply" and met is None:
                met = t
            elif a == "send_back":
                met = None
        return met

    def _dispatch_due(self, received: dt.datetime) -> dt.datetime:
        cut = self.policy.dispatch_cutoff
        if self.calendar.is_working_day(received.date()) and received.time() < cut:
            return end_of_day(received.date())
        nxt = self.calendar.next_working_day(received.date())
        return dt.datetime.combine(nxt, cut, tzinfo=received.tzinfo)

    def _pauses(self, ev, now):
        out, since = [], None
        for t, a, _ in ev:
            if a == "approve_suspension" and since is None:
                since = t
            elif a in {"resume"} | CLOSE_ACTIONS and since is not None:
                out.append((since, t, False))
                since = None
        if since is not None:
            out.append((since, max(now, since) if now else since, True))
        return out

    @staticmethod
    def clock_is_natural(clock: str, target: str, urgency: str | None) -> bool:
        """Whether a stored clock (sla_order_state: clock, target) runs in natural time, as
        `deadlines` builds it: urgent dispatch, every pledge sign/contact/onsite/feedback
        clock, and a critical order's pledge reply (its 24 h beats the working-day finish);
        everything else counts working days (docs/design/domain.md §5.4, §5.6)."""
        if clock == "dispatch":
            return urgency in ("urgent", "critical")
        if clock in ("sign", "contact", "onsite", "feedback"):
            return target == "pledge"
        return clock == "reply" and target == "pledge" and urgency == "critical"

    def time_left(self, due: dt.datetime, now: dt.datetime, natural: bool = False) -> TimeLeft:
        """Time left to `due` (negative: how late), in working time unless `natural`."""
        return time_left(self.calendar, due, now, natural)

    # --- status, warnings, escalation --------------------------------------------------------
    def status_at(self, d: Deadline, now: dt.datetime) -> str:
        """ok / warning / overdue. A stopped clock is overdue when it stopped after its due."""
        now = as_local(now)
        s = d.stopped_at
        if s is not None and s <= now:
            return "overdue" if s > d.due else "ok"
        if now > d.due:
            return "overdue"
        w = self.warning_instants(d)
        return "warning" if w and now >= w[0][1] else "ok"

    def warning_instants(self, d: Deadline) -> list[tuple[str, dt.datetime]]:
        """(label, instant) for each configured warning, earliest first."""
        span = d.due - d.started_at
        out = [(f"{int(f * 100)}%", d.started_at + span * f) for f in self.policy.warn_fractions]
        out += [(f"{m}min", d.due - dt.timedelta(minutes=m)) for m in self.policy.warn_lead_minutes
                if dt.timedelta(minutes=m) < span]
        return sorted(out, key=lambda x: x[1])

    def _ladder(self, deadlines, history, now):
        """The ladder of the current handling period (since the latest dispatch, approved
        return, arbitration or reopen): steps are anchored on the earliest clock of the period
        that went overdue, and exist only while some clock is running overdue."""
        targets = self.policy.escalation_targets
        starts = [as_local(_get(h, "at")) for h in history
                  if _get(h, "action") in OWNER_ACTIONS | REOPEN_ACTIONS
                  and as_local(_get(h, "at")) <= now]
        period = max(starts, default=None)
        if not any(d.target in targets and d.running_at(now) and d.overdue_at <= now
                   for d in deadlines):
            return period, []
        went = [d for d in deadlines if d.target in targets and d.overdue_at <= now
                and (d.stopped_at is None or d.stopped_at > d.due)
                and (period is None or d.stopped_at is None or d.stopped_at > period)]
        first = min(went, key=lambda d: d.due)
        anchor = first.due if period is None else max(first.due, period - ONE_SECOND)
        steps = [EscalationStep(s.action, anchor + ONE_SECOND if s.after_working_days == 0
                                else self.calendar.add_working_days(anchor, s.after_working_days),
                                first.overdue_at, first) for s in self.policy.steps]
        return period, steps

    def escalation_steps_due(self, deadlines, history, now: dt.datetime,
                             ladder: tuple | None = None) -> list[EscalationStep]:
        """Ladder steps due at ``now`` and not yet recorded in the current handling period
        (since the latest dispatch / approved return / arbitration / reopen): each step is
        recorded once per period, i.e. once per owner and again after a reopen. A step counts
        as recorded when the period holds that action either written by the sweep (record it
        with ``step.record_data()``, which carries {"auto": true}) or made by a person after
        the period went overdue -- a 催办 made before expiry (normal practice) does not
        suppress the one at overdue. A missed sweep gets every due step at once."""
        now = as_local(now)
        period, steps = ladder if ladder is not None else self._ladder(deadlines, history, now)
        return self._unrecorded(period, steps, history, now) + [
            s for s in self._assist_steps(deadlines, history, now) if s.due_at <= now]

    def ladder(self, deadlines, history, now: dt.datetime):
        """(start of the handling period, ladder steps with their due times) for these
        deadlines. Ladder records (催办/督办/挂牌督办) change neither, so a caller that records
        steps can pass this to ``next_check_at(..., ladder=)`` instead of walking it again."""
        return self._ladder(deadlines, history, as_local(now))

    @staticmethod
    def _unrecorded(period, steps, history, now) -> list[EscalationStep]:
        if not steps:
            return []
        since = steps[0].due_at
        done = set()
        for h in history:
            at = as_local(_get(h, "at"))
            if period is not None and at < period:
                continue
            if (_get(h, "data") or {}).get("clock") == "assist":
                continue     # a 协办 task's own ladder (``_assist_steps``), not the order's
            if (_get(h, "data") or {}).get("auto") or at >= since:
                done.add(_get(h, "action"))
        return [s for s in steps if s.due_at <= now and s.action not in done]

    def next_check_at(self, order, history, now: dt.datetime,
                      deadlines: list[Deadline] | None = None,
                      ladder: tuple | None = None) -> dt.datetime | None:
        """The earliest instant >= now at which a warning, an overdue or a ladder step falls
        due (``now`` itself when a step is already due and unrecorded); None when no clock
        runs. Store it in an indexed column; recompute it after every transition.
        ``deadlines``: this order's ``deadlines(order, history, now)``, when already computed
        (the sweep and the after-save hook reuse them instead of deriving them twice)."""
        now = as_local(now)
        ds = deadlines if deadlines is not None else self.deadlines(order, history, now)
        period, steps = ladder if ladder is not None else self._ladder(ds, history, now)
        if self._unrecorded(period, steps, history, now):
            return now
        assist = self._assist_steps(ds, history, now)
        if any(s.due_at <= now for s in assist):
            return now
        cands = []
        for d in ds:
            if not d.running_at(now) or d.paused_since:
                continue
            cands += [at for _, at in self.warning_instants(d) if at > now]
            if d.overdue_at > now:
                cands.append(d.overdue_at)
        cands += [s.due_at for s in steps if s.due_at > now]
        cands += [s.due_at for s in assist if s.due_at > now]
        future = [c for c in cands if c > now]
        return min(future) if future else None


def _min(a, b):
    return min((x for x in (a, b) if x is not None), default=None)


class _Maker:
    """Builds Deadline objects, applying pauses and extensions."""

    def __init__(self, eng: SlaEngine, pauses):
        self.eng, self.cal, self.pauses = eng, eng.calendar, pauses

    def _my_pauses(self, start, stop):
        return [(a, b, o) for a, b, o in self.pauses if a >= start and (stop is None or a < stop)]

    def natural(self, clock, target, start, minutes, met, end, reason, owner=None):
        stop = _min(met, end)
        ps = self._my_pauses(start, stop)
        secs = sum(int((min(b, stop) if stop else b).timestamp() - a.timestamp())
                   for a, b, _ in ps)
        due = start + dt.timedelta(minutes=minutes, seconds=secs)
        lines = [f"{start.isoformat()} 起 {minutes} 分钟（自然时间，7×24）"]
        lines += [f"挂起 {a.isoformat()} 至 {'今' if o else b.isoformat()}，顺延 {secs} 秒"
                  for a, b, o in ps]
        return Deadline(clock, target, due, start, met, False, secs, None, reason, owner,
                        None if met else end, next((a for a, _, o in ps if o), None),
                        tuple(lines), natural=True)

    def fixed(self, clock, target, start, due, met, end, reason):
        prov = self.cal.is_provisional(start.date(), due.date())
        return Deadline(clock, target, due, start, met, prov, 0, None, reason, None,
                        None if met else end, None, (reason,))

    def working(self, clock, target, start, n, met, end, reason, owner=None, extendable=False,
                ev=(), end_before_reopen=False):
        if end_before_reopen:
            reopen = next((t for t, a, _ in ev if a in REOPEN_ACTIONS and t >= start), None)
            end = _min(end, reopen)
        stop = _min(met, end)
        ps = self._my_pauses(start, stop)
        pause_days, secs, prov = 0, 0, False
        for a, b, _ in ps:
            pause_days += len(self.cal.working_days_between(a.date(), b.date()))
            prov |= self.cal.is_provisional(a.date(), b.date())
            secs += int(b.timestamp() - a.timestamp())
        ext = []
        if extendable:
            ext = [(t, int(d.get("days", 0))) for t, a, d in ev if a == "approve_extension"
                   and t >= start and (stop is None or t < stop) and int(d.get("days", 0)) > 0]
        ext_days = sum(x for _, x in ext)
        base = self.cal.span(start, n + pause_days)
        span = self.cal.span(start, n + pause_days + ext_days) if ext_days else base
        lines = list(span.explain())
        if pause_days:
            lines.append(f"挂起暂停 {pause_days} 个工作日，顺延")
        lines += [f"{t.date().isoformat()} 批准延期 {x} 个工作日" for t, x in ext]
        return Deadline(clock, target, span.due, start, met, prov or span.provisional, secs,
                        base.due if ext_days else None, reason, owner, None if met else end,
                        next((a for a, _, o in ps if o), None), tuple(lines))


# No module-level engine: the runtime owns the one built from its configuration
# (rt.config.sla_engine, docs/design/architecture.md §2.6).
__all__ = ["Deadline", "EscalationStep", "OrderFacts", "SlaEngine", "Transition"]
