"""Server-rendered shells for the browser pages (Simplified Chinese, no external CDN).

Pages authenticate with an HttpOnly, SameSite=Strict session cookie set by
/api/v1/auth/session (no script can read it); state-changing requests also carry the CSRF
token of <meta name="csrf-token"> (docs/operations.md, "Page sessions")."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


def _ctx():
    rt = current_app.extensions["hotline"]
    return {"towns": list(rt.city.towns.values()),
            # the units the centre dispatches to (villages receive orders from their town:
            # 二级派单, issue 17)
            "units": rt.city.dispatchable(),
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
