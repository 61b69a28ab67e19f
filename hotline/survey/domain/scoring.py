"""Scoring formulas over plain records (docs/design/domain.md §8.6), versioned by
config/scoring.yaml.

Two steps, both pure:
  sums  = aggregate(facts, as_of)     # what SQL computes as one GROUP BY (hotline/reports)
  rates = rates(sums, formula)        # every rate and the composite score
A rate whose denominator is zero is None ("no data"), never 0 or 100 %.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

SUM_KEYS = ("assigned", "population", "returns_req", "returns_ok", "returns_bad", "sign_ok",
            "contact_req", "contact_ok", "reply_due", "reply_ok", "replies", "send_backs",
            "closed", "reopened_closed", "first_time", "visited_closed", "answers", "res_yes",
            "res_partial", "res_no", "sat_yes", "sat_basic", "sat_no", "unreachable",
            "excluded_ratings", "unreasonable", "returned_away")

# rate -> (中文, numerator, denominator); numerators needing weights are handled in rates()
RATE_LABELS = {
    "sign_rate": "按时签收率", "response_rate": "响应率", "ontime_rate": "按时办结率",
    "overdue_rate": "超期率", "return_rate": "退单率", "return_ok_rate": "合理退单率",
    "return_bad_rate": "不当退单率", "sendback_rate": "回退率", "reopen_rate": "重办率",
    "resolution_rate": "解决率", "satisfaction_rate": "满意率", "first_time_rate": "一次办结率",
    "visit_rate": "回访核实率",
}


@dataclass(frozen=True)
class Formula:
    version: str = "2026.1"
    weights: dict = field(default_factory=lambda: {"response_rate": 0.30,
                                                   "resolution_rate": 0.35,
                                                   "satisfaction_rate": 0.35})
    partial_resolved_weight: float = 0.5     # 部分解决 counts half (docs/design/domain.md §8.5)
    basic_satisfied_weight: float = 1.0      # 基本满意 × w (docs/design/domain.md §8.5)
    deductions: dict = field(default_factory=lambda: {"overdue": 0.5, "return_bad": 1.0,
                                                      "send_back": 0.2})
    deduction_cap: float = 20.0
    return_rate_threshold: float = 0.15      # 两个15% (seed item 66): flag at >= 15 %


def aggregate(facts, as_of: datetime) -> dict:
    """Sum UnitFacts (or dicts with the same fields) the way reports/sql.py does in SQL."""
    s = dict.fromkeys(SUM_KEYS, 0)
    for f in facts:
        g = (lambda k, f=f: f[k]) if isinstance(f, dict) else (lambda k, f=f: getattr(f, k))
        s["assigned"] += 1
        s["returns_req"] += g("returns_req")
        s["returns_ok"] += g("returns_ok")
        s["returns_bad"] += g("returns_bad")
        s["unreasonable"] += bool(g("unreasonable"))
        s["returned_away"] += bool(g("returned_away"))
        if g("returned_away") or g("unreasonable"):
            continue
        s["population"] += 1
        s["sign_ok"] += _ok(g("signed_at"), g("sign_due_at"))
        if g("contact_req"):
            s["contact_req"] += 1
            s["contact_ok"] += _ok(g("contacted_at"), g("contact_due_at"))
        due = g("reply_due_at")
        if due is not None and (g("replied_at") is not None or due < as_of):
            s["reply_due"] += 1
            s["reply_ok"] += _ok(g("replied_at"), due)
        s["replies"] += g("replies")
        s["send_backs"] += g("send_backs")
        if g("closed"):
            s["closed"] += 1
            s["reopened_closed"] += g("reopens") > 0
            s["first_time"] += not (g("send_backs") or g("reopens") or g("extensions"))
            s["visited_closed"] += g("visits") > 0
        for k in ("answers", "res_yes", "res_partial", "res_no", "sat_yes", "sat_basic",
                  "sat_no", "unreachable", "excluded_ratings"):
            s[k] += g(k)
    return s


def _ok(done, due) -> int:
    return int(done is not None and (due is None or done <= due))


def _ratio(num, den) -> float | None:
    return None if not den else float(Fraction(num) / Fraction(den))


def rates(s: dict, formula: Formula) -> dict:
    """Every rate of docs/design/domain.md §8.5 from the sums, and the composite score with its
    formula version."""
    wp = Fraction(str(formula.partial_resolved_weight))
    wb = Fraction(str(formula.basic_satisfied_weight))
    r = {
        "sign_rate": _ratio(s["sign_ok"], s["population"]),
        "response_rate": _ratio(s["contact_ok"], s["contact_req"]),
        "ontime_rate": _ratio(s["reply_ok"], s["reply_due"]),
        "return_rate": _ratio(s["returns_req"], s["assigned"]),
        "return_ok_rate": _ratio(s["returns_ok"], s["assigned"]),
        "return_bad_rate": _ratio(s["returns_bad"], s["assigned"]),
        "sendback_rate": _ratio(s["send_backs"], s["replies"]),
        "reopen_rate": _ratio(s["reopened_closed"], s["closed"]),
        "resolution_rate": _ratio(s["res_yes"] + wp * s["res_partial"], s["answers"]),
        "satisfaction_rate": _ratio(s["sat_yes"] + wb * s["sat_basic"], s["answers"]),
        "first_time_rate": _ratio(s["first_time"], s["closed"]),
        "visit_rate": _ratio(s["visited_closed"], s["closed"]),
    }
    r["overdue_rate"] = None if r["ontime_rate"] is None else 1 - r["ontime_rate"]
    # 两个15%: exact comparison on integers, so 14.9 % never rounds up into the flag
    r["return_flag"] = bool(s["assigned"]) and \
        Fraction(s["returns_req"], s["assigned"]) >= Fraction(str(formula.return_rate_threshold))
    score, deduction = composite(r, s, formula)
    r.update(score=score, deduction=deduction, formula_version=formula.version)
    return r


def composite(r: dict, s: dict, formula: Formula) -> tuple[float | None, float]:
    """score = 100 × Σ wᵢ·rateᵢ / Σ wᵢ (over the rates that have data) − deductions.

    Deductions: per overdue order, per 不当退单, per 回退 (config), capped; floor 0."""
    have = [(w, r[k]) for k, w in formula.weights.items() if r.get(k) is not None]
    d = formula.deductions
    overdue = s["reply_due"] - s["reply_ok"]
    deduction = min(formula.deduction_cap,
                    overdue * d.get("overdue", 0) + s["returns_bad"] * d.get("return_bad", 0)
                    + s["send_backs"] * d.get("send_back", 0))
    deduction = round(deduction, 4)
    if not have:
        return None, deduction
    base = 100 * sum(w * v for w, v in have) / sum(w for w, _ in have)
    return round(max(0.0, base - deduction), 2), deduction


DEDUCTION_KEYS = ("overdue", "return_bad", "send_back")


def load_formula(data: dict) -> Formula:
    """Build the formula from config/scoring.yaml's mapping; errors name the key. Reads only
    the keys it uses (never a copy of the whole mapping), so the strict reader
    (hotline/core/configfile.py) rejects any other key."""
    d = data if data is not None else {}
    if not isinstance(d.get("version"), str) or not d["version"]:
        raise ValueError("scoring.yaml: version: 必填 (每次修改公式须更新版本号)")
    weights = d.get("weights") or {}
    bad = [k for k in weights if k not in RATE_LABELS]
    if bad or not weights or any(not isinstance(v, (int, float)) or v < 0
                                 for v in weights.values()):
        raise ValueError(f"scoring.yaml: weights: 未知或无效的指标 {bad}")
    kw = {"version": d["version"], "weights": dict(weights)}
    for key in ("partial_resolved_weight", "basic_satisfied_weight", "deduction_cap",
                "return_rate_threshold"):
        if key in d:
            if not isinstance(d[key], (int, float)) or d[key] < 0:
                raise ValueError(f"scoring.yaml: {key}: 须为非负数")
            kw[key] = float(d[key])
    if "deductions" in d:
        ded = d["deductions"] or {}
        bad = [k for k in ded if k not in DEDUCTION_KEYS]
        if bad:
            raise ValueError(f"scoring.yaml: deductions.{bad[0]}: 未知扣分项 "
                             f"(须为 {', '.join(DEDUCTION_KEYS)})")
        kw["deductions"] = {k: float(v) for k, v in ded.items()}
    return Formula(**kw)
