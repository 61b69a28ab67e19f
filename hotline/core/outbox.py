"""The outbox: side effects written in the same transaction as the change, run after commit.

Two drains of the same table (docs/design/architecture.md §5.3, §5.4):
- embedded default (no REDIS_URL): `OutboxDrainer`, a thread of the service process, runs
  the handlers itself — never inside a request;
- production: `relay_once` puts pending rows on rq, a batch of up to RELAY_BATCH rows per
  job (job id = `outbox-<first id>-<last id>`), workers run `process_events` (one
  transaction per row, as before; rq's own per-job cost, ~2-4 ms of worker CPU, is paid once
  per batch instead of once per row). A Redis outage leaves rows pending; the relay retries,
  nothing is lost. Rows of a topic that no handler listens to are marked processed by the
  relay (and the embedded drain) without a job.
`process_event` is idempotent: the row is locked and its `processed_at` checked inside the
handler's own transaction, so a retried or duplicated job does its work once.
"""
from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

from sqlalchemy import select, update

from hotline.core import events
from hotline.core.db import utcnow
from hotline.core.orm import OutboxRow
from hotline.core.runtime import Runtime

log = logging.getLogger(__name__)
QUEUE_NAME = "hotline"
# a job lost with its worker is queued again after this long (env HOTLINE_REENQUEUE_AFTER,
# seconds: the fault tests use a few seconds)
REENQUEUE_AFTER = timedelta(seconds=float(os.environ.get("HOTLINE_REENQUEUE_AFTER", 300)))
RELAY_BATCH = 25     # outbox rows per rq job


def _handlers(rt: Runtime, topic: str) -> tuple:
    """The handlers of the event named `topic` (the table wired by core/bootstrap.py);
    none for an undeclared name (a row of an event since removed)."""
    cls = events.EVENTS.get(topic) or events.LEGACY_NAMES.get(topic)
    return rt.handlers.get(cls, ()) if cls is not None else ()


def process_event(rt: Runtime, event_id: int) -> bool:
    """Run one outbox row's handlers once. Returns False when it had already run."""
    with rt.uow() as uow:
        q = select(OutboxRow).where(OutboxRow.id == event_id)
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        row = uow.session.execute(q).scalar_one_or_none()
        if row is None or row.processed_at is not None:
            return False
        handlers = _handlers(rt, row.topic)
        if handlers:
            event = events.load(row.topic, dict(row.payload or {}))
            for handler in handlers:
                handler(rt, uow, row.id, event)
        row.processed_at = utcnow()
        row.attempts += 1
        uow.commit()
        return True


def process_events(rt: Runtime, event_ids: list[int]) -> int:
    """Run a batch of outbox rows, each in its own transaction (one failing handler never
    rolls back another row's work). Raises after the batch if any row failed, so rq retries
    the job; rows already done are no-ops then. Returns how many ran."""
    done, failed = _run_each(rt, event_ids)
    if failed:
        raise RuntimeError(f"outbox events failed: {failed}")
    return done


def _run_each(rt: Runtime, event_ids) -> tuple[int, list[int]]:
    """process_event for each id; a failure is logged and recorded on its row and never stops
    the others. Returns (how many ran, the ids that failed)."""
    done, failed = 0, []
    for event_id in event_ids:
        try:
            done += process_event(rt, event_id)
        except Exception as exc:
            log.exception("outbox event %s failed", event_id)
            _record_failure(rt, event_id, exc)
            failed.append(event_id)
    return done, failed


def pending_ids(rt: Runtime, limit: int = 200, for_relay: bool = False) -> list[int]:
    with rt.uow() as uow:
        q = select(OutboxRow.id).where(OutboxRow.processed_at.is_(None))
        if for_relay:
            stale = utcnow() - REENQUEUE_AFTER
            q = q.where((OutboxRow.enqueued_at.is_(None)) | (OutboxRow.enqueued_at < stale))
        return list(uow.session.execute(q.order_by(OutboxRow.id).limit(limit)).scalars())


def drain_once(rt: Runtime, limit: int = 200) -> int:
    """Embedded default: run pending handlers in this process. Returns how many ran."""
    return _run_each(rt, _skip_unhandled(rt, pending_ids(rt, limit)))[0]


def _skip_unhandled(rt: Runtime, ids: list[int]) -> list[int]:
    """Mark the rows no handler listens to processed (one UPDATE); return the others."""
    if not ids:
        return ids
    with rt.uow() as uow:
        rows = uow.session.execute(select(OutboxRow.id, OutboxRow.topic)
                                   .where(OutboxRow.id.in_(ids))).all()
        work, idle = _split_handled(rt, rows)
        if idle:
            _mark_done(uow, idle)
            uow.commit()
    return sorted(work)


def _split_handled(rt: Runtime, rows) -> tuple[list[int], list[int]]:
    """(ids of rows some handler listens to, ids of rows none does), in the rows' order."""
    work, idle = [], []
    for r in rows:
        (work if _handlers(rt, r.topic) else idle).append(r.id)
    return work, idle


def _mark_done(uow, ids: list[int]) -> None:
    uow.session.execute(update(OutboxRow).where(OutboxRow.id.in_(ids))
                        .where(OutboxRow.processed_at.is_(None))
                        .values(processed_at=utcnow(), attempts=OutboxRow.attempts + 1)
                        .execution_options(synchronize_session=False))


def _record_failure(rt: Runtime, event_id: int, exc: Exception) -> None:
    with rt.uow() as uow:
        row = uow.session.get(OutboxRow, event_id)
        if row is not None:
            row.attempts += 1
            row.last_error = repr(exc)[:2000]
            uow.commit()


def relay_once(rt: Runtime, limit: int = 500) -> int:
    """Production: put pending rows on rq. Raises if Redis is unreachable (rows stay).

    On PostgreSQL the rows are claimed with FOR UPDATE SKIP LOCKED, so relays in several
    worker processes never queue the same row at the same moment."""
    from rq import Queue
    stale = utcnow() - REENQUEUE_AFTER
    with rt.uow() as uow:
        # ids and topics only, and one UPDATE for the batch (not ORM objects, one UPDATE each)
        q = (select(OutboxRow.id, OutboxRow.topic).where(OutboxRow.processed_at.is_(None))
             .where((OutboxRow.enqueued_at.is_(None)) | (OutboxRow.enqueued_at < stale))
             .order_by(OutboxRow.id).limit(limit))
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = uow.session.execute(q).all()
        if not rows:
            return 0
        work, idle = _split_handled(rt, rows)
        if work:
            queue = Queue(rt.settings.queue_name, connection=rt.redis())
            batches = [work[i:i + RELAY_BATCH] for i in range(0, len(work), RELAY_BATCH)]
            queue.enqueue_many([Queue.prepare_data(
                "hotline.core.outbox_jobs.process_outbox_events", args=(ids,),
                job_id=f"outbox-{ids[0]}-{ids[-1]}", retry=_retry(), timeout=300,
                result_ttl=3600) for ids in batches])
            uow.session.execute(update(OutboxRow).where(OutboxRow.id.in_(work))
                                .values(enqueued_at=utcnow())
                                .execution_options(synchronize_session=False))
        if idle:   # nothing to run: done now, in the claiming transaction
            _mark_done(uow, idle)
        uow.commit()
        return len(rows)


def _retry():
    from rq import Retry
    return Retry(max=5, interval=[1, 5, 30, 120, 600])


class OutboxDrainer(threading.Thread):
    """The embedded default's background worker: a daemon thread of the service process.

    Wakes when a commit announced new rows (rt.wake_outbox) or every `interval` seconds, and
    also runs the periodic jobs (SLA sweep) that rq's scheduler runs in production."""

    def __init__(self, rt: Runtime, interval: float = 1.0, periodic=None):
        super().__init__(name="outbox-drainer", daemon=True)
        self.rt, self.interval = rt, interval
        self.periodic = periodic or []     # [(seconds, fn(rt))]
        self._stop = threading.Event()
        self._last: dict[int, float] = {}

    def run(self) -> None:
        import time
        while not self._stop.is_set():
            self.rt.wake_outbox.wait(self.interval)
            self.rt.wake_outbox.clear()
            try:
                drain_once(self.rt)
                now = time.monotonic()
                for i, (every, fn) in enumerate(self.periodic):
                    if now - self._last.get(i, 0) >= every:
                        self._last[i] = now
                        fn(self.rt)
            except Exception:   # keep the thread alive across DB hiccups
                log.exception("outbox drainer pass failed")

    def stop(self) -> None:
        self._stop.set()
        self.rt.wake_outbox.set()
