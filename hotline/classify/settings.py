"""config/classify.yaml with code defaults (pure)."""

from __future__ import annotations

from pathlib import Path

from .text import CONFIG_DIR

DEFAULTS = {
    "auto_dispatch": {"target_precision": 0.980, "cv_folds": 5, "min_score": 0.4, "min_margin": 0.15},
    "suggestions_k": 3,
    "model_store": "var/models",
    "duplicates": {"threshold": 0.6, "window_days": 7, "max_candidates": 200},
    "rapid_response": {"min_score": 0.4, "veto": 0.9},
}


def load(path=None) -> dict:
    import yaml

    p = Path(path) if path else CONFIG_DIR / "classify.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8")) if p.exists() else {}
    out = {}
    for k, v in DEFAULTS.items():
        got = (data or {}).get(k)
        out[k] = {**v, **(got or {})} if isinstance(v, dict) else (got if got is not None else v)
    return out
