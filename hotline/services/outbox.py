"""The outbox: side effects written in the same transaction as the change, run after commit.

Two drains of the same table (architecture.md habit 7):
- embedded default (no REDIS_URL): `OutboxDrainer`, a thread of the service process, runs
  the handlers itself — never inside a request;
- production: `relay_once` puts pending rows on rq (job id = `outbox-<id>`), workers run
  `process_event`. A Redis outage leaves rows pending; the relay retries, nothing is lost.
`process_event` is idempotent: the row is locked and its `processed_at` checked inside the
handler's own transaction, so a retried or duplicated job does its work once.
"""
from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

from sqlalchemy import select

from hotline.adapters.db import utcnow
from hotline.adapters.orm import OutboxRow

from .runtime import Runtime

log = logging.getLogger(__name__)
QUEUE_NAME = "hotline"
# a job lost with its worker is queued again after this long (env HOTLINE_REENQUEUE_AFTER,
# seconds: the fault tests use a few seconds; issue 8)
REENQUEUE_AFTER = timedelta(seconds=float(os.environ.get("HOTLINE_REENQUEUE_AFTER", 300)))


def process_event(rt: Runtime, event_id: int) -> bool:
    """Run one outbox row's handler once. Returns False when it had already run."""
    from .handlers import HANDLERS
    with rt.uow() as uow:
        q = select(OutboxRow).where(OutboxRow.id == event_id)
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        row = uow.session.execute(q).scalar_one_or_none()
        if row is None or row.processed_at is not None:
            return False
        for handler in HANDLERS.get(row.topic, ()):
            handler(rt, uow, row.id, dict(row.payload or {}))
        row.processed_at = utcnow()
        row.attempts += 1
        uow.commit()
        return True


def pending_ids(rt: Runtime, limit: int = 200, for_relay: bool = False) -> list[int]:
    with rt.uow() as uow:
        q = select(OutboxRow.id).where(OutboxRow.processed_at.is_(None))
        if for_relay:
            stale = utcnow() - REENQUEUE_AFTER
            q = q.where((OutboxRow.enqueued_at.is_(None)) | (OutboxRow.enqueued_at < stale))
        return list(uow.session.execute(q.order_by(OutboxRow.id).limit(limit)).scalars())


def drain_once(rt: Runtime, limit: int = 200) -> int:
    """Embedded default: run pending handlers in this process. Returns how many ran."""
    done = 0
    for event_id in pending_ids(rt, limit):
        try:
            done += process_event(rt, event_id)
        except Exception as exc:   # one bad event must not stop the others
            log.exception("outbox event %s failed", event_id)
            _record_failure(rt, event_id, exc)
    return done


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
        q = (select(OutboxRow).where(OutboxRow.processed_at.is_(None))
             .where((OutboxRow.enqueued_at.is_(None)) | (OutboxRow.enqueued_at < stale))
             .order_by(OutboxRow.id).limit(limit))
        if rt.engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = uow.session.execute(q).scalars().all()
        if not rows:
            return 0
        queue = Queue(rt.settings.queue_name, connection=rt.redis())
        queue.enqueue_many([Queue.prepare_data(
            "hotline.jobs.outbox.process_outbox_event", args=(r.id,), job_id=f"outbox-{r.id}",
            retry=_retry(), timeout=300, result_ttl=3600) for r in rows])
        now = utcnow()
        for r in rows:
            r.enqueued_at = now
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
