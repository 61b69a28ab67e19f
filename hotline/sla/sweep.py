"""The SLA sweep (docs/design/architecture.md §5.5): every minute, from the embedded drainer thread,
from `hotline worker`'s relay thread, or from system cron (`hotline sla sweep`). All are correct
at once.

Cost: only rows with `next_check_at <= now` are read (index ix_work_orders_next_check_at),
in pages of `batch`, so a tick with nothing due is one index probe however many orders are
open. Each page is one transaction: claimed rows are locked (PostgreSQL: FOR UPDATE SKIP
LOCKED, so an overlapping sweep takes other rows; SQLite: BEGIN IMMEDIATE serialises the
writers), each order's due ladder steps are recorded as workflow actions by the system actor
through the aggregate (like workorders.commands.act), its new warnings are recorded under a
unique key, and next_check_at is recomputed from the new history before the commit.

Exactly once: the steps due are a deterministic function of the history (docs/sla.md), and
the history is read under the row lock, so a second sweep sees the first one's records and
finds nothing to do; a sweep killed mid-run rolls back its open page only, which the next
run finds still due. The version column backs this up: a writer that lost a race gets
StaleDataError for that order (its savepoint is rolled back and the order skipped: the winner
recorded it).
"""
from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hotline.core import hooks
from hotline.core.db import (
    AGGREGATE_COLUMNS,
    TRANSITION_COLUMNS,
    aware,
    to_domain,
    to_transition,
    transition_values,
    utcnow,
)
from hotline.core.events import SlaWarning, check
from hotline.core.orm import OutboxRow, TransitionRow, WorkOrderRow
from hotline.sla import service as sla_service
from hotline.sla.orm import SlaOrderStateRow, SlaWarningRow
from hotline.sla.service import CLOCK_ZH, LADDER_ZH, TARGET_ZH
from hotline.workorders.domain.model import Actor, DomainError, Transition, WorkOrder
from hotline.workorders.domain.workflow import EVENT_OF, Role

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
    eng = sla_service.engine(rt)
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
            uow.emit_transition(order, t, auto=True, clock=t.data.get("clock"),
                                target=t.data.get("target"))
    else:
        sla_service.refresh(eng, uow, order, row, now, bump_version=True)
    if row.next_check_at is not None and aware(row.next_check_at) <= now:
        row.next_check_at = now + BACKOFF
    for key, d, label, at in warnings:
        uow.session.add(SlaWarningRow(key=key, order_id=order.id, clock=d.clock,
                                      target=d.target, label=label,
                                      warn_at=at.astimezone(timezone.utc),
                                      due=d.due.astimezone(timezone.utc),
                                      unit=d.owner or order.unit, created_at=utcnow()))
        uow.emit(SlaWarning(order_id=order.id, key=key, clock=d.clock, target=d.target,
                            label=label, due=d.due.isoformat(), unit=d.owner or order.unit))
        existing.add(key)
    uow.session.flush()
    stats["steps"] += len(applied)
    stats["warnings"] += len(warnings)


class _Stale(Exception):
    """The bulk page lost a race on the version column (falls back to one order at a time)."""


# The bulk page reads the aggregate's columns (the one mapper's list) and the version.
_WO_COLS = AGGREGATE_COLUMNS + ("version",)


def _claim_page(uow, dialect: str, now: datetime, limit: int) -> list[tuple[WorkOrder, int]]:
    """The bulk path's claim: the same rows and locks as `_claim`, read with two Core queries
    (the order columns the aggregate needs, then the page's history ordered by order and seq)
    instead of ORM objects, which cost more than the SLA arithmetic on a 1,000-order page."""
    wo, tr = WorkOrderRow.__table__, TransitionRow.__table__
    q = (select(*(wo.c[c] for c in _WO_COLS)).where(wo.c.next_check_at <= now)
         .order_by(wo.c.next_check_at, wo.c.id).limit(limit))
    if dialect == "postgresql":
        q = q.with_for_update(skip_locked=True)
    s = uow.session
    rows = s.execute(q).all()
    if not rows:
        return []
    hist: dict[int, list[Transition]] = defaultdict(list)
    for t in s.execute(select(*(tr.c[c] for c in TRANSITION_COLUMNS))
                       .where(tr.c.order_id.in_([r.id for r in rows]))
                       .order_by(tr.c.order_id, tr.c.seq)):
        hist[t.order_id].append(to_transition(t))
    return [(to_domain(r, hist.get(r.id, [])), r.version) for r in rows]


def _bulk_page(rt, uow, page, now: datetime, existing: set[str], stats: dict) -> None:
    """The fast path: derive every order's steps through the aggregate, then write the page
    with a handful of set-based statements instead of ~10 per order.

    Ladder records are overlay actions (status, owner and every clock unchanged: docs/sla.md),
    so the order row only gets its new next_check_at and version (checked: a concurrent
    writer makes the page fall back to `process_order`). Other AFTER_SAVE hooks are not run
    for them (none derives anything from 催办/督办 records; reports_facts reads clocks only);
    their consumers subscribe to the outbox topics order.urge / order.supervise /
    order.escalate_leader instead."""
    eng = sla_service.engine(rt)
    upd, trs, events, states, warns = [], [], [], [], []
    created = utcnow()
    t0 = time.perf_counter()
    for order, version in page:
        status, unit = order.status, order.unit
        known = len(order.history)
        ds = eng.deadlines(order, order.history, now)
        ladder = eng.ladder(ds, order.history, now)   # the calendar walk, once per order
        for step in eng.escalation_steps_due(ds, order.history, now, ladder=ladder):
            try:
                order.apply(step.action, SWEEP_ACTOR, now, reason=_reason(step),
                            data=step.record_data())
            except DomainError:
                break
        if order.status != status or order.unit != unit:
            raise _Stale("not an overlay")        # never for ladder steps; be safe
        ev = sla_service.evaluate(order, now, eng, deadlines=ds, ladder=ladder)
        nxt = sla_service._utc(ev.next_check_at)
        if nxt is not None and nxt <= now:
            nxt = now + BACKOFF
        upd.append((order.id, version, nxt))
        for t in order.history[known:]:
            trs.append(transition_values(order.id, t))
            if t.action in EVENT_OF:   # the rule's event (transition table)
                events.append(EVENT_OF[t.action](
                    order_id=order.id, seq=t.seq, unit=order.unit, auto=True,
                    clock=t.data.get("clock"), target=t.data.get("target")))
        if ev.state is not None:
            st = ev.state
            states.append((order.id, st["unit"], st["status"], st["clock"], st["target"],
                           st["due"], st["overdue_since"], st["ladder"], st["provisional"]))
        for key, d, label, at in _new_warnings(eng, order, ds, now, existing):
            wunit = d.owner or order.unit
            warns.append((key, order.id, d.clock, d.target, label,
                          at.astimezone(timezone.utc), d.due.astimezone(timezone.utc), wunit))
            events.append(SlaWarning(order_id=order.id, key=key, clock=d.clock,
                                     target=d.target, label=label, due=d.due.isoformat(),
                                     unit=wunit))
            existing.add(key)
        stats["steps"] += len(order.history) - known
    t1 = time.perf_counter()
    write = _write_pg if rt.engine.dialect.name == "postgresql" else _write_many
    # the outbox rows of declared events only, as UnitOfWork.emit writes them
    events = [(check(e).name, e.payload()) for e in events]
    write(uow.session, [o.id for o, _ in page], upd, trs, events, states, warns, created)
    stats["compute_s"] += t1 - t0
    stats["write_s"] += time.perf_counter() - t1
    stats["warnings"] += len(warns)
    stats["orders"] += len(page)


_ST_INSERT = ("order_id", "unit", "status", "clock", "target", "due", "overdue_since",
              "ladder", "provisional")
_WR_INSERT = ("key", "order_id", "clock", "target", "label", "warn_at", "due", "unit")


def _write_pg(s, ids, upd, trs, events, states, warns, created) -> None:
    """PostgreSQL: one statement per table, rows passed as arrays and expanded with unnest
    (docs/design/architecture.md §9.4: set-based statements, ~10x an executemany of the same rows).
    The order rows are updated only where the version is still the one read under the lock;
    any other count means a concurrent writer and the page falls back (`_Stale`)."""
    cols = list(zip(*upd))
    n = s.execute(text(
        "UPDATE work_orders AS w SET next_check_at = v.nxt, version = w.version + 1, "
        "updated_at = :created FROM unnest(CAST(:ids AS integer[]), "
        "CAST(:vers AS integer[]), CAST(:nxts AS timestamptz[])) AS v(id, ver, nxt) "
        "WHERE w.id = v.id AND w.version = v.ver"),
        {"ids": list(cols[0]), "vers": list(cols[1]), "nxts": list(cols[2]),
         "created": created}).rowcount
    if n != len(upd):
        raise _Stale(f"{len(upd) - n} orders changed meanwhile")
    s.execute(text("DELETE FROM sla_order_state WHERE order_id = ANY(CAST(:ids AS integer[]))"),
              {"ids": ids})
    # COPY for the inserts: psycopg formats the rows in C; an array parameter per column
    # would be escaped element by element in Python (the JSON columns dominated the tick).
    # Same connection, same transaction as the UPDATE above.
    with s.connection().connection.driver_connection.cursor() as cur:
        _copy(cur, "transitions", TRANSITION_COLUMNS,
              (tuple(json.dumps(r[c]) if c == "data" else r[c] for c in TRANSITION_COLUMNS)
               for r in trs))
        _copy(cur, "outbox", ("topic", "payload", "created_at", "attempts"),
              ((t, json.dumps(p), created, 0) for t, p in events))
        _copy(cur, "sla_warnings", _WR_INSERT + ("created_at",),
              (r + (created,) for r in warns))
        _copy(cur, "sla_order_state", _ST_INSERT + ("updated_at",),
              (r + (created,) for r in states))


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> None:
    rows = list(rows)
    if not rows:
        return
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row(r)


def _write_many(s, ids, upd, trs, events, states, warns, created) -> None:
    """SQLite (in-process, no round trips): executemany through Core, same statements."""
    wo, tr, ob = WorkOrderRow.__table__, TransitionRow.__table__, OutboxRow.__table__
    st_t, wr_t = SlaOrderStateRow.__table__, SlaWarningRow.__table__
    res = s.execute(update(wo).where(wo.c.id == bindparam("b_id"),
                                     wo.c.version == bindparam("b_version"))
                    .values(next_check_at=bindparam("n_next"), version=wo.c.version + 1,
                            updated_at=created),
                    [{"b_id": i, "b_version": v, "n_next": x} for i, v, x in upd])
    if res.rowcount != len(upd):
        raise _Stale(f"{len(upd) - res.rowcount} orders changed meanwhile")
    s.execute(delete(st_t).where(st_t.c.order_id.in_(ids)))
    rows = ((tr, trs),
            (ob, [{"topic": t, "payload": p, "created_at": created, "attempts": 0}
                  for t, p in events]),
            (wr_t, [{**dict(zip(_WR_INSERT, r)), "created_at": created} for r in warns]),
            (st_t, [{**dict(zip(_ST_INSERT, r)), "updated_at": created} for r in states]))
    for table, data in rows:
        if data:
            s.execute(insert(table), data)


def sweep_tick(rt, now: datetime | None = None, batch: int = 1000,
               max_orders: int | None = None, pause: float = 0.0) -> dict:
    """One sweep over every order whose next check is due at `now`. Returns counters.

    Each page is written in bulk (`_bulk_page`); if that fails (a lost race, an unexpected
    error) the page is rolled back and redone one order at a time, each in a savepoint, so a
    bad order is skipped rather than blocking the sweep. `pause` sleeps between pages
    (tests use it to kill a sweep mid-run)."""
    # UTC throughout: SQLite stores the wall time only and core.db.aware reads it as UTC
    now = (now or utcnow()).astimezone(timezone.utc)
    started = time.perf_counter()
    stats = {"orders": 0, "steps": 0, "warnings": 0, "skipped": 0, "pages": 0, "sent": 0}
    dialect = rt.engine.dialect.name
    seen: set[int] = set()
    timing = {"claim_s": 0.0, "compute_s": 0.0, "write_s": 0.0, "commit_s": 0.0}
    while max_orders is None or stats["orders"] < max_orders:
        with rt.uow() as uow:
            uow.sla_now = now
            t0 = time.perf_counter()
            page = _claim_page(uow, dialect, now, batch)
            if not page or all(o.id in seen for o, _ in page):
                break
            ids = [o.id for o, _ in page]
            seen.update(ids)
            existing = set(uow.session.execute(select(SlaWarningRow.key).where(
                SlaWarningRow.order_id.in_(ids))).scalars())
            timing["claim_s"] += time.perf_counter() - t0
            counts = {"orders": 0, "steps": 0, "warnings": 0, "compute_s": 0.0, "write_s": 0.0}
            try:
                _bulk_page(rt, uow, page, now, existing, counts)
                t1 = time.perf_counter()
                uow.commit()
                timing["commit_s"] += time.perf_counter() - t1
            except Exception as exc:
                log.warning("sla sweep: bulk page failed (%s); one order at a time", exc)
                uow.session.rollback()   # release the page's locks before redoing it
                counts = {"orders": 0, "steps": 0, "warnings": 0}
                stats["skipped"] += _one_by_one(rt, ids, now, counts)
            for k, v in counts.items():
                if k in timing:
                    timing[k] += v
                else:
                    stats[k] += v
            stats["pages"] += 1
        if pause:
            time.sleep(pause)
    from hotline.sla.handlers import send_due_deliveries
    stats["sent"] = send_due_deliveries(rt, now)
    stats["seconds"] = round(time.perf_counter() - started, 4)
    stats["phases"] = {k: round(v, 4) for k, v in timing.items()}   # where a busy tick went
    if stats["orders"]:
        log.info("sla sweep: %s", stats)
    return stats


def _one_by_one(rt, ids: list[int], now: datetime, stats: dict) -> int:
    """The slow path for one page: the use-case shape of workorders.commands.act per order."""
    skipped = 0
    with rt.uow() as uow:
        uow.sla_now = now
        rows = [r for r in _claim(uow, rt.engine.dialect.name, now, len(ids) * 2)
                if r.id in set(ids)]
        existing = set(uow.session.execute(select(SlaWarningRow.key).where(
            SlaWarningRow.order_id.in_(ids))).scalars())
        for row in rows:
            try:
                with uow.session.begin_nested():
                    process_order(rt, uow, row, now, existing, stats)
                stats["orders"] += 1
            except (StaleDataError, IntegrityError, DomainError):
                skipped += 1   # an overlapping writer changed it first: it recorded the steps
            except Exception:
                log.exception("sla sweep: order %s failed; retried in %s", row.id, BACKOFF)
                skipped += 1
                with uow.session.begin_nested():
                    uow.session.execute(update(WorkOrderRow.__table__)
                                        .where(WorkOrderRow.__table__.c.id == row.id)
                                        .values(next_check_at=now + BACKOFF))
        uow.commit()
    return skipped
