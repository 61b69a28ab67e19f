"""The runtime's configuration decides the rules it enforces (docs/design/architecture.md §2.6):
the 延期 caps come from config/sla.yaml `extensions`, the 退单 window from config/dispatch.yaml,
read from the runtime's own directory (no module cache to clear between runtimes)."""
from __future__ import annotations

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.config import REPO_ROOT
from hotline.services import rules
from hotline.services.app_config import load_config

TZ = ZoneInfo("Asia/Shanghai")


def _config(tmp_path, file: str, *changes: tuple[str, str]):
    d = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", d)
    p = d / file
    text = p.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    p.write_text(text, encoding="utf-8")
    return load_config(d)


def test_return_window_is_read_from_the_runtimes_config(sqlite_rt, tmp_path):
    dispatched = datetime(2026, 3, 3, 10, 0, tzinfo=TZ)   # a Tuesday
    assert rules.return_window_end(sqlite_rt)(dispatched).date().isoformat() == "2026-03-04"
    sqlite_rt.config = _config(tmp_path, "dispatch.yaml",
                               ("window_working_days: 1", "window_working_days: 2"))
    assert rules.return_window_end(sqlite_rt)(dispatched).date().isoformat() == "2026-03-05"
