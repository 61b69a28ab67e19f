"""Reports API (`?format=csv|xlsx` exports any table) and the supervisor page."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, g, jsonify, render_template, request
from marshmallow import fields, validate

from hotline.reports import bulletin
from hotline.reports import service as reports
from hotline.web.api import documented, json_body, load, login_required, rt
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
    # issue 18 item 1: rank within one tier (the unit's kind in GET /api/v1/units)
    tier = fields.String(validate=validate.OneOf(
        reports.TIERS, error="须为 department / town / utility / village 之一"))


class UnitScoreSchema(Schema):
    unit = fields.String()
    unit_name = fields.String()
    kind = fields.String()
    tier = fields.String()
    parent = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True, metadata={
        "description": "rank within the tier; null below the minimum sample or with no data"})
    rank_in_town = fields.Integer(allow_none=True, metadata={"description": "villages only"})
    ranked = fields.Boolean()
    sample = fields.Integer(metadata={"description": "scored orders"})
    score = fields.Float(allow_none=True)
    formula_version = fields.String()
    satisfaction_rate = fields.Float(allow_none=True)
    response_rate = fields.Float(allow_none=True)


class UnitReportSchema(Schema):
    items = fields.List(fields.Nested(UnitScoreSchema))
    formula_version = fields.String()
    tier = fields.String(allow_none=True)
    min_sample = fields.Integer()


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
    if name == "units":
        kw.update(tier=q.get("tier"))
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
            "报表: trends / distributions / overdue / category-town / hot-spots / comments / "
            "daily (每日派单量与按时办结率) / heatmap (镇街 × 分类 诉求量)",
            None, None, query=ReportQuery, tags=("reports",))
@login_required(*READERS)
def other_report(name: str):
    if name not in reports.REPORTS:
        raise ApiError(404, f"未知报表 {name}", {"name": [", ".join(reports.REPORTS)]})
    return _run(name)


# ---------------------------------------------------------------- the supervisor workspace
# Issue 15 (item 7): one page per task instead of one 16,000 px page. (key, URL, name) in the
# order of the sub-navigation (templates/supervisor_layout.html); /supervisor/sla is served by
# hotline/sla/api.py through supervisor_page() below.
SUPERVISOR_PAGES = (
    ("overview", "/supervisor", "总览"),
    ("rankings", "/supervisor/rankings", "单位排名"),
    ("sla", "/supervisor/sla", "超时督办"),
    ("returns", "/supervisor/returns", "退单统计"),
    ("surveys", "/supervisor/surveys", "回访督办"),
    ("comments", "/supervisor/comments", "市民意见"),
)
# who may use the workspace: the readers of the reports (service.READERS)
PAGE_ROLES = READERS


def supervisor_page(template: str, page: str, *, period: bool = True, charts: bool = False):
    """A page of the workspace. Who may use it is asked once, by `page_for` at each route
    (web/pages.py: another role gets the refusal page, docs/design/ux.md §4)."""
    return render_template(template, sup_page=page, sup_pages=SUPERVISOR_PAGES, period=period,
                           charts=charts)


@bp.get("/supervisor")
@page_for(*PAGE_ROLES)
def supervisor_overview_page():
    return supervisor_page("supervisor.html", "overview", charts=True)


@bp.get("/supervisor/rankings")
@page_for(*PAGE_ROLES)
def supervisor_rankings_page():
    return supervisor_page("supervisor_rankings.html", "rankings", charts=True)


@bp.get("/supervisor/returns")
@page_for(*PAGE_ROLES)
def supervisor_returns_page():
    return supervisor_page("supervisor_returns.html", "returns", charts=True)


@bp.get("/supervisor/surveys")
@page_for(*PAGE_ROLES)
def supervisor_surveys_page():
    return supervisor_page("supervisor_surveys.html", "surveys", period=False)


@bp.get("/supervisor/comments")
@page_for(*PAGE_ROLES)
def supervisor_comments_page():
    return supervisor_page("supervisor_comments.html", "comments")


# ---- the monthly bulletin (通报, issue 18 item 5; hotline/reports/bulletin.py) ----

class BulletinQuery(Schema):
    month = fields.String(metadata={"description": "YYYY-MM; default the previous month"})
    format = fields.String(validate=validate.OneOf(
        ("pdf", "xlsx", "outline"), error="须为 pdf / xlsx / outline 之一"))


class PublishSchema(Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM"})


class BulletinMetaSchema(Schema):
    id = fields.Integer()
    month = fields.String()
    edition = fields.Integer()
    published_at = fields.String()
    published_by = fields.String()
    published_by_name = fields.String()
    formula_version = fields.String()
    pdf_sha256 = fields.String()
    xlsx_sha256 = fields.String()


class BulletinListSchema(Schema):
    items = fields.List(fields.Nested(BulletinMetaSchema))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A PDF opened in the browser is shown by its built-in viewer, which the pages' policy
# (object-src 'none', style-src 'self') blocks in Chromium. The PDF is our own document with no
# script, so its response allows the viewer and nothing else (no script, no connections).
PDF_CSP = ("default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; "
           "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def _file(body: bytes, fmt: str, name: str, extra: dict | None = None) -> Response:
    mime = "application/pdf" if fmt == "pdf" else XLSX
    # inline: the preview opens in the browser's PDF viewer; the name says month and edition
    headers = {"Content-Disposition": f"{'inline' if fmt == 'pdf' else 'attachment'}; "
                                      f"filename={name}.{fmt}", **(extra or {})}
    if fmt == "pdf":
        headers["Content-Security-Policy"] = PDF_CSP
    return Response(body, mimetype=mime, headers=headers)


@bp.get("/api/v1/reports/bulletin")
@documented("/api/v1/reports/bulletin", "get",
            "月度通报预览: PDF (默认), ?format=xlsx 或 ?format=outline (章节目录 JSON)",
            None, None, query=BulletinQuery, tags=("reports",))
@login_required(*READERS)
def bulletin_preview():
    q = load(BulletinQuery(), request.args.to_dict())
    data = bulletin.build(rt(), g.actor, q.get("month"))
    fmt = q.get("format", "pdf")
    if fmt == "outline":
        return jsonify(bulletin.outline(data))
    from hotline.reports import render
    body = render.pdf(data) if fmt == "pdf" else render.xlsx(data)
    return _file(body, fmt, f"bulletin-{data['month']}-preview",
                 {"X-Formula-Version": data["formula_version"]})


@bp.post("/api/v1/reports/bulletins")
@documented("/api/v1/reports/bulletins", "post",
            "发布月度通报 (每次发布为新的版次, 已发布的永不修改)", PublishSchema, BulletinMetaSchema,
            201, tags=("reports",))
@login_required(*bulletin.PUBLISHERS)
def bulletin_publish():
    data = load(PublishSchema(), json_body())
    return jsonify(bulletin.publish(rt(), g.actor, data["month"])), 201


@bp.get("/api/v1/reports/bulletins")
@documented("/api/v1/reports/bulletins", "get", "已发布的通报", None, BulletinListSchema,
            query=BulletinQuery, tags=("reports",))
@login_required(*READERS)
def bulletin_list():
    q = load(BulletinQuery(), request.args.to_dict())
    return jsonify({"items": bulletin.published(rt(), g.actor, q.get("month"))})


@bp.get("/api/v1/reports/bulletins/<int:bulletin_id>/<fmt>")
@documented("/api/v1/reports/bulletins/{bulletin_id}/{fmt}", "get",
            "已发布通报的原文件 (pdf 或 xlsx, 与发布时逐字节相同)", None, None, tags=("reports",))
@login_required(*READERS)
def bulletin_file(bulletin_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        raise ApiError(404, "文件格式须为 pdf 或 xlsx", {"fmt": ["pdf, xlsx"]})
    try:
        meta, body = bulletin.published_file(rt(), g.actor, bulletin_id, fmt)
    except LookupError:
        raise ApiError(404, "通报不存在", {"id": [str(bulletin_id)]}) from None
    return _file(body, fmt, f"bulletin-{meta['month']}-{meta['edition']}",
                 {"X-Content-SHA256": meta[f"{fmt}_sha256"],
                  "X-Formula-Version": meta["formula_version"]})


@bp.get("/supervisor/bulletin")
@page_for(*PAGE_ROLES)
def bulletin_page():
    return render_template("bulletin.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
