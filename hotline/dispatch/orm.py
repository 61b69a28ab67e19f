"""Tables of the dispatch feature (kept apart so features grow without editing orm.py).

The transition history stays the source of truth (docs/design/architecture.md §3.2); these tables
are what the history cannot answer cheaply: an assisting unit's inbox, rulings saved as routing
rules, and the "two 15%" flags a supervisor clears.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class AssistTaskRow(Base):
    """协办 task of one assisting unit on one order, with its own deadline
    (docs/design/domain.md §6.5)."""
    __tablename__ = "assist_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    unit: Mapped[str] = mapped_column(String(64))
    task: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[int] = mapped_column(Integer, default=0)
    last_input_at: Mapped[datetime | None]
    # the first input answers the task: its clock is met then (协办 on-time rate, reports)
    first_input_at: Mapped[datetime | None]
    __table_args__ = (UniqueConstraint("order_id", "unit", name="uq_assist_tasks_order_unit"),
                      Index("ix_assist_tasks_unit", "unit", "order_id"))


class RoutingRuleRow(Base):
    """A supervisor ruling (裁定) saved as a responsibility rule (docs/design/domain.md §6.4)."""
    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(64))
    town: Mapped[str] = mapped_column(String(64), default="*")
    lead: Mapped[str] = mapped_column(String(64))
    assist: Mapped[list] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_routing_rules_category", "category", "town"),)


class ReturnFlagRow(Base):
    """A "two 15%" flag (seed item 66): an agent or a category at/over the threshold."""
    __tablename__ = "return_flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))        # agent | category
    subject: Mapped[str] = mapped_column(String(64))
    returned: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    rate_percent: Mapped[float] = mapped_column(Float)
    window_from: Mapped[datetime]
    window_to: Mapped[datetime]
    flagged_at: Mapped[datetime]
    intake_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(64))
    clear_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_return_flags_open", "kind", "subject", "cleared_at"),)


class InboxCountRow(Base):
    """How many orders a unit leads in each inbox tab (hotline/dispatch/counters.py): kept in
    the transaction of every save of an order, so the inbox reads its tab counts as a few
    primary-key rows instead of counting the unit's orders (issue 15, Build 4)."""
    __tablename__ = "inbox_counts"
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    tab: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
