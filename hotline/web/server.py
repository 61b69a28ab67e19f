"""gunicorn from code. Embedded default: one process whose background thread drains the
outbox. Production: N sync workers preloaded (jieba + model loaded once before fork,
performance.md §1), the outbox relayed by `hotline worker` processes."""
from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


def preload_classifier(rt) -> None:
    """Load jieba's dictionary and the model in the parent, so forks share them."""
    try:
        from hotline.classify import rapid, text
        text.initialize()
        rapid.default_detector()    # trains the small rapid-response model once (~1-2 s)
    except Exception:   # classifier optional: intake still works, orders queue for dispatch
        log.warning("classifier not preloaded", exc_info=True)
    rt.predictor()


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
    from hotline.services.runtime import Runtime
    from hotline.web.app import create_app
    rt = Runtime.build()
    preload_classifier(rt)
    embedded = rt.settings.embedded
    app = create_app(rt)
    opts = {"bind": f"{host}:{port}", "preload_app": True, "accesslog": "-",
            "timeout": 60, "graceful_timeout": 10}
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


def _start_drainer(rt) -> None:
    from hotline.services.outbox import OutboxDrainer
    from hotline.services.periodic import PERIODIC
    rt.engine.dispose(close=False)
    OutboxDrainer(rt, periodic=PERIODIC).start()
