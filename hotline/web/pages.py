"""Server-rendered shells for the browser pages (Simplified Chinese, no external CDN).

Pages authenticate with the same bearer token as the API: the login page obtains it from
/api/v1/auth/token and keeps it in sessionStorage, so no cookie carries authority (and no
cross-site form can act on a user's behalf)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


def _ctx():
    rt = current_app.extensions["hotline"]
    return {"towns": list(rt.city.towns.values()),
            "units": list(rt.city.units.values()),
            "categories": list(rt.city.categories.values()),
            "appeal_types": list(rt.city.appeal_types.values())}


@bp.get("/")
def index():
    return redirect("/login")


@bp.get("/login")
def login_page():
    return render_template("login.html")


@bp.get("/intake")
def intake_page():
    return render_template("intake.html", **_ctx())


@bp.get("/docs")
def docs_page():
    return render_template("docs.html")
