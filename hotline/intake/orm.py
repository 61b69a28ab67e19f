"""Tables of the open311 feature (kept apart so features grow without editing orm.py).

- api_keys: Open311 clients. Only the sha256 of a key is stored (a leaked table reveals no
  usable key); the plain key is shown once when an admin creates it.
- open311_requests: what an Open311 client sent beyond our work order (token, lat/long,
  device/account ids, attributes), so GET requests can answer with the standard's fields.
- webhook_deliveries / webhook_attempts: one delivery per (outbox event, unit) with a stable
  delivery id, and every HTTP attempt with its status code (the delivery log).
- selfservice_hits: per-IP counters for the citizen pages (anti-abuse without an outside
  service); the IP is stored as a keyed hash, never in clear.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class Open311RequestRow(Base):
    __tablename__ = "open311_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    api_key_name: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    address_id: Mapped[str | None] = mapped_column(String(64))
    zipcode: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200))
    device_id: Mapped[str | None] = mapped_column(String(128))
    account_id: Mapped[str | None] = mapped_column(String(128))
    media_url: Mapped[str | None] = mapped_column(String(500))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_open311_requests_service_code", "service_code", "created_at"),)


class WebhookDeliveryRow(Base):
    """One event for one unit. status: pending | sending | delivered | failed."""
    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    unit: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    url: Mapped[str] = mapped_column(String(512))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    replay: Mapped[bool] = mapped_column(Boolean, default=False)
    replay_of: Mapped[str | None] = mapped_column(String(36))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
                      Index("ix_webhook_deliveries_unit", "unit", "id"))


class WebhookAttemptRow(Base):
    """Append-only log of HTTP attempts of a delivery."""
    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(36), index=True)
    attempt: Mapped[int]
    at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None]


class SelfServiceHitRow(Base):
    """kind: file | track. nonce: the form token's nonce (a filed form is used once)."""
    __tablename__ = "selfservice_hits"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ip_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    at: Mapped[datetime]
    __table_args__ = (Index("ix_selfservice_hits_ip", "ip_hash", "kind", "at"),)
