"""Overlapping sweeps and a sweep killed mid-run (docs/design/architecture.md §5.5), with real
processes (`hotline sla sweep` subprocesses) on PostgreSQL (private schema) and on a SQLite file:
each escalation step is recorded exactly once, none is lost."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from hotline.core.db import utcnow
from hotline.core.orm import OutboxRow, TransitionRow, WorkOrderRow
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor
from tests.integration.helpers import REPO, hotline_cmd, runtime_env

N = 60
LADDER = ["urge", "supervise", "escalate_leader"]


def _orders(rt, n=N):
    units = ["dept_housing", "town_humen", "dept_water"]
    return [orders.create_order(rt, Actor("agent", "agent"), {
        "content": f"第{i}号 小区门口垃圾堆积多日无人清运", "unit": units[i % 3],
        "appeal_type": "complaint"})["id"] for i in range(n)]


def _steps(rt) -> dict[int, list[str]]:
    with rt.uow() as uow:
        rows = uow.session.execute(select(TransitionRow.order_id, TransitionRow.action)
                                   .where(TransitionRow.action.in_(LADDER))
                                   .order_by(TransitionRow.order_id, TransitionRow.seq)).all()
    out: dict[int, list[str]] = {}
    for oid, action in rows:
        out.setdefault(oid, []).append(action)
    return out


def _popen(rt, *args):
    env = {**os.environ, **runtime_env(rt)}
    return subprocess.Popen([sys.executable, "-m", "hotline.cli", "sla", "sweep", *args],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _assert_exactly_once(rt, ids):
    steps = _steps(rt)
    assert {oid: steps.get(oid) for oid in ids} == {oid: LADDER for oid in ids}
    with rt.uow() as uow:
        topics = Counter(uow.session.execute(select(OutboxRow.topic)).scalars())
        due = uow.session.execute(select(func.count()).select_from(WorkOrderRow).where(
            WorkOrderRow.id.in_(ids), WorkOrderRow.next_check_at.is_not(None))).scalar_one()
    for a in LADDER:
        assert topics[f"order.{a}"] == len(ids)
    assert due == 0      # all clocks overdue, all steps recorded: nothing left to check


def _two_overlapping_sweeps(rt) -> list[dict]:
    """Two `hotline sla sweep` processes 30 days ahead; each one's printed stats. The first
    runs in slow paused batches and the second starts once the first has committed a page, so
    the second runs while the first still holds pages to claim. Which sweep takes how many
    pages depends on the machine's load, so callers assert exactly-once, not the split."""
    later = (utcnow() + timedelta(days=30)).isoformat()
    first = _popen(rt, "--now", later, "--batch", "5", "--pause", "0.4")
    deadline = time.time() + 60
    while time.time() < deadline and not _steps(rt) and first.poll() is None:
        time.sleep(0.05)
    procs = [first, _popen(rt, "--now", later, "--batch", "5", "--pause", "0.05")]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
    stats = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    return stats


def test_overlapping_sweeps_record_each_step_once(rt):
    ids = _orders(rt)
    stats = _two_overlapping_sweeps(rt)
    # every order was handled by exactly one of the two sweeps ...
    assert sum(s["orders"] for s in stats) == N, stats
    _assert_exactly_once(rt, ids)
    # a third sweep finds nothing
    later = (utcnow() + timedelta(days=30)).isoformat()
    r = hotline_cmd(["sla", "sweep", "--now", later], runtime_env(rt))
    assert r.returncode == 0 and json.loads(r.stdout)["orders"] == 0


def test_sweep_killed_mid_run_loses_no_step(rt):
    ids = _orders(rt)
    later = (utcnow() + timedelta(days=30)).isoformat()
    p = _popen(rt, "--now", later, "--batch", "4", "--pause", "0.5")
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            done = sum(1 for v in _steps(rt).values() if v)
            if done >= 8:
                break
            time.sleep(0.05)
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    partial = _steps(rt)
    assert 8 <= len(partial) < N, len(partial)       # killed after some, before all
    assert all(v == LADDER for v in partial.values())  # committed pages are whole
    r = hotline_cmd(["sla", "sweep", "--now", later], runtime_env(rt))
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["orders"] == N - len(partial)
    _assert_exactly_once(rt, ids)
