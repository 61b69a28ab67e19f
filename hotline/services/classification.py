"""Classifier use cases: suggestions for a text, corrections as training data, retraining."""
from __future__ import annotations

from .runtime import Runtime


def classify_text(rt: Runtime, text: str, town: str | None = None) -> dict:
    predictor = rt.predictor()
    if predictor is None:
        return {"suggestions": [], "auto": False, "model_version": None, "rapid_item": None,
                "top_terms": []}
    out = predictor.predict(text)
    suggestions = [{"label": x["label"], "score": round(float(x["score"]), 4),
                    "unit": rt.city.unit_for(x["label"], town)} for x in out["suggestions"]]
    try:
        from hotline.classify import rapid as rapid_mod
        rapid = rapid_mod.detect(text)
    except Exception:   # rapid detection is advisory; intake never fails on it
        rapid = None
    return {"suggestions": suggestions, "auto": bool(out.get("auto")),
            "model_version": out.get("model_version"), "top_terms": out.get("top_terms", []),
            "rapid_item": rapid}
