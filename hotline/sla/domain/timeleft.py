"""Time left on a clock, in working time (docs/design/ux.md §2, docs/design/domain.md §5).

A working-day clock counts only the working days of the calendar: a limit ends at the end of
its last working day, so the time left is the part of [now, due] that falls on working days
(whole days, 调休 included, holidays and weekends skipped), and a clock that ran out on Friday
night is "已超时 1 个工作日" on Monday evening, not three days. A clock stated in minutes or
hours is natural time, 7x24 (docs/design/domain.md §5.4), and counts every second.

Computed here once, from the engine's calendar; pages format the numbers with one helper
(`Hotline.timeLeft` in web/static/app.js).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hotline.sla.domain.calendar import WorkCalendar, as_local

DAY = 86400          # one working day is a whole calendar day (limits end at 23:59:59)
ONE_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class TimeLeft:
    overdue: bool
    seconds: int        # left (overdue False) or late (overdue True), >= 0
    natural: bool       # natural time (7x24) rather than working time
    ticking: bool       # the clock advances at `now` (False on a non-working day)

    def as_dict(self) -> dict:
        return {"overdue": self.overdue, "seconds": self.seconds, "natural": self.natural,
                "ticking": self.ticking}


def working_seconds(cal: WorkCalendar, a: dt.datetime, b: dt.datetime) -> int:
    """Seconds of [a, b) that fall on working days (0 when b <= a)."""
    a, b = as_local(a), as_local(b)
    if b <= a:
        return 0

    def midnight(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(0), tzinfo=a.tzinfo)

    if a.date() == b.date():
        return int((b - a).total_seconds()) if cal.is_working_day(a.date()) else 0
    one = dt.timedelta(days=1)
    head = int((midnight(a.date() + one) - a).total_seconds()) if cal.is_working_day(a.date()) else 0
    tail = int((b - midnight(b.date())).total_seconds()) if cal.is_working_day(b.date()) else 0
    return head + tail + DAY * cal.count_working_days(a.date() + one, b.date())


def time_left(cal: WorkCalendar, due: dt.datetime, now: dt.datetime,
              natural: bool = False) -> TimeLeft:
    """Left until `due`, or late since: overdue from the second after `due` (clocks.py)."""
    end = as_local(due) + ONE_SECOND
    now = as_local(now)
    overdue = now >= end
    if natural:
        secs = int(abs((end - now).total_seconds()))
        return TimeLeft(overdue, secs, True, True)
    secs = working_seconds(cal, end, now) if overdue else working_seconds(cal, now, end)
    return TimeLeft(overdue, secs, False, cal.is_working_day(now.date()))
