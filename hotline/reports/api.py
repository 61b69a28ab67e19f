"""Reports API (`?format=csv|xlsx` exports any table) and the supervisor page."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.reports import service as reports
from hotline.web.api import documented, load, login_required, rt
from hotline.web.errors import ApiError
from hotline.web.pages import page_for
from hotline.web.schemas import Day, PeriodSchema, Schema
from hotline.workorders.domain.workflow import Role

bp = Blueprint("reports", __name__, template_folder="../web/templates")


class ReportQuery(PeriodSchema):
    # YYYY-MM-DD in 2000..2100, from <= to, at most ten years (issue 12, finding 4)
    from_ = Day(data_key="from")
    to = Day()
    by = fields.String(validate=validate.OneOf(("week", "month")))
    unit = fields.String()
    format = fields.String(validate=validate.OneOf(("json", "csv", "xlsx")))


class UnitScoreSchema(Schema):
    unit = fields.String()
    score = fields.Float(allow_none=True)
    formula_version = fields.String()
    satisfaction_rate = fields.Float(allow_none=True)


class UnitReportSchema(Schema):
    items = fields.List(fields.Nested(UnitScoreSchema))
    formula_version = fields.String()


def _cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    return v


def export(name: str, table: dict, fmt: str):
    cols = table["columns"]
    rows = [[_cell(item.get(k)) for k, _ in cols] for item in table["items"]]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([zh for _, zh in cols])
        w.writerows(rows)
        # BOM so spreadsheet programs open the Chinese headers as UTF-8
        return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = name[:31]
    ws.append([zh for _, zh in cols])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return Response(out.getvalue(), headers={
        "Content-Disposition": f"attachment; filename={name}.xlsx"},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _iso(day):
    return day.isoformat() if day is not None else None


def _run(name: str):
    q = load(ReportQuery(), request.args.to_dict())
    fn = reports.REPORTS[name]
    kw = {}
    if name not in ("overdue",):
        kw = {"frm": _iso(q.get("from_")), "to": _iso(q.get("to"))}
    if name == "trends":
        kw.update(by=q.get("by", "week"), unit=q.get("unit"))
    table = fn(rt(), g.actor, **kw)
    fmt = q.get("format", "json")
    if fmt != "json":
        return export(name, table, fmt)
    return jsonify(table)


READERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.DISPATCHER)


@bp.get("/api/v1/reports/units")
@documented("/api/v1/reports/units", "get", "单位考评排名 (各项指标与综合得分)", None,
            UnitReportSchema, query=ReportQuery, tags=("reports",))
@login_required(*READERS)
def units_report():
    return _run("units")


@bp.get("/api/v1/reports/<name>")
@documented("/api/v1/reports/{name}", "get",
            "报表: trends / distributions / overdue / category-town / hot-spots / comments",
            None, None, query=ReportQuery, tags=("reports",))
@login_required(*READERS)
def other_report(name: str):
    if name not in reports.REPORTS:
        raise ApiError(404, f"未知报表 {name}", {"name": [", ".join(reports.REPORTS)]})
    return _run(name)


@bp.get("/supervisor")
@page_for(*READERS)                     # issue 15: the roles of /api/v1/reports/*
def supervisor_page():
    return render_template("supervisor.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
