"""Corrections by the centre become labelled examples; retraining runs as a background job
with progress and publishes a model the running service picks up without restart."""
import time

import pytest
from sqlalchemy import select

from hotline.core.orm import LabelledExampleRow


def test_dispatcher_override_and_category_change_are_recorded(api, rt):
    o = api.create(content="市民反映小区楼下烧烤店油烟很大", queue=True)
    api.act("dispatcher", o["id"], "dispatch", unit="dept_urban", category="cooking_fumes")
    with rt.uow() as uow:
        ex = [(e.order_id, e.label, e.source) for e in
              uow.session.execute(select(LabelledExampleRow)).scalars()]
    assert [(i, lab) for i, lab, _ in ex] == [(o["id"], "cooking_fumes")]
    assert ex[0][2] in ("category_change", "dispatcher_override")
    hist = api.as_("admin").get(f"/api/v1/orders/{o['id']}").json["history"]
    assert hist[-1]["data"]["category"] == "cooking_fumes"
    r = api.as_("dispatcher").post(f"/api/v1/orders/{o['id']}/dispatch",
                                   json={"data": {"unit": "dept_urban", "category": "nope"}})
    assert r.status_code in (409, 422)


@pytest.mark.slow
def test_training_job_reports_progress_and_publishes(sqlite_api, sqlite_rt, tmp_path,
                                                       monkeypatch):
    # a private model store: other tests expect no published model
    monkeypatch.setenv("HOTLINE_VAR", str(tmp_path))
    from hotline.core.outbox import drain_once
    r = sqlite_api.as_("agent").post("/api/v1/classify/train")
    assert r.status_code == 403
    r = sqlite_api.as_("admin").post("/api/v1/classify/train")
    assert r.status_code == 202 and r.json["status"] == "queued"
    run_id = r.json["id"]
    drain_once(sqlite_rt)                      # the drainer starts the job after commit
    seen = set()
    deadline = time.time() + 240
    while time.time() < deadline:
        run = sqlite_api.as_("admin").get(f"/api/v1/classify/train/{run_id}").json
        seen.add(run["progress"])
        if run["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert run["status"] == "done", run
    assert run["model_version"] and run["examples"] >= 1500
    card = sqlite_api.as_("agent").get("/api/v1/classify/model").json
    assert card["version"] == run["model_version"]
    # the running app uses the new model at intake without restart
    o = sqlite_api.create(content="小区停水两天了, 请供水公司尽快恢复供水", town="town_humen")
    assert o["classification"]["model_version"] == run["model_version"]
    assert o["classification"]["suggestions"]
