"""Learned fallback of the intake triage (issue 14, Build 3 and 4): the rules in rapid/emergency
read the words they were written for; callers keep naming a new object or state (a hoarding
"压在人行道上", "水从草地里一直涌出来", "脸都紫了"), so a phrase list alone does not generalise
(docs/model_card.md, generalisation rounds). This model reads the whole appeal.

Model: character 1-3-gram TF-IDF over `cues.plain(text)` (Cantonese and typo forms already mapped)
+ class-balanced multinomial logistic regression over three readings: none / rapid / emergency.
A second logistic regression over the emergency rows picks the line (110/119/120/122); a rapid
item is picked by the seed-trained item model (hotline.classify.rapid) among the items triage may
flag. Trained once per process (< 1 s) from the team-written labelled appeals shipped in
hotline/classify/seed/triage_cases.csv (same columns and label rules as the triage samples);
nothing depends on a published artefact.

How the triage uses it (hotline.classify.triage): the rules decide first and keep every veto
(negation, past or resolved, a question ABOUT the topic, chronic, suggestion, praise); the model
only adds a reading the rules missed, above the thresholds of config/classify.yaml `triage_model`,
and the same vetoes apply to it. Pure: no framework, no I/O beyond the shipped file.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cues

CASES = Path(__file__).resolve().parent / "seed" / "triage_cases.csv"
NONE, RAPID, EMERGENCY = "none", "rapid", "emergency"


def load_cases(path=CASES) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reading(row: dict) -> str:
    """The row's label as the model learns it (vague rows are 'none': vagueness has its own rule)."""
    if str(row.get("emergency")) == "1":
        return EMERGENCY
    return RAPID if str(row.get("rapid")) == "1" else NONE


@dataclass(frozen=True)
class Reading:
    rapid: float        # P(rapid)
    emergency: float    # P(emergency)
    line: str | None    # most likely emergency line, when P(emergency) is not negligible


def _vectoriser():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)


class TriageModel:
    # C chosen on the untouched tuning batch and 5-fold CV over the own cases (docs/model_card.md,
    # round 7); a weaker C (2) lost recall on paraphrases, a stronger one added no recall
    C = 8.0

    def __init__(self):
        self.vec = None
        self.clf = None
        self.line_clf = None

    def fit(self, texts, readings, lines=None) -> "TriageModel":
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # a few hundred rows: BLAS threads only contend (14 s -> 1 s under load)
            return self._fit(texts, readings, lines, LogisticRegression)

    def _fit(self, texts, readings, lines, LogisticRegression) -> "TriageModel":
        X_text = [cues.plain(t) for t in texts]
        self.vec = _vectoriser().fit(X_text)
        X = self.vec.transform(X_text)
        self.clf = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced").fit(X, list(readings))
        idx = [i for i, (r, ln) in enumerate(zip(readings, lines or [])) if r == EMERGENCY and ln]
        if len({lines[i] for i in idx}) >= 2:
            self.line_clf = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced").fit(
                X[idx], [lines[i] for i in idx])
        return self

    @classmethod
    def from_cases(cls, path=CASES) -> "TriageModel":
        rows = load_cases(path)
        return cls().fit([r["text"] for r in rows], [reading(r) for r in rows],
                         [r.get("emergency_line", "") for r in rows])

    def read(self, text: str) -> Reading:
        s = cues.plain(text)
        if not s:
            return Reading(0.0, 0.0, None)
        X = self.vec.transform([s])
        p = dict(zip(self.clf.classes_, self.clf.predict_proba(X)[0].tolist()))
        line = None
        if self.line_clf is not None and p.get(EMERGENCY, 0.0) >= 0.05:
            line = str(self.line_clf.classes_[int(np.argmax(self.line_clf.predict_proba(X)[0]))])
        return Reading(float(p.get(RAPID, 0.0)), float(p.get(EMERGENCY, 0.0)), line)


_default: TriageModel | None = None
_lock = threading.Lock()


def default_model() -> TriageModel:
    """Process-wide model trained on the shipped cases (once per process)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = TriageModel.from_cases()
    return _default


def set_model(model: TriageModel | None) -> None:
    global _default
    _default = model
