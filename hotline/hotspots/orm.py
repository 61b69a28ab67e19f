"""Tables of the hot-spot alerts (migration 0041_cases)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class HotspotAlertRow(Base):
    __tablename__ = "hotspot_alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    town: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    seed_text: Mapped[str] = mapped_column(Text)      # what later appeals are compared with
    master_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    trigger_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    first_at: Mapped[datetime]                        # the first appeal of the surge
    raised_at: Mapped[datetime]                       # the appeal that reached the threshold
    threshold: Mapped[int] = mapped_column(Integer)
    window_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))   # open | closed
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_hotspot_alerts_town", "town", "status", "raised_at"),)


class HotspotMemberRow(Base):
    __tablename__ = "hotspot_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("hotspot_alerts.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    received_at: Mapped[datetime]
    similarity: Mapped[float] = mapped_column(Float)
