"""Knowledge-base pages (issue 16): the units' and the centre's article page and the
supervisors' report. Shells only: the scripts (static/kb_*.js) read the API with the page
session, like every other staff page (hotline/web/pages.py)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("knowledge_pages", __name__)


@bp.get("/knowledge")
def articles_page():
    rt = current_app.extensions["hotline"]
    units = [{"code": u.code, "name": u.name} for u in rt.city.units.values()]
    return render_template("kb_articles.html", units=units)


@bp.get("/knowledge/report")
def report_page():
    return render_template("kb_report.html")
