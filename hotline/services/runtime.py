"""The runtime every entry point builds once: settings, engine, city config, classifier."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from hotline.adapters.db import UnitOfWork, make_engine, session_factory
from hotline.config import CityConfig, Settings, city, var_dir

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    city: CityConfig
    engine: object = None
    sessions: object = None
    wake_outbox: threading.Event = field(default_factory=threading.Event)
    _predictor_store: object = None

    @classmethod
    def build(cls, settings: Settings | None = None, city_config: CityConfig | None = None):
        settings = settings or Settings.from_env()
        rt = cls(settings, city_config or city())
        rt.engine = make_engine(settings.database_url)
        rt.sessions = session_factory(rt.engine)
        return rt

    def uow(self) -> UnitOfWork:
        uow = UnitOfWork(self.sessions)
        uow.after_commit(self.wake_outbox.set)
        return uow

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
        if not self.settings.redis_url:
            return None
        from redis import Redis
        return Redis.from_url(self.settings.redis_url, socket_connect_timeout=2,
                              socket_timeout=5)
