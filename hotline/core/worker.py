"""`hotline worker`: an rq SimpleWorker plus the outbox relay and periodic jobs.

SimpleWorker runs jobs in the worker process (no fork per job: 3-4x the rate, and the
preloaded model is shared; docs/design/architecture.md §9.2). A job killed with its worker is not
lost: the relay queues any outbox row still unprocessed after REENQUEUE_AFTER again, and the job
body is idempotent."""
from __future__ import annotations

import logging
import threading
import time

from hotline.core.outbox import relay_once

log = logging.getLogger(__name__)
SLOW_JOB = 0.05   # seconds: periodic jobs slower than this are logged at INFO


class Relay(threading.Thread):
    def __init__(self, rt, interval: float = 0.5):
        super().__init__(name="outbox-relay", daemon=True)
        self.rt, self.interval = rt, interval
        self.stop_event = threading.Event()
        self._last: dict[int, float] = {}

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                relay_once(self.rt)
            except Exception as exc:   # Redis or DB down: rows stay pending, try again
                log.warning("outbox relay: %s", exc.__class__.__name__)
            now = time.monotonic()
            for i, (every, fn) in enumerate(self.rt.periodic):
                if now - self._last.get(i, 0) >= every:
                    self._last[i] = now
                    t0 = time.perf_counter()
                    try:
                        fn(self.rt)
                    except Exception:
                        log.exception("periodic job failed")
                    # a slow periodic job is the first suspect of a latency stall
                    took = time.perf_counter() - t0
                    log.log(logging.INFO if took >= SLOW_JOB else logging.DEBUG,
                            "periodic %s took %.3f s", fn.__name__, took)
            self.stop_event.wait(self.interval)


def run_worker(rt, burst: bool = False, relay: bool = True) -> int:
    from rq import Queue
    from rq.worker import SimpleWorker

    from hotline.web.server import preload_classifier
    if rt.settings.redis_url is None:
        log.error("REDIS_URL is not set: the embedded default drains its outbox in the web "
                  "process; `hotline worker` is for the production path")
        return 2
    preload_classifier(rt)
    import hotline.core.outbox_jobs  # noqa: F401  (import job modules before work starts)
    from hotline.web.server import freeze_heap
    freeze_heap()   # full collections skip the preloaded model (web/server.py says why)
    conn = rt.new_redis()   # rq raises this pool's socket timeout; the relay keeps rt.redis()
    relay_thread = None
    if relay:
        if burst:
            relay_once(rt)
        else:
            relay_thread = Relay(rt)
            relay_thread.start()
    from redis.exceptions import ConnectionError as RedisDown
    from redis.exceptions import TimeoutError as RedisTimeout
    while True:
        try:
            w = SimpleWorker([Queue(rt.settings.queue_name, connection=conn)], connection=conn)
            w.work(burst=burst, with_scheduler=False)
            break
        except (RedisDown, RedisTimeout) as exc:
            # Redis went away: wait for it and start working again (the relay re-queues
            # what the lost queue held; docs/design/architecture.md §5.4). Burst mode just reports.
            if burst:
                raise
            log.warning("worker: Redis unavailable (%s); retrying", exc.__class__.__name__)
            time.sleep(1.0)
    if relay_thread:
        relay_thread.stop_event.set()
    return 0
