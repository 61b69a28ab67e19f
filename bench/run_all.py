"""`make bench`: run every bench/bench_*.py in its own subprocess (a failing one does not stop
the others), then the full schemathesis fuzz run, and write bench/results/summary.md with each
script's status, time and result file."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
TIMEOUT = int(os.environ.get("HOTLINE_BENCH_TIMEOUT", 3600))


def run(name: str, cmd: list[str], env: dict | None = None) -> dict:
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=TIMEOUT,
                           capture_output=True, text=True)
        rc, tail = p.returncode, (p.stdout + p.stderr)[-1500:]
    except subprocess.TimeoutExpired:
        rc, tail = "timeout", ""
    dt = time.perf_counter() - t0
    print(tail, flush=True)
    return {"name": name, "rc": rc, "seconds": round(dt, 1), "tail": tail}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    results = [run(p.name, [sys.executable, str(p)])
               for p in sorted((ROOT / "bench").glob("bench_*.py"))]
    results.append(run("schemathesis fuzz (full budget)",
                       [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                        "tests/fuzz"], {"HOTLINE_FUZZ_EXAMPLES": "60"}))
    lines = ["# make bench summary", "", "| script | status | seconds | results |",
             "|---|---|---|---|"]
    for r in results:
        stem = r["name"].removeprefix("bench_").removesuffix(".py")
        md = OUT / f"{stem}.md"
        status = "ok" if r["rc"] == 0 else f"FAILED ({r['rc']})"
        lines.append(f"| {r['name']} | {status} | {r['seconds']} | "
                     f"{md.relative_to(ROOT) if md.exists() else ''} |")
    fuzz = [ln for ln in results[-1]["tail"].splitlines() if ln.startswith("schemathesis:")]
    if fuzz:
        lines += ["", fuzz[0]]
    (OUT / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(r["rc"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
