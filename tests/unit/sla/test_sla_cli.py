"""`hotline sla due` / `calendar-check` as a user runs them: another directory, no database."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tests_sla_paths import REPO_CONFIG

CLI = [sys.executable, "-m", "hotline.sla.cli"]


def run(args, tmp_path, **env):
    e = {k: v for k, v in os.environ.items() if k != "HOTLINE_CONFIG"}
    e.update(env)
    return subprocess.run(CLI + args, cwd=tmp_path, capture_output=True, text=True, env=e, check=False,
                          timeout=60)


def test_due_prints_only_json_from_any_directory(tmp_path):
    r = run(["due", "--received", "2025-09-30T10:00:00+08:00", "--appeal-type", "complaint"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert list(doc) == ["deadlines"]
    rows = {(d["clock"], d["target"]): d for d in doc["deadlines"]}
    assert rows[("reply", "legal")]["due"] == "2025-10-28T23:59:59+08:00"
    assert rows[("sign", "legal")]["due"] == "2025-10-09T23:59:59+08:00"
    for d in doc["deadlines"]:
        assert set(d) == {"clock", "target", "due", "reason"}
        assert d["clock"] in {"sign", "contact", "onsite", "reply"}
        assert d["target"] in {"legal", "pledge"}


def test_due_urgent_adds_pledge(tmp_path):
    r = run(["due", "--received", "2025-09-30T10:00:00+08:00", "--appeal-type", "help",
             "--urgency", "urgent"], tmp_path)
    rows = {(d["clock"], d["target"]): d["due"] for d in json.loads(r.stdout)["deadlines"]}
    assert rows[("sign", "pledge")] == "2025-09-30T10:05:00+08:00"
    assert rows[("contact", "pledge")] == "2025-09-30T10:30:00+08:00"
    assert rows[("onsite", "pledge")] == "2025-09-30T11:00:00+08:00"
    assert rows[("reply", "pledge")] == "2025-10-10T23:59:59+08:00"
    assert rows[("reply", "legal")] == "2025-10-21T23:59:59+08:00"


def test_due_with_item_through_hotline_config(tmp_path, config_dir):
    r = run(["due", "--received", "2025-09-30T10:00:00+08:00", "--appeal-type", "help",
             "--item", "t_drain"], tmp_path, HOTLINE_CONFIG=str(config_dir))
    assert r.returncode == 0, r.stderr
    rows = {(d["clock"], d["target"]): d["due"] for d in json.loads(r.stdout)["deadlines"]}
    assert rows[("onsite", "pledge")] == "2025-09-30T14:00:00+08:00"
    assert rows[("reply", "pledge")] == "2025-10-09T23:59:59+08:00"


def test_due_unknown_item_fails_cleanly(tmp_path, config_dir):
    r = run(["due", "--received", "2025-09-30T10:00:00+08:00", "--appeal-type", "help",
             "--item", "nope"], tmp_path, HOTLINE_CONFIG=str(config_dir))
    assert r.returncode == 2 and r.stdout == "" and "nope" in r.stderr


def test_due_marks_provisional_in_2099(tmp_path):
    r = run(["due", "--received", "2099-03-02T09:00:00+08:00", "--appeal-type", "complaint"],
            tmp_path)
    rows = {(d["clock"], d["target"]): d for d in json.loads(r.stdout)["deadlines"]}
    assert "暂定" in rows[("reply", "legal")]["reason"]


def test_calendar_check_warns_for_missing_coming_year(tmp_path):
    r = run(["calendar-check", "--today", "2098-11-27"], tmp_path)
    assert r.returncode == 0
    assert "WARNING" in r.stderr and "2099" in r.stderr
    r = run(["calendar-check", "--today", "2098-11-27", "--strict"], tmp_path)
    assert r.returncode == 1


def test_calendar_check_quiet_for_covered_years(tmp_path):
    r = run(["calendar-check", "--today", "2024-11-27"], tmp_path)
    assert r.returncode == 0 and r.stderr == "" and "2025: chinese_calendar" in r.stdout


@pytest.mark.parametrize("year", [2099])
def test_calendar_check_sees_override_file(tmp_path, config_dir, year):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    for f in ("sla.yaml", "appeal_types.yaml"):
        (cfg / f).write_text((config_dir / f).read_text(encoding="utf-8"), encoding="utf-8")
    (cfg / "calendar").mkdir()
    (cfg / "calendar" / f"{year}.yaml").write_text(
        f"year: {year}\nsource: test\nholidays: [{year}-01-01]\nworkdays: []\n",
        encoding="utf-8")
    r = run(["calendar-check", "--today", f"{year - 1}-12-01"], tmp_path,
            HOTLINE_CONFIG=str(cfg))
    assert f"{year}: override" in r.stdout and "WARNING" in r.stderr   # 2098 itself missing
    assert f"no working-day calendar for {year}" not in r.stderr


def test_repo_config_exists():
    assert (REPO_CONFIG / "sla.yaml").exists()
