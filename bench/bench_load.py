"""Load benchmark (issue 8 item 5; performance.md §3 and §8).

On a private PostgreSQL cluster and a private Redis (spare ports; tests/integration/helpers):
1. ceiling: a tiny bare Flask + marshmallow + SQLAlchemy app inserting one row per POST,
   gunicorn sync x4 — the "physical" anchor measured in the same run;
2. intake: `hotline serve --workers 4` (gunicorn sync, PostgreSQL + Redis, the classifier
   model published, one `hotline worker` draining the outbox) POST /api/v1/orders;
   target >= 50 % of the ceiling;
3. inbox: 1,000,000 orders inserted with INSERT ... SELECT generate_series, then a department
   user's order list (GET /api/v1/orders and /api/v1/inbox if present) p99; target <= 50 ms.
Load with wrk (installed with apt-get when missing), closed loop, --latency.

    .venv/bin/python bench/bench_load.py [--orders 1000000] [--duration 10]

Writes bench/results/load.json and load.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results"
PY = sys.executable
BODY = {"content": "市民反映东城街道某小区门口垃圾堆积多日无人清运, 气味难闻, 影响居民出行, 请相关部门尽快处理",
        "town": "town_dongcheng", "channel": "phone",
        "caller": {"name": "张先生", "phone": "13812345678"}}

CEILING_APP = '''
import os
from flask import Flask, jsonify, request
from marshmallow import Schema, fields, validate
from sqlalchemy import create_engine, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, Session

class Base(DeclarativeBase):
    pass

class Row(Base):
    __tablename__ = "ceiling_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    town: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))

class Caller(Schema):
    name = fields.String(validate=validate.Length(max=64))
    phone = fields.String(validate=validate.Regexp(r"^1[3-9]\\d{9}$"))

class In(Schema):
    content = fields.String(required=True, validate=validate.Length(min=5, max=5000))
    town = fields.String(validate=validate.Length(max=64))
    channel = fields.String(validate=validate.OneOf(["phone", "web", "app", "wechat", "sms"]))
    caller = fields.Nested(Caller)

engine = create_engine(os.environ["CEILING_DB"], pool_size=8, pool_pre_ping=True)
Base.metadata.create_all(engine)
app = Flask(__name__)

@app.post("/orders")
def orders():
    d = In().load(request.get_json())
    with Session(engine) as s:
        r = Row(content=d["content"], town=d.get("town"), channel=d.get("channel"),
                name=d["caller"]["name"], phone=d["caller"]["phone"])
        s.add(r)
        s.commit()
        return jsonify(id=r.id), 201
'''


def ensure_wrk() -> str:
    exe = shutil.which("wrk")
    if exe:
        return exe
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                   stdout=subprocess.DEVNULL)
    exe = shutil.which("wrk")
    if not exe:
        raise SystemExit("wrk is not installed and apt-get could not install it")
    return exe


def wrk(url: str, seconds: int, conns: int, script: Path | None = None) -> dict:
    cmd = [ensure_wrk(), "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        v, unit = float(m.group(1)), m.group(2)
        return round(v / 1000 if unit == "us" else v * 1000 if unit == "s" else v, 2)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50_ms": ms(50), "p99_ms": ms(99),
            "requests": int(total.group(1)) if total else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "conns": conns}


def lua_post(path: Path, token: str | None) -> Path:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else ""
    path.write_text('wrk.method = "POST"\nwrk.body = [[' + json.dumps(BODY, ensure_ascii=False)
                    + ']]\nwrk.headers["Content-Type"] = "application/json"\n' + auth)
    return path


def lua_get(path: Path, token: str) -> Path:
    path.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    return path


def wait_http(url, timeout=120):
    from tests.integration.helpers import wait_http as w
    w(url, timeout)


def login(base, user):
    import urllib.request
    req = urllib.request.Request(base + "/api/v1/auth/token", data=json.dumps(
        {"username": user, "password": "hotline-demo-2026"}).encode(),
        headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=10).read())["token"]


FILL_SQL = """
INSERT INTO work_orders (number, query_code, status, title, content, channel, urgency,
    caller_name, caller_phone, caller_anonymous, caller_confidential, town, address, category,
    unit, first_unit, assist_units, received_at, created_at, updated_at, created_by, version)
SELECT 'B' || lpad(g::text, 10, '0'), '000000',
       (ARRAY['dispatched','signed','in_progress','replied','closed'])[1 + g % 5],
       '批量数据', '市民反映小区垃圾清运不及时 ' || g, 'phone', 'normal',
       '市民', '138' || lpad((g % 100000000)::text, 8, '0'), false, false,
       u.town, '地址 ' || g, 'sanitation', u.unit, u.unit, '[]'::json,
       now() - (g || ' seconds')::interval, now(), now(), 'bench', 1
FROM generate_series(1, :n) AS g
JOIN (SELECT row_number() OVER (ORDER BY code) - 1 AS i, code AS unit,
             CASE WHEN kind = 'town' THEN code ELSE NULL END AS town
      FROM units) u ON u.i = g % (SELECT count(*) FROM units)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--conns", type=int, default=16)
    args = ap.parse_args()
    from sqlalchemy import create_engine, text

    from tests.integration.helpers import PrivatePostgres, PrivateRedis, free_port
    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    pg = PrivatePostgres().start()
    redis = PrivateRedis().start()
    procs: list[subprocess.Popen] = []
    result: dict = {"machine": {"cpus": os.cpu_count()}, "duration_s": args.duration,
                    "conns": args.conns}

    def spawn(cmd, env, name):
        p = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env},
                             stdout=open(tmp / f"{name}.log", "w"), stderr=subprocess.STDOUT,
                             start_new_session=True)
        procs.append(p)
        return p

    def kill(p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
    try:
        # 1. ceiling
        ceiling_db = pg.createdb("ceiling")
        (tmp / "ceiling_app.py").write_text(CEILING_APP)
        port = free_port()
        p = spawn([PY, "-m", "gunicorn", "-k", "sync", "-w", "4", "-b", f"127.0.0.1:{port}",
                   "--chdir", str(tmp), "ceiling_app:app"], {"CEILING_DB": ceiling_db},
                  "ceiling")
        base = f"http://127.0.0.1:{port}"
        time.sleep(1)
        for _ in range(100):
            try:
                import urllib.request
                urllib.request.urlopen(base + "/orders", timeout=1)
            except Exception as e:   # 405 on GET means it is up
                if "405" in str(e):
                    break
                time.sleep(0.2)
        wrk(base + "/orders", 2, args.conns, lua_post(tmp / "c.lua", None))   # warm-up
        result["ceiling"] = wrk(base + "/orders", args.duration, args.conns, tmp / "c.lua")
        kill(p)
        print("ceiling", result["ceiling"], flush=True)

        # 2. intake
        url = pg.createdb("hotline")
        env = {"DATABASE_URL": url, "REDIS_URL": redis.url, "SECRET_KEY": "bench",
               "HOTLINE_VAR": str(tmp / "var"), "HOTLINE_QUEUE": "bench",
               "HOTLINE_RATELIMIT": "off", "PYTHONPATH": str(ROOT)}
        for cmd in (["db", "upgrade"], ["seed-demo", "--orders", "0"],
                    ["classify", "ensure-model"]):
            r = subprocess.run([PY, "-m", "hotline.cli", *cmd], cwd=ROOT, env={**os.environ, **env},
                               capture_output=True, text=True, timeout=900)
            if r.returncode != 0:
                print(r.stdout[-2000:], r.stderr[-3000:])
                raise SystemExit(f"hotline {' '.join(cmd)} failed")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web = spawn([PY, "-m", "hotline.cli", "serve", "--port", str(port), "--workers", "4"],
                    env, "web")
        spawn([PY, "-m", "hotline.cli", "worker"], env, "worker")
        wait_http(base + "/login")
        agent = login(base, "agent")
        wrk(base + "/api/v1/orders", 2, args.conns, lua_post(tmp / "i.lua", agent))
        result["intake"] = wrk(base + "/api/v1/orders", args.duration, args.conns, tmp / "i.lua")
        result["intake"]["ratio_to_ceiling"] = round(
            result["intake"]["rps"] / max(result["ceiling"]["rps"], 1e-9), 3)
        eng = create_engine(url)
        with eng.connect() as c:
            result["intake"]["classified_share"] = float(c.execute(text(
                "SELECT avg(CASE WHEN model_version IS NOT NULL THEN 1.0 ELSE 0 END) "
                "FROM work_orders")).scalar() or 0)
        print("intake", result["intake"], flush=True)

        # 3. inbox on 1M orders
        t0 = time.perf_counter()
        with eng.begin() as c:
            c.execute(text(FILL_SQL), {"n": args.orders})
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE work_orders"))
            n = c.execute(text("SELECT count(*) FROM work_orders")).scalar()
        result["inbox"] = {"orders_in_db": n, "fill_seconds": round(time.perf_counter() - t0, 1)}
        dept = login(base, "town_humen")
        lua_get(tmp / "g.lua", dept)
        paths = {"orders_list": "/api/v1/orders?per_page=20"}
        import urllib.request
        try:
            urllib.request.urlopen(urllib.request.Request(
                base + "/api/v1/inbox", headers={"Authorization": f"Bearer {dept}"}), timeout=30)
            paths["inbox"] = "/api/v1/inbox"
        except Exception as e:
            result["inbox"]["inbox_endpoint"] = f"not measured: {e}"
        for name, path in paths.items():
            wrk(base + path, 2, 4, tmp / "g.lua")
            result["inbox"][name] = wrk(base + path, args.duration, 4, tmp / "g.lua")
            print(name, result["inbox"][name], flush=True)
        eng.dispose()
        kill(web)
    finally:
        for p in procs:
            kill(p)
        redis.stop()
        pg.destroy()
    write(result)


def write(r: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load.json").write_text(json.dumps(r, indent=2, ensure_ascii=False))
    c, i, ib = r["ceiling"], r["intake"], r["inbox"]
    lines = ["# Load benchmark (bench/bench_load.py)", "",
             f"Private PostgreSQL 15 + Redis, gunicorn sync x4, wrk -t1 -c{r['conns']} "
             f"-d{r['duration_s']}s --latency, same machine ({r['machine']['cpus']} CPUs).", "",
             "| what | req/s | p50 ms | p99 ms | non-2xx | target |", "|---|---|---|---|---|---|",
             f"| ceiling: bare Flask+marshmallow+SQLAlchemy insert | {c['rps']:.0f} | "
             f"{c['p50_ms']} | {c['p99_ms']} | {c['non_2xx']} | anchor |",
             f"| intake POST /api/v1/orders (classified {i.get('classified_share', 0):.0%}) | "
             f"{i['rps']:.0f} | {i['p50_ms']} | {i['p99_ms']} | {i['non_2xx']} | >= 50 % of "
             f"ceiling: **{i['ratio_to_ceiling']:.0%}** |"]
    for name in ("orders_list", "inbox"):
        if name in ib:
            x = ib[name]
            lines.append(f"| {name} as department, {ib['orders_in_db']:,} orders in DB (c=4) | "
                         f"{x['rps']:.0f} | {x['p50_ms']} | {x['p99_ms']} | {x['non_2xx']} | "
                         f"p99 <= 50 ms: **{'met' if (x['p99_ms'] or 1e9) <= 50 else 'NOT met'}** |")
    (OUT / "load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
