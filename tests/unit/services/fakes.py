"""A unit of work and repositories in memory (the FakeUnitOfWork / FakeRepository of
"Architecture Patterns with Python"), so the service layer's commands run without a database
(docs/design/architecture.md §4.1).

`FakeDatabase` is what a test seeds and reads: the committed work orders (rows built by the
one mapper, hotline/core/db.py), their histories, surveys, rulings, the outbox (declared
events, as `UnitOfWork.emit` accepts them) and the other rows commands write. A
`FakeUnitOfWork` stages its changes and hands them to the database only on `commit()`, so a
command that raises leaves nothing behind, as the real one rolls back.

Services still write a few rows straight into `uow.session` (notes, 协办 tasks, survey audit
rows, the PIPL access log). `FakeSession` keeps those writes for the test to read; any read
through the session raises, so a command that reaches past its repository with SQL fails
here instead of passing silently.

`fake_runtime` builds a real `Runtime` (configuration from config/, the handler table and
periodic jobs from core/bootstrap.py, an empty model store: no classifier model
published) whose `uow()` returns a `FakeUnitOfWork`. The after-save hooks (SLA state, scoring
facts, 两个15%) read and update their own tables with SQL; they are covered by the integration
tests and replaced here by one that records each save.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.sql.dml import Delete, Insert, Update

from hotline.core.config import Settings
from hotline.core.db import UnitOfWork, aware, mutable_values, row_to_dict, to_domain, utcnow
from hotline.core.events import Event, check
from hotline.core.orm import NoteRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.survey.orm import SurveyRow
from hotline.workorders.domain.model import Transition, WorkOrder
from hotline.workorders.domain.workflow import CLOSED_STATES


class SqlRead(AssertionError):
    """A command read through `uow.session`: it needs a repository method instead."""


def _copy_row(row: WorkOrderRow) -> WorkOrderRow:
    return WorkOrderRow(**row_to_dict(row))


def _copy_survey(s: SurveyRow) -> SurveyRow:
    return SurveyRow(**{c.name: copy.deepcopy(getattr(s, c.name))
                        for c in SurveyRow.__table__.columns})


@dataclass
class Save:
    """One save of an order as the after-save hooks saw it."""
    order_id: int
    status: str
    unit: str | None


@dataclass
class FakeDatabase:
    orders: dict[int, WorkOrderRow] = field(default_factory=dict)
    history: dict[int, list[Transition]] = field(default_factory=dict)
    surveys: dict[int, SurveyRow] = field(default_factory=dict)
    rulings: list = field(default_factory=list)       # RoutingRuleRow
    outbox: list[Event] = field(default_factory=list)
    rows: list = field(default_factory=list)          # ORM objects added through the session
    statements: list = field(default_factory=list)    # (INSERT/UPDATE/DELETE, parameters)
    saves: list[Save] = field(default_factory=list)
    commits: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def order(self, order_id: int) -> WorkOrder:
        """The committed aggregate."""
        return to_domain(self.orders[order_id], history=copy.deepcopy(self.history[order_id]))

    def added(self, cls, **where) -> list:
        """Committed rows of `cls` written through the session, filtered by attribute."""
        return [r for r in self.rows if isinstance(r, cls)
                and all(getattr(r, k) == v for k, v in where.items())]

    def events(self, cls=Event) -> list[Event]:
        return [e for e in self.outbox if isinstance(e, cls)]


class FakeSession:
    def __init__(self):
        self.added: list = []
        self.deleted: list = []
        self.statements: list = []

    def add(self, obj) -> None:
        self.added.append(obj)

    def add_all(self, objs) -> None:
        self.added.extend(objs)

    def delete(self, obj) -> None:
        self.deleted.append(obj)

    def flush(self) -> None:
        pass

    def execute(self, statement, params=None, **kw):
        if isinstance(statement, (Insert, Update, Delete)):
            self.statements.append((statement, params))
            return None
        raise SqlRead(f"SQL read through uow.session in a service-level unit test: "
                      f"{statement}")

    def get(self, cls, ident, **kw):
        raise SqlRead(f"uow.session.get({cls.__name__}, {ident!r}): use a repository method")

    def scalars(self, *a, **kw):
        raise SqlRead("uow.session.scalars: use a repository method")


class FakeRepository:
    """The work-order repository in memory: the interface of WorkOrderRepository."""

    def __init__(self, db: FakeDatabase):
        self.db = db
        self._rows: dict[int, WorkOrderRow] = {}
        self._history: dict[int, list[Transition]] = {}
        self._changed: set[int] = set()

    def _load(self, order_id: int) -> WorkOrderRow | None:
        if order_id not in self._rows:
            if order_id not in self.db.orders:
                return None
            self._rows[order_id] = _copy_row(self.db.orders[order_id])
            self._history[order_id] = copy.deepcopy(self.db.history[order_id])
        return self._rows[order_id]

    def get(self, order_id: int) -> WorkOrder | None:
        row = self._load(order_id)
        if row is None:
            return None
        return to_domain(row, history=copy.deepcopy(self._history[order_id]))

    def row(self, order_id: int) -> WorkOrderRow:
        return self._rows[order_id]

    def get_row(self, order_id: int) -> WorkOrderRow | None:
        return self._load(order_id)

    def detail(self, order_id: int):
        row = self._load(order_id)
        if row is None:
            return None
        notes = self.db.added(NoteRow, order_id=order_id)
        return row, list(self._history[order_id]), notes

    def next_id(self) -> int:
        return next(self.db._ids)   # a sequence: an id is used once, even if rolled back

    def add_new(self, order: WorkOrder, row: WorkOrderRow) -> None:
        assert row.id is not None and order.id == row.id
        row.version = 1
        self._rows[row.id] = row
        self._history[row.id] = copy.deepcopy(order.history)
        self._changed.add(row.id)

    def add(self, order: WorkOrder, row: WorkOrderRow) -> None:
        row.id = order.id = self.next_id()
        self.add_new(order, row)

    def save(self, order: WorkOrder, known_history: int) -> None:
        row = self._rows[order.id]
        # the history is append-only, as the transitions table is
        assert order.history[:known_history] == self._history[order.id][:known_history]
        assert len(self._history[order.id]) == known_history
        for name, value in mutable_values(order).items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        row.version += 1      # version_id_col: every save is a new version
        self._history[order.id] = copy.deepcopy(order.history)
        self._changed.add(order.id)

    def by_idempotency_key(self, created_by: str, key: str) -> WorkOrderRow | None:
        return next((r for r in self.db.orders.values()
                     if r.created_by == created_by and r.idempotency_key == key), None)

    def open_candidates(self, exclude_id: int, town, category, phone, since: datetime,
                        limit: int) -> list:
        def match(r):
            same_place = (r.town == town and r.category == category) if town and category \
                else (r.town == town) if town else False
            return (same_place or (bool(phone) and r.caller_phone == phone)) \
                and aware(r.received_at) >= since and r.id != exclude_id \
                and r.status not in CLOSED_STATES
        if not (town or phone):
            return []
        rows = sorted((r for r in self.db.orders.values() if match(r)), key=lambda r: -r.id)
        return rows[:limit]

    def related_since(self, exclude_id, town, phone, since: datetime, limit: int) -> list:
        # issue 17: the earlier orders of a repeat appeal, open or closed
        if not (town or phone):
            return []
        rows = [r for r in self.db.orders.values()
                if ((bool(town) and r.town == town) or (bool(phone) and r.caller_phone == phone))
                and aware(r.received_at) >= since and r.id != exclude_id]
        return sorted(rows, key=lambda r: (aware(r.received_at), r.id), reverse=True)[:limit]

    def citizen_replies(self, order_ids: list[int]) -> dict[int, str]:
        return {n.order_id: n.body for n in self.db.rows
                if isinstance(n, NoteRow) and n.kind == "citizen_reply"
                and n.order_id in order_ids}

    def _commit(self) -> None:
        for oid in self._changed:
            self.db.orders[oid] = _copy_row(self._rows[oid])
            self.db.history[oid] = copy.deepcopy(self._history[oid])
        self._changed.clear()


class FakeRulings:
    def __init__(self, db: FakeDatabase):
        self.db = db

    def active(self) -> list:
        return [r for r in self.db.rulings if r.active]


class FakeSurveys:
    def __init__(self, db: FakeDatabase):
        self.db = db
        self._seen: dict[int, SurveyRow] = {}

    def _load(self, s: SurveyRow) -> SurveyRow:
        if s.id not in self._seen:
            self._seen[s.id] = _copy_survey(s)
        return self._seen[s.id]

    def by_token(self, token: str, lock: bool = False) -> SurveyRow | None:
        s = next((s for s in self.db.surveys.values() if s.token == token), None)
        return self._load(s) if s is not None else None

    def for_order(self, order_id: int) -> list[SurveyRow]:
        return [self._load(s) for s in self.db.surveys.values() if s.order_id == order_id]

    def unsettled(self, order_id: int) -> bool:
        return any(s.status == "pending" or s.review == "pending"
                   for s in self.for_order(order_id))

    def _commit(self) -> None:
        for sid, s in self._seen.items():
            self.db.surveys[sid] = _copy_survey(s)


class FakeUnitOfWork(UnitOfWork):
    """UnitOfWork in memory. `emit` and `emit_transition` keep the production rules (only
    declared events; the transition table names the event)."""

    def __init__(self, db: FakeDatabase):
        self.db = db
        self.session = None
        self._after_commit = []
        self.committed = False
        self.events: list[Event] = []

    def __enter__(self) -> "FakeUnitOfWork":
        self.session = FakeSession()
        self.orders = FakeRepository(self.db)
        self.rulings = FakeRulings(self.db)
        self.surveys = FakeSurveys(self.db)
        self._saves: list[Save] = []
        return self

    def __exit__(self, *exc):
        # rolled back: whatever was not committed is dropped with this object
        self.events, self._saves = [], []

    def commit(self) -> None:
        self.orders._commit()
        self.surveys._commit()
        self.db.outbox.extend(self.events)
        self.db.rows.extend(self.session.added)
        self.db.statements.extend(self.session.statements)
        self.db.saves.extend(self._saves)
        self.events, self._saves = [], []
        self.session.added, self.session.statements = [], []
        self.db.commits += 1
        self.committed = True
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def emit(self, event: Event) -> None:
        check(event)      # an undeclared event raises UndeclaredEvent, as in production
        self.events.append(event)


def record_save(rt, uow, order, row) -> None:
    """The after-save hook of the fake runtime: records that the command saved `order`."""
    uow._saves.append(Save(order.id, str(order.status), order.unit))


@dataclass
class FakeRuntime(Runtime):
    db: FakeDatabase = field(default_factory=FakeDatabase)
    last_uow: FakeUnitOfWork | None = None

    def uow(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.db)
        uow.after_commit(self.wake_outbox.set)
        self.last_uow = uow
        return uow


def fake_runtime(models_dir) -> FakeRuntime:
    """A runtime with the shipped configuration and the bootstrap's wiring, no database, and
    an empty model store in `models_dir` (no classifier model: intake queues what the agent
    did not route)."""
    from hotline.classify.store import ModelStore
    from hotline.core.app_config import load_config
    from hotline.core.bootstrap import bootstrap
    rt = FakeRuntime(Settings("fake://", None, "unit-test", True, "unit"), load_config())
    rt._predictor_store = ModelStore(models_dir)
    bootstrap(rt)
    rt.after_save = (record_save,)
    return rt
