"""Shared fixtures: real databases (SQLite and PostgreSQL), real Redis, the app, logins.

Server URLs: HOTLINE_TEST_DATABASE_URL / HOTLINE_TEST_REDIS_URL (defaults: the local servers).
A server that cannot be reached skips its tests with a loud summary line; under CI=true it
fails the run instead (a missing server is never silently skipped in CI).
"""
from __future__ import annotations

import os
import socket
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests are derandomized (the same examples on every run), so the suite is
# deterministic; HYPOTHESIS_PROFILE=explore searches new random examples during development.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

TMP = Path(tempfile.mkdtemp(prefix="hotline-test-"))
os.environ.setdefault("HOTLINE_VAR", str(TMP / "var"))
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

PG_URL = os.environ.get("HOTLINE_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
RUN_ID = uuid.uuid4().hex[:8]
PASSWORD = "hotline-demo-2026"
_UNREACHABLE: dict[str, str] = {}


def _reachable(url: str, default_port: int) -> bool:
    u = urlparse(url.replace("+psycopg", ""))
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or default_port), 2):
            return True
    except OSError:
        return False


def require_server(kind: str) -> None:
    url, port = (PG_URL, 5432) if kind == "postgresql" else (REDIS_URL, 6379)
    if _reachable(url, port):
        return
    msg = f"{kind} at {url} is unreachable"
    if IN_CI:
        pytest.fail(f"{msg} (CI=true: a missing server fails the run)", pytrace=False)
    _UNREACHABLE[kind] = msg
    pytest.skip(msg)


def pytest_terminal_summary(terminalreporter):
    for kind, msg in _UNREACHABLE.items():
        terminalreporter.write_sep("!", f"SKIPPED {kind.upper()} TESTS: {msg}", red=True,
                                   bold=True)


# ---------------------------------------------------------------- databases

def _pg_url_for_schema(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_schema():
    """A private schema per test run, so concurrent runs on one server never collide."""
    require_server("postgresql")
    from sqlalchemy import create_engine, text
    schema = f"t_{RUN_ID}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    yield schema
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def make_runtime(url: str, redis_url: str | None = None, queue_name: str | None = None):
    from hotline.core.config import Settings
    from hotline.core.runtime import Runtime
    settings = Settings.from_env(database_url=url, redis_url=redis_url,
                                 secret_key="test-secret", queue_name=queue_name or
                                 f"hotline-test-{RUN_ID}")
    if redis_url is None:
        settings = Settings(settings.database_url, None, "test-secret", True,
                            settings.queue_name)
    return Runtime.build(settings)


_MIGRATED: dict[str, object] = {}


def _fresh_runtime(backend: str, request, redis_url=None):
    from sqlalchemy import text

    from hotline.core.migrate import upgrade
    from hotline.core.orm import Base
    from hotline.workorders.seed import seed_users, sync_units
    if backend == "sqlite":
        path = TMP / f"db-{uuid.uuid4().hex[:8]}.sqlite"
        rt = make_runtime(f"sqlite:///{path}", redis_url)
        upgrade(rt.engine)
    else:
        schema = request.getfixturevalue("pg_schema")
        rt = make_runtime(_pg_url_for_schema(schema), redis_url)
        if "pg" not in _MIGRATED:
            upgrade(rt.engine)
            _MIGRATED["pg"] = True
        else:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            with rt.engine.begin() as c:
                c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    sync_units(rt)
    seed_users(rt)
    return rt


@pytest.fixture(params=["sqlite", "postgresql"])
def rt(request):
    """A runtime on a fresh database: once on SQLite, once on PostgreSQL."""
    runtime = _fresh_runtime(request.param, request)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def sqlite_rt(request):
    runtime = _fresh_runtime("sqlite", request)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def pg_rt(request):
    runtime = _fresh_runtime("postgresql", request)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def redis_url():
    require_server("redis")
    return REDIS_URL


# ---------------------------------------------------------------- HTTP

class Api:
    """A logged-in test client: api.as_("agent").post("/api/v1/orders", json=...)."""

    def __init__(self, app):
        self.app, self.client = app, app.test_client()
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            r = self.client.post("/api/v1/auth/token",
                                 json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.json
            self._tokens[username] = r.json["token"]
        return self._tokens[username]

    def headers(self, username: str) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def as_(self, username: str):
        api = self

        class _As:
            def __getattr__(self, method):
                def call(path, **kw):
                    kw.setdefault("headers", {}).update(api.headers(username))
                    return getattr(api.client, method)(path, **kw)
                return call
        return _As()

    def create(self, username="agent", **body):
        body.setdefault("content", "市民反映小区门口垃圾堆积多日无人清运, 气味难闻")
        r = self.as_(username).post("/api/v1/orders", json=body)
        assert r.status_code == 201, r.json
        return r.json

    def act(self, username, order_id, action, reason=None, expect=200, **data):
        r = self.as_(username).post(f"/api/v1/orders/{order_id}/{action}",
                                    json={"reason": reason, "data": data})
        assert r.status_code == expect, (action, r.status_code, r.json)
        return r.json


@pytest.fixture
def app(rt):
    from hotline.web.app import create_app
    return create_app(rt)


@pytest.fixture
def api(app):
    return Api(app)


@pytest.fixture
def sqlite_api(sqlite_rt):
    from hotline.web.app import create_app
    return Api(create_app(sqlite_rt))


def train_seed_model(home, threshold: float):
    """Publish a real classifier model, trained on the seed corpus without cross-validation
    (fixed `threshold`), in a private store under `home`; other tests expect none published.
    HOTLINE_VAR points at `home` only while it trains."""
    from hotline.classify.cli import seed_training_data, train_to_store
    old = os.environ.get("HOTLINE_VAR")
    os.environ["HOTLINE_VAR"] = str(home)
    try:
        texts, labels = seed_training_data()
        train_to_store(home / "models", texts, labels, publish=True, folds=0,
                       threshold=threshold)
    finally:
        if old is None:
            os.environ.pop("HOTLINE_VAR", None)
        else:
            os.environ["HOTLINE_VAR"] = old
    return home
