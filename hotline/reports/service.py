"""Supervisor reports: each function returns {"columns": [[key, 中文], ...], "items": [...]}
so any table exports as CSV or XLSX the same way (reports/api.py)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.core.db import utcnow
from hotline.reports import sql
from hotline.survey.domain.scoring import RATE_LABELS, rank, rates
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import STATUS_LABELS, Role

TZ = ZoneInfo("Asia/Shanghai")
READERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.DISPATCHER)
COUNT_LABELS = {"assigned": "派单量", "population": "计分工单", "closed": "办结量",
                "answers": "有效评价", "unreachable": "无法联系", "returns_req": "退单申请",
                "returns_ok": "合理退单", "returns_bad": "不当退单", "send_backs": "回退次数",
                "unreasonable": "最终答复(不计分)", "excluded_ratings": "申诉撤销评价"}
# the report's rate columns are the scoring formula's rates, in its order (one list: a new
# rate is declared once, in survey/domain/scoring.py)
RATE_KEYS = list(RATE_LABELS)


def _check(actor: Actor) -> None:
    if actor.role not in READERS:
        raise NotPermitted("无权查看报表")


def parse_period(frm: str | None, to: str | None) -> tuple[date, date]:
    today = utcnow().astimezone(TZ).date()
    try:
        end = date.fromisoformat(to) if to else today
        start = date.fromisoformat(frm) if frm else end.replace(day=1)
    except ValueError as exc:
        raise RuleViolation("日期格式须为 YYYY-MM-DD", field="from") from exc
    if start > end:
        raise RuleViolation("起始日期不能晚于结束日期", field="from")
    return start, end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), TZ),
            datetime.combine(end + timedelta(days=1), time(), TZ))


def _unit_name(rt, code):
    u = rt.city.units.get(code)
    return u.name if u else code


def _scored(rt, sums: dict) -> dict:
    out = dict(sums)
    out.update(rates(sums, rt.config.scoring))
    return out


# Tiers (issue 18 item 1, 国办函〔2025〕66号 分档分类评价): a unit is ranked only against units of
# its own tier; the tier is the unit's `kind` in GET /api/v1/units (streets and zones are towns)
TIERS = ("department", "town", "utility", "village")
TIER_LABELS = {"department": "市直部门", "town": "镇街园区", "utility": "公用企业",
               "village": "村(社区)"}
TIER_OF_KIND = {"department": "department", "town": "town", "street": "town", "zone": "town",
                "utility": "utility", "village": "village"}


def unit_directory(rt, session) -> dict[str, dict]:
    """Every unit as GET /api/v1/units lists it (the units table), with its tier and its
    parent (a village's town). `parent` is read from the row or the configured unit when
    either has one (villages, issue 18 item 1)."""
    from sqlalchemy import select

    from hotline.core.orm import UnitRow
    out = {}
    for row in session.execute(select(UnitRow)).scalars():
        conf = rt.city.units.get(row.code)
        parent = getattr(row, "parent", None) or getattr(conf, "parent", None)
        out[row.code] = {"unit": row.code, "unit_name": row.name, "kind": row.kind,
                         "tier": TIER_OF_KIND.get(row.kind, row.kind), "parent": parent,
                         "active": row.active}
    return out


def _empty_sums() -> dict:
    from hotline.survey.domain.scoring import SUM_KEYS
    return dict.fromkeys(SUM_KEYS, 0)


def score_units(rt, start: date, end: date, tier: str | None = None) -> list[dict]:
    """Every unit of the tier (all tiers when None), scored over the period and ranked within
    its tier; villages also within their town (rank_in_town). A unit with no orders or fewer
    than the formula's min_sample scored orders is listed, unranked (rank None)."""
    with rt.uow() as uow:
        units = unit_directory(rt, uow.session)
        groups = {g["unit"]: g for g in
                  sql.grouped_sums(uow.session, [sql.F.unit], start, end, utcnow())}
    items = []
    for code, u in units.items():
        if tier is not None and u["tier"] != tier:
            continue
        if not u["active"] and code not in groups:
            continue
        sums = groups.get(code) or {"unit": code, **_empty_sums()}
        item = {k: u[k] for k in ("unit", "unit_name", "kind", "tier", "parent")}
        item["parent_name"] = _unit_name(rt, u["parent"]) if u["parent"] else None
        item.update(_scored(rt, sums))
        items.append(item)
    out = []
    for t in TIERS + tuple(sorted({i["tier"] for i in items} - set(TIERS))):
        ranked = rank([i for i in items if i["tier"] == t])
        if t == "village":   # also ranked among the villages of the same town
            by_town: dict = {}
            for i in ranked:
                by_town.setdefault(i["parent"], []).append(i)
            within = {i["unit"]: i["rank"] for grp in by_town.values() for i in rank(grp)}
            for i in ranked:
                i["rank_in_town"] = within[i["unit"]]
        out += ranked
    return out


def unit_report(rt, actor: Actor, frm=None, to=None, tier: str | None = None) -> dict:
    """Unit ranking for a period, by tier: counts, every rate, the composite score, the rank
    within the tier (and version)."""
    _check(actor)
    if tier is not None and tier not in TIERS:
        raise RuleViolation(f"tier 须为 {' / '.join(TIERS)} 之一", field="tier")
    start, end = parse_period(frm, to)
    items = score_units(rt, start, end, tier)
    cols = ([["tier_name", "档次"], ["rank", "排名"]]
            + ([["parent_name", "所属镇街"], ["rank_in_town", "镇街内排名"]]
               if tier == "village" else [])
            + [["unit", "单位代码"], ["unit_name", "单位"], ["score", "综合得分"],
               ["sample", "计分工单"]]
            + [[k, v] for k, v in COUNT_LABELS.items() if k != "population"]
            + [[k, RATE_LABELS[k]] for k in RATE_KEYS]
            + [["deduction", "扣分"], ["return_flag", "退单率达15%"],
               ["formula_version", "公式版本"]])
    for i in items:
        i["tier_name"] = TIER_LABELS.get(i["tier"], i["tier"])
    f = rt.config.scoring
    return {"from": start.isoformat(), "to": end.isoformat(), "tier": tier,
            "formula_version": f.version, "min_sample": f.min_sample,
            "columns": cols, "items": items}




def trends(rt, actor: Actor, frm=None, to=None, by: str = "week", unit: str | None = None):
    _check(actor)
    if by not in ("week", "month"):
        raise RuleViolation("by 须为 week 或 month", field="by")
    start, end = parse_period(frm, to)
    col = sql.F.week if by == "week" else sql.F.month
    with rt.uow() as uow:
        groups = sql.grouped_sums(uow.session, [col], start, end, utcnow(), unit=unit)
    items = []
    for g in groups:
        r = _scored(rt, g)
        items.append({"period": str(g[by]), "assigned": g["assigned"],
                      **{k: r[k] for k in ("response_rate", "resolution_rate",
                                           "satisfaction_rate", "ontime_rate", "score")}})
    cols = [["period", "周期"], ["assigned", "派单量"], ["response_rate", "响应率"],
            ["resolution_rate", "解决率"], ["satisfaction_rate", "满意率"],
            ["ontime_rate", "按时办结率"], ["score", "综合得分"]]
    return {"by": by, "unit": unit, "formula_version": rt.config.scoring.version,
            "columns": cols, "items": items}


def distributions(rt, actor: Actor, frm=None, to=None) -> dict:
    _check(actor)
    start, end = parse_period(frm, to)
    with rt.uow() as uow:
        items = sql.durations(uow.session, start, end, rt.engine.dialect.name)
    for i in items:
        i["unit_name"] = _unit_name(rt, i["unit"])
    cols = [["unit", "单位代码"], ["unit_name", "单位"]]
    for k, zh in (("sign", "签收"), ("contact", "联系"), ("reply", "答复")):
        cols += [[f"{k}_median_h", f"{zh}用时中位数(小时)"], [f"{k}_p90_h", f"{zh}用时P90(小时)"],
                 [f"{k}_n", f"{zh}样本数"]]
    return {"columns": cols, "items": items}


def overdue_list(rt, actor: Actor) -> dict:
    _check(actor)
    from hotline.workorders.views import iso
    with rt.uow() as uow:
        rows = sql.overdue(uow.session, utcnow())
    items = [{"order_id": r["id"], "number": r["number"], "title": r["title"],
              "unit": r["unit"], "unit_name": _unit_name(rt, r["unit"]),
              "status": STATUS_LABELS.get(r["status"], r["status"]),
              "reply_due_at": iso(r["reply_due_at"])} for r in rows]
    cols = [["number", "工单编号"], ["title", "标题"], ["unit_name", "承办单位"],
            ["status", "状态"], ["reply_due_at", "答复时限"]]
    return {"columns": cols, "items": items}


def category_town(rt, actor: Actor, frm=None, to=None) -> dict:
    _check(actor)
    start, end = parse_period(frm, to)
    f = rt.config.scoring
    with rt.uow() as uow:
        rows = sql.category_town(uow.session, start, end)
    items = []
    for r in rows:
        cat = rt.city.categories.get(r["category"] or "")
        sat = None if not r["answers"] else round(
            (int(r["sat_yes"]) + f.basic_satisfied_weight * int(r["sat_basic"]))
            / int(r["answers"]), 4)
        items.append({"category": cat.name if cat else (r["category"] or "未分类"),
                      "town": _unit_name(rt, r["town"]) if r["town"] else "未填写",
                      "orders": int(r["orders"]), "closed": int(r["closed"] or 0),
                      "satisfaction_rate": sat})
    cols = [["category", "分类"], ["town", "镇街"], ["orders", "工单量"], ["closed", "办结量"],
            ["satisfaction_rate", "满意率"]]
    return {"columns": cols, "items": items}


def hot_spots(rt, actor: Actor, frm=None, to=None) -> dict:
    _check(actor)
    start, end = parse_period(frm, to)
    with rt.uow() as uow:
        rows = sql.hot_spots(uow.session, *_bounds(start, end))
    items = [{"order_id": r["id"], "number": r["number"],
              "town": _unit_name(rt, r["town"]) if r["town"] else None,
              "category": r["category"], "address": r["address"],
              "unit": r["unit"], "repeats": int(r["repeats"]) + 1} for r in rows]
    cols = [["number", "主工单"], ["town", "镇街"], ["category", "分类"], ["address", "地址"],
            ["unit", "承办单位"], ["repeats", "诉求次数"]]
    return {"columns": cols, "items": items}


def comments(rt, actor: Actor, frm=None, to=None) -> dict:
    _check(actor)
    from hotline.survey.domain.policy import RESOLVED, SATISFACTION
    from hotline.workorders.views import iso
    start, end = parse_period(frm, to)
    with rt.uow() as uow:
        rows = sql.comments(uow.session, *_bounds(start, end))
    items = [{"number": r["number"], "unit": _unit_name(rt, r["unit"]),
              "resolved": RESOLVED.get(r["resolved"]),
              "satisfaction": SATISFACTION.get(r["satisfaction"]), "comment": r["comment"],
              "answered_at": iso(r["answered_at"]), "excluded": bool(r["excluded"])}
             for r in rows]
    cols = [["number", "工单编号"], ["unit", "承办单位"], ["resolved", "解决情况"],
            ["satisfaction", "满意度"], ["comment", "市民意见"], ["answered_at", "评价时间"],
            ["excluded", "申诉撤销"]]
    return {"columns": cols, "items": items}


def daily(rt, actor: Actor, frm=None, to=None) -> dict:
    """One row per day of the period, days without orders included: the orders assigned that
    day and the rollup's on-time and satisfaction rates (the overview's trend chart, issue 15
    item 7). Rates of a day with nothing to measure are empty, not 0."""
    _check(actor)
    start, end = parse_period(frm, to)
    with rt.uow() as uow:
        orders = sql.daily_orders(uow.session, start, end)
        sums = {g["day"]: g for g in sql.grouped_sums(uow.session, [sql.F.day], start, end,
                                                       utcnow())}
    items = []
    day = start
    while day <= end:
        r = _scored(rt, sums[day]) if day in sums else {}
        items.append({"day": day.isoformat(), "orders": orders.get(day, 0),
                      "closed": r.get("closed", 0), "ontime_rate": r.get("ontime_rate"),
                      "satisfaction_rate": r.get("satisfaction_rate")})
        day += timedelta(days=1)
    cols = [["day", "日期"], ["orders", "派单工单量"], ["closed", "办结量"],
            ["ontime_rate", "按时办结率"], ["satisfaction_rate", "满意率"]]
    return {"from": start.isoformat(), "to": end.isoformat(), "columns": cols, "items": items}


HEATMAP_CATEGORIES = 15   # the busiest categories get a column each; the rest share 其他


def heatmap(rt, actor: Actor, frm=None, to=None) -> dict:
    """Appeals of the period by town (every town-level unit, in config/units.yaml order) and
    category (the busiest HEATMAP_CATEGORIES, then 其他分类): the overview's heat map. Names
    only, codes stay in the API's other reports (docs/design/ux.md §1)."""
    _check(actor)
    start, end = parse_period(frm, to)
    with rt.uow() as uow:
        rows = sql.category_town(uow.session, start, end)
    per_cat: dict[str, int] = {}
    for r in rows:
        per_cat[r["category"] or ""] = per_cat.get(r["category"] or "", 0) + int(r["orders"])
    ranked = sorted(per_cat, key=lambda c: (-per_cat[c], c))
    top = [c for c in ranked if c][:HEATMAP_CATEGORIES]
    cat_names = [rt.city.categories[c].name if c in rt.city.categories else c for c in top]
    if len(ranked) > len(top):
        cat_names.append("其他分类")
    towns = list(rt.city.towns)
    if any(r["town"] not in rt.city.towns for r in rows):
        towns.append(None)           # orders without a (known) town: one row 未填写
    town_names = [rt.city.towns[t].name if t else "未填写" for t in towns]
    cells: dict[tuple[int, int], int] = {}
    for r in rows:
        x = top.index(r["category"]) if r["category"] in top else len(top)
        y = towns.index(r["town"] if r["town"] in rt.city.towns else None)
        cells[(x, y)] = cells.get((x, y), 0) + int(r["orders"])
    items = [{"town": town_names[y], "category": cat_names[x], "orders": n}
             for (x, y), n in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    return {"from": start.isoformat(), "to": end.isoformat(), "towns": town_names,
            "categories": cat_names, "cells": [[x, y, n] for (x, y), n in sorted(cells.items())],
            "max": max(cells.values(), default=0),
            "columns": [["town", "镇街"], ["category", "分类"], ["orders", "工单量"]],
            "items": items}


REPORTS = {"units": unit_report, "trends": trends, "distributions": distributions,
           "overdue": overdue_list, "category-town": category_town, "hot-spots": hot_spots,
           "comments": comments, "daily": daily, "heatmap": heatmap}
