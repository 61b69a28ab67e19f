"""好差评 rules (issue 18 item 6). Pure: no framework, no I/O.

Reminder: a return-visit link (handled orders and direct answers alike: one survey per
closure, 一次一评) that is still unanswered `reminder_after_hours` after its SMS went out gets
ONE reminder, and only while the link is valid (docs/design/domain.md §8.3). Once is enforced
by the SMS port's dedupe key per survey, so overlapping ticks cannot send two.

差评整改: a rating of 不满意 (the 5-grade 不满意 and 非常不满意 map onto it,
docs/design/domain.md §8.2) opens one task per survey for the unit rated (the centre itself
for a direct answer), due after `rectification_working_days` working days. The unit writes
what it did (feedback); the centre accepts it or sends it back for more work.
"""
from __future__ import annotations

from datetime import datetime, timedelta

BAD = ("dissatisfied",)

OPEN, SUBMITTED, ACCEPTED = "open", "submitted", "accepted"
STATUS_LABELS = {OPEN: "待整改", SUBMITTED: "已反馈待审核", ACCEPTED: "整改完成"}
DECISIONS = {"accept": "通过", "return": "退回重新整改"}


def is_bad(satisfaction: str | None) -> bool:
    return satisfaction in BAD


def reminder_due(sent_at: datetime | None, expires_at: datetime, now: datetime,
                 after_hours: int) -> bool:
    """The first link went out `after_hours` ago and the link is still valid."""
    return sent_at is not None and sent_at + timedelta(hours=after_hours) <= now < expires_at


def overdue(status: str, deadline: datetime, first_feedback_at: datetime | None,
            now: datetime) -> bool:
    """Late: no feedback by the deadline (still open past it, or the first feedback came
    after it). A task sent back keeps its first feedback's time: the unit did answer."""
    if first_feedback_at is not None:
        return first_feedback_at > deadline
    return status == OPEN and now > deadline
