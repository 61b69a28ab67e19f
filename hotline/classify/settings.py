"""config/classify.yaml with code defaults (pure), read strictly: an unknown key fails the
load naming file and key (hotline/core/configfile.py).

The file holds only what code reads: the precision the auto-dispatch threshold aims at
(hotline/classify/training.py) and the triage floor and margin (hotline/classify/triage.py). Duplicate search and rapid-item detection keep their numbers
next to the code that uses them (hotline/intake/duplicates.py, hotline/classify/rapid.py).
"""

from __future__ import annotations

from pathlib import Path

from .text import CONFIG_DIR

DEFAULTS = {"auto_dispatch": {"target_precision": 0.980, "min_score": 0.4, "min_margin": 0.15}}


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
        return {"auto_dispatch": out}

    return parse_file(p, parse, required=False)
