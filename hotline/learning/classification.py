"""Classifier use cases: the intake triage of a text (issue 14), corrections as training data,
retraining.

`triage_text` is the one call into hotline.classify.triage: the agent page's live check
(POST /api/v1/classify) and intake (intake/service.py) both ask it, so what the agent sees
while typing is what intake decides on submit (docs/design/architecture.md §8.1).
"""
from __future__ import annotations

from hotline.classify import triage as triage_mod
from hotline.classify.emergency import LINES
from hotline.core.runtime import Runtime


class _Recorded:
    """The published model seen through the triage: the triage asks it once for the top
    two categories; the answer keeps three suggestions for the pages, so the model runs
    once per appeal."""

    def __init__(self, predictor):
        self._p = predictor
        self.result: dict | None = None

    def predict(self, text, k: int = 3):
        self.result = self._p.predict(text, k=max(k, 3))
        return self.result

    def __getattr__(self, name):          # threshold, label_units, model_version ...
        return getattr(self._p, name)


def triage_text(rt: Runtime, text: str, town: str | None = None
                ) -> tuple[triage_mod.Triage, dict]:
    """Every intake decision for `text` (hotline.classify.triage) with the runtime's published
    model, and its answer for the API: the category suggestions (empty without a model), the
    appeal type with its score, the rapid-response item, the emergency line, the vague
    reading, the auto-dispatch decision and its Chinese reasons."""
    predictor = rt.predictor()
    seen = _Recorded(predictor) if predictor is not None else None
    t = triage_mod.triage(text, town=town, predictor=seen)
    out = seen.result if seen is not None and seen.result is not None else {}
    city = rt.city

    def unit_name(code):
        u = city.units.get(code or "")
        return u.name if u else None

    suggestions = []
    for x in out.get("suggestions", []):
        unit = city.unit_for(x["label"], t.town or town)
        cat = city.categories.get(x["label"])
        suggestions.append({"label": x["label"], "name": cat.name if cat else x["label"],
                            "score": round(float(x["score"]), 4), "unit": unit,
                            "unit_name": unit_name(unit)})
    at = t.appeal_type
    rapid = None
    if t.rapid is not None:
        r = t.rapid
        rapid = {"item_code": r.code, "name": r.name, "category": r.category, "unit": t.unit,
                 "unit_name": unit_name(t.unit), "matched_phrases": [r.phrase],
                 "contact_minutes": r.contact_minutes, "onsite_minutes": r.onsite_minutes,
                 "finish_working_days": r.finish_working_days}
    emergency = None
    if t.emergency is not None:
        e = t.emergency
        emergency = {"line": e.line, "line_name": LINES.get(e.line, e.line), "kind": e.kind,
                     "phrase": e.phrase, "reason": e.reason}
    answer = {
        "suggestions": suggestions, "auto": bool(t.auto),
        "model_version": out.get("model_version") if predictor is not None else None,
        "top_terms": out.get("top_terms", []),
        "appeal_type": {"code": at.code, "name": at.name, "score": round(float(at.score), 4),
                        "scores": {k: round(float(v), 4) for k, v in at.scores.items()}},
        "rapid_item": rapid, "emergency": emergency,
        "vague": {"reason": t.vague.reason} if t.vague is not None else None,
        "category": t.category, "unit": t.unit, "unit_name": unit_name(t.unit),
        "reasons": list(t.reasons),
    }
    if predictor is not None and answer["model_version"] is None:
        answer["model_version"] = getattr(predictor, "model_version", None)
    return t, answer


def emergency_check(text: str) -> dict | None:
    """The emergency reading alone (hotline.classify.emergency, the triage's first decision):
    for a channel that must answer a citizen with the number to call instead of filing
    (the self-service form, issue 14 Build 4). None: no emergency."""
    from hotline.classify import emergency
    e = emergency.detect(text)
    if e is None:
        return None
    return {"line": e.line, "line_name": LINES.get(e.line, e.line), "kind": e.kind,
            "phrase": e.phrase, "reason": e.reason}


def classify_text(rt: Runtime, text: str, town: str | None = None) -> dict:
    """The API's answer for a text (POST /api/v1/classify): see triage_text."""
    return triage_text(rt, text, town)[1]
