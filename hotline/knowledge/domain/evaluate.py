"""Measuring the search on labelled queries, and tuning the abstain rule honestly (pure).

Label semantics (the taipei-faq query files): `id` is the article that answers the query or
`NONE`; `also_ok` lists other articles that answer it equally well. As of a date, only the
servable targets count: a query whose targets are all outside their window counts in neither
figure, but answering it with one of them is a violation (issue 16, acceptance).
"""
from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from datetime import date

import numpy as np

NONE = "NONE"


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    targets: frozenset[str]   # empty = NONE
    style: str = ""


def load_queries(path) -> list[Query]:
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", newline="") as f:
        out = []
        for r in csv.DictReader(f):
            ids = [r.get("id", "").strip()] + [x.strip() for x in (r.get("also_ok") or "").split(";")]
            ids = [x for x in ids if x and x != NONE]
            out.append(Query(r["qid"], r["query"], frozenset(ids), r.get("style", "")))
    return out


@dataclass
class Outcome:
    query: Query
    kind: str            # "answerable", "none", "out_of_window"
    top: tuple[str, ...]
    s1: float
    s2: float
    answered: str | None
    n_words: int = 0


def run(index, queries, as_of: date) -> list[Outcome]:
    out = []
    for q in queries:
        res = index.search(q.text, as_of)
        valid = {t for t in q.targets if (a := index.get(t)) is not None and a.servable(as_of)}
        kind = "none" if not q.targets else ("answerable" if valid else "out_of_window")
        top = tuple(h.article_id for h in res.top)
        s1 = res.top[0].score if res.top else 0.0
        s2 = res.top[1].score if len(res.top) > 1 else 0.0
        out.append(Outcome(q, kind, top, s1, s2, res.answer.article_id if res.answer else None,
                           res.query_words))
    return out


def metrics(outcomes, answers=None) -> dict:
    """answers: optional list of bools (answer or abstain) overriding the index's decision."""
    pos = neg = right = top5 = abst = viol = 0
    for i, o in enumerate(outcomes):
        if answers is None:
            answered = o.answered
        else:
            answered = o.top[0] if answers[i] and o.top else None
        if o.kind == "answerable":
            pos += 1
            right += bool(answered) and answered in o.query.targets
            top5 += bool(set(o.top[:5]) & o.query.targets)
        elif o.kind == "none":
            neg += 1
            abst += answered is None
        else:
            viol += bool(answered) and answered in o.query.targets
            viol += bool(set(o.top) & o.query.targets)
    return {"answerable": pos, "none": neg,
            "out_of_window": sum(o.kind == "out_of_window" for o in outcomes),
            "right_first": right / pos if pos else 0.0, "top5": top5 / pos if pos else 0.0,
            "abstained_none": abst / neg if neg else 0.0, "violations": viol}


def decide(outcomes, min_score: float, length_slope: float, min_margin: float) -> list[bool]:
    from .index import passes

    return [bool(o.top) and passes(o.s1, o.s2, o.n_words, min_score, length_slope, min_margin)
            for o in outcomes]


# The acceptance targets (issue 16): right-and-answered >= 0.65, NONE abstained >= 0.75.
TARGET_RIGHT, TARGET_ABSTAIN = 0.65, 0.75


def objective_value(right: float, abstained: float) -> float:
    """The worse of the two rates relative to its target (a tiny sum term breaks ties): a
    plain sum would trade right answers for abstentions past any useful point."""
    return min(right / TARGET_RIGHT, abstained / TARGET_ABSTAIN) + 1e-3 * (right + abstained)


def objective(outcomes, answers) -> float:
    m = metrics(outcomes, answers)
    return objective_value(m["right_first"], m["abstained_none"])


SCORE_GRID = tuple(np.round(np.arange(0.05, 0.90, 0.01), 3))
SLOPE_GRID = tuple(np.round(np.arange(0.0, 0.31, 0.02), 3))
MARGIN_GRID = (0.0, 0.02, 0.05, 0.1)


def _arrays(outcomes):
    s1 = np.array([o.s1 for o in outcomes])
    s2 = np.array([o.s2 for o in outcomes])
    margin = np.where(s1 > 0, (s1 - s2) / np.where(s1 > 0, s1, 1), 0.0)
    ln = np.log1p([o.n_words for o in outcomes])
    pos = np.array([o.kind == "answerable" for o in outcomes])
    neg = np.array([o.kind == "none" for o in outcomes])
    ok = np.array([o.kind == "answerable" and bool(o.top) and o.top[0] in o.query.targets
                   for o in outcomes])
    return s1, margin, ln, pos, neg, ok


def tune(outcomes, score_grid=SCORE_GRID, slope_grid=SLOPE_GRID,
         margin_grid=MARGIN_GRID) -> tuple[float, float, float]:
    """(min_score, length_slope, min_margin) maximising `objective` on these outcomes."""
    s1, margin, ln, pos, neg, ok = _arrays(outcomes)
    npos, nneg = max(pos.sum(), 1), max(neg.sum(), 1)
    best, arg = -1.0, (float(score_grid[0]), float(slope_grid[0]), float(margin_grid[0]))
    for mm in margin_grid:
        mok = margin >= mm
        for sl in slope_grid:
            # one row per min_score: answer where s1 clears the length-adjusted bar
            bar = np.asarray(score_grid)[:, None] - sl * ln[None, :]
            ans = (s1[None, :] > 0) & (s1[None, :] >= bar) & mok[None, :]
            right = (ans & ok[None, :]).sum(1) / npos
            abst = (~ans & neg[None, :]).sum(1) / nneg
            vals = np.minimum(right / TARGET_RIGHT, abst / TARGET_ABSTAIN) + 1e-3 * (right + abst)
            i = int(np.argmax(vals))
            if vals[i] > best + 1e-12:
                best, arg = float(vals[i]), (float(score_grid[i]), float(sl), float(mm))
    return arg


def cross_validate(outcomes, folds: int = 5, repeats: int = 20, seed: int = 20261203) -> dict:
    """Tune the rule on k-1 folds, apply it to the held-out fold; repeated with reshuffles.

    Returns the pooled out-of-fold rates (mean over repeats) and their spread: the honest
    estimate of what the tuned rule does on queries it was not tuned on."""
    rng = random.Random(seed)
    rows = []
    for _ in range(repeats):
        idx = list(range(len(outcomes)))
        rng.shuffle(idx)
        answers = [False] * len(outcomes)
        for f in range(folds):
            test = set(idx[f::folds])
            train = [outcomes[i] for i in idx if i not in test]
            ms, sl, mm = tune(train)
            for i in test:
                answers[i] = decide([outcomes[i]], ms, sl, mm)[0]
        rows.append(metrics(outcomes, answers))
    keys = ("right_first", "top5", "abstained_none")
    return {k: float(np.mean([r[k] for r in rows])) for k in keys} | {
        f"{k}_sd": float(np.std([r[k] for r in rows])) for k in keys} | {
        "folds": folds, "repeats": repeats}
