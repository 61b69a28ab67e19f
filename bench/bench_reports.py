"""Unit report (issue 6 item 5): one year of orders with their histories in PostgreSQL.

Generates N work orders, 4 transitions each and their unit_facts rollup rows with
INSERT ... SELECT generate_series in a private schema, then times the unit report
(reports.service' SQL: one GROUP BY over unit_facts + the pure rate formulas) for the year.
Writes bench/results/reports.json and .md.  Usage: python bench/bench_reports.py [N ...]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG = os.environ.get("HOTLINE_BENCH_DATABASE_URL",
                    os.environ.get("HOTLINE_TEST_DATABASE_URL",
                                   "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
OUT = ROOT / "bench" / "results"


def generate(conn, n: int, units: list[str]) -> None:
    conn.execute(text("CREATE TEMP TABLE u AS SELECT ord - 1 AS i, code FROM unnest(CAST(:c AS text[])) "
                      "WITH ORDINALITY AS t(code, ord)"), {"c": units})
    k = len(units)
    conn.execute(text(f"""
      INSERT INTO work_orders (id, number, query_code, status, content, channel, urgency,
        caller_anonymous, caller_confidential, town, category, unit, first_unit, assist_units,
        received_at, created_at, created_by, updated_at, version)
      SELECT g, 'B' || g, '000000', CASE WHEN g % 10 < 8 THEN 'closed' ELSE 'in_progress' END,
        '市民反映问题', 'phone', 'normal', false, false, NULL, 'sanitation', u.code, u.code, '[]',
        ts, ts, 'bench', ts, 1
      FROM generate_series(1, {n}) g
      CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 00:00+08' +
                           (g::float8 / {n}) * interval '365 days' AS ts) t
      JOIN u ON u.i = g % {k}"""))
    conn.execute(text("""
      INSERT INTO transitions (order_id, seq, action, at, actor, role, unit, from_status,
                               to_status, data)
      SELECT w.id, s.seq, s.action, w.received_at + s.off, 'bench', 'department', w.unit,
             'x', 'y', '{}'
      FROM work_orders w CROSS JOIN (VALUES (1, 'dispatch', interval '10 minutes'),
        (2, 'sign', interval '3 hours'), (3, 'contact', interval '20 hours'),
        (4, 'reply', interval '5 days')) AS s(seq, action, off)"""))
    conn.execute(text("""
      INSERT INTO unit_facts (order_id, unit, assigned_at, day, week, month, category, town,
        status, returned_away, unreasonable, returns_req, returns_ok, returns_bad,
        sign_due_at, signed_at, contact_req, contact_due_at, contacted_at, reply_due_at,
        replied_at, replies, send_backs, extensions, reopens, closed, visits, answers,
        res_yes, res_partial, res_no, sat_yes, sat_basic, sat_no, unreachable,
        excluded_ratings)
      SELECT w.id, w.unit, a, (a AT TIME ZONE 'Asia/Shanghai')::date,
        date_trunc('week', a AT TIME ZONE 'Asia/Shanghai')::date,
        to_char(a AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), w.category, w.town, w.status,
        w.id % 50 = 0, w.id % 97 = 0, (w.id % 13 = 0)::int, (w.id % 50 = 0)::int,
        (w.id % 26 = 0)::int, a + interval '1 day', a + (w.id % 40) * interval '1 hour',
        w.id % 20 <> 0, a + interval '1 day', a + (w.id % 30) * interval '1 hour',
        a + interval '15 days', a + (w.id % 18) * interval '1 day', 1 + (w.id % 11 = 0)::int,
        (w.id % 11 = 0)::int, (w.id % 31 = 0)::int, (w.id % 23 = 0)::int, w.status = 'closed',
        (w.status = 'closed')::int, (w.status = 'closed' AND w.id % 7 <> 0)::int,
        (w.status = 'closed' AND w.id % 7 <> 0 AND w.id % 5 < 3)::int,
        (w.status = 'closed' AND w.id % 7 <> 0 AND w.id % 5 = 3)::int,
        (w.status = 'closed' AND w.id % 7 <> 0 AND w.id % 5 = 4)::int,
        (w.status = 'closed' AND w.id % 7 <> 0 AND w.id % 6 < 4)::int,
        (w.status = 'closed' AND w.id % 7 <> 0 AND w.id % 6 = 4)::int,
        (w.status = 'closed' AND w.id % 7 <> 0 AND w.id % 6 = 5)::int,
        (w.status = 'closed' AND w.id % 7 = 0)::int, 0
      FROM work_orders w CROSS JOIN LATERAL (SELECT w.received_at + interval '10 minutes' AS a) x"""))
    conn.execute(text("ANALYZE work_orders; ANALYZE transitions; ANALYZE unit_facts"))


def run(n: int, runs: int = 5) -> dict:
    from hotline.core.app_config import load_config
    from hotline.core.orm import Base
    from hotline.reports import sql
    from hotline.survey.domain.scoring import rates
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG else "?"
    eng = create_engine(f"{PG}{sep}options=-csearch_path%3D{schema}")
    try:
        Base.metadata.create_all(eng)
        conf = load_config()
        units = list(conf.city.units)
        with eng.begin() as c:
            c.execute(text("INSERT INTO units (code, name, kind, active) "
                           "SELECT x, x, 'town', true FROM unnest(CAST(:c AS text[])) x"), {"c": units})
            t0 = time.perf_counter()
            generate(c, n, units)
            gen_s = time.perf_counter() - t0
        times, items = [], 0
        as_of = datetime(2026, 1, 15, tzinfo=timezone.utc)
        for i in range(runs + 1):
            with Session(eng) as s:
                t0 = time.perf_counter()
                groups = sql.grouped_sums(s, [sql.F.unit], date(2025, 1, 1), date(2025, 12, 31),
                                          as_of)
                out = [rates(g, conf.scoring) for g in groups]
                dt = time.perf_counter() - t0
            if i:
                times.append(dt)      # the first run warms the cache
            items = len(out)
        return {"orders": n, "transitions": 4 * n, "units": items, "generate_s": round(gen_s, 1),
                "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3), "max_s": round(max(times), 3), "runs": runs}
    finally:
        eng.dispose()
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1_000_000, 3_000_000]
    results = []
    for n in sizes:
        r = run(n)
        print(json.dumps(r, ensure_ascii=False), flush=True)
        results.append(r)
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"benchmark": "unit report, one year (GROUP BY over unit_facts + rate formulas)",
           "target": "<= 2 s at 1,000,000 orders; at most linear growth",
           "cpus": os.cpu_count(), "results": results}
    if len(results) > 1:
        a, b = results[0], results[-1]
        doc["growth"] = round(b["median_s"] / a["median_s"], 2)
        doc["size_ratio"] = round(b["orders"] / a["orders"], 2)
    (OUT / "reports.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2))
    lines = ["# Unit report benchmark (PostgreSQL)", "", doc["benchmark"], "",
             "| orders | transitions | units | median s | min s | max s | generate s |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['orders']:,} | {r['transitions']:,} | {r['units']} | {r['median_s']} | "
              f"{r['min_s']} | {r['max_s']} | {r['generate_s']} |" for r in results]
    if "growth" in doc:
        lines += ["", f"Time grew {doc['growth']}x for {doc['size_ratio']}x the orders."]
    (OUT / "reports.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
