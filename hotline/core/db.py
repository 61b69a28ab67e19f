"""Engine, unit of work and the work-order repository."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, event, func, or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload, sessionmaker

from hotline.core.events import Event, check
from hotline.core.orm import NoteRow, OutboxRow, TransitionRow, WorkOrderRow
from hotline.dispatch.orm import RoutingRuleRow
from hotline.survey.domain.policy import PENDING
from hotline.survey.orm import SurveyRow
from hotline.workorders.domain.model import Caller, Transition, WorkOrder
from hotline.workorders.domain.search import document_terms
from hotline.workorders.domain.workflow import CLOSED_STATES, EVENT_OF


def make_engine(url: str, **kw) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **kw)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _):
            # WAL: readers never block the writer; busy_timeout: writers queue instead of
            # failing with "database is locked" (docs/design/architecture.md §9.1).
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Take the write lock at BEGIN so two writers serialise instead of deadlocking
            # on lock upgrade.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # let SQLAlchemy's "begin" event issue our BEGIN instead of pysqlite's implicit one
        @event.listens_for(engine, "connect", insert=True)
        def _no_implicit_tx(dbapi_conn, _):
            dbapi_conn.isolation_level = None
        return engine
    kw.setdefault("pool_pre_ping", True)
    kw.setdefault("pool_size", 8)
    return create_engine(url, **kw)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything we store is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


class UnitOfWork:
    """Rolls back unless `commit()` is called (docs/design/architecture.md §4.1)."""

    def __init__(self, session_factory: sessionmaker):
        self._factory = session_factory
        self.session: Session | None = None
        self._after_commit: list = []

    def __enter__(self) -> "UnitOfWork":
        self.session = self._factory()
        self.orders = WorkOrderRepository(self.session)
        self.rulings = RulingRepository(self.session)
        self.surveys = SurveyRepository(self.session)
        return self

    def __exit__(self, *exc):
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def after_commit(self, fn) -> None:
        """Run `fn` once the transaction committed (e.g. nudge the outbox drainer)."""
        self._after_commit.append(fn)

    def emit(self, event: Event) -> None:
        """Write an outbox row (the event's name and fields) in the same transaction as the
        change it announces. Only declared events (hotline/core/events.py) are accepted: an
        undeclared one raises UndeclaredEvent instead of writing a row nobody handles
        (docs/design/architecture.md §5.2)."""
        check(event)
        self.session.add(OutboxRow(topic=event.name, payload=event.payload(),
                                   created_at=utcnow()))

    def emit_transition(self, order: WorkOrder, t: Transition, **extra) -> None:
        """Raise the event the transition table names for `t.action`, if any (whom the action
        notifies is a consequence of the rule, docs/design/architecture.md §3.1)."""
        if t.action in EVENT_OF:
            self.emit(EVENT_OF[t.action](order_id=order.id, seq=t.seq, unit=order.unit, **extra))


class WorkOrderRepository:
    def __init__(self, session: Session):
        self.session = session
        self._rows: dict[int, WorkOrderRow] = {}
        # (unit, status, sent_back) of each order as it was before this transaction changed
        # it, None for an order added here: read (and cleared) by the inbox counters'
        # after-save hook (hotline/dispatch/counters.py), which moves the order between tabs.
        self.before: dict[int, tuple | None] = {}

    def get(self, order_id: int) -> WorkOrder | None:
        row = self.session.execute(
            select(WorkOrderRow).where(WorkOrderRow.id == order_id)
            .options(selectinload(WorkOrderRow.transitions))).scalar_one_or_none()
        if row is None:
            return None
        self._rows[row.id] = row
        return to_domain(row)

    def row(self, order_id: int) -> WorkOrderRow:
        return self._rows[order_id]

    def get_row(self, order_id: int) -> WorkOrderRow | None:
        """The order's row alone (no history), or None."""
        return self.session.get(WorkOrderRow, order_id)

    def detail(self, order_id: int) -> tuple | None:
        """(row, transitions in order, notes in order) of the detail view, or None."""
        row = self.session.get(WorkOrderRow, order_id)
        if row is None:
            return None
        trs = self.session.execute(select(TransitionRow).where(TransitionRow.order_id == order_id)
                                   .order_by(TransitionRow.seq)).scalars().all()
        notes = self.session.execute(select(NoteRow).where(NoteRow.order_id == order_id)
                                     .order_by(NoteRow.id)).scalars().all()
        return row, trs, notes

    def open_candidates(self, exclude_id: int, town: str | None, category: str | None,
                        phone: str | None, since: datetime, limit: int) -> list:
        """Open orders received since `since` in the same town and category (the town alone
        when there is no category), or from the same caller phone, newest first: the
        duplicate candidates of docs/design/domain.md §2.4 (ranked by intake/duplicates.py).
        Rows with id, number, content, caller_phone, status, master_id."""
        conds = []
        if town and category:
            conds.append((WorkOrderRow.town == town) & (WorkOrderRow.category == category))
        elif town:
            conds.append(WorkOrderRow.town == town)
        if phone:
            conds.append(WorkOrderRow.caller_phone == phone)
        if not conds:
            return []
        return self.session.execute(
            select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.content,
                   WorkOrderRow.caller_phone, WorkOrderRow.status, WorkOrderRow.master_id)
            .where(or_(*conds)).where(WorkOrderRow.received_at >= since)
            .where(WorkOrderRow.id != exclude_id)
            .where(WorkOrderRow.status.not_in([str(s) for s in CLOSED_STATES]))
            .order_by(WorkOrderRow.id.desc()).limit(limit)).all()

    # issue 17 (Build 5): the earlier orders of a repeat appeal (intake/duplicates.py)
    def related_since(self, exclude_id: int | None, town: str | None, phone: str | None,
                      since: datetime, limit: int) -> list:
        """Orders, open or closed, received since `since` in the town or from the caller's
        phone, newest first. Rows with id, number, content, status, caller_phone, town,
        address, unit, category, received_at."""
        conds = []
        if phone:
            conds.append(WorkOrderRow.caller_phone == phone)
        if town:
            conds.append(WorkOrderRow.town == town)
        if not conds:
            return []
        q = select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.content,
                   WorkOrderRow.status, WorkOrderRow.caller_phone, WorkOrderRow.town,
                   WorkOrderRow.address, WorkOrderRow.unit, WorkOrderRow.category,
                   WorkOrderRow.received_at) \
            .where(or_(*conds), WorkOrderRow.received_at >= since) \
            .order_by(WorkOrderRow.received_at.desc(), WorkOrderRow.id.desc()).limit(limit)
        if exclude_id is not None:
            q = q.where(WorkOrderRow.id != exclude_id)
        return self.session.execute(q).all()

    def citizen_replies(self, order_ids: list[int]) -> dict[int, str]:
        """The latest reply to the citizen of each order that has one."""
        if not order_ids:
            return {}
        rows = self.session.execute(select(NoteRow.order_id, NoteRow.body).where(
            NoteRow.order_id.in_(order_ids), NoteRow.kind == "citizen_reply")
            .order_by(NoteRow.id)).all()
        return {oid: body for oid, body in rows}

    def add(self, order: WorkOrder, row: WorkOrderRow) -> None:
        """Insert a new order row built by the service, then its history."""
        self.session.add(row)
        self.session.flush()
        order.id = row.id
        self._rows[row.id] = row
        self.before.setdefault(row.id, None)
        self._append(order, 0)

    def by_idempotency_key(self, created_by: str, key: str) -> WorkOrderRow | None:
        """The order `created_by` logged under the client's Idempotency-Key, if any."""
        return self.session.execute(select(WorkOrderRow).where(
            WorkOrderRow.created_by == created_by,
            WorkOrderRow.idempotency_key == key)).scalar_one_or_none()

    def next_id(self) -> int:
        """Reserve the id of an order about to be inserted, so its number (DG<date><id>) and
        every row that refers to it are known before the one INSERT (intake writes the
        final row at once instead of INSERT + UPDATE number + UPDATE state). PostgreSQL: the
        column's sequence; SQLite: max + 1, safe because the transaction took the write lock
        at BEGIN (make_engine's BEGIN IMMEDIATE)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return self.session.execute(
                text("SELECT nextval(pg_get_serial_sequence('work_orders', 'id'))")).scalar_one()
        return self.session.execute(select(func.coalesce(func.max(WorkOrderRow.id), 0) + 1)
                                    ).scalar_one()

    def add_new(self, order: WorkOrder, row: WorkOrderRow) -> None:
        """Add a new order whose id was reserved (`next_id`) and whose row already holds the
        final state, with its whole history; nothing is sent until the next flush, where
        the unit of work puts the work_orders INSERT before the rows that refer to it."""
        assert row.id is not None and order.id == row.id
        self.session.add(row)
        self._rows[row.id] = row
        self.before.setdefault(row.id, None)
        self._append(order, 0)

    def save(self, order: WorkOrder, known_history: int) -> None:
        """Write the aggregate's changed fields and its new transitions (append-only)."""
        row = self._rows[order.id]
        self.before.setdefault(order.id, (row.unit, row.status, bool(row.sent_back)))
        for name, value in mutable_values(order).items():
            setattr(row, name, value)
        row.updated_at = utcnow()   # always bump: the version check must fire on every action
        self._append(order, known_history)
        self.session.flush()

    def _append(self, order: WorkOrder, start: int) -> None:
        for t in order.history[start:]:
            self.session.add(TransitionRow(**transition_values(order.id, t)))


class RulingRepository:
    """Supervisor rulings saved as routing rules (docs/design/domain.md §6.4)."""

    def __init__(self, session: Session):
        self.session = session

    def active(self) -> list[RoutingRuleRow]:
        return list(self.session.execute(
            select(RoutingRuleRow).where(RoutingRuleRow.active.is_(True))).scalars().all())


class SurveyRepository:
    """Return visits (回访) the answer path reads (survey/service.py)."""

    def __init__(self, session: Session):
        self.session = session

    def by_token(self, token: str, lock: bool = False) -> SurveyRow | None:
        """The survey of an SMS link; `lock`: FOR UPDATE on PostgreSQL, so two answers
        through one link serialise (SQLite's writer lock, taken at BEGIN, already does)."""
        q = select(SurveyRow).where(SurveyRow.token == token)
        if lock and self.session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()
        return self.session.execute(q).scalar_one_or_none()

    def for_order(self, order_id: int) -> list[SurveyRow]:
        return list(self.session.execute(
            select(SurveyRow).where(SurveyRow.order_id == order_id)).scalars())

    def unsettled(self, order_id: int) -> bool:
        """A survey of the order is still pending or waits for a supervisor's review."""
        return self.session.execute(select(SurveyRow.id).where(
            SurveyRow.order_id == order_id,
            (SurveyRow.status == PENDING) | (SurveyRow.review == "pending"))).first() \
            is not None


# ---------------------------------------------------------------- the one mapper
# Rows <-> the work-order aggregate (docs/design/architecture.md §4.2). Every path that turns a
# work_orders row into a WorkOrder, or a WorkOrder into column values, goes through these
# functions; bulk paths (the sweep's Core page read and its COPY) take their column lists
# from the tuples below, so a new aggregate field is added here once.

# The work_orders columns the aggregate is built from.
AGGREGATE_COLUMNS = ("id", "number", "status", "title", "content", "channel", "appeal_type",
                     "urgency", "caller_name", "caller_phone", "caller_anonymous",
                     "caller_confidential", "town", "address", "category", "unit",
                     "first_unit", "assist_units", "handler", "rapid_item", "master_id",
                     "received_at", "village")
# The columns a workflow action may change (written back by `save`), and the derived
# 被回退 flag stored for the inbox index.
MUTABLE_COLUMNS = ("status", "unit", "first_unit", "handler", "master_id", "category", "town",
                   "appeal_type", "urgency", "rapid_item", "assist_units", "sent_back",
                   "village")
# A transitions row, in insert order (the sweep's COPY uses this list).
TRANSITION_COLUMNS = ("order_id", "seq", "action", "at", "actor", "role", "unit",
                      "from_status", "to_status", "reason", "data")


def to_transition(t) -> Transition:
    """A transitions row (ORM object or Core row) as a domain Transition."""
    return Transition(t.seq, t.action, aware(t.at), t.actor, t.role, t.unit, t.from_status,
                      t.to_status, t.reason, dict(t.data or {}))


def transition_values(order_id: int, t: Transition) -> dict:
    """A domain Transition as the values of its transitions row (TRANSITION_COLUMNS)."""
    return {"order_id": order_id, "seq": t.seq, "action": t.action, "at": t.at,
            "actor": t.actor, "role": t.role, "unit": t.unit, "from_status": t.from_status,
            "to_status": t.to_status, "reason": t.reason, "data": t.data}


def mutable_values(order: WorkOrder) -> dict:
    """The MUTABLE_COLUMNS of the aggregate's row."""
    return {"status": order.status, "unit": order.unit, "first_unit": order.first_unit,
            "handler": order.handler, "master_id": order.master_id,
            "category": order.category, "town": order.town, "appeal_type": order.appeal_type,
            "urgency": order.urgency, "rapid_item": order.rapid_item,
            "assist_units": list(order.assist_units), "sent_back": order.is_sent_back(),
            "village": order.village}


def aggregate_values(order: WorkOrder) -> dict:
    """Every column the aggregate determines (AGGREGATE_COLUMNS plus the derived flag)."""
    c = order.caller
    return {"id": order.id, "number": order.number, "title": order.title,
            "content": order.content, "channel": order.channel, "caller_name": c.name,
            "caller_phone": c.phone, "caller_anonymous": c.anonymous,
            "caller_confidential": c.confidential, "address": order.address,
            "received_at": order.received_at, **mutable_values(order)}


def new_row(order: WorkOrder, **extra) -> WorkOrderRow:
    """The row of a new order: the aggregate's values plus what only the row holds
    (query code, creation stamps, the classifier's suggestions, the idempotency key, the
    search terms of its title, content and address)."""
    extra.setdefault("search_text", document_terms(order.title, order.content, order.address))
    return WorkOrderRow(**aggregate_values(order), **extra)


def row_to_dict(row) -> dict:
    """Every column of a work_orders row, by name (the input of the views)."""
    return {c.name: getattr(row, c.name) for c in WorkOrderRow.__table__.columns}


def to_domain(row, history=None) -> WorkOrder:
    """A work_orders row (ORM object, or a Core row with AGGREGATE_COLUMNS) as the aggregate.
    `history`: its Transitions, when the row carries no loaded `transitions`."""
    if history is None:
        history = [to_transition(t) for t in row.transitions]
    return WorkOrder(
        id=row.id, number=row.number, status=row.status, title=row.title, content=row.content,
        channel=row.channel, appeal_type=row.appeal_type, urgency=row.urgency,
        caller=Caller(row.caller_name, row.caller_phone, row.caller_anonymous,
                      row.caller_confidential),
        town=row.town, address=row.address, category=row.category, unit=row.unit,
        first_unit=row.first_unit, assist_units=list(row.assist_units or []),
        handler=row.handler, rapid_item=row.rapid_item, master_id=row.master_id,
        received_at=aware(row.received_at), village=row.village, history=history)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)

