"""Issue 17 clocks: the village's own clocks after 二级派单 (inside the town's), and each 协办
task's clock, warnings and ladder (config/sla.yaml village / assist;
docs/design/domain.md §6.8 and §4.9)."""
from __future__ import annotations

from sla_oracle import T

from hotline.sla.domain.clocks import OrderFacts, Transition

V, A = "village_441900121004", "dept_env"


def tr(action, at, by=None, **data):
    """A history record; `by`: the acting unit (the record's unit, not data["unit"])."""
    return Transition(action, at, data, unit=by)


def pick(ds, clock, owner=None):
    return next(d for d in ds if d.clock == clock and (owner is None or d.owner == owner))


def test_the_village_runs_its_own_clocks_inside_the_towns(engine):
    order = OrderFacts(T(2025, 11, 3, 9), "complaint")           # Monday; reply 15 working days
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="town_humen"),
         tr("sign", T(2025, 11, 3, 11)),
         tr("subdispatch", T(2025, 11, 4, 9), unit=V),           # Tuesday
         tr("sign", T(2025, 11, 5, 9)),
         tr("village_report", T(2025, 11, 10, 9))]               # next Monday: 4th working day
    ds = engine.deadlines(order, h, T(2025, 11, 12))
    sign, rep = pick(ds, "village_sign", V), pick(ds, "village_report", V)
    assert (sign.due, sign.met_at) == (T(2025, 11, 5, 23, 59, 59), T(2025, 11, 5, 9))
    assert rep.due == T(2025, 11, 7, 23, 59, 59)                 # 3 working days from Tuesday
    assert engine.status_at(rep, T(2025, 11, 12)) == "overdue"   # reported late
    # the town's own clocks are untouched: its sign clock met by its own sign
    town_sign = pick(ds, "sign", "town_humen")
    assert town_sign.met_at == T(2025, 11, 3, 11)


def test_the_village_report_is_due_before_the_towns_reply(engine):
    order = OrderFacts(T(2025, 11, 3, 9), "complaint")
    reply = pick(engine.deadlines(order, []), "reply").due
    late = T(reply.year, reply.month, reply.day, 9) - (T(2025, 1, 2) - T(2025, 1, 1))
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="town_humen"), tr("sign", T(2025, 11, 3, 11)),
         tr("subdispatch", late, unit=V)]                        # the day before the reply
    rep = pick(engine.deadlines(order, h, late), "village_report", V)
    assert rep.due < reply and rep.due <= T(reply.year, reply.month, reply.day) and \
        rep.due >= late
    assert "不晚于镇街答复时限" in rep.reason


def test_a_village_hand_back_ends_its_clocks(engine):
    order = OrderFacts(T(2025, 11, 3, 9), "complaint")
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="town_humen"), tr("sign", T(2025, 11, 3, 11)),
         tr("subdispatch", T(2025, 11, 4, 9), unit=V),
         tr("village_return", T(2025, 11, 4, 10))]
    rep = pick(engine.deadlines(order, h, T(2025, 11, 20)), "village_report", V)
    assert rep.ended_at == T(2025, 11, 4, 10) and not rep.running_at(T(2025, 11, 20))


def test_each_assist_task_has_its_own_clock_warning_and_ladder(engine):
    order = OrderFacts(T(2025, 11, 3, 9), "complaint")
    due = T(2025, 11, 5, 23, 59, 59)
    h = [tr("dispatch", T(2025, 11, 3, 10), unit="town_humen",
            assist=[{"unit": A, "task": "噪声检测", "due": due.isoformat()}]),
         tr("sign", T(2025, 11, 3, 11)), tr("contact", T(2025, 11, 3, 12))]
    ds = engine.deadlines(order, h, T(2025, 11, 4))
    clock = pick(ds, "assist", A)
    assert (clock.target, clock.due, clock.met_at) == ("assist", due, None)
    assert engine.warning_instants(clock)                        # it warns like any clock
    # overdue: its own 催办 at once, 督办 a working day later, each once; the order's ladder
    # (the town's clocks are all in time) stays empty
    now = T(2025, 11, 6, 9)
    ds = engine.deadlines(order, h, now)
    steps = engine.escalation_steps_due(ds, h, now)
    assert [(s.action, s.deadline.owner, s.record_data()["clock"]) for s in steps] == \
        [("urge", A, "assist")]
    h.append(tr("urge", now, **steps[0].record_data()))
    assert engine.escalation_steps_due(engine.deadlines(order, h, now), h, now) == []
    nxt = engine.next_check_at(order, h, now)
    assert nxt == T(2025, 11, 6, 23, 59, 59)                     # the 督办 step's time
    # the first input meets the clock: no more steps
    h.append(tr("assist_input", T(2025, 11, 6, 10), by=A, input="已检测"))
    later = T(2025, 11, 10, 9)
    ds = engine.deadlines(order, h, later)
    assert pick(ds, "assist", A).met_at == T(2025, 11, 6, 10)
    assert [s for s in engine.escalation_steps_due(ds, h, later)
            if s.deadline.clock == "assist"] == []
