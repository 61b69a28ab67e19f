"""Tables of the hard cases (migration 0041_cases): one case per order, and its notes
(append-only: every step of a case, proposal to resolution, is a note with its kind)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class HardCaseRow(Base):
    __tablename__ = "hard_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))   # proposed | open | resolved | dismissed
    source: Mapped[str] = mapped_column(String(16))   # auto | supervisor
    reasons: Mapped[list] = mapped_column(JSON)       # auto-proposal reason codes
    leader: Mapped[str | None] = mapped_column(String(64))
    coordination_due: Mapped[datetime | None]
    city_level: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    opened_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]                # resolved or dismissed
    closed_by: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_hard_cases_status", "status", "closed_at"),)


class HardCaseNoteRow(Base):
    __tablename__ = "hard_case_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hard_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))     # proposed|opened|progress|resolved|dismissed
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
