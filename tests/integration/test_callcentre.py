"""The centre's telephone figures (issue 18 item 4): a generated Asterisk queue_log of a few
thousand calls is imported with `hotline calls import-queue-log`, and the report's 接通率 and
放弃率 equal the values counted here from the generator's own plan (never from the code under
test). The JSON event API is idempotent per call and event; a call links to its order."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.integration.helpers import hotline_cmd, runtime_env

TZ = ZoneInfo("Asia/Shanghai")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))


def generate(path, n_calls: int = 3000, seed: int = 18):
    """A deterministic queue_log: per call an outcome drawn with fixed weights, the lines an
    Asterisk queue writes for it, noise lines the import must skip, and the plan (what
    happened to each call) for the hand count."""
    rnd = random.Random(seed)
    lines, plan = [], []
    for i in range(n_calls):
        day = DAYS[i % len(DAYS)]
        start = datetime(day.year, day.month, day.day, 8, tzinfo=TZ) + timedelta(
            seconds=rnd.randrange(0, 12 * 3600))
        t0 = int(start.timestamp())
        callid = f"{t0}.{i}"
        outcome = rnd.choices(["answered", "abandoned", "timeout", "empty"],
                              weights=[78, 14, 5, 3])[0]
        wait = rnd.randrange(0, 60)
        agent = f"SIP/80{rnd.randrange(10, 40)}"
        lines.append(f"{t0}|{callid}|12345|NONE|ENTERQUEUE||1380013{i % 10000:04d}|1")
        if outcome == "answered":
            if rnd.random() < 0.2:
                lines.append(f"{t0 + 3}|{callid}|12345|SIP/8099|RINGNOANSWER|3000")
            talk = rnd.randrange(30, 600)
            lines.append(f"{t0 + wait}|{callid}|12345|{agent}|CONNECT|{wait}|{callid}x|2")
            end_event = rnd.choice(["COMPLETECALLER", "COMPLETEAGENT"])
            lines.append(f"{t0 + wait + talk}|{callid}|12345|{agent}|{end_event}|{wait}|{talk}|1")
        elif outcome == "abandoned":
            lines.append(f"{t0 + wait}|{callid}|12345|NONE|ABANDON|1|1|{wait}")
        elif outcome == "timeout":
            wait = 60
            lines.append(f"{t0 + wait}|{callid}|12345|NONE|EXITWITHTIMEOUT|1|1|{wait}")
        else:
            lines.append(f"{t0 + wait}|{callid}|12345|NONE|EXITEMPTY|1|1|{wait}")
        plan.append({"day": day, "outcome": outcome, "wait": wait})
        if i % 500 == 0:   # what a real log also holds: agent and queue housekeeping
            lines.append(f"{t0}|NONE|12345|SIP/8011|ADDMEMBER|")
            lines.append(f"{t0}|NONE|NONE|NONE|QUEUESTART|")
            lines.append(f"{t0}|{callid}|12345|SIP/8011|AGENTLOGIN|SIP/8011")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plan


def test_queue_log_import_rates_equal_hand_count(rt, tmp_path):
    log = tmp_path / "queue_log"
    plan = generate(log)
    assert len(plan) == 3000
    env = runtime_env(rt)
    r = hotline_cmd(["calls", "import-queue-log", str(log)], env, timeout=600)
    assert r.returncode == 0, r.stderr
    # a second import of the same file stores nothing new (idempotent per callid + event)
    again = hotline_cmd(["calls", "import-queue-log", str(log)], env, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "新增 0" in again.stdout

    # the hand count, from the plan
    offered = len(plan)
    answered = sum(p["outcome"] == "answered" for p in plan)
    abandoned = sum(p["outcome"] == "abandoned" for p in plan)
    within15 = sum(p["outcome"] == "answered" and p["wait"] <= 15 for p in plan)
    waits = [p["wait"] for p in plan]

    from hotline.callcentre import service
    rep = service.report(rt, DAYS[0], DAYS[-1], "day")
    t = rep["total"]
    assert t["offered"] == offered
    assert t["answered"] == answered and t["abandoned"] == abandoned
    assert t["answer_rate"] == round(answered / offered, 4)
    assert t["abandon_rate"] == round(abandoned / offered, 4)
    assert t["service_level"] == round(within15 / offered, 4)
    assert t["avg_wait_seconds"] == round(sum(waits) / len(waits), 1)
    # per day, counted the same way
    assert [p["period"] for p in rep["periods"]] == [d.isoformat() for d in DAYS]
    for d, row in zip(DAYS, rep["periods"]):
        mine = [p for p in plan if p["day"] == d]
        assert row["offered"] == len(mine)
        assert row["answer_rate"] == round(
            sum(p["outcome"] == "answered" for p in mine) / len(mine), 4)
        assert row["abandon_rate"] == round(
            sum(p["outcome"] == "abandoned" for p in mine) / len(mine), 4)
    # per hour: the hours of the three days add up to the same total
    hours = service.report(rt, DAYS[0], DAYS[-1], "hour")
    assert sum(x["answered"] for x in hours["periods"]) == answered
    assert all(" " in x["period"] for x in hours["periods"])


def _ev(callid, event, at, data=(), agent=None):
    return {"callid": callid, "event": event, "at": at.isoformat(), "queue": "12345",
            "agent": agent, "data": list(data)}


def test_event_api_is_idempotent_and_links_the_order(rt, api):
    from hotline.callcentre import service
    now = datetime.now(TZ).replace(microsecond=0)
    enter = now - timedelta(minutes=3)
    events = [_ev("c-1", "ENTERQUEUE", enter),
              _ev("c-1", "CONNECT", enter + timedelta(seconds=12), [12, "x", 3], "SIP/8001")]
    r = api.as_("admin").post("/api/v1/calls/events", json={"events": events})
    assert r.status_code == 200, r.json
    assert r.json["stored"] == 2
    # the agent logs the order during the call; the switch then reports the hang-up
    oid = api.create("agent")["id"]
    end = [_ev("c-1", "COMPLETECALLER", now + timedelta(minutes=1), [12, 70, 1], "SIP/8001")]
    r = api.as_("admin").post("/api/v1/calls/events", json={"events": events + end})
    assert r.json == {"received": 3, "stored": 1, "duplicates": 2, "calls": 1}
    assert [c["order_id"] for c in service.calls_of_order(rt, _actor("agent"), oid)] == [oid]
    rep = api.as_("supervisor").get(f"/api/v1/reports/calls?from={now.date()}&to={now.date()}")
    assert rep.status_code == 200, rep.json
    assert rep.json["total"]["offered"] == 1 and rep.json["total"]["answer_rate"] == 1.0
    assert rep.json["total"]["service_level"] == 1.0
    assert "direct_answer_rate" in rep.json["knowledge"]


def _actor(name):
    from hotline.workorders.domain.model import Actor
    return Actor(name, name)


def test_call_id_at_intake_links_explicitly(rt, api):
    from hotline.callcentre import service
    oid = api.create("agent", call_id="1764700000.77")["id"]
    calls = service.calls_of_order(rt, _actor("agent"), oid)
    assert [(c["callid"], c["link"]) for c in calls] == [("1764700000.77", "explicit")]
    # the switch's events arrive later; the explicit link stays, the call is counted
    at = datetime.now(TZ) - timedelta(minutes=5)
    api.as_("admin").post("/api/v1/calls/events", json={"events": [
        _ev("1764700000.77", "ENTERQUEUE", at),
        _ev("1764700000.77", "ABANDON", at + timedelta(seconds=40), [1, 1, 40])]})
    calls = service.calls_of_order(rt, _actor("agent"), oid)
    assert calls[0]["outcome"] == "abandoned" and calls[0]["order_id"] == oid


@pytest.mark.parametrize("body,field", [
    ({"events": []}, "events"),
    ({"events": [{"callid": "x", "event": "HELLO", "epoch": 1764700000}]}, "events.0.event"),
    ({"events": [{"callid": "x", "event": "CONNECT"}]}, "events.0.at"),
    ({"events": [{"callid": "x", "event": "CONNECT", "epoch": 1764700000,
                  "data": [{"a": 1}]}]}, "events.0.data"),
    ({"events": [{"callid": "NONE", "event": "CONNECT", "epoch": 1764700000}]},
     "events.0.callid"),
])
def test_bad_events_are_422_with_the_field(api, body, field):
    r = api.as_("admin").post("/api/v1/calls/events", json=body)
    assert r.status_code == 422, r.json
    assert any(k.startswith(field) for k in r.json["error"]["fields"]), r.json


def test_link_needs_an_existing_order(api):
    r = api.as_("agent").post("/api/v1/calls/c-9/link", json={"order_id": 999999})
    assert r.status_code == 422 and "order_id" in r.json["error"]["fields"]
    oid = api.create("agent")["id"]
    r = api.as_("agent").post("/api/v1/calls/c-9/link", json={"order_id": oid})
    assert r.status_code == 200 and (r.json["order_id"], r.json["link"]) == (oid, "explicit")
    assert api.as_("town_humen").post("/api/v1/calls/c-9/link",
                                      json={"order_id": oid}).status_code == 403


def test_roles(api):
    assert api.as_("agent").post("/api/v1/calls/events", json={"events": []}).status_code == 403
    assert api.as_("town_humen").get("/api/v1/reports/calls").status_code == 403
    r = api.as_("supervisor").get("/api/v1/reports/calls?from=2026-12-03&to=2026-12-01")
    assert r.status_code == 422 and "from" in r.json["error"]["fields"]
    r = api.as_("supervisor").get("/api/v1/reports/calls?by=week")
    assert r.status_code == 422 and "by" in r.json["error"]["fields"]
