"""Scoring formulas over plain records (docs/design/domain.md §8.6), versioned by
config/scoring.yaml.

Two steps, both pure:
  sums  = aggregate(facts, as_of)     # what SQL computes as one GROUP BY (hotline/reports)
  rates = rates(sums, formula)        # every rate and the composite score
A rate whose denominator is zero is None ("no data"), never 0 or 100 %.
A third step ranks units within their tier (`rank`, issue 18 item 1): a unit with fewer
scored orders than the formula's `min_sample` is listed but not ranked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

SUM_KEYS = ("assigned", "population", "returns_req", "returns_ok", "returns_bad", "sign_ok",
            "contact_req", "contact_ok", "reply_due", "reply_ok", "replies", "send_backs",
            "closed", "reopened_closed", "first_time", "visited_closed", "answers", "res_yes",
            "res_partial", "res_no", "sat_yes", "sat_basic", "sat_no", "unreachable",
            "excluded_ratings", "unreasonable", "returned_away",
            # 响应率 as the citizen confirms it (issue 18 item 2): one per answered question
            # "did the unit contact you", else the unit's own contact by its deadline
            "resp_n", "resp_ok", "resp_asked",
            # 协办 tasks on time (issue 18 item 3)
            "assist_due", "assist_ok")

# rate -> (中文, numerator, denominator); numerators needing weights are handled in rates()
RATE_LABELS = {
    "sign_rate": "按时签收率", "response_rate": "响应率", "ontime_rate": "按时办结率",
    "overdue_rate": "超期率", "return_rate": "退单率", "return_ok_rate": "合理退单率",
    "return_bad_rate": "不当退单率", "sendback_rate": "回退率", "reopen_rate": "重办率",
    "resolution_rate": "解决率", "satisfaction_rate": "满意率", "first_time_rate": "一次办结率",
    "visit_rate": "回访核实率", "assist_rate": "协办按时率",
}
# rates where less is better: the composite weighs (1 - rate) and deductions take the rate
INVERSE_RATES = frozenset({"overdue_rate", "return_rate", "return_ok_rate", "return_bad_rate",
                           "sendback_rate", "reopen_rate"})
# deduction key (config/scoring.yaml) -> the rate it is charged on (issue 18 item 2: deductions
# are rates, so a busy unit does not lose more than a small one for the same record)
DEDUCTION_RATES = {"overdue": "overdue_rate", "return_bad": "return_bad_rate",
                   "send_back": "sendback_rate", "reopen": "reopen_rate"}


@dataclass(frozen=True)
class Formula:
    version: str = "2026.2"
    weights: dict = field(default_factory=lambda: {
        "response_rate": 0.20, "resolution_rate": 0.25, "satisfaction_rate": 0.25,
        "sign_rate": 0.05, "ontime_rate": 0.10, "sendback_rate": 0.05, "reopen_rate": 0.05,
        "assist_rate": 0.05})
    partial_resolved_weight: float = 0.5     # 部分解决 counts half (docs/design/domain.md §8.5)
    basic_satisfied_weight: float = 1.0      # 基本满意 × w (docs/design/domain.md §8.5)
    # points off at a rate of 100 % (a 10 % 不当退单率 costs 2 points with 20)
    deductions: dict = field(default_factory=lambda: {"return_bad": 20.0})
    deduction_cap: float = 20.0
    return_rate_threshold: float = 0.15      # 两个15% (seed item 66): flag at >= 15 %
    min_sample: int = 10                     # scored orders below which a unit is not ranked
    # the monthly bulletin (issue 18 item 5): 达标线 (a ranked unit under it is named with its
    # main faults) and how many units each tier's 红榜 and 黑榜 name
    pass_line: float = 80.0
    list_size: int = 3


def aggregate(facts, as_of: datetime) -> dict:
    """Sum UnitFacts (or dicts with the same fields) the way reports/sql.py does in SQL."""
    s = dict.fromkeys(SUM_KEYS, 0)
    for f in facts:
        g = (lambda k, f=f: f[k]) if isinstance(f, dict) else (lambda k, f=f: getattr(f, k))
        # fields added in 2026.2 may be missing from older hand-made records: none
        o = (lambda k, f=f: f.get(k)) if isinstance(f, dict) else \
            (lambda k, f=f: getattr(f, k, None))
        adue = o("assist_due_at")
        if adue is not None and (o("assist_done_at") is not None or adue < as_of):
            s["assist_due"] += 1
            s["assist_ok"] += _ok(o("assist_done_at"), adue)
        if o("assist_only"):   # a 协办 unit: scored on its task only, never assigned
            continue
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
        unit_ok = 0
        if g("contact_req"):
            unit_ok = _ok(g("contacted_at"), g("contact_due_at"))
            s["contact_req"] += 1
            s["contact_ok"] += unit_ok
        yes, no = o("visit_contacted") or 0, o("visit_not_contacted") or 0
        if yes + no:   # the citizen's word where the return visit asked (issue 18 item 2)
            s["resp_asked"] += yes + no
            s["resp_n"] += yes + no
            s["resp_ok"] += yes
        elif g("contact_req"):
            s["resp_n"] += 1
            s["resp_ok"] += unit_ok
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
        "response_rate": _ratio(s["resp_ok"], s["resp_n"]),
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
        "assist_rate": _ratio(s["assist_ok"], s["assist_due"]),
    }
    r["overdue_rate"] = None if r["ontime_rate"] is None else 1 - r["ontime_rate"]
    # 两个15%: exact comparison on integers, so 14.9 % never rounds up into the flag
    r["return_flag"] = bool(s["assigned"]) and \
        Fraction(s["returns_req"], s["assigned"]) >= Fraction(str(formula.return_rate_threshold))
    score, deduction = composite(r, s, formula)
    r.update(score=score, deduction=deduction, formula_version=formula.version,
             sample=s["population"], ranked=score is not None
             and s["population"] >= formula.min_sample)
    return r


def composite(r: dict, s: dict, formula: Formula) -> tuple[float | None, float]:
    """score = 100 × Σ wᵢ·vᵢ / Σ wᵢ (over the weighted rates that have data; vᵢ = rateᵢ, or
    1 − rateᵢ for a rate where less is better) − Σ pⱼ·rateⱼ (deductions, capped); floor 0.

    Deductions are charged on rates, never counts (issue 18 item 2), so 虎门 with 1000 orders
    and 洪梅 with 50 lose the same for the same record."""
    have = [(w, 1 - r[k] if k in INVERSE_RATES else r[k])
            for k, w in formula.weights.items() if w and r.get(k) is not None]
    deduction = min(formula.deduction_cap,
                    sum(p * (r.get(DEDUCTION_RATES[k]) or 0)
                        for k, p in formula.deductions.items()))
    deduction = round(deduction, 4)
    if not have:
        return None, deduction
    base = 100 * sum(w * v for w, v in have) / sum(w for w, _ in have)
    return round(max(0.0, base - deduction), 2), deduction


def rank(items: list[dict], key: str = "score") -> list[dict]:
    """Rank the items of one tier (issue 18 item 1): the ones `rates()` marked `ranked` (a
    score and at least `min_sample` scored orders) by score, highest first; equal scores share
    a rank (并列, the next rank skips: 1, 1, 3); the rest follow unranked (rank None), listed
    by code. Returns new dicts in that order; ties are listed by unit code."""
    ranked = sorted((i for i in items if i.get("ranked")), key=lambda i: (-i[key], i["unit"]))
    rest = sorted((i for i in items if not i.get("ranked")), key=lambda i: i["unit"])
    out, prev, pos = [], None, 0
    for n, i in enumerate(ranked, 1):
        if i[key] != prev:
            pos, prev = n, i[key]
        out.append({**i, "rank": pos})
    return out + [{**i, "rank": None} for i in rest]


def red_black(ranked: list[dict], size: int, pass_line: float) -> tuple[list, list]:
    """红黑榜 of one tier from its ranked items (best first): the top and the bottom k,
    k = size but at most half the ranked units (a tier of two names one of each, a tier of one
    neither). The red list names only units at or over the pass line; a unit tied with the
    other end of the tier is on neither list (all tied: no lists)."""
    k = min(size, len(ranked) // 2)
    if not k:
        return [], []
    top, bottom = ranked[0]["score"], ranked[-1]["score"]
    red = [i for i in ranked[:k] if i["score"] >= pass_line and i["score"] != bottom]
    black = [i for i in ranked[::-1][:k] if i["score"] != top]
    return red, black


def main_faults(r: dict, formula: Formula, n: int = 2) -> list[str]:
    """The rates that cost a unit the most points (weight × shortfall), the 主要问题 the
    bulletin names for a unit below the line; rates with no data are skipped."""
    loss = []
    for k, w in formula.weights.items():
        v = r.get(k)
        if v is None or not w:
            continue
        short = v if k in INVERSE_RATES else 1 - v
        if short > 0:
            loss.append((-100 * w * short, k))   # points lost
    for k, p in formula.deductions.items():
        v = r.get(DEDUCTION_RATES[k])
        if v:
            loss.append((-p * v, DEDUCTION_RATES[k]))
    seen, out = set(), []
    for _, k in sorted(loss):
        if k not in seen:
            seen.add(k)
            out.append(k)
    return out[:n]


DEDUCTION_KEYS = tuple(DEDUCTION_RATES)


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
    for key, what in (("min_sample", "计分工单数"), ("list_size", "红黑榜单位数")):
        if key in d:
            if not isinstance(d[key], int) or isinstance(d[key], bool) or d[key] < 1:
                raise ValueError(f"scoring.yaml: {key}: 须为正整数 ({what})")
            kw[key] = d[key]
    if "pass_line" in d:
        if not isinstance(d["pass_line"], (int, float)) or not 0 <= d["pass_line"] <= 100:
            raise ValueError("scoring.yaml: pass_line: 须为 0 到 100 之间的分数")
        kw["pass_line"] = float(d["pass_line"])
    return Formula(**kw)
