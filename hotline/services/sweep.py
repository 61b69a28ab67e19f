"""The SLA sweep (issue 5 item 5): every minute, from the embedded drainer thread, from
`hotline worker`'s relay thread, or from system cron (`hotline sla sweep`). All are correct
at once.

Cost: only rows with `next_check_at <= now` are read (index ix_work_orders_next_check_at),
in pages of `batch`, so a tick with nothing due is one index probe however many orders are
open. Each page is one transaction: claimed rows are locked (PostgreSQL: FOR UPDATE SKIP
LOCKED, so an overlapping sweep takes other rows; SQLite: BEGIN IMMEDIATE serialises the
writers), each order's due ladder steps are recorded as workflow actions by the system actor
through the aggregate (like services.orders.act), its new warnings are recorded under a
unique key, and next_check_at is recomputed from the new history before the commit.

Exactly once: the steps due are a deterministic function of the history (docs/sla.md), and
the history is read under the row lock, so a second sweep sees the first one's records and
finds nothing to do; a sweep killed mid-run rolls back its open page only, which the next
run finds still due. The version column backs this up: a writer that lost a race gets
StaleDataError for that order (its savepoint is rolled back and the order skipped: the winner
recorded it).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hotline.adapters.db import aware, to_domain, utcnow
from hotline.adapters.orm import WorkOrderRow
from hotline.adapters.orm_sla import SlaWarningRow
from hotline.dispatch.model import Actor, DomainError
from hotline.dispatch.workflow import Role
from . import hooks, sla_service
from .sla_service import CLOCK_ZH, LADDER_ZH, TARGET_ZH

log = logging.getLogger(__name__)
SWEEP_ACTOR = Actor("sla-sweep", Role.SYSTEM)
# A step that cannot be recorded in the order's current status (e.g. an order still 已登记)
# is tried again later rather than on every tick.
BACKOFF = timedelta(minutes=30)


def due_query(now: datetime, limit: int):
    """The due-selection query: an index range scan on next_check_at (tests check the plan)."""
    return (select(WorkOrderRow.id).where(WorkOrderRow.next_check_at <= now)
            .order_by(WorkOrderRow.next_check_at, WorkOrderRow.id).limit(limit))


def _claim(uow, dialect: str, now: datetime, limit: int) -> list[WorkOrderRow]:
    q = (select(WorkOrderRow).where(WorkOrderRow.next_check_at <= now)
         .order_by(WorkOrderRow.next_check_at, WorkOrderRow.id).limit(limit)
         .options(selectinload(WorkOrderRow.transitions)))
    if dialect == "postgresql":
        q = q.with_for_update(skip_locked=True, of=WorkOrderRow)
    return list(uow.session.execute(q).scalars().all())


def warning_key(order_id: int, d, label: str) -> str:
    return f"{order_id}|{d.clock}|{d.target}|{d.owner or '-'}|{d.started_at.isoformat()}|{label}"


def _new_warnings(eng, order, deadlines, now, existing: set[str]):
    """Warnings reached on clocks still running and not yet overdue (an overdue clock gets
    the ladder instead), not recorded before."""
    out = []
    for d in deadlines:
        if not d.running_at(now) or d.paused_since or now > d.due:
            continue
        for label, at in eng.warning_instants(d):
            key = warning_key(order.id, d, label)
            if at <= now and key not in existing:
                out.append((key, d, label, at))
    return out


def _reason(step) -> str:
    d = step.deadline
    return (f"系统自动{LADDER_ZH[step.action]}：{CLOCK_ZH.get(d.clock, d.clock)}"
            f"（{TARGET_ZH.get(d.target, d.target)}）时限 {sla_service.views.iso(d.due)} 已超时")


def process_order(rt, uow, row: WorkOrderRow, now: datetime, existing: set[str],
                  stats: dict) -> None:
    """Record the order's due steps and new warnings, then recompute its next check."""
    eng = sla_service.engine()
    uow.orders._rows[row.id] = row      # the repository's identity for save(); loaded in bulk
    order = to_domain(row)
    known = len(order.history)
    ds = eng.deadlines(order, order.history, now)
    applied = []
    for step in eng.escalation_steps_due(ds, order.history, now):
        try:
            applied.append(order.apply(step.action, SWEEP_ACTOR, now, reason=_reason(step),
                                       data=step.record_data()))
        except DomainError as exc:   # not supervisable in this status: try again later
            log.info("sla sweep: order %s: %s not recorded (%s)", row.id, step.action, exc)
            break
    warnings = _new_warnings(eng, order, ds, now, existing)
    if applied:
        uow.orders.save(order, known)
        hooks.after_save(rt, uow, order, row)   # recomputes next_check_at and the SLA state
        for t in applied:
            uow.emit(f"order.{t.action}", order_id=order.id, seq=t.seq, unit=order.unit,
                     auto=True, clock=t.data.get("clock"), target=t.data.get("target"))
    else:
        sla_service.refresh(uow, order, row, now, bump_version=True)
    if row.next_check_at is not None and aware(row.next_check_at) <= now:
        row.next_check_at = now + BACKOFF
    for key, d, label, at in warnings:
        uow.session.add(SlaWarningRow(key=key, order_id=order.id, clock=d.clock,
                                      target=d.target, label=label,
                                      warn_at=at.astimezone(timezone.utc),
                                      due=d.due.astimezone(timezone.utc),
                                      unit=d.owner or order.unit, created_at=utcnow()))
        uow.emit("sla.warning", order_id=order.id, key=key, clock=d.clock, target=d.target,
                 label=label, due=d.due.isoformat(), unit=d.owner or order.unit)
        existing.add(key)
    uow.session.flush()
    stats["steps"] += len(applied)
    stats["warnings"] += len(warnings)


def sweep_tick(rt, now: datetime | None = None, batch: int = 200, max_orders: int | None = None,
               pause: float = 0.0) -> dict:
    """One sweep over every order whose next check is due at `now`. Returns counters.

    `pause` sleeps between pages (tests use it to kill a sweep mid-run)."""
    # UTC throughout: SQLite stores the wall time only and adapters.db.aware reads it as UTC
    now = (now or utcnow()).astimezone(timezone.utc)
    started = time.perf_counter()
    stats = {"orders": 0, "steps": 0, "warnings": 0, "skipped": 0, "pages": 0, "sent": 0}
    dialect = rt.engine.dialect.name
    seen: set[int] = set()
    while max_orders is None or stats["orders"] < max_orders:
        with rt.uow() as uow:
            uow.sla_now = now
            rows = _claim(uow, dialect, now, batch)
            if not rows or all(r.id in seen for r in rows):
                break
            existing = set(uow.session.execute(select(SlaWarningRow.key).where(
                SlaWarningRow.order_id.in_([r.id for r in rows]))).scalars())
            for row in rows:
                seen.add(row.id)
                try:
                    with uow.session.begin_nested():
                        process_order(rt, uow, row, now, existing, stats)
                    stats["orders"] += 1
                except (StaleDataError, IntegrityError):
                    # an overlapping writer changed this order first: it recorded what was due
                    stats["skipped"] += 1
            uow.commit()
            stats["pages"] += 1
        if pause:
            time.sleep(pause)
    try:
        from .sla_handlers import send_due_deliveries
        stats["sent"] = send_due_deliveries(rt, now)
    except ImportError:
        pass
    stats["seconds"] = round(time.perf_counter() - started, 4)
    if stats["orders"]:
        log.info("sla sweep: %s", stats)
    return stats
