"""Knowledge-base search benchmark: search latency over 50,000 articles and the time for one
changed article to become searchable (issue 16: p99 <= 20 ms, rebuild after one change <= 1 s).

    .venv/bin/python bench/bench_kb.py [--articles 50000] [--queries 300]

The 50,000 articles are synthesised in memory: the taipei-faq articles (../shared/datasets/
taipei-faq beside the repository) when present, else the test fixtures' wording, each copied
with perturbations (words from other articles mixed into question and answer, sentences
reordered, a distinct serial), so postings grow like a real, larger knowledge base. Queries:
the development queries when present, else article questions reworded. Writes
bench/results/kb.json and kb.md.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("HOTLINE_SHARED_DIR") or ROOT.parent / "shared")
DATA = SHARED / "datasets" / "taipei-faq"
OUT = ROOT / "bench" / "results"
AS_OF = date(2017, 8, 31)


def base_articles():
    from hotline.classify.text import to_simplified
    from hotline.knowledge.domain.article import load_articles

    if (DATA / "articles.csv").exists():
        arts, source = load_articles(DATA / "articles.csv"), "taipei-faq articles.csv"
    else:
        sys.path.insert(0, str(ROOT / "tests" / "unit" / "knowledge"))
        from conftest import ARTICLES  # noqa: E402

        arts, source = list(ARTICLES), "test fixtures"
    # converted once here so the 50,000 copies need no Traditional->Simplified pass each
    arts = [dataclasses.replace(a, question=to_simplified(a.question),
                                answer=to_simplified(a.answer)) for a in arts]
    return arts, source


def synthesise(base, n: int, rng: random.Random):
    out = list(base)
    words = [w for a in base for w in a.question.split("？")[0][:12:3]] or ["办理"]
    i = 0
    while len(out) < n:
        a = base[i % len(base)]
        other = base[rng.randrange(len(base))]
        sentences = a.answer.split("。")
        rng.shuffle(sentences)
        q = a.question + "".join(rng.choice(words) for _ in range(2))
        ans = "。".join(sentences) + "。" + other.question + f" 编号{len(out)}"
        start = a.start_date
        out.append(dataclasses.replace(a, id=f"SYN{len(out)}", question=q, answer=ans,
                                       start_date=start))
        i += 1
    return out


def queries(base, rng):
    from hotline.knowledge.domain import evaluate as E

    if (DATA / "queries-dev.csv").exists():
        return [q.text for q in E.load_queries(DATA / "queries-dev.csv")]
    return [a.question[: max(4, len(a.question) // 2)] for a in rng.sample(base, len(base))]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--changes", type=int, default=20)
    args = ap.parse_args()
    from hotline.knowledge.domain.index import KnowledgeIndex

    rng = random.Random(20261203)
    base, source = base_articles()
    arts = synthesise(base, args.articles, rng)
    t0 = time.perf_counter()
    index = KnowledgeIndex(arts, merge_at=10**9)  # merges measured separately below
    build_s = time.perf_counter() - t0

    qs = queries(base, rng)
    qs = (qs * (args.queries // max(len(qs), 1) + 1))[: args.queries]
    for q in qs[:20]:  # warm-up (tokeniser, caches)
        index.search(q, AS_OF)
    lat, cpu = [], []
    for q in qs:
        t, c = time.perf_counter(), time.process_time()
        index.search(q + " ", AS_OF)  # a distinct string: the analyser memo does not help
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)

    # one article changes: new version in, old out, searchable at once
    change = []
    for k in range(args.changes):
        a = arts[rng.randrange(len(arts))]
        new = dataclasses.replace(a, answer=a.answer + f" 更新{k}", version=a.version + 1)
        t = time.perf_counter()
        index.upsert(new)
        change.append((time.perf_counter() - t) * 1000)
        assert index.get(a.id).version == new.version
    t = time.perf_counter()
    index.merge()  # the periodic fold of the delta into main (no re-analysis)
    merge_ms = (time.perf_counter() - t) * 1000
    lat_after = []
    for q in qs[:100]:
        t = time.perf_counter()
        index.search(q + "  ", AS_OF)
        lat_after.append((time.perf_counter() - t) * 1000)

    res = {
        "articles": len(index), "source": source, "queries": len(lat), "as_of": str(AS_OF),
        "full_build_s": round(build_s, 2),
        "search_ms": {"p50": round(pct(lat, 50), 2), "p90": round(pct(lat, 90), 2),
                      "p99": round(pct(lat, 99), 2), "max": round(max(lat), 2)},
        # CPU time of the searching process: what the wall figure is without other processes
        # taking the cores (the bench machine is shared)
        "search_cpu_ms": {"p50": round(pct(cpu, 50), 2), "p99": round(pct(cpu, 99), 2)},
        "load_average_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "search_after_merge_ms_p99": round(pct(lat_after, 99), 2),
        "one_article_change_ms": {"p50": round(pct(change, 50), 2),
                                  "max": round(max(change), 2), "n": len(change)},
        "delta_merge_ms": round(merge_ms, 1),
        "targets": {"search_p99_ms": 20, "change_s": 1},
    }
    ok = res["search_ms"]["p99"] <= 20 and max(change) <= 1000
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "kb.json").write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    md = [
        "# Knowledge-base search benchmark", "",
        f"{res['articles']:,} articles synthesised from the {source} (perturbed copies), "
        f"{res['queries']} queries, as of {AS_OF}; one process; load average "
        f"{res['load_average_1min']} on {res['cpus']} CPUs at the end of the run.", "",
        "| measure | value | target |", "|---|---|---|",
        f"| search p50 / p90 / p99 / max | {res['search_ms']['p50']} / {res['search_ms']['p90']}"
        f" / {res['search_ms']['p99']} / {res['search_ms']['max']} ms | p99 ≤ 20 ms |",
        f"| search CPU time p50 / p99 | {res['search_cpu_ms']['p50']} / "
        f"{res['search_cpu_ms']['p99']} ms | — |",
        f"| one article changed, searchable (p50 / max of {len(change)}) | "
        f"{res['one_article_change_ms']['p50']} / {res['one_article_change_ms']['max']} ms"
        " | ≤ 1 s |",
        f"| delta merge into main (periodic, no re-analysis) | {res['delta_merge_ms']} ms | — |",
        f"| search p99 after the merge | {res['search_after_merge_ms_p99']} ms | ≤ 20 ms |",
        f"| full build from scratch (start-up) | {res['full_build_s']} s | — |", "",
        f"Result: {'within targets' if ok else 'TARGET MISSED'}.",
    ]
    (OUT / "kb.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
