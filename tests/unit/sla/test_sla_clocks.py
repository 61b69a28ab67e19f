"""Clocks derived from the history: sign from dispatch, per-owner clocks, the citizen clock,
pauses, extensions, reopen, status, warnings and the escalation ladder."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sla_oracle import T, paused_working_days
from sla_oracle import due as oracle_due

from hotline.sla.domain.calendar import TZ
from hotline.sla.domain.clocks import OrderFacts, Transition

EOD = dt.time(23, 59, 59)


def tr(action, at, **data):
    return Transition(action, at, data)


def pick(ds, clock, target="legal", owner=None, index=0):
    got = [d for d in ds if d.clock == clock and d.target == target
           and (owner is None or d.owner == owner)]
    return got[index]


# --- sign from dispatch, per-owner clocks, citizen clock -------------------------------------
def test_sign_clock_starts_at_dispatch_not_receipt(engine):
    order = OrderFacts(T(2025, 9, 25, 16), "complaint")          # Thursday
    h = [tr("dispatch", T(2025, 9, 26, 9), unit="u1"),           # Friday
         tr("sign", T(2025, 9, 28, 10))]                         # Sunday, a 调休 workday
    sign = pick(engine.deadlines(order, h), "sign")
    assert sign.started_at == T(2025, 9, 26, 9)
    assert sign.due == T(2025, 9, 28, 23, 59, 59)                # from receipt it would be 9-26
    assert sign.met_at == T(2025, 9, 28, 10) and sign.owner == "u1"
    assert engine.status_at(sign, T(2025, 10, 20)) == "ok"


def test_no_handling_clocks_before_dispatch_but_citizen_clock_runs(engine):
    order = OrderFacts(T(2025, 9, 30, 10), "complaint")
    ds = engine.deadlines(order, [])
    assert {(d.clock, d.target) for d in ds} == {("dispatch", "pledge"), ("reply", "legal")}
    assert pick(ds, "reply").due == T(2025, 10, 28, 23, 59, 59)


def test_new_owner_after_approved_return_gets_new_clock(engine):
    order = OrderFacts(T(2025, 11, 3, 9), "help")                # Monday
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="u1"),
         tr("request_return", T(2025, 11, 3, 15)),
         tr("approve_return", T(2025, 11, 4, 11), unit="u2"),
         tr("sign", T(2025, 11, 4, 14))]
    ds = engine.deadlines(order, h)
    old, new = pick(ds, "sign", owner="u1"), pick(ds, "sign", owner="u2")
    assert old.met_at is None and old.ended_at == T(2025, 11, 4, 11)
    assert engine.status_at(old, T(2025, 11, 10)) == "ok"         # ended before its due
    assert new.started_at == T(2025, 11, 4, 11) and new.due == T(2025, 11, 5, 23, 59, 59)
    assert new.met_at == T(2025, 11, 4, 14)
    # the citizen clock never resets
    replies = [d for d in ds if d.clock == "reply"]
    assert len(replies) == 1 and replies[0].started_at == order.received_at
    assert replies[0].due == oracle_due(order.received_at, 10)


def test_arbitration_also_changes_owner(engine):
    order = OrderFacts(T(2025, 11, 3, 9), "help")
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="u1"), tr("request_return", T(2025, 11, 3, 11)),
         tr("arbitrate", T(2025, 11, 5, 9), unit="u3")]
    ds = engine.deadlines(order, h)
    assert pick(ds, "contact", owner="u3").due == T(2025, 11, 6, 23, 59, 59)
    assert pick(ds, "contact", owner="u1").ended_at == T(2025, 11, 5, 9)


# --- pauses ---------------------------------------------------------------------------------
def test_suspension_pauses_working_day_clock(engine):
    rec = T(2025, 11, 3, 9)
    order = OrderFacts(rec, "complaint")
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="u1"), tr("sign", T(2025, 11, 3, 11)),
         tr("request_suspension", T(2025, 11, 4, 9)),
         tr("approve_suspension", T(2025, 11, 5, 10)),
         tr("resume", T(2025, 11, 7, 15))]
    reply = pick(engine.deadlines(order, h), "reply")
    # suspended at the end of Wed 11-05 and Thu 11-06: 2 working days
    assert reply.due == oracle_due(rec, 17)
    assert reply.paused_seconds == int(dt.timedelta(days=2, hours=5).total_seconds())
    assert reply.paused_since is None and any("挂起" in x for x in reply.explain)


def test_suspension_pauses_natural_clock_and_open_pause(engine):
    order = OrderFacts(T(2025, 11, 3, 10), "help", "urgent")
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="u1"), tr("sign", T(2025, 11, 3, 10, 2)),
         tr("request_suspension", T(2025, 11, 3, 10, 5)),
         tr("approve_suspension", T(2025, 11, 3, 10, 10))]
    open_ = pick(engine.deadlines(order, h, now=T(2025, 11, 3, 10, 40)), "contact", "pledge")
    assert open_.paused_since == T(2025, 11, 3, 10, 10) and open_.paused_seconds == 1800
    assert engine.status_at(open_, T(2025, 11, 3, 10, 40)) != "overdue"
    h.append(tr("resume", T(2025, 11, 3, 10, 40)))
    c = pick(engine.deadlines(order, h), "contact", "pledge")
    assert c.due == T(2025, 11, 3, 11, 0) and c.paused_seconds == 1800 and c.paused_since is None


# --- extensions, reopen, send back ---------------------------------------------------------------
def test_extension_moves_legal_reply_and_keeps_original(engine):
    rec = T(2025, 9, 30, 10)
    order = OrderFacts(rec, "complaint", rapid_item="t_pipe")
    h = [tr("dispatch", rec, unit="util_water"), tr("sign", T(2025, 9, 30, 10, 3)),
         tr("request_extension", T(2025, 10, 20, 9)),
         tr("approve_extension", T(2025, 10, 20, 10), days=3)]
    ds = engine.deadlines(order, h)
    legal = pick(ds, "reply")
    assert legal.extended_from == T(2025, 10, 28, 23, 59, 59)
    assert legal.due == oracle_due(rec, 18) == T(2025, 10, 31, 23, 59, 59)
    pledge = pick(ds, "reply", "pledge")
    assert pledge.extended_from is None and pledge.due == oracle_due(rec, 2)


def test_reopen_starts_three_working_day_clock_for_same_unit(engine):
    rec = T(2025, 9, 1, 9)
    order = OrderFacts(rec, "complaint")
    h = [tr("dispatch", T(2025, 9, 1, 10), unit="u1"), tr("sign", T(2025, 9, 1, 11)),
         tr("contact", T(2025, 9, 1, 12)), tr("reply", T(2025, 9, 5, 10)),
         tr("accept_reply", T(2025, 9, 5, 11)), tr("reopen", T(2025, 9, 10, 16))]
    ds = engine.deadlines(order, h)
    first, again = (d for d in ds if d.clock == "reply" and d.target == "legal")
    assert first.met_at == T(2025, 9, 5, 10) and first.ended_at is None
    assert again.started_at == T(2025, 9, 10, 16) and again.owner == "u1"
    assert again.due == T(2025, 9, 15, 23, 59, 59) and "重办" in again.reason
    assert again.met_at is None
    assert pick(ds, "sign", owner="u1", index=1).started_at == T(2025, 9, 10, 16)
    h.append(tr("sign", T(2025, 9, 11, 9)))
    h.append(tr("reply", T(2025, 9, 12, 9)))
    again = [d for d in engine.deadlines(order, h) if d.clock == "reply"][1]
    assert again.met_at == T(2025, 9, 12, 9)


def test_send_back_reopens_the_citizen_clock(engine):
    order = OrderFacts(T(2025, 9, 1, 9), "consultation")
    h = [tr("dispatch", T(2025, 9, 1, 10), unit="u1"), tr("sign", T(2025, 9, 1, 11)),
         tr("reply", T(2025, 9, 2, 10)), tr("send_back", T(2025, 9, 2, 15))]
    assert pick(engine.deadlines(order, h), "reply").met_at is None
    h.append(tr("reply", T(2025, 9, 4, 10)))
    r = pick(engine.deadlines(order, h), "reply")
    assert r.met_at == T(2025, 9, 4, 10)
    assert engine.status_at(r, T(2025, 9, 10)) == "overdue"      # due end of 9-03: late


# --- rapid items, urgency, dispatch queue --------------------------------------------------------
def test_rapid_item_uses_per_item_limits(engine):
    rec = T(2025, 9, 30, 10)
    order = OrderFacts(rec, "help", rapid_item="t_drain")
    ds = engine.deadlines(order, [tr("dispatch", T(2025, 9, 30, 10, 1), unit="dept_water")])
    assert pick(ds, "contact", "pledge").due == T(2025, 9, 30, 10, 16)
    assert pick(ds, "onsite", "pledge").due == T(2025, 9, 30, 14, 1)
    assert pick(ds, "reply", "pledge").due == T(2025, 10, 9, 23, 59, 59)
    assert pick(ds, "sign", "pledge").due == T(2025, 9, 30, 10, 6)
    assert pick(ds, "reply", "legal").due == T(2025, 10, 21, 23, 59, 59)


def test_critical_adds_feedback_and_24h_reply(engine):
    rec = T(2025, 10, 1, 3)                                        # a holiday, at night
    order = OrderFacts(rec, "help", "critical")
    ds = engine.deadlines(order, [tr("dispatch", T(2025, 10, 1, 3, 4), unit="u1"),
                                  tr("onsite", T(2025, 10, 1, 4))])
    assert pick(ds, "dispatch", "pledge").due == T(2025, 10, 1, 3, 5)
    fb = pick(ds, "feedback", "pledge")
    assert fb.due == T(2025, 10, 1, 5) and fb.met_at == T(2025, 10, 1, 4)
    assert pick(ds, "reply", "pledge").due == T(2025, 10, 2, 3)


def test_dispatch_queue_clock(engine):
    def due(t):
        return pick(engine.deadlines(OrderFacts(t, "help"), []), "dispatch", "pledge").due
    assert due(T(2025, 9, 29, 11, 59)) == T(2025, 9, 29, 23, 59, 59)   # before noon: same day
    assert due(T(2025, 9, 29, 12, 0)) == T(2025, 9, 30, 12, 0)         # after: noon next wd
    assert due(T(2025, 9, 30, 15)) == T(2025, 10, 9, 12, 0)            # across National Day
    assert due(T(2025, 9, 27, 9)) == T(2025, 9, 28, 12, 0)             # Sat -> Sun 调休
    assert due(T(2025, 9, 28, 9)) == T(2025, 9, 28, 23, 59, 59)        # on the 调休 Sunday


def test_praise_has_no_reply_or_contact_clock(engine):
    ds = engine.deadlines(OrderFacts(T(2025, 9, 1, 9), "praise"),
                          [tr("dispatch", T(2025, 9, 1, 10), unit="u1")])
    assert {d.clock for d in ds} == {"dispatch", "sign"}


def test_provisional_in_a_year_without_data(engine):
    ds = engine.deadlines(OrderFacts(T(2099, 3, 2, 9), "complaint"),
                          [tr("dispatch", T(2099, 3, 2, 10), unit="u1")])
    assert all(d.provisional for d in ds if d.target == "legal")
    assert pick(ds, "reply").due == T(2099, 3, 23, 23, 59, 59)         # 15 Mon-Fri days


# --- status, warnings, escalation ------------------------------------------------------------
def test_status_ok_warning_overdue(engine):
    order = OrderFacts(T(2025, 9, 1, 9), "complaint")
    h = [tr("dispatch", T(2025, 9, 1, 10), unit="u1")]
    c = pick(engine.deadlines(order, h), "contact")                 # due end of 9-02
    assert engine.status_at(c, T(2025, 9, 1, 11)) == "ok"
    assert engine.status_at(c, T(2025, 9, 2, 22)) == "warning"      # 2 hours before
    assert engine.status_at(c, T(2025, 9, 2, 23, 59, 59)) == "warning"
    assert engine.status_at(c, T(2025, 9, 3, 0, 0)) == "overdue"
    labels = [label for label, _ in engine.warning_instants(c)]
    assert labels == ["75%", "120min"]


def _sweep(engine, order, history, start, until):
    """Simulate the service: transitions happen at their times (and next_check_at is
    recomputed after each), the sweep wakes at next_check_at and records every due step.
    Returns the recorded (action, at, step.due_at); ``at`` is later than ``due_at`` only when
    the step could not be recorded an instant earlier (asserted here)."""
    events = sorted(history, key=lambda t: t.at)
    now, recorded, hist = start, [], [e for e in events if e.at <= start]
    for _ in range(500):
        nc = engine.next_check_at(order, hist, now)
        nxt = next((e.at for e in events if e.at > now), None)
        cands = [x for x in (nc, nxt) if x is not None and x <= until]
        if not cands:
            break
        assert nc is None or nc >= now
        now = min(cands)
        hist = sorted([e for e in events if e.at <= now] +
                      [r for r in hist if r.action in ("urge", "supervise", "escalate_leader")],
                      key=lambda t: t.at)
        ds = engine.deadlines(order, hist, now)
        # an instant earlier: a step recorded after its due time must not have been due then
        # (its due time fell while no clock ran overdue -- the order suspended, or its late
        # clocks met -- and the ladder came back at ``now``); otherwise the sweep slept too long
        before = now - dt.timedelta(microseconds=1)
        hist_before = [e for e in hist if e.at <= before]
        due_before = {s.action for s in engine.escalation_steps_due(
            engine.deadlines(order, hist_before, before), hist_before, before)}
        for step in engine.escalation_steps_due(ds, hist, now):
            assert step.action not in due_before, (step, now)
            recorded.append((step.action, now, step.due_at))
            hist = hist + [Transition(step.action, now, step.record_data())]
        # a second, overlapping sweep at the same instant finds nothing more to record
        assert engine.escalation_steps_due(engine.deadlines(order, hist, now), hist, now) == []
    return recorded


def test_ladder_each_step_once_and_on_time(engine):
    rec = T(2025, 9, 1, 9)
    order = OrderFacts(rec, "consultation")
    h = [tr("dispatch", T(2025, 9, 1, 9, 30), unit="u1"), tr("sign", T(2025, 9, 1, 10)),
         tr("contact", T(2025, 9, 1, 11))]
    rec_steps = _sweep(engine, order, h, rec, T(2025, 12, 31))
    assert [a for a, _, _ in rec_steps] == ["urge", "supervise", "escalate_leader"]
    assert all(at == due for _, at, due in rec_steps)
    assert rec_steps[0][1] == T(2025, 9, 4, 0, 0)            # reply due end of 9-03
    assert rec_steps[1][1] == T(2025, 9, 4, 23, 59, 59)
    assert rec_steps[2][1] == oracle_due(T(2025, 9, 3), 5)   # 5 working days after due


def test_manual_urge_before_overdue_does_not_suppress_ladder(engine):
    order = OrderFacts(T(2025, 9, 1, 9), "consultation")
    h = [tr("dispatch", T(2025, 9, 1, 9, 30), unit="u1"), tr("sign", T(2025, 9, 1, 10)),
         tr("contact", T(2025, 9, 1, 11)), tr("urge", T(2025, 9, 3, 9))]
    now = T(2025, 9, 4, 8)
    steps = engine.escalation_steps_due(engine.deadlines(order, h, now), h, now)
    assert [s.action for s in steps] == ["urge"]
    # a missed sweep catches up: every due step at once, in ladder order
    now = T(2025, 9, 20)
    steps = engine.escalation_steps_due(engine.deadlines(order, h, now), h, now)
    assert [s.action for s in steps] == ["urge", "supervise", "escalate_leader"]


def test_next_check_at_none_when_closed_and_ignores_paused(engine):
    order = OrderFacts(T(2025, 9, 1, 9), "consultation")
    h = [tr("dispatch", T(2025, 9, 1, 9, 30), unit="u1"), tr("sign", T(2025, 9, 1, 10)),
         tr("contact", T(2025, 9, 1, 11)), tr("reply", T(2025, 9, 2, 9)),
         tr("accept_reply", T(2025, 9, 2, 10)), tr("close", T(2025, 9, 3, 10))]
    assert engine.next_check_at(order, h, T(2025, 9, 3, 11)) is None
    h2 = h[:3] + [tr("approve_suspension", T(2025, 9, 1, 12))]
    assert engine.next_check_at(order, h2, T(2025, 9, 30)) is None


def test_rapid_item_escalates_on_pledge_in_minutes(engine):
    rec = T(2025, 10, 2, 2)                                        # holiday night
    order = OrderFacts(rec, "help", rapid_item="t_pipe")
    h = [tr("dispatch", T(2025, 10, 2, 2, 1), unit="util_water")]
    assert engine.next_check_at(order, h, T(2025, 10, 2, 2, 1)) == T(2025, 10, 2, 2, 4, 45)
    steps = _sweep(engine, order, h, T(2025, 10, 2, 2, 1), T(2025, 10, 2, 3))
    assert steps[0][:2] == ("urge", T(2025, 10, 2, 2, 6, 1))     # sign pledge 5 min missed


# --- property tests over random timelines (2022-2026) --------------------------------------------
APPEALS = {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15}


@st.composite
def timelines(draw):
    rec = draw(st.datetimes(min_value=dt.datetime(2022, 1, 1),
                            max_value=dt.datetime(2026, 10, 31), timezones=st.just(TZ)))
    appeal = draw(st.sampled_from(sorted(APPEALS)))
    urgency = draw(st.sampled_from(["normal", "urgent", "critical"]))
    t = rec + dt.timedelta(minutes=draw(st.integers(0, 3000)))
    h = [tr("dispatch", t, unit="u1")]
    t += dt.timedelta(minutes=draw(st.integers(1, 3000)))
    h.append(tr("sign", t))
    pause = None
    if draw(st.booleans()):
        p0 = t + dt.timedelta(minutes=draw(st.integers(1, 5000)))
        p1 = p0 + dt.timedelta(minutes=draw(st.integers(1, 7200)))
        h += [tr("approve_suspension", p0), tr("resume", p1)]
        pause, t = (p0, p1), p1
    ext = draw(st.integers(0, 3))
    if ext:
        t += dt.timedelta(minutes=draw(st.integers(1, 3000)))
        h.append(tr("approve_extension", t, days=ext))
    return OrderFacts(rec, appeal, urgency), h, pause, ext


@settings(max_examples=400, deadline=None)
@given(timelines())
def test_clocks_match_oracle(engine, tl):
    order, h, pause, ext = tl
    ds = engine.deadlines(order, h)
    reply = pick(ds, "reply")
    pdays = paused_working_days(*pause) if pause else 0
    assert reply.due == oracle_due(order.received_at, APPEALS[order.appeal_type] + pdays + ext)
    assert reply.started_at == order.received_at and not reply.provisional
    if ext:
        assert reply.extended_from == oracle_due(order.received_at,
                                                 APPEALS[order.appeal_type] + pdays)
    sign = pick(ds, "sign")
    assert sign.started_at == h[0].at and sign.due == oracle_due(h[0].at, 1)
    assert sign.met_at == h[1].at
    for d in ds:
        assert d.due > d.started_at
        if d.target == "legal":
            assert d.due.timetz().replace(tzinfo=None) == EOD
    if order.urgency != "normal":
        c = pick(ds, "contact", "pledge")
        paused = 0
        if pause:
            paused = int((pause[1] - pause[0]).total_seconds())
        assert c.due == h[0].at + dt.timedelta(minutes=30, seconds=paused)


@settings(max_examples=6000, deadline=None)
@given(timelines())
def test_sweep_records_each_step_once(engine, tl):
    order, h, _, _ = tl
    steps = _sweep(engine, order, h, order.received_at,
                   order.received_at + dt.timedelta(days=120))
    # once per handling period: before the dispatch (the centre's queue clock) and after it
    dispatched = h[0].at
    for period in ([s for s in steps if s[1] < dispatched],
                   [s for s in steps if s[1] >= dispatched]):
        actions = [a for a, _, _ in period]
        assert actions == [a for a in ("urge", "supervise", "escalate_leader") if a in actions]
    # on time, or as soon as the ladder was live again (checked step by step in _sweep)
    assert all(at >= due for _, at, due in steps), (steps, h)
    assert "escalate_leader" in [a for a, _, _ in steps]   # nobody ever replies


def test_ladder_idle_while_suspended_resumes_when_a_clock_runs_overdue(engine):
    """An urgent order signed a minute late on a holiday, then suspended (挂起) until 23 minutes
    before the end of the next working day: 督办 (due at that day's end, counted from the late
    sign) is not recorded while no clock runs overdue, and is recorded the instant the contact
    clock runs out (00:00 next day), not earlier and not at the next sweep of the day."""
    order = OrderFacts(T(2022, 1, 1, 0, 0), "complaint", "urgent")
    h = [tr("dispatch", T(2022, 1, 1, 0, 0), unit="u1"), tr("sign", T(2022, 1, 1, 0, 6)),
         tr("approve_suspension", T(2022, 1, 1, 0, 7)), tr("resume", T(2022, 1, 4, 23, 37))]
    steps = _sweep(engine, order, h, order.received_at, T(2022, 3, 1))
    assert [(a, at) for a, at, _ in steps][:2] == [("urge", T(2022, 1, 1, 0, 5, 1)),
                                                  ("supervise", T(2022, 1, 5, 0, 0))]
    assert steps[1][2] == T(2022, 1, 4, 23, 59, 59)
