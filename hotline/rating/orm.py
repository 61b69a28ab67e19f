"""Tables of 好差评 (issue 18 item 6). Created by migration 0051_callcentre.

rectifications  one 差评整改 task per bad rating (survey): the unit, the deadline, the
                unit's feedback and the centre's decision
rectification_log  every step of a task (opened, feedback, accepted, returned): append-only
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class RectificationRow(Base):
    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    unit: Mapped[str | None] = mapped_column(String(64))      # None: the centre (直接答复)
    direct_answer: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))            # open | submitted | accepted
    created_at: Mapped[datetime]
    deadline: Mapped[datetime]
    feedback: Mapped[str | None] = mapped_column(Text)
    first_feedback_at: Mapped[datetime | None]
    feedback_at: Mapped[datetime | None]
    feedback_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str | None] = mapped_column(Text)
    rounds: Mapped[int] = mapped_column(Integer, default=0)     # times sent back
    __table_args__ = (Index("ix_rectifications_unit_status", "unit", "status"),
                      Index("ix_rectifications_created", "created_at"))


class RectificationLogRow(Base):
    __tablename__ = "rectification_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
