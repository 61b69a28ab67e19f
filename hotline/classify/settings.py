"""config/classify.yaml with code defaults (pure), read strictly: an unknown key fails the
load naming file and key (hotline/core/configfile.py).

The file holds only what code reads: the precision the auto-dispatch threshold aims at
(hotline/classify/training.py), the triage floor and margin (hotline/classify/triage.py) and the
thresholds of the triage's learned fallback (hotline/classify/triage_model.py). Duplicate search and rapid-item detection keep their numbers
next to the code that uses them (hotline/intake/duplicates.py, hotline/classify/rapid.py).
"""

from __future__ import annotations

from pathlib import Path

from .text import CONFIG_DIR

DEFAULTS = {"auto_dispatch": {"target_precision": 0.980, "min_score": 0.4, "min_margin": 0.15},
            # the triage's learned fallback (hotline/classify/triage_model.py); enabled: false
            # leaves the rules alone
            "triage_model": {"enabled": True, "rapid_min": 0.6, "emergency_min": 0.6, "emergency_hold": 0.3}}


def load(path=None) -> dict:
    from hotline.core.configfile import ConfigError, parse_file

    p = Path(path) if path else CONFIG_DIR / "classify.yaml"

    def parse(doc) -> dict:
        auto = doc.get("auto_dispatch") or {}
        target = auto.get("target_precision", DEFAULTS["auto_dispatch"]["target_precision"])
        if isinstance(target, bool) or not isinstance(target, (int, float)) \
                or not 0 < target < 1:
            raise ConfigError(p, "auto_dispatch.target_precision", "须在 0 与 1 之间")
        out = {"target_precision": float(target)}
        for key in ("min_score", "min_margin"):
            v = auto.get(key, DEFAULTS["auto_dispatch"][key])
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
                raise ConfigError(p, f"auto_dispatch.{key}", "须在 0 与 1 之间")
            out[key] = float(v)
        tm = doc.get("triage_model") or {}
        model = {}
        enabled = tm.get("enabled", DEFAULTS["triage_model"]["enabled"])
        if not isinstance(enabled, bool):
            raise ConfigError(p, "triage_model.enabled", "须为 true 或 false")
        model["enabled"] = enabled
        for key in ("rapid_min", "emergency_min", "emergency_hold"):
            v = tm.get(key, DEFAULTS["triage_model"][key])
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
                raise ConfigError(p, f"triage_model.{key}", "须在 0 与 1 之间")
            model[key] = float(v)
        if model["emergency_hold"] > model["emergency_min"]:
            raise ConfigError(p, "triage_model.emergency_hold", "不得高于 emergency_min")
        return {"auto_dispatch": out, "triage_model": model}

    return parse_file(p, parse, required=False)
