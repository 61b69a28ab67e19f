"""Tables of the survey feature (kept apart so features grow without editing orm.py).

surveys         one per closure (accept_reply) per caller; merged callers get their own
survey_audit    every view and change of a survey (who, when, what): the survey's history
survey_appeals  a unit's 申诉 against a bad rating, once per survey, and the ruling
sms_outbox      every SMS (return visits and SLA) with its delivery status (core/sms.py)
unit_facts      scoring rollup, one row per (order, unit), rewritten in the same transaction
                as every change of the order or its surveys (docs/design/architecture.md §9.5)
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class SurveyRow(Base):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(48), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    closure_seq: Mapped[int] = mapped_column(Integer)       # seq of the accept_reply
    caller_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    unit: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))          # pending|answered|unreachable|...
    created_at: Mapped[datetime]
    send_after: Mapped[datetime]
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempt_days: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_via: Mapped[str | None] = mapped_column(String(16))   # sms | phone
    contacted: Mapped[bool | None] = mapped_column(Boolean)
    resolved: Mapped[str | None] = mapped_column(String(16))
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    grade5: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    review: Mapped[str | None] = mapped_column(String(16))   # pending|reopen|unreasonable|close
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        UniqueConstraint("order_id", "closure_seq", "caller_order_id",
                         name="uq_surveys_closure_caller"),
        Index("ix_surveys_status", "status", "id"),
        Index("ix_surveys_order", "order_id"),
    )


class SurveyAuditRow(Base):
    """Append-only."""
    __tablename__ = "survey_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    order_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class SurveyAppealRow(Base):
    __tablename__ = "survey_appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), unique=True)
    unit: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))          # pending|upheld|overturned
    ruled_by: Mapped[str | None] = mapped_column(String(64))
    ruled_at: Mapped[datetime | None]
    ruling: Mapped[str | None] = mapped_column(Text)


class SmsOutboxRow(Base):
    """Every SMS of the service, whatever sends it (core/sms.py, issue 13 item 8):
    return-visit links (kind survey, to the caller's phone) and SLA warnings and escalation
    steps (kind sla, to the unit's duty phone). One row per message (dedupe key); its
    delivery status moves pending -> sending -> sent -> delivered | failed (reason in
    last_error), `attempts` counts the gateway calls."""
    __tablename__ = "sms_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="survey")     # survey | sla
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    order_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str | None] = mapped_column(String(64))           # unit code (sla)
    phone: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON, default=dict)            # template parameters
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    send_after: Mapped[datetime | None]     # quiet hours, then the retry backoff
    claimed_at: Mapped[datetime | None]
    gateway: Mapped[str | None] = mapped_column(String(16))             # embedded | http
    request_id: Mapped[str | None] = mapped_column(String(128))         # the provider's id
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_sms_outbox_status_send_after", "status", "send_after"),
                      Index("ix_sms_outbox_request_id", "request_id"),
                      Index("ix_sms_outbox_survey", "survey_id"))


class UnitFactRow(Base):
    __tablename__ = "unit_facts"
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    assigned_at: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)          # local (Asia/Shanghai) date of assignment
    week: Mapped[date] = mapped_column(Date)         # Monday of that week
    month: Mapped[str] = mapped_column(String(7))    # YYYY-MM
    category: Mapped[str | None] = mapped_column(String(64))
    town: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    returned_away: Mapped[bool] = mapped_column(Boolean, default=False)
    unreasonable: Mapped[bool] = mapped_column(Boolean, default=False)
    returns_req: Mapped[int] = mapped_column(Integer, default=0)
    returns_ok: Mapped[int] = mapped_column(Integer, default=0)
    returns_bad: Mapped[int] = mapped_column(Integer, default=0)
    sign_due_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    contact_req: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_due_at: Mapped[datetime | None]
    contacted_at: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    replies: Mapped[int] = mapped_column(Integer, default=0)
    send_backs: Mapped[int] = mapped_column(Integer, default=0)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    res_yes: Mapped[int] = mapped_column(Integer, default=0)
    res_partial: Mapped[int] = mapped_column(Integer, default=0)
    res_no: Mapped[int] = mapped_column(Integer, default=0)
    sat_yes: Mapped[int] = mapped_column(Integer, default=0)
    sat_basic: Mapped[int] = mapped_column(Integer, default=0)
    sat_no: Mapped[int] = mapped_column(Integer, default=0)
    unreachable: Mapped[int] = mapped_column(Integer, default=0)
    excluded_ratings: Mapped[int] = mapped_column(Integer, default=0)
    # issue 18 items 2-3 (hotline/survey/domain/facts.py): the citizen's "contacted" answers
    # and the 协办 task; server defaults so existing rows read as "not asked / no task" until
    # `hotline reports rebuild-facts` recomputes them
    visit_contacted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    visit_not_contacted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    assist_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    assist_due_at: Mapped[datetime | None]
    assist_done_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_unit_facts_day_unit", "day", "unit"),)
