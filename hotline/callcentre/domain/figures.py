"""The centre's telephone figures from counted calls (issue 18 item 4). Pure.

Offered calls are the calls with an outcome (a call still waiting is counted as in queue and
left out until it ends). Over the offered calls:

  接通率 (answer_rate)         answered / offered          (东莞 nine measures: ≥ 90 %)
  15 秒接通率 (service_level)  answered within the threshold / offered
                                (GB/T 33358-2016: answer within 15 s; the threshold is
                                `config/callcentre.yaml answer_within_seconds`)
  放弃率 (abandon_rate)        abandoned / offered           (the caller hung up waiting)
  平均等待 (avg_wait_seconds)  the mean wait of the offered calls whose wait is known: the
                                hold time of an answered call, the wait of an unanswered one

A rate with no denominator is None ("no data", docs/design/domain.md §8.5), never 0 or 100 %.
"""
from __future__ import annotations

COUNTS = ("offered", "answered", "answered_within", "abandoned", "timeout", "left",
          "in_queue", "wait_total", "wait_n")


def _rate(n, d):
    return round(n / d, 4) if d else None


def rates(sums: dict) -> dict:
    """The counts of one period with its rates added."""
    out = {k: int(sums.get(k) or 0) for k in COUNTS}
    out["answer_rate"] = _rate(out["answered"], out["offered"])
    out["service_level"] = _rate(out["answered_within"], out["offered"])
    out["abandon_rate"] = _rate(out["abandoned"], out["offered"])
    out["avg_wait_seconds"] = round(out["wait_total"] / out["wait_n"], 1) if out["wait_n"] \
        else None
    return out


def add(total: dict, part: dict) -> dict:
    for k in COUNTS:
        total[k] = int(total.get(k) or 0) + int(part.get(k) or 0)
    return total
