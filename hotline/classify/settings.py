"""config/classify.yaml with code defaults (pure), read strictly: an unknown key fails the
load naming file and key (hotline/configfile.py).

The file holds only what code reads: the precision the auto-dispatch threshold aims at
(hotline/classify/training.py). Duplicate search and rapid-item detection keep their numbers
next to the code that uses them (hotline/services/duplicates.py, hotline/classify/rapid.py).
"""

from __future__ import annotations

from pathlib import Path

from .text import CONFIG_DIR

DEFAULTS = {"auto_dispatch": {"target_precision": 0.980}}


def load(path=None) -> dict:
    from hotline.configfile import ConfigError, parse_file

    p = Path(path) if path else CONFIG_DIR / "classify.yaml"

    def parse(doc) -> dict:
        auto = doc.get("auto_dispatch") or {}
        target = auto.get("target_precision", DEFAULTS["auto_dispatch"]["target_precision"])
        if isinstance(target, bool) or not isinstance(target, (int, float)) \
                or not 0 < target < 1:
            raise ConfigError(p, "auto_dispatch.target_precision", "须在 0 与 1 之间")
        return {"auto_dispatch": {"target_precision": float(target)}}

    return parse_file(p, parse, required=False)
