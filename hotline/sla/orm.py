"""Tables of the sla feature (kept apart so features grow without editing orm.py).

* ``sla_warnings``: each warning (75 % elapsed, 2 h before ...) of each clock is recorded once;
  the unique ``key`` holds that when two sweeps overlap or a sweep is re-run
  (docs/design/architecture.md §5.5).
* ``sla_order_state``: the order's SLA summary at its last check (worst running clock, due,
  overdue since, highest ladder step). Written in the same transaction as every save and by
  the sweep, so the 即将超时 / 已超时 lists are one indexed query.
* ``sla_deliveries``: outbound SMS / webhook messages with ``deliver_at`` (quiet hours for
  normal orders, none for rapid-response items: docs/design/domain.md §4.8); the sweep sends
  due rows.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class SlaWarningRow(Base):
    __tablename__ = "sla_warnings"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    clock: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(16))
    warn_at: Mapped[datetime]
    due: Mapped[datetime]
    unit: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class SlaOrderStateRow(Base):
    __tablename__ = "sla_order_state"
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    unit: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))          # ok | warning | overdue
    clock: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    due: Mapped[datetime]
    overdue_since: Mapped[datetime | None]
    ladder: Mapped[str | None] = mapped_column(String(32))   # highest step this period
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]
    __table_args__ = (Index("ix_sla_order_state_status_unit_due", "status", "unit", "due"),
                      # the order list's overdue orders by deadline (workorders/search.py)
                      Index("ix_sla_order_state_overdue_due", "due", "order_id",
                            postgresql_where=text("status = 'overdue'"),
                            sqlite_where=text("status = 'overdue'")))


class SlaDeliveryRow(Base):
    __tablename__ = "sla_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))          # sms | webhook
    address: Mapped[str | None] = mapped_column(String(512))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    message: Mapped[str] = mapped_column(Text)
    deliver_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_sla_deliveries_pending", "sent_at", "deliver_at"),)
