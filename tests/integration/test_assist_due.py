"""协办 deadlines end at the end of a working day in the city's local time (Asia/Shanghai),
on SQLite and PostgreSQL (docs/design/domain.md §6.5)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def _local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(TZ)


def test_assist_due_is_end_of_a_local_working_day(api):
    oid = api.create(unit="town_humen", town="town_humen")["id"]
    api.act("town_humen", oid, "sign")
    api.act("town_humen", oid, "add_assist", unit="dept_env", task="夜间噪声检测", days=2)
    item = api.as_("dept_env").get("/api/v1/inbox?tab=assist").json["items"][0]
    due = _local(item["assist_task"]["due"])
    assert (due.hour, due.minute, due.second) == (23, 59, 59), item["assist_task"]["due"]
    facts = api.as_("town_humen").get(f"/api/v1/orders/{oid}/dispatch").json
    assert _local(facts["assist_tasks"][0]["due"]) == due
    o = api.as_("town_humen").get(f"/api/v1/orders/{oid}").json
    add = next(t for t in o["history"] if t["action"] == "add_assist")
    assert _local(add["data"]["due"]) == due
