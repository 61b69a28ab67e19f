"""config/rating.yaml (issue 18 item 6), read strictly (docs/design/architecture.md §2.6)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotline.core.configfile import ConfigError, parse_file


@dataclass(frozen=True)
class RatingSettings:
    reminder_after_hours: int = 24
    reminder_template: str = "【东莞12345】您反映的工单{number}尚未评价，欢迎点击链接评价：{link}"
    rectification_working_days: int = 5


def load(path: Path) -> RatingSettings:
    def parse(doc) -> RatingSettings:
        kw = {}
        for key, hi in (("reminder_after_hours", 24 * 30), ("rectification_working_days", 60)):
            v = doc.get(key)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= hi:
                raise ConfigError(path, key, f"须为 1 至 {hi} 之间的整数")
            kw[key] = v
        tpl = doc.get("reminder_template")
        if tpl is not None:
            if not isinstance(tpl, str) or "{link}" not in tpl:
                raise ConfigError(path, "reminder_template", "须为含 {link} 的文本")
            kw["reminder_template"] = tpl
        return RatingSettings(**kw)
    return parse_file(path, parse, required=False, default=RatingSettings)
