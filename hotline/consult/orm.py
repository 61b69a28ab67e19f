"""Tables of 会商 (created by migration 0041_cases). Append-only: a consultation is opened
once, each answer is a new row (a unit's latest answer counts), and the decision is one row
written once; whether a consultation is decided is whether its decision row exists."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class ConsultationRow(Base):
    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(64))
    town: Mapped[str | None] = mapped_column(String(64))
    units: Mapped[list] = mapped_column(JSON)
    deadline: Mapped[datetime]
    topic: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]


class ConsultationAnswerRow(Base):
    __tablename__ = "consultation_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    unit: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(16))       # lead | assist | decline
    legal_basis: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime]
    __table_args__ = (Index("ix_consultation_answers_consultation", "consultation_id", "unit"),)


class ConsultationDecisionRow(Base):
    __tablename__ = "consultation_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    lead: Mapped[str] = mapped_column(String(64))
    assist: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rules.id"))
    applied: Mapped[str] = mapped_column(String(32))   # dispatched | arbitrated | recorded
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
