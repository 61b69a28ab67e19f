"""The "two 15%" rule (两个15%, docs/design/domain.md §6.7), pure arithmetic.

Per agent: returns approved (or ruled) as caused by the agent's own intake error / orders the
agent took in the window. Per category: returns caused by the category / dispatch
configuration / orders of that category in the window. Flag at >= threshold, and only once
the subject has at least `min_orders` orders in the window (a rate over 3 orders says nothing).
Exact rational arithmetic: 14.9 % never rounds up to 15 %.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Two15Policy:
    threshold_percent: Fraction = Fraction(15)
    window_days: int = 30
    min_orders: int = 20
    block_agent_intake: bool = True


@dataclass(frozen=True)
class RateCheck:
    subject: str
    returned: int
    total: int
    flagged: bool
    judged: bool          # False below the minimum number of orders

    @property
    def percent(self) -> float:
        return round(100.0 * self.returned / self.total, 2) if self.total else 0.0


def check(subject: str, returned: int, total: int, policy: Two15Policy) -> RateCheck:
    judged = total >= policy.min_orders and total > 0
    flagged = judged and Fraction(returned * 100, total) >= policy.threshold_percent
    return RateCheck(subject, returned, total, flagged, judged)


def return_window(calendar, working_days: int):
    """The 退单 window (docs/design/domain.md §6.2): t -> when the window opened at `t` (the
    dispatch to this owner) closes: the end of the `working_days`-th working day after it, in
    the city's working calendar (调休 included). `calendar` is a hotline.sla WorkCalendar; the
    service passes the configured days (config/dispatch.yaml returns.window_working_days)."""
    return lambda t: calendar.add_working_days(t, working_days)
