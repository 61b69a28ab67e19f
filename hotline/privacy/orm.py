"""Tables of the security and privacy feature (kept apart so features grow without editing orm.py).

- login_lockouts: failed logins per (username, client address). A pair is locked after N
  failures in a window and unlocks by itself; locking per pair means an attacker on another
  address cannot lock a real user out (docs/design/architecture.md §7.4).
- personal_data_access: append-only log of every read of a caller's personal data (order detail,
  list, export, reveal), queried by supervisors (docs/design/domain.md §10.2).
- privacy_anonymised: orders whose caller was anonymised by the retention job, and when.
- revoked_tokens: tokens ended by logout, by their jti, kept until the token would have
  expired anyway (issue 12 finding 12; core/auth.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class LoginLockoutRow(Base):
    __tablename__ = "login_lockouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime]
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    __table_args__ = (UniqueConstraint("username", "client", name="uq_login_lockouts_pair"),)


class PersonalDataAccessRow(Base):
    """kind: privacy/service.py KINDS (detail, list, inbox, export, reveal, survey,
    sms_outbox). reason: required for reveal."""
    __tablename__ = "personal_data_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_personal_data_access_order", "order_id", "at"),
                      Index("ix_personal_data_access_actor", "actor", "at"),
                      Index("ix_personal_data_access_at", "at"))


class PrivacyAnonymisedRow(Base):
    __tablename__ = "privacy_anonymised"
    order_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    closed_at: Mapped[datetime]
    anonymised_at: Mapped[datetime]


class RevokedTokenRow(Base):
    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    __table_args__ = (Index("ix_revoked_tokens_expires_at", "expires_at"),)
