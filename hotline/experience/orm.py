"""Tables of 服务体验官 (issue 18 item 7). Created by migration 0051_callcentre.

experience_officers     the citizens the centre enrolled: name, phone, area, period
experience_tasks        one experience asked of an officer (kind, subject, unit or order to
                        check), with the one-time token of the officer's evaluation link
experience_evaluations  the officer's structured evaluation of one task (once per task)
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class OfficerRow(Base):
    __tablename__ = "experience_officers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    area: Mapped[str | None] = mapped_column(ForeignKey("units.code"))   # town-level unit
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class ExperienceTaskRow(Base):
    __tablename__ = "experience_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("experience_officers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # call | web | followup
    subject: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    token: Mapped[str] = mapped_column(String(48), unique=True)
    status: Mapped[str] = mapped_column(String(16))        # assigned | evaluated
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class EvaluationRow(Base):
    __tablename__ = "experience_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("experience_tasks.id"), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("experience_officers.id"))
    unit: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    speed: Mapped[int] = mapped_column(Integer)
    attitude: Mapped[int] = mapped_column(Integer)
    accuracy: Mapped[int] = mapped_column(Integer)
    result: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime]
    quarter: Mapped[str] = mapped_column(String(6))        # 2026Q4, local date of submission
    __table_args__ = (Index("ix_experience_evaluations_quarter", "quarter"),)
