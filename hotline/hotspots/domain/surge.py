"""热点预警 rules (issue 17, Build 7), pure: when similar appeals from one town are a surge,
and the weekly hot-spot report's ranking.

A surge is `threshold` similar appeals (the new one included) from one town received within
`window_minutes` (config/cases.yaml `hotspots`; default 10 in 30 minutes). The alert is
raised by the appeal that reaches the threshold, in the transaction that logs it, so it exists
before the next appeal is logged; later similar appeals join the open alert instead of raising
another (docs/design/domain.md §2.8: a surge is one alert; its callers are merged into one master order)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Candidate:
    order_id: int
    received_at: datetime
    score: float
    category: str | None = None


def surge(similar: list[Candidate], new: Candidate, threshold: int) -> list[Candidate] | None:
    """The members of a new surge (oldest first, the new appeal last), or None."""
    members = sorted(similar, key=lambda c: (c.received_at, c.order_id)) + [new]
    return members if len(members) >= threshold else None


def dominant_category(members: list[Candidate]) -> str | None:
    """The category most members share (the alert's topic), None when none has one."""
    counts = Counter(c.category for c in members if c.category)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass(frozen=True)
class Appeal:
    order_id: int
    number: str
    town: str
    topic: str            # the category (the weekly report's topic)
    received: date
    content: str


def weekly(appeals: list[Appeal], week_start: date, top: int, examples: int) -> dict:
    """Per town: the `top` topics of the week [week_start, +7 days) by count, and the fastest
    rising ones against the week before (count this week minus last week, positive only),
    each with up to `examples` appeals of this week (newest first)."""
    from datetime import timedelta
    prev_start, end = week_start - timedelta(days=7), week_start + timedelta(days=7)
    this: dict[str, Counter] = {}
    last: dict[str, Counter] = {}
    samples: dict[tuple[str, str], list[Appeal]] = {}
    for a in appeals:
        if week_start <= a.received < end:
            this.setdefault(a.town, Counter())[a.topic] += 1
            samples.setdefault((a.town, a.topic), []).append(a)
        elif prev_start <= a.received < week_start:
            last.setdefault(a.town, Counter())[a.topic] += 1
    out = {}
    for town, counts in this.items():
        before = last.get(town, Counter())

        def row(topic, town=town, counts=counts, before=before):
            ex = sorted(samples[(town, topic)], key=lambda a: (a.received, a.order_id),
                        reverse=True)[:examples]
            return {"topic": topic, "count": counts[topic], "previous": before[topic],
                    "rise": counts[topic] - before[topic],
                    "examples": [{"order_id": a.order_id, "number": a.number,
                                  "content": a.content} for a in ex]}
        ranked = sorted(counts, key=lambda t: (-counts[t], t))[:top]
        rising = sorted((t for t in counts if counts[t] > before[t]),
                        key=lambda t: (-(counts[t] - before[t]), -counts[t], t))[:top]
        out[town] = {"top": [row(t) for t in ranked], "rising": [row(t) for t in rising],
                     "total": sum(counts.values())}
    return out
