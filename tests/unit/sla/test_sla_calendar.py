"""Working-day calendar: worked examples, every 调休 workday, the oracle, overrides, no-data."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sla_oracle import MAKEUP_WORKDAYS, T
from sla_oracle import due as oracle_due
from sla_oracle import is_workday as oracle_workday

from hotline.sla.domain.calendar import TZ, CalendarError, WorkCalendar, load_override

CAL = WorkCalendar()


# --- worked examples (docs/design/domain.md §5.2) ---------------------------------------------
def test_five_working_days_across_national_day():
    assert CAL.add_working_days(T(2025, 9, 30, 10), 5).isoformat() == "2025-10-14T23:59:59+08:00"


@pytest.mark.parametrize("day", ["2025-09-28", "2025-10-11"])
def test_weekend_makeup_days_are_working_days(day):
    d = dt.date.fromisoformat(day)
    assert d.weekday() >= 5
    info = CAL.day(d)
    assert info.working and info.kind == "makeup_workday" and not info.provisional


def test_return_window_closes_at_end_of_next_working_day():
    from hotline.dispatch.domain.returns import return_window  # what services/rules.py calls
    assert return_window(CAL, 1)(T(2025, 9, 30, 10)) == T(2025, 10, 9, 23, 59, 59)


def test_package_examples_and_both_conventions():
    # docs/design/domain.md §5.1, §5.3: Friday + 2 counts Sunday 9-28 (调休); Saturday receipt
    # differs by convention
    assert CAL.add_working_days(T(2025, 9, 26, 9), 2) == T(2025, 9, 29, 23, 59, 59)
    assert CAL.add_working_days(T(2025, 9, 30, 9), 15) == T(2025, 10, 28, 23, 59, 59)
    assert CAL.add_working_days(T(2025, 9, 27, 9), 2, "a") == T(2025, 9, 29, 23, 59, 59)
    assert CAL.add_working_days(T(2025, 9, 27, 9), 2, "b") == T(2025, 9, 30, 23, 59, 59)
    assert WorkCalendar(convention="b").add_working_days(T(2025, 9, 27, 9), 2) == \
        T(2025, 9, 30, 23, 59, 59)


def test_time_zone_is_asia_shanghai_and_naive_is_refused():
    utc = dt.datetime(2025, 9, 29, 17, 0, tzinfo=dt.UTC)   # = 2025-09-30 01:00 +08:00
    assert CAL.add_working_days(utc, 5) == T(2025, 10, 14, 23, 59, 59)
    with pytest.raises(ValueError):
        CAL.add_working_days(dt.datetime(2025, 9, 30, 10), 1)
    with pytest.raises(ValueError):
        CAL.add_working_days(T(2025, 9, 30, 10), 0)


def test_explain_names_skipped_days_and_makeup_days():
    lines = CAL.explain(T(2025, 9, 30, 10), 5)
    text = "\n".join(lines)
    assert "2025-10-01 (周三) 国庆节放假" in text
    assert "2025-10-06 (周一) 中秋节放假" in text
    assert "2025-10-12 (周日) 周末" in text
    assert "2025-10-11 (周六) 国庆节调休上班" in text
    span = CAL.span(T(2025, 9, 30, 10), 5)
    assert len(span.skipped) == 9 and len(span.counted) == 5 and not span.provisional


# --- every 调休 workday ----------------------------------------------------------------------
def test_hand_written_makeup_list_matches_calendar():
    found = [d for y in range(2022, 2027) for d in _days(y)
             if d.weekday() >= 5 and CAL.is_working_day(d)]
    assert found == MAKEUP_WORKDAYS


@pytest.mark.parametrize("day", MAKEUP_WORKDAYS, ids=str)
def test_every_makeup_workday_counts(day):
    before = day - dt.timedelta(days=1)
    # received the day before a make-up Saturday/Sunday: if that day is the first working day
    # after it, the 1-working-day limit ends on the make-up day itself.
    got = CAL.add_working_days(dt.datetime.combine(before, dt.time(15), tzinfo=TZ), 1)
    assert got == oracle_due(dt.datetime.combine(before, dt.time(15), tzinfo=TZ), 1)
    assert got.date() == day
    # and an order received ON the make-up day counts it as day 0 (next day is day 1)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=TZ)
    for conv in "ab":
        assert CAL.add_working_days(start, 3, conv) == oracle_due(start, 3, conv)


def _days(year):
    d = dt.date(year, 1, 1)
    while d.year == year:
        yield d
        d += dt.timedelta(days=1)


# --- property tests against the oracle (2022-2026) ---------------------------------------
starts = st.datetimes(min_value=dt.datetime(2022, 1, 1), max_value=dt.datetime(2026, 11, 30),
                      timezones=st.just(TZ))
special = st.builds(lambda d, h, m: dt.datetime.combine(d, dt.time(h, m), tzinfo=TZ),
                    st.sampled_from(MAKEUP_WORKDAYS +
                                    [d for d in _days(2025) if not oracle_workday(d)]),
                    st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=400, deadline=None)
@given(start=st.one_of(starts, special), n=st.integers(1, 20), conv=st.sampled_from("ab"))
def test_add_working_days_matches_oracle(start, n, conv):
    got = CAL.span(start, n, conv)
    assert got.due == oracle_due(start, n, conv)
    assert got.due.timetz().replace(tzinfo=None) == dt.time(23, 59, 59)
    assert got.due.utcoffset() == dt.timedelta(hours=8)
    assert all(oracle_workday(d) for d in got.counted) and len(got.counted) == n
    assert all(not oracle_workday(i.day) for i in got.skipped)
    assert not got.provisional


@settings(max_examples=200, deadline=None)
@given(start=st.one_of(starts, special), n=st.integers(1, 10))
def test_monotone_and_convention_b_never_earlier(start, n):
    a = CAL.add_working_days(start, n, "a")
    assert CAL.add_working_days(start, n + 1, "a") > a
    b = CAL.add_working_days(start, n, "b")
    assert b >= a
    assert (b == a) == oracle_workday(start.date())


# --- overrides and the no-data policy -----------------------------------------------------
def test_year_without_data_is_provisional_monday_to_friday():
    assert not CAL.has_data(2099)
    span = CAL.span(T(2099, 1, 1, 10), 3)       # Thursday
    assert span.due == T(2099, 1, 6, 23, 59, 59)  # Fri, (Sat, Sun skipped), Mon, Tue
    assert span.provisional
    assert any("暂定" in line for line in span.explain())
    assert CAL.day(dt.date(2099, 1, 3)).kind == "weekend"


def test_span_reaching_into_a_year_without_data_is_provisional():
    # a covered start is not enough: the flag follows every day the count looks at. (Written
    # so it keeps passing when a package release adds 2027.)
    cal = WorkCalendar()
    assert cal.span(T(2026, 12, 30, 10), 5).provisional == (not cal.has_data(2027))
    assert not cal.span(T(2026, 12, 1, 10), 5).provisional
    assert cal.span(T(2098, 12, 31, 10), 1).provisional


def test_override_file_replaces_the_year(tmp_path):
    f = tmp_path / "2099.yaml"
    f.write_text("year: 2099\nsource: test notice\n"
                 "holidays: [2099-01-01, 2099-01-02]\n"
                 "workdays: [{date: 2099-01-03, name: 元旦}]\n", encoding="utf-8")
    cal = WorkCalendar.from_dir(tmp_path)
    assert cal.has_data(2099)
    span = cal.span(T(2098, 12, 31, 10), 1)
    # 1-1 Thu and 1-2 Fri off, 1-3 Saturday a make-up workday
    assert span.due == T(2099, 1, 3, 23, 59, 59)
    assert not cal.day(dt.date(2099, 1, 3)).provisional
    assert cal.day(dt.date(2099, 1, 3)).name == "元旦"


def test_override_replaces_package_year(tmp_path):
    (tmp_path / "2025.yaml").write_text("year: 2025\nsource: test\nholidays: []\n"
                                        "workdays: []\n", encoding="utf-8")
    cal = WorkCalendar.from_dir(tmp_path)
    assert cal.is_working_day(dt.date(2025, 10, 1))       # no holidays in the override
    assert not cal.is_working_day(dt.date(2025, 9, 28))   # nor make-up days


@pytest.mark.parametrize("body,key", [
    ("year: 2098\nsource: x\n", "year"),
    ("year: 2099\n", "source"),
    ("year: 2099\nsource: x\nholidays: [2098-01-01]\n", "holidays[0]"),
    ("year: 2099\nsource: x\nholidays: [notadate]\n", "holidays[0]"),
    ("year: 2099\nsource: x\nholidays: [2099-01-03]\nworkdays: [2099-01-03]\n", "workdays"),
])
def test_bad_override_names_file_and_key(tmp_path, body, key):
    f = tmp_path / "2099.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(CalendarError) as e:
        load_override(f)
    assert "2099.yaml" in str(e.value) and key in str(e.value)
