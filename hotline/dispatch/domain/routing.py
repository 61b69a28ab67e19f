"""Responsibility table (权责清单 / 派单目录): category x town -> lead unit + assisting units.

Pure: entries are plain data loaded from config/responsibility.yaml (and, by the service
layer, from supervisor rulings saved as routing rules). The most specific entry valid at the
given instant wins; a ruling saved by arbitration (source "ruling") beats the configured table
at equal specificity (docs/design/domain.md §6.4: a binding decision is reused as a rule).
The table is consulted BEFORE dispatch only; routing never re-runs after dispatch
(docs/design/domain.md §6.6).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ANY = "*"


@dataclass(frozen=True)
class Entry:
    category: str
    town: str                     # a town code or "*"
    lead: str                     # a unit code or "town" (属地: the order's town)
    assist: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None   # inclusive
    source: str = "config"        # config | ruling
    note: str = ""

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and \
            (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Assignment:
    lead: str
    assist: tuple[str, ...] = ()
    source: str = "taxonomy"      # taxonomy | config | ruling
    entry: Entry | None = field(default=None, compare=False)


class RoutingError(ValueError):
    """A responsibility entry is wrong; the message names the entry and key."""


def _date(v, where: str) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise RoutingError(f"{where}: 日期格式应为 YYYY-MM-DD, 实际 {v!r}") from None


def parse_entries(items: list[dict], units: set[str] | None = None,
                  categories: set[str] | None = None, file: str = "responsibility.yaml",
                  source: str = "config") -> list[Entry]:
    out = []
    for i, it in enumerate(items or []):
        where = f"{file}: entries[{i}]"
        if not isinstance(it, dict):
            raise RoutingError(f"{where}: 须为映射")
        cat, lead = it.get("category"), it.get("lead")
        if not cat or not lead:
            raise RoutingError(f"{where}: category 和 lead 为必填项")
        if categories is not None and cat not in categories:
            raise RoutingError(f"{where}.category: 未知分类 {cat}")
        town = it.get("town") or ANY
        assist = tuple(it.get("assist") or ())
        if units is not None:
            for u in [lead, *assist] + ([] if town == ANY else [town]):
                if u != "town" and u not in units:
                    raise RoutingError(f"{where}: 未知单位 {u}")
        if lead in assist:
            raise RoutingError(f"{where}.assist: 主办单位不能同时为协办单位")
        e = Entry(cat, town, lead, assist, _date(it.get("valid_from"), where + ".valid_from"),
                  _date(it.get("valid_to"), where + ".valid_to"), source, it.get("note") or "")
        if e.valid_from and e.valid_to and e.valid_to < e.valid_from:
            raise RoutingError(f"{where}: valid_to 早于 valid_from")
        out.append(e)
    return out


def resolve(entries: list[Entry], category: str | None, town: str | None,
            day: dt.date) -> Assignment | None:
    """The most specific valid entry: (category, town) over (category, *); rulings first."""
    if not category:
        return None
    best, best_key = None, None
    for e in entries:
        if e.category != category or not e.valid_on(day):
            continue
        if e.town != ANY and e.town != town:
            continue
        key = (e.town != ANY, e.source == "ruling", e.valid_from or dt.date.min)
        if best_key is None or key > best_key:
            best, best_key = e, key
    if best is None:
        return None
    lead = town if best.lead == "town" else best.lead
    if not lead:
        return None
    assist = [town if a == "town" else a for a in best.assist]
    return Assignment(lead, tuple(a for a in assist if a and a != lead), best.source, best)


def unit_for(city, category: str | None, town: str | None, at: dt.datetime | dt.date | None,
             entries: list[Entry]) -> Assignment | None:
    """Lead (and assisting) units for an order: the responsibility table `entries` (parsed
    once by the runtime's configuration, plus saved rulings), falling back to the category's
    owner in the taxonomy (属地 categories go to the town)."""
    day = at.date() if isinstance(at, dt.datetime) else (at or dt.date.today())
    hit = resolve(entries, category, town, day)
    if hit is not None:
        return hit
    lead = city.unit_for(category, town) if city is not None else None
    return Assignment(lead, (), "taxonomy") if lead else None
