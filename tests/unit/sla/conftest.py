"""Fixtures for the SLA unit tests: a config directory with a SMALL rapid-response list, so the
tests do not depend on the 65-item file's contents (only on its schema)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.sla.domain.calendar import WorkCalendar
from hotline.sla.domain.clocks import SlaEngine
from hotline.sla.domain.policy import load_policy

REPO_CONFIG = Path(__file__).resolve().parents[3] / "config"

RAPID_FIXTURE = """\
defaults: {contact_minutes: 30, onsite_minutes: 60, finish_working_days: 2}
items:
  - {code: t_pipe, name: 水管爆裂, category: water_supply, unit: util_water,
     contact_minutes: 30, onsite_minutes: 60, finish_working_days: 2, phrases: [水管爆裂]}
  - {code: t_drain, name: 排水管道堵塞冒溢, category: drainage, unit: dept_water,
     contact_minutes: 15, onsite_minutes: 240, finish_working_days: 1, phrases: [下水道堵了]}
"""


@pytest.fixture(scope="session")
def config_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("config")
    shutil.copy(REPO_CONFIG / "sla.yaml", d / "sla.yaml")
    shutil.copy(REPO_CONFIG / "appeal_types.yaml", d / "appeal_types.yaml")
    (d / "rapid_response.yaml").write_text(RAPID_FIXTURE, encoding="utf-8")
    (d / "calendar").mkdir()
    return d


@pytest.fixture(scope="session")
def policy(config_dir):
    return load_policy(config_dir)


@pytest.fixture(scope="session")
def engine(policy):
    return SlaEngine(policy, WorkCalendar())


@pytest.fixture(scope="session")
def cal():
    return WorkCalendar()
