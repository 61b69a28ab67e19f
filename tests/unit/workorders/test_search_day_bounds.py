"""A date filter bounds the city's calendar day in UTC, the zone timestamps are stored in (SQLite
compares stored text, so a +08:00 bound would be read 8 hours off)."""
from datetime import date, datetime, timezone

from hotline.workorders.search import _day_start


def test_city_day_starts_at_16_utc_the_day_before():
    start = _day_start(date(2026, 12, 3))
    assert start == datetime(2026, 12, 2, 16, 0, tzinfo=timezone.utc)
    assert start.utcoffset().total_seconds() == 0
