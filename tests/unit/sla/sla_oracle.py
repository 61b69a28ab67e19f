"""A small INDEPENDENT oracle: a brute-force, day-by-day working-day counter.

Working days come from chinese_calendar.is_workday asked one day at a time (no spans, no
caching, no override logic), and the 调休 make-up workdays of 2022-2026 are written out by hand
from the State Council notices so the tests can name every one of them.
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar

from hotline.sla.domain.calendar import TZ

MAKEUP_WORKDAYS = [dt.date.fromisoformat(s) for s in """
2022-01-29 2022-01-30 2022-04-02 2022-04-24 2022-05-07 2022-10-08 2022-10-09
2023-01-28 2023-01-29 2023-04-23 2023-05-06 2023-06-25 2023-10-07 2023-10-08
2024-02-04 2024-02-18 2024-04-07 2024-04-28 2024-05-11 2024-09-14 2024-09-29 2024-10-12
2025-01-26 2025-02-08 2025-04-27 2025-09-28 2025-10-11
2026-01-04 2026-02-14 2026-02-28 2026-05-09 2026-09-20 2026-10-10""".split()]  # noqa: SIM905


def is_workday(d: dt.date) -> bool:
    return chinese_calendar.is_workday(d)


def due(start: dt.datetime, n: int, convention: str = "a") -> dt.datetime:
    d = start.astimezone(TZ).date()
    if convention == "b" and not is_workday(d):
        d += dt.timedelta(days=1)
        while not is_workday(d):
            d += dt.timedelta(days=1)
    k = 0
    while k < n:
        d += dt.timedelta(days=1)
        if is_workday(d):
            k += 1
    return dt.datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=TZ)


def paused_working_days(a: dt.datetime, b: dt.datetime) -> int:
    """Working days on whose end (23:59:59) the order was suspended."""
    d, n = a.date(), 0
    while d < b.date():
        n += is_workday(d)
        d += dt.timedelta(days=1)
    return n


def T(*a) -> dt.datetime:
    """An aware Asia/Shanghai datetime."""
    return dt.datetime(*a, tzinfo=TZ)
