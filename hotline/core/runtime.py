"""The runtime every entry point builds once: settings, engine, configuration, classifier,
the SMS gateway (core/sms.py: HOTLINE_SMS chooses the adapter).

`rt.config` is the one loaded, validated configuration (core/app_config.py,
docs/design/architecture.md §2.6); services read it from here, never from a module cache."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from hotline.core.app_config import AppConfig, load_config
from hotline.core.config import CityConfig, Settings, var_dir
from hotline.core.db import UnitOfWork, make_engine, session_factory

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    config: AppConfig
    engine: object = None
    sessions: object = None
    wake_outbox: threading.Event = field(default_factory=threading.Event)
    _predictor_store: object = None
    # small per-process caches of rarely changing rows (key -> (expires, value)); see cached()
    _cache: dict = field(default_factory=dict)
    _redis: object = None
    # the SMS port's adapter and the units' duty phones (sms.SmsSetup); built from the
    # environment by `build`, replaced by tests that point it at a fake provider
    sms: object = None

    @property
    def city(self) -> CityConfig:
        return self.config.city

    # the wiring, set by core/bootstrap.py (Runtime.build calls it): event class ->
    # handlers, after-save hooks, periodic jobs [(every_seconds, fn(rt))]
    handlers: dict | None = None
    after_save: tuple | None = None
    periodic: tuple = ()

    @classmethod
    def build(cls, settings: Settings | None = None, config: AppConfig | None = None):
        """`config`: an already loaded configuration, else config/ (or $HOTLINE_CONFIG)."""
        settings = settings or Settings.from_env()
        rt = cls(settings, config or load_config())
        rt.engine = make_engine(settings.database_url)
        rt.sessions = session_factory(rt.engine)
        from hotline.core.sms import setup_from_env
        rt.sms = setup_from_env()   # a bad HOTLINE_SMS* fails the start, variable named
        # imported here: the handlers it wires import this module
        from hotline.core.bootstrap import bootstrap
        return bootstrap(rt)

    def uow(self) -> UnitOfWork:
        uow = UnitOfWork(self.sessions)
        uow.after_commit(self.wake_outbox.set)
        return uow

    def cached(self, key: str, ttl: float, load):
        """`load()` at most once per `ttl` seconds in this process. For reference rows that
        change a few times a year (saved routing rulings): intake reads them on every order.
        The process that changes them calls `forget(key)` after its commit; other processes
        see the change within `ttl`."""
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        self._cache[key] = (now + ttl, value)
        return value

    def forget(self, key: str) -> None:
        self._cache.pop(key, None)

    def model_store(self):
        """The classifier's model store (imports scikit-learn lazily, only when used)."""
        if self._predictor_store is None:
            from hotline.classify.store import ModelStore
            self._predictor_store = ModelStore(var_dir() / "models")
        return self._predictor_store

    def predictor(self):
        store = self.model_store()
        if store is None:
            return None
        try:
            return store.current()
        except Exception:  # no model published yet: intake works, orders queue for dispatch
            if not getattr(self, "_warned_no_model", False):
                self._warned_no_model = True
                log.warning("no classifier model published; orders go to the dispatcher queue")
            return None

    def redis(self):
        """One client (and connection pool) per runtime, not one per call: the relay asks
        every half second. redis-py's pool reconnects after an outage and resets itself in
        a forked child (it checks the pid)."""
        if not self.settings.redis_url:
            return None
        if self._redis is None:
            self._redis = self.new_redis()
        return self._redis

    def new_redis(self):
        """A client of its own (rq's worker raises its pool's socket timeout for BLPOP)."""
        from redis import Redis
        return Redis.from_url(self.settings.redis_url, socket_connect_timeout=2,
                              socket_timeout=5)
