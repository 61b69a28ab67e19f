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
