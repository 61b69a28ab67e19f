"""Real-browser fixtures: Debian's chromium driven by Python Playwright (never
`playwright install`), against the app served by a real HTTP server on loopback."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import IN_CI, PASSWORD, _fresh_runtime

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


def _fonts_present() -> bool:
    return Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc").exists()


def ensure_browser_packages() -> None:
    """Install Debian's chromium and a CJK font when missing, so Chinese renders."""
    if os.path.exists(CHROMIUM) and _fonts_present():
        return
    if shutil.which("apt-get") is None:
        pytest.skip("apt-get unavailable: cannot install chromium")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
    r = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-wqy-zenhei"],
                       env=env, timeout=1200, capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(CHROMIUM):
        msg = f"could not install chromium: {r.stderr[-500:]}"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)


class LiveServer:
    def __init__(self, rt):
        from werkzeug.serving import make_server

        from hotline.core.outbox import OutboxDrainer
        from hotline.web.app import create_app
        self.rt = rt
        self.app = create_app(rt)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.drainer = OutboxDrainer(rt, interval=0.2)

    def start(self):
        # as the production server does before it forks (web/server.py): the triage models
        # are trained once per process here, not inside the first request a test times
        from hotline.web.server import preload_classifier
        preload_classifier(self.rt)
        self.thread.start()
        self.drainer.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.drainer.stop()


@pytest.fixture
def live_server(request):
    rt = _fresh_runtime("sqlite", request)
    server = LiveServer(rt).start()
    yield server
    server.stop()
    rt.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    ensure_browser_packages()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def watch_console(pg) -> list[str]:
    """Collect what must never happen on a page: a Content-Security-Policy refusal (something
    inline that the CSP blocked, i.e. a page silently broken, issue 12) and an uncaught script
    error. The page fixtures fail the test when the list is not empty."""
    problems: list[str] = []

    def on_console(msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            problems.append(f"{pg.url}: {msg.text}")

    def on_error(exc):
        # requireLogin() stops a page's script on purpose when nobody is logged in
        if "not logged in" not in str(exc):
            problems.append(f"{pg.url}: uncaught {exc}")

    pg.on("console", on_console)
    pg.on("pageerror", on_error)
    return problems


def _context_page(browser, **options):
    ctx = browser.new_context(**options)
    pg = ctx.new_page()
    problems = watch_console(pg)
    yield pg
    ctx.close()
    if problems:
        pytest.fail("browser console:\n" + "\n".join(problems))


@pytest.fixture
def page(browser):
    yield from _context_page(browser, viewport={"width": 1280, "height": 900}, locale="zh-CN")


@pytest.fixture
def phone_page(browser):
    yield from _context_page(browser, viewport={"width": 390, "height": 844},
                             device_scale_factor=2, is_mobile=True, has_touch=True,
                             locale="zh-CN")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-btn")
    page.wait_for_url(lambda u: "/login" not in u)
