"""The monthly bulletin (通报, issue 18 item 5) over the demo data: the previous calendar month
as a PDF in Chinese with its fonts embedded, the same as XLSX, publication as append-only
numbered editions, and the section hooks other features fill."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.core.db import utcnow
from tests.conftest import IN_CI, Api

TZ = ZoneInfo("Asia/Shanghai")
COUNT = 160   # demo orders over the last 60 days (hotline seed-demo's history)


def _tool(name: str) -> str:
    """poppler-utils' pdftotext / pdffonts, installed from Debian when missing (like chromium
    for the browser tests): CI must read the PDF as a person would."""
    if shutil.which(name) is None and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "poppler-utils"], check=False,
                       env=env, timeout=900, capture_output=True)
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} (poppler-utils) is missing")
        pytest.skip(f"{name} (poppler-utils) is missing")
    return path


def pdf_text(pdf: bytes) -> str:
    r = subprocess.run([_tool("pdftotext"), "-layout", "-", "-"], input=pdf,
                       capture_output=True, check=True, timeout=60)
    return r.stdout.decode("utf-8")


def pdf_fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    f = tmp_path / "b.pdf"
    f.write_bytes(pdf)
    out = subprocess.run([_tool("pdffonts"), str(f)], capture_output=True, check=True,
                         text=True, timeout=60).stdout.splitlines()[2:]
    return [line.split() for line in out]


def previous_month() -> str:
    first = utcnow().astimezone(TZ).date().replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


@pytest.fixture(scope="module")
def demo(request):
    from hotline.web.app import create_app
    from hotline.workorders.seed import seed_demo_orders
    from tests.conftest import _fresh_runtime
    rt = _fresh_runtime("sqlite", request)
    assert seed_demo_orders(rt, COUNT) == COUNT
    yield rt, Api(create_app(rt))
    rt.engine.dispose()


def test_previous_month_is_a_chinese_pdf_with_every_tier(demo, tmp_path):
    rt, api = demo
    month = previous_month()
    r = api.as_("supervisor").get(f"/api/v1/reports/bulletin?month={month}")
    assert r.status_code == 200, r.data[:300]
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["X-Formula-Version"] == rt.config.scoring.version
    text = pdf_text(r.data)
    y, m = int(month[:4]), int(month[5:])
    assert "通报" in text and f"{y}年{m}月" in text
    for heading in ("市直部门考评排名", "镇街园区考评排名", "公用企业考评排名", "红黑榜",
                    "未达标单位及主要问题", "快速响应事项办理情况"):
        assert heading in text, heading
    # the tiers' tables name the units in Chinese, never by code
    for name in ("市住房和城乡建设局", "虎门镇", "东莞供电局"):
        assert name in text, name
    assert "town_humen" not in text and "dept_" not in text
    # the hooks other features fill later say so
    assert "疑难工单" in text and "接通率" in text and "本月暂无数据" in text
    assert f"考评公式版本 {rt.config.scoring.version}" in text.replace("：", " ")
    # every font is embedded (no system font needed to read it)
    fonts = pdf_fonts(r.data, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts
    assert any("NotoSansSC" in row[0] for row in fonts)


def test_ranked_units_carry_their_rank_in_the_pdf(demo, monkeypatch):
    """The demo's month has few orders per unit; with a minimum sample of 1 every unit with
    a scored order is ranked, and the PDF prints rank and Chinese name on one line."""
    rt, api = demo
    monkeypatch.setattr(rt, "config", replace(rt.config, scoring=replace(
        rt.config.scoring, min_sample=1)))
    month = previous_month()
    data = api.as_("supervisor").get(
        f"/api/v1/reports/units?tier=town&from={month}-01&to={_last(month)}").json
    ranked = [i for i in data["items"] if i["rank"] is not None]
    assert ranked, "the demo month has town orders"
    assert [i["rank"] for i in ranked][0] == 1
    text = pdf_text(api.as_("supervisor").get(f"/api/v1/reports/bulletin?month={month}").data)
    lines = [ln.split() for ln in text.splitlines()]
    first = ranked[0]["unit_name"]
    assert any(ln[:2] == ["1", first] for ln in lines if len(ln) >= 2), first


def _last(month: str) -> str:
    y, m = int(month[:4]), int(month[5:])
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - timedelta(days=1)).isoformat()


def test_xlsx_has_a_sheet_per_section(demo):
    from openpyxl import load_workbook
    rt, api = demo
    r = api.as_("supervisor").get(f"/api/v1/reports/bulletin?month={previous_month()}&format=xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[:4] == ["概况", "市直部门排名", "镇街园区排名", "公用企业排名"]
    assert "红黑榜" in wb.sheetnames and "未达标单位" in wb.sheetnames
    towns = [row[1] for row in wb["镇街园区排名"].iter_rows(min_row=2, values_only=True)]
    assert "虎门镇" in towns and len(towns) == len(rt.city.towns)
    assert wb["疑难工单"]["A1"].value == "本月暂无数据"


def test_publish_makes_numbered_editions_that_never_change(demo):
    from hotline.reports.orm import BulletinRow, PublishedBulletinImmutable
    rt, api = demo
    month = previous_month()
    sup = api.as_("supervisor")
    first = sup.post("/api/v1/reports/bulletins", json={"month": month})
    assert first.status_code == 201, first.json
    second = sup.post("/api/v1/reports/bulletins", json={"month": month})
    assert second.status_code == 201
    assert (first.json["edition"], second.json["edition"]) == (1, 2)
    assert first.json["formula_version"] == rt.config.scoring.version
    # the stored bytes come back exactly, with their hash
    got = sup.get(f"/api/v1/reports/bulletins/{first.json['id']}/pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert hashlib.sha256(got.data).hexdigest() == first.json["pdf_sha256"] \
        == got.headers["X-Content-SHA256"]
    x = sup.get(f"/api/v1/reports/bulletins/{first.json['id']}/xlsx")
    assert hashlib.sha256(x.data).hexdigest() == first.json["xlsx_sha256"]
    listed = sup.get(f"/api/v1/reports/bulletins?month={month}").json["items"]
    assert [b["edition"] for b in listed] == [2, 1]
    # the table refuses any change of a published edition
    with rt.uow() as uow:
        row = uow.session.get(BulletinRow, first.json["id"])
        row.pdf = b"%PDF-forged"
        with pytest.raises(PublishedBulletinImmutable):
            uow.session.flush()
        uow.session.rollback()
    with rt.uow() as uow:
        row = uow.session.get(BulletinRow, first.json["id"])
        uow.session.delete(row)
        with pytest.raises(PublishedBulletinImmutable):
            uow.session.flush()
        uow.session.rollback()
    again = sup.get(f"/api/v1/reports/bulletins/{first.json['id']}/pdf")
    assert hashlib.sha256(again.data).hexdigest() == first.json["pdf_sha256"]


def test_bad_input_and_who_may(demo):
    rt, api = demo
    sup = api.as_("supervisor")
    for bad in ("2026-13", "2026/11", "11-2026", "1999-01"):
        r = sup.get(f"/api/v1/reports/bulletin?month={bad}")
        assert r.status_code == 422, bad
        assert "month" in r.json["error"]["fields"]
    r = sup.get("/api/v1/reports/bulletin?format=docx")
    assert r.status_code == 422 and "format" in r.json["error"]["fields"]
    assert sup.post("/api/v1/reports/bulletins", json={}).status_code == 422
    assert sup.get("/api/v1/reports/bulletins/999999/pdf").status_code == 404
    assert sup.get("/api/v1/reports/bulletins/1/docx").status_code == 404
    # a unit neither reads nor publishes the bulletin; a leader reads but does not publish
    assert api.as_("town_humen").get("/api/v1/reports/bulletin?format=outline").status_code == 403
    assert api.as_("leader").post("/api/v1/reports/bulletins",
                                  json={"month": previous_month()}).status_code == 403
    r = api.as_("leader").get("/api/v1/reports/bulletin?format=outline")
    assert r.status_code == 200 and r.json["sections"][0]["title"] == "一、总体情况"


def test_section_hooks_fill_the_bulletin(demo):
    from hotline.reports import bulletin
    rt, api = demo

    def centre(rt_, start, end):
        return {"columns": [["hour", "时段"], ["answer_rate", "接通率"]],
                "items": [{"hour": "09:00-10:00", "answer_rate": 0.936}], "note": "来自话务系统"}
    bulletin.register_section("centre_figures", centre)
    try:
        r = api.as_("supervisor").get(f"/api/v1/reports/bulletin?month={previous_month()}")
        text = pdf_text(r.data)
        assert "09:00-10:00" in text and "93.6%" in text and "来自话务系统" in text
        o = api.as_("supervisor").get("/api/v1/reports/bulletin?format=outline").json
        sec = {s["key"]: s for s in o["sections"]}
        assert sec["centre_figures"]["count"] == 1 and sec["hard_cases"]["empty"] is True
    finally:
        bulletin.register_section("centre_figures", None)
    with pytest.raises(KeyError):
        bulletin.register_section("weather", centre)


def test_centre_figures_come_from_the_imported_switch_events(demo):
    """The bulletin's 接通率 section is filled by the call-centre import (wired in
    core/bootstrap.py): 4 calls in the month, 3 answered (2 within 15 s), 1 abandoned."""
    from datetime import datetime

    from hotline.callcentre import service as calls
    from hotline.callcentre.domain.queue_log import parse_line
    rt, api = demo
    y, m = map(int, previous_month().split("-"))
    t0 = int(datetime(y, m, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    lines = []
    for i, (hold, outcome) in enumerate([(5, "CONNECT"), (12, "CONNECT"), (40, "CONNECT"),
                                         (30, "ABANDON")]):
        at, cid = t0 + i * 600, f"c{i}"
        lines.append(f"{at}|{cid}|12345|NONE|ENTERQUEUE||13800000000|1")
        if outcome == "CONNECT":
            lines.append(f"{at + hold}|{cid}|12345|Agent/1001|CONNECT|{hold}|{cid}|2")
            lines.append(f"{at + hold + 60}|{cid}|12345|Agent/1001|COMPLETECALLER|{hold}|60|1")
        else:
            lines.append(f"{at + hold}|{cid}|12345|NONE|ABANDON|1|1|{hold}")
    calls.ingest(rt, [e for e in map(parse_line, lines) if e], "test")
    o = api.as_("supervisor").get("/api/v1/reports/bulletin?format=outline").json
    assert {s["key"]: s for s in o["sections"]}["centre_figures"]["empty"] is False
    text = pdf_text(api.as_("supervisor").get(
        f"/api/v1/reports/bulletin?month={previous_month()}").data)
    assert "接通率" in text and "75.0%" in text and "25.0%" in text and "50.0%" in text
