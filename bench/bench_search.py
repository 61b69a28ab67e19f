"""Order search and inbox benchmark (issue 15, Build 3 and 4): 1,000,000 orders in PostgreSQL
(a private schema, bulk-loaded with INSERT ... SELECT generate_series, not the ORM), then

* the staff search (hotline/workorders/commands.list_orders, the path of GET /api/v1/orders,
  with its access-log write): order number, phone, 查询码, Chinese text (common and rare
  words, two words, a text with a town filter), filters alone (status + town, overdue, rapid,
  a date range, sort by due), as a centre role and as a unit (one order in 40 has an
  assisting unit, so a unit's visibility is its own orders OR those it assists on);
  target p99 <= 100 ms;
* the department inbox (dispatch/queries.inbox, the path of GET /api/v1/inbox: tab counts from
  the per-unit counters, one page of a tab, the 协办 tab, the access-log write and commit);
  target p99 <= 20 ms.

    .venv/bin/python bench/bench_search.py [--orders 1000000] [--queries 600] [--inbox 600]

The orders' texts are the project's own seed corpus (hotline/classify/seed/corpus.csv, ~2,900
appeals) cycled with addresses made from the city's towns; their search terms are computed
once per distinct text by the same function as intake (document_terms) and joined in SQL.
DATABASE: HOTLINE_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Writes bench/results/search.json and search.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results"
PG_URL = os.environ.get("HOTLINE_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROADS = ("人民路", "东城大道", "莞太路", "银河路", "振兴路", "新安路", "环城路", "建设路")
# status mix of a year of orders: most are closed, the open ones spread over the inbox tabs
STATUSES = (["closed"] * 16 + ["dispatched", "signed", "in_progress", "in_progress",
                                "return_requested", "replied", "pending_dispatch"])


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def summary(ms):
    return {"n": len(ms), "p50": round(pct(ms, 50), 2), "p95": round(pct(ms, 95), 2),
            "p99": round(pct(ms, 99), 2), "max": round(max(ms), 2)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=600, help="searches measured")
    ap.add_argument("--inbox", type=int, default=600, help="inbox requests measured")
    ap.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    a = ap.parse_args()
    os.environ.setdefault("HOTLINE_VAR", str(ROOT / "var" / "bench"))
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from hotline.core.access import derived_scope, rebuild_scope, stored_scope
    from hotline.core.config import Settings
    from hotline.core.db import utcnow
    from hotline.core.migrate import upgrade
    from hotline.core.runtime import Runtime
    from hotline.dispatch import counters
    from hotline.dispatch.queries import _tabs_for, inbox
    from hotline.workorders.commands import list_orders
    from hotline.workorders.domain.model import Actor
    from hotline.workorders.domain.search import document_terms
    from hotline.workorders.seed import seed_users, sync_units

    schema = f"bench_search_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    result: dict = {"orders": a.orders, "database": "postgresql", "cpus": os.cpu_count(),
                    "load_average_at_start": os.getloadavg()}
    try:
        rt = Runtime.build(Settings(url, None, "bench", True, "bench"))
        upgrade(rt.engine)
        sync_units(rt)
        seed_users(rt)
        units = sorted(rt.city.units)
        towns = sorted(rt.city.towns)
        cats = sorted(rt.city.categories)
        atypes = sorted(rt.city.appeal_types)
        with open(ROOT / "hotline/classify/seed/corpus.csv", encoding="utf-8") as fh:
            texts = sorted({r["text"] for r in csv.DictReader(fh)})
        addresses = [f"{rt.city.towns[t].name}{road}{n}号" for t in towns for road in ROADS
                     for n in (3, 18, 66)]
        started = time.perf_counter()
        text_terms = [document_terms(None, t, None) for t in texts]
        addr_terms = [document_terms(None, None, x) for x in addresses]
        result["terms_seconds"] = round(time.perf_counter() - started, 1)
        t0 = utcnow().replace(microsecond=0)
        started = time.perf_counter()
        with rt.engine.begin() as c:
            c.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            c.execute(text("DROP INDEX ix_work_orders_search"))   # built once after the load
            c.execute(text("""
                INSERT INTO work_orders (id, number, query_code, status, title, content,
                  channel, appeal_type, urgency, caller_name, caller_phone, caller_anonymous,
                  caller_confidential, town, address, category, unit, first_unit,
                  assist_units, rapid_item, received_at, created_at, created_by,
                  search_text, sent_back, updated_at, version)
                SELECT g, 'DG' || to_char(r.at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                       || lpad(g::text, 7, '0'),
                  lpad(((g::bigint * 48271) % 1000000)::text, 6, '0'),
                  (CAST(:statuses AS text[]))[1 + (g * 7) % :ns],
                  NULL, (CAST(:texts AS text[]))[1 + g % :nt], 'phone',
                  (CAST(:atypes AS text[]))[1 + g % :na], 'normal', '市民',
                  '13' || lpad(((g::bigint * 7919) % 400000000)::text, 9, '0'), false, false,
                  (CAST(:towns AS text[]))[1 + g % :nw],
                  (CAST(:addrs AS text[]))[1 + (g * 31) % :nd],
                  (CAST(:cats AS text[]))[1 + g % :nc],
                  CASE WHEN (g * 7) % :ns = :pending THEN NULL
                       ELSE (CAST(:units AS text[]))[1 + (g * 13) % :nu] END,
                  CASE WHEN (g * 7) % :ns = :pending THEN NULL
                       ELSE (CAST(:units AS text[]))[1 + (g * 13) % :nu] END,
                  CASE WHEN g % 40 = 0 THEN json_build_array(
                    (CAST(:units AS text[]))[1 + (g * 17) % :nu]) ELSE '[]' END,
                  CASE WHEN g % 50 = 0 THEN 'R' || (g % 65) END,
                  r.at, r.at, 'bench',
                  (CAST(:tterms AS text[]))[1 + g % :nt] || ' '
                    || (CAST(:aterms AS text[]))[1 + (g * 31) % :nd],
                  (CAST(:statuses AS text[]))[1 + (g * 7) % :ns] = 'in_progress'
                    AND g % 10 = 0,
                  r.at, 1
                FROM generate_series(1, :n) g,
                  LATERAL (SELECT CAST(:t0 AS timestamptz)
                           - ((:n - g) * interval '30 seconds') AS at) r"""),
                {"statuses": STATUSES, "ns": len(STATUSES),
                 "pending": STATUSES.index("pending_dispatch"),
                 "texts": texts, "tterms": text_terms, "nt": len(texts),
                 "atypes": atypes, "na": len(atypes), "towns": towns, "nw": len(towns),
                 "addrs": addresses, "aterms": addr_terms, "nd": len(addresses),
                 "cats": cats, "nc": len(cats), "units": units, "nu": len(units),
                 "t0": t0, "n": a.orders})
            c.execute(text("SELECT setval(pg_get_serial_sequence('work_orders', 'id'), :n)"),
                      {"n": a.orders})
            # the SLA state of the open orders: one in five overdue
            c.execute(text("""
                INSERT INTO sla_order_state (order_id, unit, status, clock, target, due,
                  overdue_since, provisional, updated_at)
                SELECT id, unit, CASE WHEN id % 5 = 0 THEN 'overdue' ELSE 'ok' END,
                  'reply', 'unit', received_at + interval '5 days',
                  CASE WHEN id % 5 = 0 THEN received_at + interval '5 days' END, false, :t0
                FROM work_orders WHERE status <> 'closed'"""), {"t0": t0})
            result["load_seconds"] = round(time.perf_counter() - started, 1)
            s = time.perf_counter()
            # the stored tsvector column (migration 0060_search_perf) was filled by its trigger
            c.execute(text("CREATE INDEX ix_work_orders_search ON work_orders "
                           "USING gin (search_tsv)"))
            result["gin_build_seconds"] = round(time.perf_counter() - s, 1)
            s = time.perf_counter()
            session = Session(bind=c)
            counters.rebuild(session)   # the bulk load bypassed the unit of work
            session.flush()
            result["counters_rebuild_seconds"] = round(time.perf_counter() - s, 1)
            s = time.perf_counter()
            rebuild_scope(session)      # and the ORM's order_units rows (core/orm.py)
            session.flush()
            result["scope_rebuild_seconds"] = round(time.perf_counter() - s, 1)
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            for t in ("work_orders", "sla_order_state", "inbox_counts", "order_units"):
                c.execute(text(f"VACUUM ANALYZE {t}"))
            size = c.execute(text("SELECT pg_size_pretty(pg_total_relation_size('work_orders')),"
                                  " pg_size_pretty(pg_relation_size('ix_work_orders_search'))"
                                  )).one()
        result["table_size"], result["gin_size"] = size[0], size[1]

        rnd = random.Random(15)
        with rt.engine.connect() as c:
            sample = c.execute(text(
                "SELECT number, caller_phone, query_code, unit FROM work_orders "
                "WHERE id % 997 = 0 AND unit IS NOT NULL")).all()
        # words the citizens' texts use often and rarely (from the corpus)
        common = ["噪音", "垃圾", "停车", "路灯", "漏水", "施工", "物业", "欠薪"]
        rare = ["印染厂", "化粪池", "电梯困人", "沙井盖", "积分入学", "树木倒伏"]
        centre = Actor("supervisor", "supervisor")
        kinds = {
            "number": lambda: (centre, {"q": rnd.choice(sample)[0]}),
            "phone": lambda: (centre, {"q": rnd.choice(sample)[1]}),
            "query_code": lambda: (centre, {"q": rnd.choice(sample)[2]}),
            "text_common": lambda: (centre, {"q": rnd.choice(common)}),
            "text_rare": lambda: (centre, {"q": rnd.choice(rare)}),
            "text_two_words": lambda: (centre, {"q": rnd.choice(common) + " "
                                                + rnd.choice(rare)}),
            "text_and_town": lambda: (centre, {"q": rnd.choice(common),
                                               "town": rnd.choice(towns)}),
            "status_and_town": lambda: (centre, {"status": ["in_progress", "signed"],
                                                 "town": rnd.choice(towns)}),
            "overdue_by_due": lambda: (centre, {"overdue": True, "sort": "due"}),
            "rapid": lambda: (centre, {"rapid": True}),
            "date_range": lambda: (centre, {"received_from": (t0 - timedelta(days=40)).date(),
                                            "received_to": (t0 - timedelta(days=30)).date()}),
            "no_filter": lambda: (centre, {}),
            "unit_text": lambda: (_unit(rnd, sample), {"q": rnd.choice(common)}),
            "unit_list": lambda: (_unit(rnd, sample), {"sort": "-received_at"}),
            "unit_page_5": lambda: (_unit(rnd, sample), {"page": 5}),
        }
        for make in kinds.values():     # warm-up: imports, pool, plans, caches
            actor, f = make()
            list_orders(rt, actor, {"page": 1, "per_page": 20, **f})
        ms_by: dict[str, list] = {k: [] for k in kinds}
        cpu_ms: list[float] = []
        totals: dict[str, list] = {k: [] for k in kinds}
        names = list(kinds) * (a.queries // len(kinds) + 1)
        rnd.shuffle(names)
        for name in names[:a.queries]:
            actor, f = kinds[name]()
            s, cpu = time.perf_counter(), time.process_time()
            out = list_orders(rt, actor, {"page": 1, "per_page": 20, **f})
            ms_by[name].append((time.perf_counter() - s) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
            totals[name].append(out["total"])
        allms = [x for v in ms_by.values() for x in v]
        result["search"] = {"all": summary(allms), "python_cpu": summary(cpu_ms),
                            "by_kind": {k: {**summary(v), "median_total":
                                            statistics.median(totals[k])}
                                        for k, v in ms_by.items() if v}}
        # the inbox: tabs of the busiest units and of random ones
        # (a unit's tabs: a village's own, a town with villages has two more)
        tabs_of = {u: [*_tabs_for(rt, Actor(u, "department", u)), "assist"] for u in units}
        for u in units[:5]:
            inbox(rt, Actor(u, "department", u), "to_sign")
        ims, icpu = [], []
        for _ in range(a.inbox):
            u = rnd.choice(units)
            tab = rnd.choice(tabs_of[u])
            s, cpu = time.perf_counter(), time.process_time()
            inbox(rt, Actor(u, "department", u), tab)
            ims.append((time.perf_counter() - s) * 1000)
            icpu.append((time.process_time() - cpu) * 1000)
        result["inbox"] = summary(ims)
        result["inbox_python_cpu"] = summary(icpu)
        with rt.uow() as uow:
            result["inbox_counters_equal_recount"] = (counters.stored(uow.session)
                                                      == counters.recount(uow.session))
            result["order_units_equal_orders"] = (stored_scope(uow.session)
                                                  == derived_scope(uow.session))
        # the plans of the page's statement, one sample of a few kinds, as run after the load
        from hotline.workorders.search import page_queries
        result["plans"] = {}
        with rt.engine.connect() as c:
            for name in ("text_common", "unit_list", "overdue_by_due", "date_range"):
                actor, f = kinds[name]()
                page_q, _ = page_queries("postgresql", actor, {"page": 1, "per_page": 20, **f})
                sql = str(page_q.compile(rt.engine, compile_kwargs={"literal_binds": True}))
                result["plans"][name] = "\n".join(
                    r[0] for r in c.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)))
        from hotline.workorders.search import COUNT_CAP
        result["count_cap"] = COUNT_CAP
        result["targets"] = {"search_p99_ms": 100, "inbox_p99_ms": 20}
        result["pass"] = bool(result["search"]["all"]["p99"] <= 100
                              and result["inbox"]["p99"] <= 20
                              and result["inbox_counters_equal_recount"]
                              and result["order_units_equal_orders"])
        result["load_average_at_end"] = os.getloadavg()
        rt.engine.dispose()
    finally:
        if not a.keep:
            with admin.begin() as c:
                c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
    OUT.mkdir(parents=True, exist_ok=True)
    stem = os.environ.get("HOTLINE_BENCH_NAME", "search")
    (OUT / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2,
                                                default=str))
    (OUT / f"{stem}.md").write_text(_md(result), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0 if result["pass"] else 1


def _unit(rnd, sample):
    from hotline.workorders.domain.model import Actor
    u = rnd.choice(sample)[3]
    return Actor(u, "department", u)


def _md(r: dict) -> str:
    s, i = r["search"], r["inbox"]
    lines = [
        "# Order search and inbox benchmark", "",
        f"{r['orders']:,} orders in PostgreSQL, bulk-loaded with INSERT ... SELECT "
        f"generate_series in {r['load_seconds']} s (GIN index built afterwards in "
        f"{r['gin_build_seconds']} s; work_orders {r['table_size']}, GIN {r['gin_size']}; "
        f"inbox counters rebuilt in {r['counters_rebuild_seconds']} s). Machine: "
        f"{r['cpus']} CPUs shared with other jobs, load average at start "
        f"{r['load_average_at_start'][0]:.2f}, at end {r['load_average_at_end'][0]:.2f}.",
        "", "Measured in-process at the service (`commands.list_orders`, the path of "
        "`GET /api/v1/orders` with its access-log write; `queries.inbox`, the path of "
        "`GET /api/v1/inbox` with its access-log write and commit).", "",
        "| measure | p50 | p95 | p99 | max | target |", "|---|---|---|---|---|---|",
        f"| search, all kinds ({s['all']['n']} queries) | {s['all']['p50']} ms | "
        f"{s['all']['p95']} ms | {s['all']['p99']} ms | {s['all']['max']} ms | p99 <= 100 ms |",
        f"| inbox ({i['n']} requests) | {i['p50']} ms | {i['p95']} ms | {i['p99']} ms | "
        f"{i['max']} ms | p99 <= 20 ms |",
        f"| search, Python CPU of the client process | {s['python_cpu']['p50']} ms | "
        f"{s['python_cpu']['p95']} ms | {s['python_cpu']['p99']} ms | {s['python_cpu']['max']} ms | |",
        f"| inbox, Python CPU of the client process | {r['inbox_python_cpu']['p50']} ms | "
        f"{r['inbox_python_cpu']['p95']} ms | {r['inbox_python_cpu']['p99']} ms | "
        f"{r['inbox_python_cpu']['max']} ms | |", "",
        f"Inbox counters equal a recount after the run: {r['inbox_counters_equal_recount']}; "
        f"order_units equal the orders' units: {r['order_units_equal_orders']} "
        f"(rebuilt after the load in {r['scope_rebuild_seconds']} s).",
        "", "## Search by kind", "",
        "| kind | n | p50 | p95 | p99 | max | median matches |", "|---|---|---|---|---|---|---|"]
    for k, v in s["by_kind"].items():
        lines.append(f"| {k} | {v['n']} | {v['p50']} | {v['p95']} | {v['p99']} | {v['max']} | "
                     f"{v['median_total']} |")
    lines += ["", f"Matches are counted up to {r.get('count_cap', 10000):,} "
              "(`total_exact` false beyond).", ""]
    for name, plan in r["plans"].items():
        lines += [f"Plan of the page's statement, {name} (EXPLAIN ANALYZE, one sample):", "",
                  "```", plan, "```", ""]
    lines += [f"Overall: {'PASS' if r['pass'] else 'FAIL'}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
