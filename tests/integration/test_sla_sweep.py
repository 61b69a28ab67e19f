"""SLA service layer on SQLite and PostgreSQL: next_check_at after every save, the sweep
records each ladder step and each warning once, notifications, the explain API, the lists,
and the due-selection query plan (index, not a table scan)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from hotline.core.app_config import load_config
from hotline.core.db import aware, utcnow
from hotline.core.orm import NotificationRow, OutboxRow, WorkOrderRow
from hotline.core.outbox import drain_once
from hotline.sla import service as sla_service
from hotline.sla.orm import SlaOrderStateRow, SlaWarningRow
from hotline.sla.sweep import due_query, sweep_tick
from hotline.survey.orm import SmsOutboxRow
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor

TZ = ZoneInfo("Asia/Shanghai")
AGENT = Actor("agent", "agent")
ADMIN = Actor("admin", "admin")


def _order(rt, unit="dept_housing", **kw):
    body = {"content": "小区门口垃圾堆积多日无人清运, 气味难闻", "unit": unit,
            "appeal_type": "complaint", **kw}
    return orders.create_order(rt, AGENT, body)


class _Row:
    def __init__(self, next_check_at):
        self.next_check_at = next_check_at


def _row(rt, oid):
    with rt.uow() as uow:
        return _Row(uow.session.get(WorkOrderRow, oid).next_check_at)


def _ladder(rt, oid):
    return [a for a, auto in sla_service.recorded_steps(rt, oid)]


def test_next_check_at_is_stored_after_every_save(rt):
    o = _order(rt)
    row = _row(rt, o["id"])
    assert row.next_check_at is not None
    with rt.uow() as uow:
        order = uow.orders.get(o["id"])
    expected = sla_service.engine(rt).next_check_at(order, order.history, utcnow())
    # the first warning of the sign clock: 75 % of dispatch -> end of the next working day
    assert abs((aware(row.next_check_at) - expected).total_seconds()) < 5
    assert aware(row.next_check_at) > utcnow()
    before = aware(row.next_check_at)
    unit = Actor("dept_housing", "department", "dept_housing")
    orders.act(rt, unit, o["id"], "sign", {})
    # the contact clock has the same start and due: its 75 % warning is still the next check
    assert aware(_row(rt, o["id"]).next_check_at) == before
    orders.act(rt, unit, o["id"], "contact", {})
    after = aware(_row(rt, o["id"]).next_check_at)
    assert after > before        # sign and contact met: next is the reply clock's warning
    with rt.uow() as uow:
        st = uow.session.get(SlaOrderStateRow, o["id"])
        assert st.status == "ok" and st.unit == "dept_housing"


def test_sweep_with_nothing_due_does_nothing(rt):
    _order(rt)
    stats = sweep_tick(rt)
    assert stats["orders"] == 0 and stats["steps"] == 0


def test_sweep_records_each_step_once_and_notifies(rt):
    o = _order(rt)
    later = utcnow() + timedelta(days=30)    # past the sign due + 5 working days
    stats = sweep_tick(rt, now=later)
    assert stats["orders"] == 1 and stats["steps"] == 3
    assert _ladder(rt, o["id"]) == ["urge", "supervise", "escalate_leader"]
    assert all(auto for _, auto in sla_service.recorded_steps(rt, o["id"]))
    # nothing is due any more: the next check lies in the future, a re-run records nothing
    nxt = aware(_row(rt, o["id"]).next_check_at)
    assert nxt is None or nxt > later     # every clock overdue, every step recorded: None
    again = sweep_tick(rt, now=later)
    assert again["orders"] == 0
    # even when forced to look at the order again (a missed commit of next_check_at)
    with rt.engine.begin() as c:
        c.execute(text("UPDATE work_orders SET next_check_at = :t WHERE id = :i"),
                  {"t": later - timedelta(hours=1), "i": o["id"]})
    forced = sweep_tick(rt, now=later)
    assert forced["orders"] == 1 and forced["steps"] == 0
    assert _ladder(rt, o["id"]) == ["urge", "supervise", "escalate_leader"]
    with rt.uow() as uow:
        topics = list(uow.session.execute(select(OutboxRow.topic)).scalars())
    assert topics.count("order.urge") == 1 and topics.count("order.escalate_leader") == 1
    drain_once(rt)
    with rt.uow() as uow:
        kinds = {(n.kind, n.unit, n.username) for n in uow.session.execute(
            select(NotificationRow).where(NotificationRow.order_id == o["id"])).scalars()}
    assert ("urge", "dept_housing", None) in kinds
    assert ("escalate_leader", "dept_housing", None) in kinds
    assert ("escalate_leader", None, "leader") in kinds
    assert ("supervise", None, "supervisor") in kinds
    st = sla_service.sla_list(rt, Actor("dept_housing", "department", "dept_housing"),
                              "overdue")
    assert [i["id"] for i in st["items"]] == [o["id"]]
    assert st["items"][0]["ladder"] == "escalate_leader"


def test_missed_sweeps_get_steps_in_ladder_order_one_at_a_time(rt):
    o = _order(rt)
    with rt.uow() as uow:
        order = uow.orders.get(o["id"])
    eng = sla_service.engine(rt)
    sign = next(d for d in eng.deadlines(order, order.history, utcnow()) if d.clock == "sign")
    sweep_tick(rt, now=sign.overdue_at + timedelta(minutes=1))
    assert _ladder(rt, o["id"]) == ["urge"]
    nxt = aware(_row(rt, o["id"]).next_check_at)
    assert nxt <= eng.calendar.add_working_days(sign.due, 1)   # 督办 is the next event
    sweep_tick(rt, now=eng.calendar.add_working_days(sign.due, 1) + timedelta(seconds=1))
    assert _ladder(rt, o["id"]) == ["urge", "supervise"]


def test_warnings_recorded_once_with_quiet_hours(rt):
    o = _order(rt)
    with rt.uow() as uow:
        order = uow.orders.get(o["id"])
    eng = sla_service.engine(rt)
    sign = next(d for d in eng.deadlines(order, order.history, utcnow()) if d.clock == "sign")
    at = sign.due - timedelta(minutes=30)       # both warnings (75 %, 2 h before) reached
    sweep_tick(rt, now=at)
    sweep_tick(rt, now=at + timedelta(minutes=1))
    with rt.engine.begin() as c:     # force a second look: the unique key holds
        c.execute(text("UPDATE work_orders SET next_check_at = :t WHERE id = :i"),
                  {"t": at, "i": o["id"]})
    sweep_tick(rt, now=at + timedelta(minutes=2))
    with rt.uow() as uow:
        labels = sorted(w.label for w in uow.session.execute(select(SlaWarningRow).where(
            SlaWarningRow.order_id == o["id"], SlaWarningRow.clock == "sign")).scalars())
        assert labels == ["120min", "75%"]
        st = uow.session.get(SlaOrderStateRow, o["id"])
        assert st.status == "warning"
    assert _ladder(rt, o["id"]) == []
    drain_once(rt)
    with rt.uow() as uow:
        n = uow.session.execute(select(func.count()).select_from(NotificationRow).where(
            NotificationRow.kind == "sla_warning")).scalar_one()
        assert n >= 2
        # SLA SMS go through the SMS port's table (issue 13 item 8), to the unit
        sms = [(s.kind, s.recipient, aware(s.send_after), aware(s.created_at))
               for s in uow.session.execute(select(SmsOutboxRow)).scalars()]
    assert sms and all(k == "sla" and addr == "dept_housing" for k, addr, _, _ in sms)
    # quiet hours (22:00-08:00) hold normal orders' SMS: created now, sent after the quiet
    # hours when now is in them, at once otherwise
    policy = eng.policy
    for _, _, deliver_at, created_at in sms:
        assert deliver_at == policy.deliver_at(created_at, "normal", None)


def test_quiet_hours_apply_to_normal_orders_only():
    policy = load_config().sla
    night = datetime(2026, 11, 27, 23, 30, tzinfo=TZ)
    assert policy.deliver_at(night, "normal", None) == datetime(2026, 11, 28, 8, 0, tzinfo=TZ)
    assert policy.deliver_at(night, "normal", "rr01") == night
    assert policy.deliver_at(night, "urgent", None) == night


def test_closed_order_has_no_next_check(rt):
    o = orders.create_order(rt, AGENT, {"content": "咨询公积金提取需要什么材料呢",
                                        "appeal_type": "consultation"})
    orders.act(rt, Actor("dispatcher", "dispatcher"), o["id"], "answer",
               {"data": {"reply": "公积金提取需带身份证和购房合同"}, "reason": None})
    assert _row(rt, o["id"]).next_check_at is None
    with rt.uow() as uow:
        assert uow.session.get(SlaOrderStateRow, o["id"]) is None


def test_explain_api_and_lists(api, rt):
    o = api.create(unit="dept_housing", appeal_type="complaint")
    r = api.as_("dept_housing").get(f"/api/v1/orders/{o['id']}/deadlines")
    assert r.status_code == 200, r.json
    clocks = {(d["clock"], d["target"]) for d in r.json["deadlines"]}
    assert {("sign", "legal"), ("contact", "legal"), ("reply", "legal")} <= clocks
    reply = next(d for d in r.json["deadlines"] if d["clock"] == "reply")
    assert reply["status"] == "ok" and reply["provisional"] is False
    assert reply["explain"] and "15 个工作日" in reply["reason"]
    assert reply["due"].endswith("23:59:59+08:00")
    assert api.as_("town_humen").get(f"/api/v1/orders/{o['id']}/deadlines").status_code == 404
    sweep_tick(rt, now=utcnow() + timedelta(days=30))
    r = api.as_("dept_housing").get("/api/v1/orders/%d/deadlines" % o["id"])
    assert [s["action"] for s in r.json["escalations"]] == ["urge", "supervise",
                                                           "escalate_leader"]
    r = api.as_("dept_housing").get("/api/v1/sla/inbox?tab=overdue")
    assert r.status_code == 200 and [i["id"] for i in r.json["items"]] == [o["id"]]
    assert r.json["counts"]["overdue"] == 1
    # another unit sees nothing, even when it asks for dept_housing
    r = api.as_("town_humen").get("/api/v1/sla/inbox?tab=overdue&unit=dept_housing")
    assert r.json["items"] == [] and r.json["unit"] == "town_humen"
    r = api.as_("supervisor").get("/api/v1/sla/units")
    assert r.json["items"][0]["unit"] == "dept_housing" and r.json["items"][0]["overdue"] == 1
    assert api.as_("dept_housing").get("/api/v1/sla/units").status_code == 403
    assert api.as_("supervisor").get("/api/v1/sla/inbox?tab=bogus").status_code in (400, 422)
    spec = api.as_("agent").get("/api/v1/openapi.json").json
    assert "/api/v1/orders/{order_id}/deadlines" in spec["paths"]
    assert "/api/v1/sla/inbox" in spec["paths"]
    for page in ("/supervisor/sla", "/inbox/sla", f"/orders/{o['id']}/deadlines"):
        assert api.client.get(page).status_code == 200


def _plan(rt, now) -> str:
    q = due_query(now, 200)
    sql = str(q.compile(rt.engine, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if rt.engine.dialect.name == "sqlite" else "EXPLAIN "
    with rt.engine.connect() as c:
        rows = c.execute(text(prefix + sql)).all()
    return "\n".join(str(r[-1]) for r in rows)


def test_due_selection_uses_the_index(rt):
    """The sweep's cost follows the due orders, not the open ones: the plan is an index
    range scan on next_check_at (on PostgreSQL with enough rows that a table scan would be
    chosen if the index were not usable)."""
    now = utcnow()
    if rt.engine.dialect.name == "postgresql":
        with rt.engine.begin() as c:
            c.execute(text("""
                INSERT INTO work_orders (number, query_code, status, content, channel, urgency,
                  caller_anonymous, caller_confidential, assist_units, received_at, created_at,
                  created_by, next_check_at, updated_at, version)
                SELECT 'P' || g, '000000', 'dispatched', 'x', 'phone', 'normal', false, false,
                  '[]', now(), now(), 'bench', now() + (g || ' minutes')::interval, now(), 1
                FROM generate_series(1, 20000) g"""))
            c.execute(text("ANALYZE work_orders"))
    else:
        _order(rt)
    plan = _plan(rt, now)
    assert "ix_work_orders_next_check_at" in plan, plan
    assert "Seq Scan" not in plan and "SCAN work_orders" not in plan.replace(
        "SCAN work_orders USING INDEX", "SEARCH"), plan


def test_fallback_path_one_order_at_a_time(rt, monkeypatch):
    """When the bulk page write fails, the page is redone per order (the orders.act shape)
    and the result is the same: each step once, next check moved on."""
    from hotline.sla import sweep

    def boom(*a, **k):
        raise RuntimeError("bulk write failed")
    monkeypatch.setattr(sweep, "_bulk_page", boom)
    a, b = _order(rt), _order(rt, unit="town_humen")
    later = utcnow() + timedelta(days=30)
    stats = sweep_tick(rt, now=later)
    assert stats["orders"] == 2 and stats["steps"] == 6 and stats["skipped"] == 0
    for o in (a, b):
        assert _ladder(rt, o["id"]) == ["urge", "supervise", "escalate_leader"]
    assert sweep_tick(rt, now=later)["orders"] == 0


def test_bulk_page_checks_the_version_and_falls_back(rt, monkeypatch):
    """The set-based UPDATE of a page only touches rows still at the version read under the
    lock: a page read at a stale version (a concurrent writer) is not written in bulk but
    redone one order at a time, and every step is still recorded exactly once."""
    from hotline.sla import sweep

    real = sweep._claim_page
    calls = []

    def stale(*a, **k):
        page = real(*a, **k)
        calls.append(len(page))
        return [(o, v - 1) for o, v in page]     # as if another writer saved meanwhile
    monkeypatch.setattr(sweep, "_claim_page", stale)
    bulk = sweep._bulk_page
    failures = []

    def watched(*a, **k):
        try:
            return bulk(*a, **k)
        except sweep._Stale as exc:
            failures.append(exc)
            raise
    monkeypatch.setattr(sweep, "_bulk_page", watched)
    a, b = _order(rt), _order(rt, unit="town_humen")
    later = utcnow() + timedelta(days=30)
    stats = sweep_tick(rt, now=later)
    assert failures and "2 orders changed" in str(failures[0])
    assert stats["orders"] == 2 and stats["steps"] == 6
    for o in (a, b):
        assert _ladder(rt, o["id"]) == ["urge", "supervise", "escalate_leader"]
    with rt.uow() as uow:
        topics = list(uow.session.execute(select(OutboxRow.topic)).scalars())
    assert topics.count("order.urge") == 2
    assert sweep_tick(rt, now=later)["orders"] == 0


def test_bulk_page_writes_what_the_per_order_path_writes(rt, monkeypatch):
    """The bulk writer (PostgreSQL: unnest + COPY; SQLite: executemany) stores the same
    transitions, outbox events, SLA state and next check as the per-order path."""
    from hotline.sla import sweep

    def snapshot(oid):
        with rt.uow() as uow:
            tr = [(t.action, t.actor, t.role, t.from_status, t.to_status, t.reason,
                   {k: v for k, v in (t.data or {}).items()})
                  for t in uow.orders.get(oid).history if t.action in sla_service.LADDER]
            ev = sorted((r.topic, tuple(sorted((k, v) for k, v in r.payload.items()
                                               if k not in ("order_id", "seq"))))
                        for r in uow.session.execute(select(OutboxRow)).scalars()
                        if r.payload.get("order_id") == oid
                        and r.topic.startswith("order.") and r.payload.get("auto"))
            st = uow.session.get(SlaOrderStateRow, oid)
            row = uow.session.get(WorkOrderRow, oid)
            return (tr, ev, (st.status, st.clock, st.target, aware(st.due),
                             aware(st.overdue_since), st.ladder, st.provisional),
                    aware(row.next_check_at), row.version)

    a = _order(rt)
    later = utcnow() + timedelta(days=30)
    version_before = _version(rt, a["id"])
    sweep_tick(rt, now=later)
    bulk = snapshot(a["id"])
    assert bulk[-1] == version_before + 1          # one version for the sweep's write
    monkeypatch.setattr(sweep, "_bulk_page", lambda *x, **k: (_ for _ in ()).throw(
        RuntimeError("per-order path")))
    b = _order(rt)
    with rt.engine.begin() as c:     # same facts as a: received at the same instant
        c.execute(text("UPDATE work_orders SET received_at = (SELECT received_at FROM "
                       "work_orders WHERE id = :a) WHERE id = :b"), {"a": a["id"], "b": b["id"]})
        c.execute(text("UPDATE transitions SET at = (SELECT at FROM transitions WHERE "
                       "order_id = :a AND seq = 1) WHERE order_id = :b AND seq = 1"),
                  {"a": a["id"], "b": b["id"]})
    with rt.engine.begin() as c:
        c.execute(text("UPDATE work_orders SET next_check_at = :t WHERE id = :b"),
                  {"t": later - timedelta(hours=1), "b": b["id"]})
    sweep_tick(rt, now=later)
    per_order = snapshot(b["id"])
    assert bulk[:4] == per_order[:4]
    assert len(bulk[0]) == 3


def _version(rt, oid):
    with rt.uow() as uow:
        return uow.session.get(WorkOrderRow, oid).version


def test_ladder_reuse_gives_the_same_answers():
    """The sweep walks the ladder once per order and reuses it after recording its steps
    (ladder records change no clock and no handling period): same steps, same next check."""
    from hotline.workorders.domain.model import Transition as T
    from hotline.workorders.domain.model import WorkOrder
    eng = load_config().sla_engine
    rec = datetime(2025, 9, 26, 16, 0, tzinfo=TZ)     # into the National Day holidays
    for days in (1, 2, 3, 5, 8, 12, 20):
        now = rec + timedelta(days=days, hours=3)
        o = WorkOrder(content="x", received_at=rec, id=1, status="dispatched",
                      appeal_type="complaint", unit="dept_housing",
                      history=[T(1, "dispatch", rec, "d", "dispatcher", None,
                                 "pending_dispatch", "dispatched", None,
                                 {"unit": "dept_housing"})])
        ds = eng.deadlines(o, o.history, now)
        lad = eng.ladder(ds, o.history, now)
        due = eng.escalation_steps_due(ds, o.history, now)
        assert eng.escalation_steps_due(ds, o.history, now, ladder=lad) == due
        for s in due:
            o.apply(s.action, Actor("sla-sweep", "system"), now, reason="r",
                    data=s.record_data())
        assert (sla_service.evaluate(o, now, eng, deadlines=ds, ladder=lad)
                == sla_service.evaluate(o, now, eng, deadlines=ds))
        assert eng.next_check_at(o, o.history, now) == eng.next_check_at(
            o, o.history, now, deadlines=ds, ladder=lad)
