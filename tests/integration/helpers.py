"""Private servers for fault tests: they never touch the shared instances."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server on a spare port that a test can stop and start again."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


def hotline_cmd(args: list[str], env: dict, timeout: float = 120,
                **kw) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], env=full_env,
                          cwd=REPO, timeout=timeout, capture_output=True, text=True, **kw)


def runtime_env(rt) -> dict:
    s = rt.settings
    env = {"DATABASE_URL": rt.engine.url.render_as_string(hide_password=False),
           "SECRET_KEY": s.secret_key, "HOTLINE_QUEUE": s.queue_name}
    if s.redis_url:
        env["REDIS_URL"] = s.redis_url
    return env


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    """A PostgreSQL cluster of its own on a spare port (fault tests): initdb/pg_ctl run
    as the postgres user (the server refuses root), trust auth on 127.0.0.1 only. A test can
    restart or stop it without touching the shared server."""

    def __init__(self, port: int | None = None):
        import tempfile
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.data = self.dir / "data"

    def _as_pg(self, *args, check=True, timeout=60):
        cmd = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def start(self) -> "PrivatePostgres":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        if not self.data.exists():
            self._as_pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--no-sync")
        self._as_pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                    str(self.dir / "log"), "-o",
                    f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                    f"-c fsync=off -c max_connections=200", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._as_pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop",
                    check=False)

    def restart(self) -> None:
        self.stop("immediate")
        self.start()

    def createdb(self, name: str) -> str:
        from sqlalchemy import create_engine, text
        eng = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        eng.dispose()
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def available() -> bool:
        return (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None


def wait_http(url: str, timeout: float = 60) -> None:
    import urllib.request
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")
