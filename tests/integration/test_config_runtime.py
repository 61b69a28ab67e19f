"""The runtime's configuration decides the rules it enforces (docs/design/architecture.md §2.6):
the 延期 caps come from config/sla.yaml `extensions`, the 退单 window from config/dispatch.yaml,
read from the runtime's own directory (no module cache to clear between runtimes)."""
from __future__ import annotations

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.core.app_config import load_config
from hotline.core.config import REPO_ROOT
from hotline.workorders import commands as orders
from hotline.workorders import rules
from hotline.workorders.domain.model import Actor, RuleViolation

TZ = ZoneInfo("Asia/Shanghai")
AGENT = Actor("agent", "agent")
DISPATCHER = Actor("dispatcher", "dispatcher")
DEPT = Actor("dept_housing", "department", "dept_housing")


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


def _signed_order(rt) -> int:
    o = orders.create_order(rt, AGENT, {"content": "小区门口垃圾堆积多日无人清运, 气味难闻",
                                        "unit": "dept_housing", "appeal_type": "complaint"})
    orders.act(rt, DEPT, o["id"], "sign", {})
    return o["id"]


def _extend(rt, oid, days):
    orders.act(rt, DEPT, oid, "request_extension", {"reason": "需协调现场核查",
                                                    "data": {"days": days}})
    orders.act(rt, DISPATCHER, oid, "approve_extension", {"reason": "同意"})


def test_shipped_extension_caps_hold(sqlite_rt):
    oid = _signed_order(sqlite_rt)
    with pytest.raises(RuleViolation) as e:
        _extend(sqlite_rt, oid, 4)
    assert e.value.field == "days" and "1 至 3 个工作日" in str(e.value)
    for _ in range(3):
        _extend(sqlite_rt, oid, 1)
    with pytest.raises(RuleViolation, match="最多延期 3 次"):
        _extend(sqlite_rt, oid, 1)


def test_extension_caps_are_read_from_the_runtimes_config(sqlite_rt, tmp_path):
    sqlite_rt.config = _config(tmp_path, "sla.yaml", ("max_count: 3", "max_count: 1"),
                               ("max_working_days: 3", "max_working_days: 5"))
    oid = _signed_order(sqlite_rt)
    _extend(sqlite_rt, oid, 5)            # beyond the shipped 3 days: this city allows 5
    with pytest.raises(RuleViolation, match="最多延期 1 次"):
        _extend(sqlite_rt, oid, 1)


def test_return_window_is_read_from_the_runtimes_config(sqlite_rt, tmp_path):
    dispatched = datetime(2026, 3, 3, 10, 0, tzinfo=TZ)   # a Tuesday
    assert rules.return_window_end(sqlite_rt)(dispatched).date().isoformat() == "2026-03-04"
    sqlite_rt.config = _config(tmp_path, "dispatch.yaml",
                               ("window_working_days: 1", "window_working_days: 2"))
    assert rules.return_window_end(sqlite_rt)(dispatched).date().isoformat() == "2026-03-05"


def _reply_due(rt, oid):
    from hotline.sla import service as sla
    ds = sla.order_deadlines(rt, DISPATCHER, oid)["deadlines"]
    return next(d["due"] for d in ds if d["clock"] == "reply" and d["target"] == "legal"
                and d["running"])


def test_extension_is_refused_once_the_reply_deadline_has_passed(sqlite_rt):
    """Issue 14: a request made 40 days after dispatch was accepted."""
    from datetime import timedelta
    oid = _signed_order(sqlite_rt)
    late = datetime.fromisoformat(_reply_due(sqlite_rt, oid)) + timedelta(minutes=1)
    with pytest.raises(RuleViolation) as e:
        orders.act(sqlite_rt, DEPT, oid, "request_extension",
                   {"reason": "需协调", "data": {"days": 2}}, at=late)
    assert e.value.field == "days" and "已过" in str(e.value)
    # in time, the same request goes through
    orders.act(sqlite_rt, DEPT, oid, "request_extension", {"reason": "需协调",
                                                           "data": {"days": 2}})


def test_approval_is_capped_by_the_request_and_names_the_new_date(sqlite_rt):
    """Issue 14: an extension approved for 60 days went through; the caller is told the new
    date."""
    oid = _signed_order(sqlite_rt)
    before = _reply_due(sqlite_rt, oid)
    orders.act(sqlite_rt, DEPT, oid, "request_extension", {"reason": "需协调现场核查",
                                                           "data": {"days": 2}})
    with pytest.raises(RuleViolation) as e:
        orders.act(sqlite_rt, DISPATCHER, oid, "approve_extension",
                   {"reason": "同意", "data": {"days": 60}})
    assert e.value.field == "days" and "2 个工作日" in str(e.value)
    view = orders.act(sqlite_rt, DISPATCHER, oid, "approve_extension", {"reason": "同意"})
    approval = [t for t in view["history"] if t["action"] == "approve_extension"][-1]
    after = _reply_due(sqlite_rt, oid)
    assert approval["data"]["days"] == 2
    assert datetime.fromisoformat(approval["data"]["new_due"]) == datetime.fromisoformat(after)
    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)
