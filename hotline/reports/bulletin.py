"""The monthly bulletin (通报, issue 18 item 5): what it says (`build`), its preview and exports
(`render_pdf` / `render_xlsx` in reports/render.py), and publication (`publish`): the exact
bytes of each published edition are stored with their SHA-256 and the formula version, and
never change; publishing a month again makes a new numbered edition (reports/orm.py).

Sections other features fill later (the centre's own figures from the call-centre import, hard
cases) are hooks: `register_section(key, provider)`; a section with no provider, or whose
provider returns nothing, is printed as 本月暂无数据.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import Callable

from sqlalchemy import func, select

from hotline.core.db import utcnow
from hotline.reports import render, sql
from hotline.reports.orm import BulletinRow
from hotline.reports.service import (
    READERS,
    TIER_LABELS,
    TIERS,
    TZ,
    _scored,
    score_units,
)
from hotline.survey.domain.scoring import RATE_LABELS, main_faults, red_black
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role

TITLE = "东莞市12345政务服务便民热线工单办理情况通报（{y}年{m}月）"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PUBLISHERS = (Role.SUPERVISOR, Role.ADMIN)

# Section hooks (issue 18 item 5). A provider is `fn(rt, start: date, end: date)` returning
# a table {"columns": [[key, 中文], ...], "items": [...], "note": optional text} or None.
SECTIONS = {
    "hard_cases": "疑难工单",                  # hard cases (another feature fills this)
    "centre_figures": "热线中心运行指标（接通率等）",   # the centre's own figures (call-centre import)
}
_providers: dict[str, Callable] = {}


def register_section(key: str, provider: Callable | None) -> None:
    """Fill a bulletin section hook (`SECTIONS`); None clears it."""
    if key not in SECTIONS:
        raise KeyError(f"unknown bulletin section {key}")
    if provider is None:
        _providers.pop(key, None)
    else:
        _providers[key] = provider


def parse_month(month: str | None) -> tuple[str, date, date]:
    """YYYY-MM -> (month, first day, last day); None -> the previous calendar month."""
    if month is None:
        first = utcnow().astimezone(TZ).date().replace(day=1)
        prev = first - timedelta(days=1)
        month = f"{prev:%Y-%m}"
    m = MONTH.match(month or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise RuleViolation("月份格式须为 YYYY-MM (如 2026-11)", field="month")
    start = date(int(m.group(1)), int(m.group(2)), 1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return month, start, end


def _check(actor: Actor, roles=READERS) -> None:
    if actor.role not in roles:
        raise NotPermitted("无权查看或发布通报")


def _pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def build(rt, actor: Actor, month: str | None = None) -> dict:
    """Everything the bulletin says for one calendar month, as plain data (both renderers
    read this, so the PDF and the XLSX never disagree)."""
    _check(actor)
    month, start, end = parse_month(month)
    f = rt.config.scoring
    items = score_units(rt, start, end)
    with rt.uow() as uow:
        [total] = sql.grouped_sums(uow.session, [], start, end, utcnow()) or [None]
        [rapid] = sql.grouped_sums(uow.session, [], start, end, utcnow(),
                                   rapid_only=True) or [None]
    tiers, below = [], []
    for t in TIERS:
        rows = [i for i in items if i["tier"] == t]
        if not rows:
            continue
        ranked = [i for i in rows if i["rank"] is not None]
        red, black = red_black(ranked, f.list_size, f.pass_line)
        tiers.append({"tier": t, "name": TIER_LABELS[t], "ranked": ranked,
                      "unranked": [i for i in rows if i["rank"] is None],
                      "red": red, "black": black})
        for i in ranked:
            if i["score"] < f.pass_line:
                faults = main_faults(i, f)
                below.append({**i, "tier_name": TIER_LABELS[t],
                              "faults": [f"{RATE_LABELS[k]} {_pct(i.get(k))}" for k in faults]})
    sections = {}
    for key, title in SECTIONS.items():
        # the runtime's providers (wired in core/bootstrap.py), or one registered by a test
        provider = _providers.get(key) or getattr(rt, "bulletin_sections", {}).get(key)
        table = provider(rt, start, end) if provider else None
        sections[key] = {"title": title, "table": table or None}
    return {
        "month": month, "from": start.isoformat(), "to": end.isoformat(),
        "title": TITLE.format(y=start.year, m=start.month),
        "formula_version": f.version, "min_sample": f.min_sample, "pass_line": f.pass_line,
        "list_size": f.list_size,
        "overview": _scored(rt, total) if total else None,
        "rapid": _scored(rt, rapid) if rapid and rapid["assigned"] else None,
        "tiers": tiers, "below_line": below, "sections": sections,
        # every unit's name: the PDF's font subset then rarely changes from one bulletin to
        # the next, so it is built once per process (reports/render.py)
        "glyph_hint": "".join(sorted({c for u in rt.city.units.values() for c in u.name})),
    }


def outline(data: dict) -> dict:
    """The preview's list of sections (the supervisor page) without the tables."""
    out = [{"key": "overview", "title": "一、总体情况", "count": None}]
    n = 2
    for t in data["tiers"]:
        out.append({"key": f"tier_{t['tier']}", "title": f"{_cn(n)}、{t['name']}考评排名",
                    "count": len(t["ranked"]), "unranked": len(t["unranked"])})
        n += 1
    for key, title, count in (
            ("redblack", "红黑榜", sum(len(t["red"]) + len(t["black"]) for t in data["tiers"])),
            ("below_line", "未达标单位及主要问题", len(data["below_line"])),
            ("rapid", "快速响应事项办理情况", (data["rapid"] or {}).get("assigned", 0))):
        out.append({"key": key, "title": f"{_cn(n)}、{title}", "count": count})
        n += 1
    for key, s in data["sections"].items():
        out.append({"key": key, "title": f"{_cn(n)}、{s['title']}",
                    "count": len(s["table"]["items"]) if s["table"] else 0,
                    "empty": s["table"] is None})
        n += 1
    return {"month": data["month"], "title": data["title"],
            "formula_version": data["formula_version"], "sections": out}


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def publish(rt, actor: Actor, month: str | None) -> dict:
    """Store this month's bulletin as a new edition (never an overwrite)."""
    _check(actor, PUBLISHERS)
    data = build(rt, actor, month)
    pdf, xlsx = render.pdf(data), render.xlsx(data)
    with rt.uow() as uow:
        last = uow.session.execute(select(func.max(BulletinRow.edition))
                                   .where(BulletinRow.month == data["month"])).scalar()
        row = BulletinRow(month=data["month"], edition=(last or 0) + 1, published_at=utcnow(),
                          published_by=actor.username, formula_version=data["formula_version"],
                          pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                          xlsx=xlsx, xlsx_sha256=hashlib.sha256(xlsx).hexdigest())
        uow.session.add(row)
        uow.commit()
        return _meta(row, _names(uow.session, [row]))


def _names(session, rows) -> dict:
    """Publishers' display names (pages show names, never user codes)."""
    from hotline.core.orm import UserRow
    users = {r.published_by for r in rows}
    if not users:
        return {}
    return dict(session.execute(select(UserRow.username, UserRow.name)
                                .where(UserRow.username.in_(users))).all())


def _meta(row: BulletinRow, names: dict | None = None) -> dict:
    from hotline.workorders.views import iso
    return {"id": row.id, "month": row.month, "edition": row.edition,
            "published_at": iso(row.published_at), "published_by": row.published_by,
            "published_by_name": (names or {}).get(row.published_by, row.published_by),
            "formula_version": row.formula_version, "pdf_sha256": row.pdf_sha256,
            "xlsx_sha256": row.xlsx_sha256}


def published(rt, actor: Actor, month: str | None = None) -> list[dict]:
    _check(actor)
    q = select(BulletinRow).order_by(BulletinRow.month.desc(), BulletinRow.edition.desc())
    if month:
        q = q.where(BulletinRow.month == parse_month(month)[0])
    with rt.uow() as uow:
        rows = list(uow.session.execute(q).scalars())
        names = _names(uow.session, rows)
        return [_meta(r, names) for r in rows]


def published_file(rt, actor: Actor, bulletin_id: int, fmt: str) -> tuple[dict, bytes]:
    """The stored bytes of one edition, exactly as published."""
    _check(actor)
    with rt.uow() as uow:
        row = uow.session.get(BulletinRow, bulletin_id)
        if row is None:
            raise LookupError(bulletin_id)
        return _meta(row), (row.pdf if fmt == "pdf" else row.xlsx)
