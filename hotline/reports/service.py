"""Supervisor reports: each function returns {"columns": [[key, 中文], ...], "items": [...]}
so any table exports as CSV or XLSX the same way (reports/api.py)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.core.db import utcnow
from hotline.reports import sql
from hotline.survey.domain.scoring import RATE_LABELS, rates
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


def unit_report(rt, actor: Actor, frm=None, to=None) -> dict:
    """Unit ranking for a period: counts, every rate, the composite score (and version)."""
    _check(actor)
    start, end = parse_period(frm, to)
    with rt.uow() as uow:
        groups = sql.grouped_sums(uow.session, [sql.F.unit], start, end, utcnow())
        assist = sql.assist_ontime(uow.session, *_bounds(start, end), utcnow())   # issue 17
    items = []
    for g in groups:
        item = {"unit": g["unit"], "unit_name": _unit_name(rt, g["unit"])}
        item.update(_scored(rt, g))
        items.append(item)
    _add_assist_columns(rt, items, assist)
    items.sort(key=lambda i: (i["score"] is None, -(i["score"] or 0), i["unit"]))
    for rank, i in enumerate(items, 1):
        i["rank"] = rank
    cols = ([["rank", "排名"], ["unit", "单位代码"], ["unit_name", "单位"], ["score", "综合得分"]]
            + [[k, v] for k, v in COUNT_LABELS.items()]
            + [[k, RATE_LABELS[k]] for k in RATE_KEYS]
            + [["deduction", "扣分"], ["return_flag", "退单率达15%"],
               ["formula_version", "公式版本"]]
            + ASSIST_COLUMNS)
    return {"from": start.isoformat(), "to": end.isoformat(),
            "formula_version": rt.config.scoring.version, "columns": cols, "items": items}


# --- 协办 on-time rate (issue 17 item 6; docs/design/domain.md §4.9) ----------------------------
# Each assisting unit's tasks run their own clock (hotline/sla); the share answered by the
# task's deadline is the unit's 协办按时率, shown in its row. A unit that only assisted in the
# period gets a row of its own (no score: it led no order).
ASSIST_COLUMNS = [["assist_tasks", "协办任务"], ["assist_ontime_rate", "协办按时率"]]


def _add_assist_columns(rt, items: list[dict], assist: dict[str, dict]) -> None:
    by_unit = {i["unit"]: i for i in items}
    for unit in assist:
        if unit not in by_unit:
            by_unit[unit] = {"unit": unit, "unit_name": _unit_name(rt, unit), "score": None}
            items.append(by_unit[unit])
    for unit, item in by_unit.items():
        a = assist.get(unit) or {"assist_tasks": 0, "assist_due": 0, "assist_ok": 0}
        item["assist_tasks"] = a["assist_tasks"]
        item["assist_ontime_rate"] = round(a["assist_ok"] / a["assist_due"], 4) \
            if a["assist_due"] else None
# --- end 协办 on-time rate ---


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
    return {"by": by, "unit": unit, "columns": cols, "items": items}


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


REPORTS = {"units": unit_report, "trends": trends, "distributions": distributions,
           "overdue": overdue_list, "category-town": category_town, "hot-spots": hot_spots,
           "comments": comments}
