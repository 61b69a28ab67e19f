"""疑难工单 criteria (issue 17, Build 4), pure: when an order is proposed as a hard case, and
the monthly count of resolved cases against the yearly target (重点难点问题 跟踪督办; Dongguan's
2025 target: at least 50 resolved through city-level coordination a year). The thresholds are
configuration (config/cases.yaml `hardcases`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REASONS = {"reopened": "重办两次及以上", "returned": "退单两次及以上",
           "repeated": "多名市民重复反映", "supervisor": "督办人员列入"}
STATUS_LABELS = {"proposed": "建议列入", "open": "跟踪督办中", "resolved": "已化解",
                 "dismissed": "不予列入"}


@dataclass(frozen=True)
class Thresholds:
    reopen_count: int = 2
    return_count: int = 2
    repeat_callers: int = 5


def proposal_reasons(reopens: int, returns: int, repeat_callers: int,
                     t: Thresholds) -> list[str]:
    """The criteria an order meets, in a fixed order (empty: not a hard case)."""
    out = []
    if reopens >= t.reopen_count:
        out.append("reopened")
    if returns >= t.return_count:
        out.append("returned")
    if repeat_callers >= t.repeat_callers:
        out.append("repeated")
    return out


def monthly(resolved: list[tuple[date, bool]], year: int) -> list[dict]:
    """Per month of `year`: cases resolved, and of those through city-level coordination."""
    months = [{"month": m, "resolved": 0, "city_level": 0} for m in range(1, 13)]
    for day, city in resolved:
        if day.year == year:
            months[day.month - 1]["resolved"] += 1
            months[day.month - 1]["city_level"] += int(bool(city))
    return months
