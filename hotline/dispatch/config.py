"""config/dispatch.yaml: the 退单 window, the "two 15%" policy and the 协办 default (validated
on load; the runtime holds the loaded object as `rt.config.dispatch`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from hotline.core.config import config_dir
from hotline.core.configfile import ConfigError, parse_file
from hotline.dispatch.domain.returns import Two15Policy


@dataclass(frozen=True)
class DispatchConfig:
    window_working_days: int = 1
    two15: Two15Policy = field(default_factory=Two15Policy)
    assist_default_working_days: int = 2


def _pos_int(f, key, v, default):
    v = default if v is None else v
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise ConfigError(f, key, "必须是正整数")
    return v


def load_dispatch_config(directory=None) -> DispatchConfig:
    d = directory or config_dir()
    return parse_file(d / "dispatch.yaml", lambda doc: _parse(str(d / "dispatch.yaml"), doc),
                      required=False, default=DispatchConfig)


def _parse(f: str, doc) -> DispatchConfig:
    ret, t, a = doc.get("returns") or {}, doc.get("two15") or {}, doc.get("assist") or {}
    thr = t.get("threshold_percent", 15)
    if not isinstance(thr, (int, float)) or not 0 < thr <= 100:
        raise ConfigError(f, "two15.threshold_percent", "必须是 (0, 100] 之间的数")
    block = t.get("block_agent_intake", True)
    if not isinstance(block, bool):
        raise ConfigError(f, "two15.block_agent_intake", "须为 true/false")
    return DispatchConfig(
        _pos_int(f, "returns.window_working_days", ret.get("window_working_days"), 1),
        Two15Policy(Fraction(str(thr)), _pos_int(f, "two15.window_days", t.get("window_days"), 30),
                    _pos_int(f, "two15.min_orders", t.get("min_orders"), 20), block),
        _pos_int(f, "assist.default_working_days", a.get("default_working_days"), 2))
