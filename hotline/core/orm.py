"""SQLAlchemy 2 tables. The schema is created by Alembic (hotline/migrations); a test checks
that `upgrade head` equals these models."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict: JSON}


class UnitRow(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    population: Mapped[int | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    webhook_url: Mapped[str | None] = mapped_column(String(512))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    # a village's town (kind "village", config/villages.yaml; docs/design/domain.md §6.8)
    parent: Mapped[str | None] = mapped_column(String(64))


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    intake_blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkOrderRow(Base):
    __tablename__ = "work_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    query_code: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    appeal_type: Mapped[str | None] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    caller_name: Mapped[str | None] = mapped_column(String(64))
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    caller_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    caller_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    town: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    address: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    first_unit: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    assist_units: Mapped[list] = mapped_column(JSON, default=list)
    # 二级派单 (docs/design/domain.md §6.8): the village the owning town passed it to, kept
    # after the village is done so the village still sees its own work (core/access.py)
    village: Mapped[str | None] = mapped_column(String(64))
    handler: Mapped[str | None] = mapped_column(String(64))
    rapid_item: Mapped[str | None] = mapped_column(String(16))
    master_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    # The client's Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header): a retry
    # of an intake whose answer was lost (PostgreSQL went down between COMMIT and its ack)
    # returns the stored order instead of logging the appeal twice. Unique per account.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    model_version: Mapped[str | None] = mapped_column(String(64))
    model_score: Mapped[float | None] = mapped_column(Float)
    suggestions: Mapped[list | None] = mapped_column(JSON)
    # The SLA sweep only touches rows whose next check is due (indexed;
    # docs/design/architecture.md §9.4).
    next_check_at: Mapped[datetime | None]
    # 被回退: back in the unit's hands after the centre sent its reply back. Derived from
    # the history (WorkOrder.is_sent_back) and stored so the inbox tabs are index scans.
    sent_back: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The order search's terms (hotline/workorders/domain/search.py): written with the order
    # (core/db.new_row); indexed by FTS5 on SQLite and a GIN index on PostgreSQL, both made by
    # migration 0030_search outside this metadata (hotline/workorders/search.py).
    search_text: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    transitions: Mapped[list["TransitionRow"]] = relationship(
        order_by="TransitionRow.seq", lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_work_orders_unit_status", "unit", "status", "id"),
        Index("ix_work_orders_unit_status_sent_back", "unit", "status", "sent_back", "id"),
        Index("ix_work_orders_status", "status", "id"),
        Index("ix_work_orders_village_status", "village", "status", "id"),
        Index("ix_work_orders_next_check_at", "next_check_at"),
        # with the id: a date range's page and count read the index alone (issue 15)
        Index("ix_work_orders_received_at", "received_at", "id"),
        Index("ix_work_orders_caller_phone", "caller_phone"),
        Index("ix_work_orders_query_code", "query_code"),   # the search by 查询码
        Index("ix_work_orders_town_category", "town", "category", "received_at"),
        # the search's filters as index ranges (issue 15, bench/results/search.md): a town's
        # orders by status, newest first; the few rapid-response orders, newest first
        Index("ix_work_orders_town_status", "town", "status", "id"),
        Index("ix_work_orders_rapid", "id", postgresql_where=text("rapid_item IS NOT NULL"),
              sqlite_where=text("rapid_item IS NOT NULL")),
        Index("ux_work_orders_idempotency_key", "created_by", "idempotency_key", unique=True,
              postgresql_where=text("idempotency_key IS NOT NULL"),
              sqlite_where=text("idempotency_key IS NOT NULL")),
    )


class OrderUnitRow(Base):
    """The units that may see an order, one row each (docs/design/domain.md §3.7: the lead
    unit, every assisting unit, the village its town passed it to), so a unit's orders are
    one range of the primary key instead of an OR over work_orders with a LIKE on the JSON
    list of assisting units (issue 15: a unit's list over 1 M orders, bench/results/search.md).
    Derived from work_orders alone and written in the same flush as the order by the mapper
    events below, so every ORM write of an order keeps it; `core.access.rebuild_scope`
    refills it after a bulk load that bypassed the ORM."""
    __tablename__ = "order_units"
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"),
                                          primary_key=True)
    __table_args__ = (Index("ix_order_units_order_id", "order_id"),)


# the work_orders columns an order's order_units rows are derived from (core/access.scope_units)
SCOPE_COLUMNS = ("unit", "assist_units", "village")


def _scope_rows(order: WorkOrderRow) -> list[dict]:
    # the one rule (core/access.py), imported here: access imports this module
    from hotline.core.access import scope_units
    return [{"unit": u, "order_id": order.id} for u in sorted(scope_units(order))]


@event.listens_for(WorkOrderRow, "after_insert")
def _scope_inserted(mapper, connection, order) -> None:
    """A new order's order_units rows, in its own flush (OrderUnitRow)."""
    rows = _scope_rows(order)
    if rows:
        connection.execute(OrderUnitRow.__table__.insert(), rows)


@event.listens_for(WorkOrderRow, "after_update")
def _scope_updated(mapper, connection, order) -> None:
    """Dispatch, transfer, assist, 二级派单: the order's rows again when a column of its
    scope changed (most saves change none: nothing is written)."""
    state = inspect(order)
    if not any(state.attrs[n].history.has_changes() for n in SCOPE_COLUMNS):
        return
    t = OrderUnitRow.__table__
    connection.execute(t.delete().where(t.c.order_id == order.id))
    rows = _scope_rows(order)
    if rows:
        connection.execute(t.insert(), rows)



class TransitionRow(Base):
    """Append-only: rows are inserted, never updated or deleted."""
    __tablename__ = "transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(64))
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    __table_args__ = (UniqueConstraint("order_id", "seq", name="uq_transitions_order_seq"),
                      Index("ix_transitions_action_at", "action", "at"))


class NoteRow(Base):
    """Three kinds kept apart: internal (内部备注), unit_report (单位向中心的办理情况),
    citizen_reply (答复市民)."""
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class AttachmentRow(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # file | recording
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    storage_key: Mapped[str | None] = mapped_column(String(300))   # file under var/attachments
    recording_ref: Mapped[str | None] = mapped_column(String(200))  # call-centre recording id
    uploaded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class OutboxRow(Base):
    """Side effects announced in the same transaction as the change; drained after commit."""
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    enqueued_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_outbox_pending", "processed_at", "enqueued_at", "id"),)


class NotificationRow(Base):
    """In-app notifications. dedupe_key makes delivery idempotent under job retries."""
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class LabelledExampleRow(Base):
    """Corrections by the centre (dispatcher override, approved return, arbitration, category
    change): training data for the classifier's learning loop."""
    __tablename__ = "labelled_examples"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


# Feature tables register on the same metadata (imported last: they import Base from here).
from hotline.dispatch import orm as orm_dispatch  # noqa: E402,F401
from hotline.intake import orm as orm_open311  # noqa: E402,F401
from hotline.knowledge import orm as _orm_knowledge  # noqa: E402,F401  (issue 16)
from hotline.learning import orm as orm_classify  # noqa: E402,F401
from hotline.privacy import orm as orm_security  # noqa: E402,F401
from hotline.reports import orm as _orm_reports  # noqa: E402,F401  (issue 18: bulletins)
from hotline.sla import orm as orm_sla  # noqa: E402,F401
from hotline.survey import orm as orm_survey  # noqa: E402,F401

# isort: split
# issue 18 (callcentre helper): call figures, 好差评 整改, 服务体验官
from hotline.callcentre import orm as _orm_callcentre  # noqa: E402,F401

# issue 17 (cases): 会商, hard cases, hot spots
from hotline.consult import orm as _orm_consult  # noqa: E402,F401
from hotline.experience import orm as _orm_experience  # noqa: E402,F401
from hotline.hardcases import orm as _orm_hardcases  # noqa: E402,F401
from hotline.hotspots import orm as _orm_hotspots  # noqa: E402,F401
from hotline.rating import orm as _orm_rating  # noqa: E402,F401
