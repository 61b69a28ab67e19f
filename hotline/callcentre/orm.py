"""Tables of the call-centre figures (issue 18 item 4). Created by migration 0051_callcentre.

call_events  every switch event received (queue_log import or the JSON event API), once per
             dedupe key (callid + event; a ring also by member and time): the record
call_stats   one row per call folded from its events: a cache of call_events, rewritten when
             an event of the call arrives; the report groups it by local day and hour, and
             it carries the order logged during the call
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class CallEventRow(Base):
    __tablename__ = "call_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    callid: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    queue: Mapped[str] = mapped_column(String(64), default="")
    agent: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))          # queue_log | api
    received_at: Mapped[datetime]


class CallStatRow(Base):
    __tablename__ = "call_stats"
    callid: Mapped[str] = mapped_column(String(64), primary_key=True)
    queue: Mapped[str] = mapped_column(String(64), default="")
    entered_at: Mapped[datetime | None]
    day: Mapped[date | None] = mapped_column(Date)           # local (Asia/Shanghai) date
    hour: Mapped[int | None] = mapped_column(Integer)        # local hour 0-23
    outcome: Mapped[str] = mapped_column(String(16))         # open|answered|abandoned|timeout|left
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    agent: Mapped[str | None] = mapped_column(String(64))     # the switch member
    username: Mapped[str | None] = mapped_column(String(64))  # the agent's account
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    rings_unanswered: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    link: Mapped[str | None] = mapped_column(String(16))     # explicit | window
    __table_args__ = (Index("ix_call_stats_day_hour", "day", "hour"),
                      Index("ix_call_stats_order", "order_id"))
