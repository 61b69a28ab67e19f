"""Working days (工作日) for Dongguan: statutory holidays, 调休 make-up workdays, override years.

Sources, in order of precedence for a given year (docs/design/domain.md §5):

1. an override file ``config/calendar/<year>.yaml`` (``{year, source, holidays, workdays}``):
   it REPLACES the package for that year, so the State Council notice can be loaded the day
   it is published, before a ``chinesecalendar`` release;
2. ``chinese_calendar`` (PyPI ``chinesecalendar``; data 2004-2026, raises NotImplementedError
   outside);
3. the no-data policy (default ``weekdays``: Monday-Friday). Every result that looks at such a
   day is marked ``provisional`` -- a hotline cannot refuse orders, so we compute, flag, and
   recompute when the year's data is loaded (docs/design/domain.md §5.5).

Counting (docs/design/domain.md §5.2, 民法典 第201条 "开始的当日不计入"): a limit of N working days ends at
23:59:59 (Asia/Shanghai) of the Nth working day counted from the day after receipt.
Convention ``a`` (default): counting starts the next calendar day even when the order arrived
on a non-working day. Convention ``b``: an order received on a non-working day is deemed
received on the next working day, and counting starts the day after that (one day later).
Hour and minute limits are natural time, 24x7: use plain ``timedelta`` arithmetic.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

from hotline.core.configfile import Doc, unread_keys

TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)
CONVENTIONS = ("a", "b")
NO_DATA_POLICIES = ("weekdays",)
_MAX_SCAN_DAYS = 3660   # safety bound: no N-working-day limit spans ten years

# chinese_calendar names holidays in English; pages show 中文.
_HOLIDAY_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}
_HOLIDAY_ZH.update({"Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节"})


class CalendarError(ValueError):
    """An override file is malformed (names the file and the key)."""


@dataclass(frozen=True)
class DayInfo:
    """One calendar day and why it is (not) a working day."""
    day: dt.date
    working: bool
    kind: str              # workday | weekend | holiday | makeup_workday
    name: str | None       # holiday name (中文) for holidays and 调休 workdays
    source: str            # chinese_calendar | override:<file> | policy:weekdays
    provisional: bool

    def why(self) -> str:
        wd = "一二三四五六日"[self.day.weekday()]
        if self.kind == "holiday":
            return f"{self.day.isoformat()} (周{wd}) {self.name or '节假日'}放假"
        if self.kind == "weekend":
            return f"{self.day.isoformat()} (周{wd}) 周末"
        if self.kind == "makeup_workday":
            return f"{self.day.isoformat()} (周{wd}) {self.name or ''}调休上班"
        return f"{self.day.isoformat()} (周{wd}) 工作日"


@dataclass(frozen=True)
class Span:
    """The result of counting N working days: the due time and how it was reached."""
    start: dt.datetime
    n: int
    due: dt.datetime
    provisional: bool
    counted: tuple[dt.date, ...]          # the N working days, in order
    skipped: tuple[DayInfo, ...]          # non-working days passed over on the way
    deemed_start: dt.date | None = None   # convention b: the working day receipt was moved to

    def explain(self) -> list[str]:
        """Lines for pages: which days were skipped and why, and whether it is provisional."""
        if self._lines is not None:
            return list(self._lines)
        return self._explain()

    def _explain(self) -> list[str]:
        lines = [(f"自 {self.start.date().isoformat()} 次日起计 {self.n} 个工作日，"
                 f"截止 {self.due.isoformat()}")]
        if self.deemed_start:
            lines.append(f"非工作日受理，视为 {self.deemed_start.isoformat()} 受理")
        lines += [f"跳过 {d.why()}" for d in self.skipped]
        lines += [f"计入 {d.why()}" for d in self._makeups]
        if self.provisional:
            lines.append("暂定：所跨年份尚无国务院放假安排数据，按周一至周五计算")
        return lines

    _makeups: tuple[DayInfo, ...] = field(default=(), repr=False, compare=False)
    # the explain() lines when already known (they depend on the start day only: see span)
    _lines: tuple[str, ...] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class YearOverride:
    year: int
    source: str
    holidays: dict[dt.date, str | None]
    workdays: dict[dt.date, str | None]
    file: str = "<memory>"


def _parse_day_list(value, file: str, key: str, year: int) -> dict[dt.date, str | None]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise CalendarError(f"{file}: {key}: expected a list of dates")
    out: dict[dt.date, str | None] = {}
    for i, item in enumerate(value):
        name = None
        if isinstance(item, dict):
            name, item = item.get("name"), item.get("date")
        if isinstance(item, str):
            try:
                item = dt.date.fromisoformat(item)
            except ValueError:
                raise CalendarError(f"{file}: {key}[{i}]: not an ISO date: {item!r}") from None
        if not isinstance(item, dt.date) or isinstance(item, dt.datetime):
            raise CalendarError(f"{file}: {key}[{i}]: not a date: {item!r}")
        if item.year != year:
            raise CalendarError(f"{file}: {key}[{i}]: {item} is not in year {year}")
        out[item] = name
    return out


def load_override(path: Path) -> YearOverride:
    """Read and validate one ``config/calendar/<year>.yaml``."""
    file = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise CalendarError(f"{file}: invalid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise CalendarError(f"{file}: expected a mapping with year, source, holidays, workdays")
    doc = Doc(doc)   # strict: a key read by nobody is refused (hotline/core/configfile.py)
    year = doc.get("year")
    if not isinstance(year, int):
        raise CalendarError(f"{file}: year: expected an integer")
    if path.stem.isdigit() and int(path.stem) != year:
        raise CalendarError(f"{file}: year: {year} does not match the file name")
    if not doc.get("source"):
        raise CalendarError(f"{file}: source: say where the dates come from (e.g. 国办发明电)")
    hol = _parse_day_list(doc.get("holidays"), file, "holidays", year)
    wrk = _parse_day_list(doc.get("workdays"), file, "workdays", year)
    both = set(hol) & set(wrk)
    if both:
        raise CalendarError(f"{file}: workdays: {min(both)} is also listed under holidays")
    unread = unread_keys(doc)
    if unread:
        raise CalendarError(f"{file}: {unread[0]}: 未知配置项 (unknown key)")
    return YearOverride(year, str(doc["source"]), hol, wrk, file)


def load_overrides(directory: Path | None) -> dict[int, YearOverride]:
    if directory is None or not Path(directory).is_dir():
        return {}
    out = {}
    for p in sorted(Path(directory).glob("*.yaml")):
        if re.fullmatch(r"\d{4}", p.stem):
            ov = load_override(p)
            out[ov.year] = ov
    return out


def as_local(t: dt.datetime) -> dt.datetime:
    """Aware datetime -> Asia/Shanghai. Naive input is a bug upstream: refuse it."""
    if t.tzinfo is TZ:      # already local (most calls: the clocks convert once, then reuse)
        return t
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"naive datetime {t!r}: pass an aware datetime")
    return t.astimezone(TZ)


def end_of_day(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, END_OF_DAY, tzinfo=TZ)


class WorkCalendar:
    """Working-day arithmetic over package data, override years and a no-data policy."""

    def __init__(self, overrides: dict[int, YearOverride] | None = None,
                 no_data_policy: str = "weekdays", convention: str = "a"):
        if no_data_policy not in NO_DATA_POLICIES:
            raise ValueError(f"no_data_policy must be one of {NO_DATA_POLICIES}")
        if convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}")
        self.overrides = dict(overrides or {})
        self.no_data_policy = no_data_policy
        self.convention = convention
        self._cache: dict[dt.date, DayInfo] = {}
        self._walks: dict[tuple[dt.date, int], tuple] = {}
        self._spans: dict[tuple[dt.date, int, str], tuple] = {}
        self._years: dict[int, bool] = {}

    @classmethod
    def from_dir(cls, directory: Path | None, **kw) -> WorkCalendar:
        return cls(load_overrides(directory), **kw)

    # --- single days -------------------------------------------------------------------
    def has_data(self, year: int) -> bool:
        """True when the year comes from an override file or the package (not the policy)."""
        hit = self._years.get(year)
        if hit is None:
            hit = self._years[year] = self._has_data(year)
        return hit

    def _has_data(self, year: int) -> bool:
        if year in self.overrides:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
            return True
        except NotImplementedError:
            return False

    def day(self, d: dt.date) -> DayInfo:
        info = self._cache.get(d)
        if info is None:
            info = self._cache[d] = self._day(d)
        return info

    def _day(self, d: dt.date) -> DayInfo:
        weekend = d.weekday() >= 5
        ov = self.overrides.get(d.year)
        if ov is not None:
            src = f"override:{Path(ov.file).name}"
            if d in ov.holidays:
                return DayInfo(d, False, "holiday", ov.holidays[d], src, False)
            if d in ov.workdays:
                return DayInfo(d, True, "makeup_workday", ov.workdays[d], src, False)
            return DayInfo(d, not weekend, "weekend" if weekend else "workday", None, src, False)
        try:
            working = chinese_calendar.is_workday(d)
            _, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            return DayInfo(d, not weekend, "weekend" if weekend else "workday", None,
                           "policy:" + self.no_data_policy, True)
        zh = _HOLIDAY_ZH.get(name, name) if name else None
        if working:
            kind = "makeup_workday" if weekend else "workday"
        else:
            kind = "holiday" if name else "weekend"
        return DayInfo(d, working, kind, zh, "chinese_calendar", False)

    def is_working_day(self, d: dt.date) -> bool:
        return self.day(d).working

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        return self._walk(d, 1)[0][-1]

    def _walk(self, d: dt.date, n: int):
        """Working days after ``d`` until n are found: (counted, skipped, all infos seen).
        Memoised per (date, n): the answer depends on the days only, and the sweep asks the
        same question for every order dispatched on the same day (callers never mutate it)."""
        key = (d, n)
        hit = self._walks.get(key)
        if hit is None:
            hit = self._walks[key] = self._walk_uncached(d, n)
        return hit

    def _walk_uncached(self, d: dt.date, n: int):
        counted, skipped, seen = [], [], []
        cur = d
        for _ in range(_MAX_SCAN_DAYS):
            if len(counted) >= n:
                break
            cur += dt.timedelta(days=1)
            info = self.day(cur)
            seen.append(info)
            (counted if info.working else skipped).append(info.day if info.working else info)
        else:
            raise RuntimeError(f"no {n} working days within {_MAX_SCAN_DAYS} days of {d}")
        return counted, skipped, seen

    # --- spans -------------------------------------------------------------------------
    def span(self, start: dt.datetime, n: int, convention: str | None = None) -> Span:
        """Count ``n`` (>= 1) working days from ``start``; see the module docstring."""
        conv = convention or self.convention
        if conv not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}")
        if n < 1:
            raise ValueError("n must be >= 1 working day")
        start = as_local(start)
        key = (start.date(), n, conv)
        hit = self._spans.get(key)
        if hit is None:
            days = self._span_days(start.date(), n, conv)
            lines = tuple(Span(start, n, *days[:5], _makeups=days[5])._explain())
            hit = self._spans[key] = days + (lines,)
        return Span(start, n, *hit[:5], _makeups=hit[5], _lines=hit[6])

    def _span_days(self, day: dt.date, n: int, conv: str) -> tuple:
        """The part of a span that depends on the start DAY only (memoised by `span`: the
        sweep counts from the same few days for thousands of orders)."""
        base, deemed, pre_skipped, pre_seen = day, None, [], [self.day(day)]
        if conv == "b" and not self.day(base).working:
            c, s, seen = self._walk(base, 1)
            deemed, pre_skipped, pre_seen = c[0], s, pre_seen + seen
            base = deemed
        counted, skipped, seen = self._walk(base, n)
        seen = pre_seen + seen
        return (end_of_day(counted[-1]), any(i.provisional for i in seen), tuple(counted),
                tuple(pre_skipped + skipped), deemed,
                tuple(i for i in seen[1:] if i.kind == "makeup_workday"))

    def add_working_days(self, start: dt.datetime, n: int,
                         convention: str | None = None) -> dt.datetime:
        """End (23:59:59+08:00) of the Nth working day counted from the day after ``start``."""
        return self.span(start, n, convention).due

    def working_days_between(self, a: dt.date, b: dt.date) -> list[dt.date]:
        """Working days d with a <= d < b."""
        out, cur = [], a
        while cur < b:
            if self.day(cur).working:
                out.append(cur)
            cur += dt.timedelta(days=1)
        return out

    def count_working_days(self, a: dt.date, b: dt.date) -> int:
        """How many working days d with a <= d < b: whole years from a per-year count kept
        once, so a clock years late (an imported order) costs a few hundred lookups, not one
        per day (time left on list pages, hotline/sla/domain/timeleft.py)."""
        if b <= a:
            return 0
        if b <= dt.date(a.year + 1, 1, 1):         # within a's year: day by day (cached)
            return sum(1 for i in range((b - a).days) if self.day(a + dt.timedelta(days=i)).working)
        counts = self.__dict__.setdefault("_year_counts", {})
        for y in range(a.year + 1, b.year):
            if y not in counts:
                first = dt.date(y, 1, 1)
                # a year without data is Monday-Friday (the no-data policy): counted without
                # asking the package day by day
                counts[y] = self.count_working_days(first, dt.date(y + 1, 1, 1)) \
                    if self.has_data(y) else sum(
                        (first + dt.timedelta(days=i)).weekday() < 5
                        for i in range((dt.date(y + 1, 1, 1) - first).days))
        return (self.count_working_days(a, dt.date(a.year + 1, 1, 1))
                + sum(counts[y] for y in range(a.year + 1, b.year))
                + self.count_working_days(dt.date(b.year, 1, 1), b))

    def is_provisional(self, a: dt.date, b: dt.date) -> bool:
        """True when any day in [a, b] comes from the no-data policy."""
        lo, hi = min(a, b), max(a, b)
        return any(not self.has_data(y) for y in range(lo.year, hi.year + 1))

    def explain(self, start: dt.datetime, n: int, convention: str | None = None) -> list[str]:
        return self.span(start, n, convention).explain()
