"""gunicorn from code. Embedded default: one process whose background thread drains the
outbox. Production: N sync workers preloaded (jieba + model loaded once before fork,
docs/design/architecture.md §9.2), the outbox relayed by `hotline worker` processes."""
from __future__ import annotations

import logging
import os
import time

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


def preload_classifier(rt) -> None:
    """Load jieba's dictionary and the model in the parent, so forks share them."""
    try:
        from hotline.classify import appeal_type, text, triage
        text.initialize()
        # the intake triage's defaults (learning/classification.py): the appeal-type model is
        # trained once from its shipped corpus (~1 s), the rules and towns read from config/
        appeal_type.default_model()
        triage.default_rules(), triage.default_towns(), triage.default_policy()
    except Exception:   # classifier optional: intake still works, orders queue for dispatch
        log.warning("classifier not preloaded", exc_info=True)
    rt.predictor()
    # The configuration (SLA policy, calendar, ...) was loaded by Runtime.build in this
    # parent process, so the forked workers share it (docs/design/architecture.md §2.6).


def freeze_heap() -> None:
    """Move everything loaded so far (jieba's dictionary, the model, Flask, SQLAlchemy:
    ~180,000 tracked objects) into the collector's permanent generation, right before the
    workers fork (the gc module's documented recipe for pre-fork servers). Without it every
    full collection of a worker walks all of them: 85 ms on an idle core, 200-360 ms under
    load, and the four forked workers reach it after the same number of requests, so all of
    them stall at once; that was the inbox's 0.3-0.5 s p99 outlier in one bench run of three
    (bench/results/load.md). Frozen objects are never collected, which is right for state
    that lives as long as the process; it also keeps their pages shared after fork."""
    import gc
    gc.collect()
    gc.freeze()


class HotlineServer(BaseApplication):
    def __init__(self, app_factory, options):
        self.app_factory, self.options = app_factory, options
        super().__init__()

    def load_config(self):
        for k, v in self.options.items():
            self.cfg.set(k, v)

    def load(self):
        return self.app_factory()


def serve(host: str, port: int, workers: int | None) -> None:
    from hotline.core.runtime import Runtime
    from hotline.web.app import create_app
    rt = Runtime.build()
    preload_classifier(rt)
    embedded = rt.settings.embedded
    app = create_app(rt)
    freeze_heap()
    opts = {"bind": f"{host}:{port}", "preload_app": True, "accesslog": "-",
            "timeout": 60, "graceful_timeout": 10, **access_log_options()}
    if embedded:
        # One process (SQLite has one writer); threads serve requests while the drainer
        # thread, started in the worker after fork, runs the outbox and the periodic sweep.
        opts.update(workers=1, worker_class="gthread", threads=4,
                    post_worker_init=lambda worker: _start_drainer(rt))
    else:
        opts.update(workers=workers or 2, worker_class="sync",
                    post_fork=lambda server, worker: rt.engine.dispose(close=False))
    print(f"hotline listening on http://{host}:{port} "
          f"({'embedded: SQLite + in-process outbox' if embedded else 'PostgreSQL + rq'})",
          flush=True)
    HotlineServer(lambda: app, opts).run()


def access_log_options() -> dict:
    """HOTLINE_ACCESS_LOG: unset = gunicorn's common log format; "timing" = when the request
    ended, in milliseconds, and its duration (bench/bench_load.py correlates slow requests
    with PostgreSQL's and the worker's logs); "off" = no access log."""
    mode = os.environ.get("HOTLINE_ACCESS_LOG", "")
    if mode == "off":
        return {"accesslog": None}
    if mode == "timing":
        return {"logger_class": "hotline.web.server.TimingAccessLogger",
                "post_worker_init": lambda worker: watch_gc(),
                "access_log_format": '%(t)s %(p)s "%(r)s" %(s)s %(b)s %(D)sus'}
    return {}


class TimingAccessLogger(glogging.Logger):
    """%(t)s (the end of the request) with milliseconds; gunicorn's own has whole seconds."""

    def now(self):
        return _stamp_ms()


def _stamp_ms() -> str:
    """[YYYY-mm-dd HH:MM:SS.mmm], local time: the access log's and the GC log's timestamps."""
    t = time.time()
    return time.strftime("[%Y-%m-%d %H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}]"


def watch_gc(threshold: float = 0.02) -> None:
    """Log every full (generation 2) garbage collection of this process that takes longer
    than `threshold` seconds, with the time it ended, next to the access log."""
    import gc
    import sys
    started = [0.0]

    def cb(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        elif info.get("generation") == 2:
            took = time.perf_counter() - started[0]
            if took >= threshold:
                print(f"{_stamp_ms()} <{os.getpid()}> gc gen2 {took * 1e6:.0f}us"
                      f" collected={info.get('collected')} tracked={len(gc.get_objects(2))}",
                      file=sys.stderr, flush=True)
    gc.callbacks.append(cb)


def _start_drainer(rt) -> None:
    from hotline.core.outbox import OutboxDrainer
    rt.engine.dispose(close=False)
    OutboxDrainer(rt, periodic=rt.periodic).start()
