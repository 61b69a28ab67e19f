"""Time left in working time (issue 15, docs/design/ux.md §2): weekends and holidays do not
count for working-day clocks; minute clocks are natural time (docs/design/domain.md §5.4)."""
import datetime as dt
from zoneinfo import ZoneInfo

from hotline.sla.domain.calendar import WorkCalendar
from hotline.sla.domain.clocks import SlaEngine
from hotline.sla.domain.policy import load_policy
from hotline.sla.domain.timeleft import DAY, time_left, working_seconds

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def t(*a):
    return dt.datetime(*a, tzinfo=TZ)


def test_left_counts_working_days_only():
    # Friday 2025-11-21 20:00, due Monday 2025-11-24 23:59:59: 4 h on Friday + Monday
    left = time_left(CAL, t(2025, 11, 24, 23, 59, 59), t(2025, 11, 21, 20, 0))
    assert not left.overdue and left.seconds == 4 * 3600 + DAY and left.ticking


def test_weekend_does_not_tick_and_late_counts_working_days():
    # due Friday 2025-11-21 end of day; Sunday: overdue, but no working time late yet
    sunday = time_left(CAL, t(2025, 11, 21, 23, 59, 59), t(2025, 11, 23, 15, 0))
    assert sunday.overdue and sunday.seconds == 0 and not sunday.ticking
    # Monday 18:00: 18 working hours late; Tuesday 06:00 the next: 1 working day and 6 h
    assert time_left(CAL, t(2025, 11, 21, 23, 59, 59), t(2025, 11, 24, 18, 0)).seconds == 18 * 3600
    assert time_left(CAL, t(2025, 11, 21, 23, 59, 59), t(2025, 11, 25, 6, 0)).seconds == DAY + 6 * 3600


def test_national_day_holiday_is_skipped_and_tiaoxiu_counts():
    # 2025-09-30 12:00 to 2025-10-13 00:00: 12 h on the 30th, the holiday 10-01..10-08
    # skipped, 10-09, 10-10 and Saturday 10-11 (调休 workday) counted, Sunday 10-12 not
    assert working_seconds(CAL, t(2025, 9, 30, 12, 0), t(2025, 10, 13, 0, 0)) == 12 * 3600 + 3 * DAY


def test_natural_clock_counts_every_second():
    left = time_left(CAL, t(2025, 11, 22, 10, 29, 59), t(2025, 11, 22, 10, 0), True)   # Saturday
    assert not left.overdue and left.seconds == 30 * 60 and left.natural and left.ticking
    late = time_left(CAL, t(2025, 11, 22, 10, 29, 59), t(2025, 11, 22, 11, 0), True)
    assert late.overdue and late.seconds == 30 * 60


def test_engine_marks_minute_clocks_natural():
    eng = SlaEngine(load_policy())
    facts = {"received_at": t(2025, 11, 21, 10, 0), "appeal_type": "help", "urgency": "urgent",
             "rapid_item": None}
    ds = eng.deadlines(facts, [], t(2025, 11, 21, 10, 1))
    dispatch = next(d for d in ds if d.clock == "dispatch")
    reply = next(d for d in ds if d.clock == "reply" and d.target == "legal")
    assert dispatch.natural and not reply.natural
    assert eng.clock_is_natural("dispatch", "pledge", "urgent")
    assert not eng.clock_is_natural("reply", "legal", "urgent")


def test_counting_across_years_agrees_with_day_by_day():
    a, b = dt.date(2023, 12, 20), dt.date(2026, 1, 10)
    brute = sum(CAL.is_working_day(a + dt.timedelta(days=i)) for i in range((b - a).days))
    assert WorkCalendar().count_working_days(a, b) == brute
    # a year without holiday data counts Monday-Friday (the no-data policy)
    assert WorkCalendar().count_working_days(dt.date(2099, 1, 1), dt.date(2100, 1, 1)) == 261
