"""Fault tolerance with real processes: a private PostgreSQL and Redis on
spare ports, real `hotline worker` / `hotline serve` processes.

- a worker killed with SIGKILL mid-job: the job is retried (relay re-queues the unprocessed
  outbox row after HOTLINE_REENQUEUE_AFTER); nothing duplicated or lost;
- Redis down: intake keeps working; queued work runs when it is back (with counts);
- PostgreSQL restarted under traffic: requests fail cleanly with 503 and the service
  recovers without a restart (pool_pre_ping);
- backup and restore: pg_dump -Fc / pg_restore into another database, row counts equal.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from hotline.core.orm import NotificationRow, OutboxRow, WorkOrderRow
from tests.conftest import PASSWORD, Api, make_runtime

from .helpers import (
    REPO,
    PrivatePostgres,
    PrivateRedis,
    free_port,
    hotline_cmd,
    runtime_env,
    wait_http,
)

pytestmark = [pytest.mark.faults, pytest.mark.slow,
              pytest.mark.skipif(not PrivatePostgres.available(),
                                 reason="PostgreSQL 15 binaries or runuser missing")]

SLOW_SITE = textwrap.dedent("""
    import os, time
    if os.environ.get("HOTLINE_TEST_SLOW_JOB"):
        from hotline.core.events import OrderCreated
        from hotline.core.handlers import HANDLERS
        def _slow(rt, uow, event_id, event):
            time.sleep(float(os.environ["HOTLINE_TEST_SLOW_JOB"]))
        HANDLERS.setdefault(OrderCreated, []).append(_slow)   # before bootstrap reads it
""")


@pytest.fixture(scope="module")
def pg():
    p = PrivatePostgres().start()
    yield p
    p.destroy()


@pytest.fixture
def redis():
    r = PrivateRedis().start()
    yield r
    r.stop()


@pytest.fixture
def prod(pg, redis, tmp_path):
    """A migrated database on the private cluster and a runtime on it with Redis (the
    production path), plus env for subprocesses."""
    url = pg.createdb(f"f_{uuid.uuid4().hex[:8]}")
    rt = make_runtime(url, redis.url, queue_name=f"q-{uuid.uuid4().hex[:6]}")
    env = runtime_env(rt) | {"HOTLINE_VAR": str(tmp_path / "var"), "HOTLINE_REENQUEUE_AFTER": "2"}
    for args in (["db", "upgrade"], ["seed-demo", "--orders", "0"]):
        out = hotline_cmd(args, env)
        assert out.returncode == 0, out.stderr[-2000:]
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_SITE)
    env["PYTHONPATH"] = f"{site}{os.pathsep}{REPO}"
    yield rt, env
    rt.engine.dispose()


def start(args, env, log):
    return subprocess.Popen([sys.executable, "-m", "hotline.cli", *args], cwd=REPO,
                            env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def counts(rt, order_ids):
    """orders, outbox rows done/pending, dispatch notifications per order (dup / lost)."""
    with rt.uow() as uow:
        s = uow.session
        # the orders' own events (12 similar appeals from one town also raise a hot-spot
        # alert, issue 17: its job is not one of the orders')
        done = s.execute(select(func.count()).select_from(OutboxRow)
                         .where(OutboxRow.processed_at.is_not(None),
                                OutboxRow.topic.like("order.%"))).scalar_one()
        pending = s.execute(select(func.count()).select_from(OutboxRow)
                            .where(OutboxRow.processed_at.is_(None))).scalar_one()
        notes = s.execute(select(NotificationRow.order_id)
                          .where(NotificationRow.kind == "dispatched")).scalars().all()
    per = {i: notes.count(i) for i in order_ids}
    return {"orders": len(order_ids), "jobs_done": done, "pending": pending,
            "duplicated": sum(n - 1 for n in per.values() if n > 1),
            "lost": sum(1 for n in per.values() if n == 0)}


def wait_until(fn, timeout=60, every=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(every)
    return fn()


def test_worker_killed_mid_job_is_retried_nothing_duplicated_or_lost(prod, tmp_path):
    rt, env = prod
    api = Api(__import__("hotline.web.app", fromlist=["create_app"]).create_app(rt))
    ids = [api.create(content=f"第{i}位市民反映路灯不亮, 夜间出行不便", unit="town_humen",
                      town="town_humen")["id"] for i in range(12)]
    slow = {**env, "HOTLINE_TEST_SLOW_JOB": "0.4"}
    log = open(tmp_path / "worker1.log", "w")
    w1 = start(["worker"], slow, log)
    # wait until the worker is inside jobs (some work done, much still to do), then SIGKILL
    assert wait_until(lambda: counts(rt, ids)["jobs_done"] >= 3, 60), \
        (tmp_path / "worker1.log").read_text()[-3000:]
    w1.kill()
    w1.wait(10)
    mid = counts(rt, ids)
    assert mid["pending"] > 0, mid                   # killed mid-way: work left over
    w2 = start(["worker"], slow, open(tmp_path / "worker2.log", "w"))
    try:
        final = wait_until(lambda: (c := counts(rt, ids))["pending"] == 0 and c, 120)
    finally:
        stop(w2)
    final = counts(rt, ids)
    print(f"\nSIGKILL worker: orders accepted {final['orders']}, jobs run {final['jobs_done']} "
          f"(pending when killed {mid['pending']}), duplicated {final['duplicated']}, "
          f"lost {final['lost']}")
    assert final["pending"] == 0 and final["jobs_done"] == 2 * len(ids)
    assert final["duplicated"] == 0 and final["lost"] == 0


def test_redis_down_intake_works_and_work_runs_when_back(prod, redis, tmp_path):
    rt, env = prod
    from hotline.web.app import create_app
    api = Api(create_app(rt))
    api.token("agent")
    worker = start(["worker"], env, open(tmp_path / "w.log", "w"))
    try:
        first = [api.create(content=f"第{i}位市民反映噪音扰民", unit="town_humen",
                            town="town_humen")["id"] for i in range(3)]
        assert wait_until(lambda: counts(rt, first)["lost"] == 0, 60)
        redis.stop()                                       # Redis outage
        during = [api.create(content=f"第{i}位市民反映路面破损", unit="town_humen",
                             town="town_humen")["id"] for i in range(8)]
        assert api.client.get("/healthz").json["queue"] == "down"
        time.sleep(1.5)
        assert counts(rt, during)["lost"] == len(during)   # nothing could run meanwhile
        redis.start()                                      # back (empty: the queue was lost)
        ids = first + during
        final = wait_until(lambda: (c := counts(rt, ids))["pending"] == 0 and c, 90)
    finally:
        stop(worker)
    final = counts(rt, ids)
    print(f"\nRedis down: orders accepted {final['orders']} ({len(during)} during the outage), "
          f"jobs run {final['jobs_done']}, duplicated {final['duplicated']}, "
          f"lost {final['lost']}")
    assert final["pending"] == 0 and final["duplicated"] == 0 and final["lost"] == 0


def _post(base, token, body, key=None):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    req = urllib.request.Request(f"{base}/api/v1/orders", data=json.dumps(body).encode(),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
    except Exception as e:   # connection reset etc. count as failures to fail cleanly
        return 0, {"error": repr(e)}


def test_postgres_restart_under_traffic_503_then_recovers(prod, pg, tmp_path):
    """Every answer is 201 or a clean 503, the web recovers without a restart, and a client
    that retries its 503s with the same Idempotency-Key ends with every appeal stored exactly
    once. (A 503 does not prove the order is absent: when PostgreSQL stops between COMMIT and
    its acknowledgement the order is stored and the answer lost; the retry then gets 200.)"""
    rt, env = prod
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = start(["serve", "--port", str(port), "--workers", "2"], env,
                open(tmp_path / "web.log", "w"))
    try:
        wait_http(base + "/login", 90)
        req = urllib.request.Request(base + "/api/v1/auth/token", data=json.dumps(
            {"username": "agent", "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/json"})
        token = json.loads(urllib.request.urlopen(req, timeout=10).read())["token"]
        results: list[tuple[float, int, str, dict]] = []
        stop_flag = threading.Event()

        def body(key):
            return {"content": f"市民({key})反映井盖缺失, 存在安全隐患", "unit": "town_humen",
                    "town": "town_humen"}

        def traffic(n):
            i = 0
            while not stop_flag.is_set():
                i += 1
                key = f"t{n}-{i}"
                code, out = _post(base, token, body(key), key)
                results.append((time.time(), code, key, out))
                time.sleep(0.02)
        threads = [threading.Thread(target=traffic, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        t_down = time.time()
        pg.stop("immediate")                     # PostgreSQL goes away under traffic
        time.sleep(2.0)
        pg.start()                               # and comes back; the web is NOT restarted
        t_up = time.time()
        time.sleep(3.0)
        stop_flag.set()
        for t in threads:
            t.join(30)
        after = [c for ts, c, _, _ in results if ts > t_up + 1.0]
        during = [c for ts, c, _, _ in results if t_down <= ts <= t_up]
        acked = {key: out["id"] for _, c, key, out in results if c == 201}
        codes = sorted({c for _, c, _, _ in results})
        assert set(codes) <= {201, 503}, codes   # clean failures only: no 500, no resets
        assert 503 in codes
        assert after and set(after) == {201}     # recovered without a restart
        # the client retries each 503 with its key: 200 = it had been stored, 201 = it had not
        retried = {key: _post(base, token, body(key), key)
                   for _, c, key, _ in results if c != 201}
        replayed = sum(1 for c, _ in retried.values() if c == 200)
        print(f"\nPostgreSQL restart: {len(results)} requests, {len(acked)} accepted (201), "
              f"during outage {len(during)} answered {sorted(set(during))}, after "
              f"{len(after)} answered {sorted(set(after))}; {len(retried)} retried with their "
              f"key: {replayed} had been stored (200), {len(retried) - replayed} stored now")
        assert {c for c, _ in retried.values()} <= {200, 201}, retried
        with rt.uow() as uow:
            rows = uow.session.execute(select(WorkOrderRow.idempotency_key,
                                              WorkOrderRow.id)).all()
        stored = dict(rows)
        # every appeal stored exactly once: nothing lost, nothing duplicated
        assert len(rows) == len(stored) == len(results) == len(acked) + len(retried)
        assert all(stored[k] == oid for k, oid in acked.items())            # every 201 kept
        assert all(stored[k] == out["id"] for k, (_, out) in retried.items())
    finally:
        stop(web)


def test_backup_and_restore_row_counts_equal(prod, pg, tmp_path):
    rt, env = prod
    from hotline.web.app import create_app
    api = Api(create_app(rt))
    for i in range(5):
        api.create(content=f"第{i}位市民反映垃圾清运不及时", unit="town_humen", town="town_humen")
    src = rt.engine.url.database
    dump = tmp_path / "hotline.dump"
    runas: list = []   # client tools run as anyone (trust auth on the private cluster)
    bin_ = "/usr/lib/postgresql/15/bin"
    subprocess.run([*runas, f"{bin_}/pg_dump", "-h", "127.0.0.1", "-p", str(pg.port),
                    "-U", "postgres", "-Fc", "-f", str(dump), src], check=True, timeout=120)
    target = f"restore_{uuid.uuid4().hex[:6]}"
    pg.createdb(target)
    subprocess.run([*runas, f"{bin_}/pg_restore", "-h", "127.0.0.1", "-p", str(pg.port),
                    "-U", "postgres", "--no-owner", "-d", target, str(dump)], check=True,
                   timeout=120)
    from hotline.core.orm import Base
    a, b = create_engine(pg.url(src)), create_engine(pg.url(target))
    table_counts = {}
    with a.connect() as ca, b.connect() as cb:
        for t in Base.metadata.sorted_tables + [type("V", (), {"name": "alembic_version"})]:
            q = text(f'SELECT count(*) FROM "{t.name}"')
            table_counts[t.name] = (ca.execute(q).scalar(), cb.execute(q).scalar())
    a.dispose()
    b.dispose()
    diff = {k: v for k, v in table_counts.items() if v[0] != v[1]}
    print(f"\nbackup/restore: {len(table_counts)} tables, work_orders "
          f"{table_counts['work_orders']}, differences {diff}")
    assert table_counts["work_orders"] == (5, 5) and not diff
