"""Server-rendered shells for the browser pages (Simplified Chinese, no external CDN).

Pages authenticate with an HttpOnly, SameSite=Strict session cookie set by
/api/v1/auth/session (no script can read it); state-changing requests also carry the CSRF
token of <meta name="csrf-token"> (docs/operations.md, "Page sessions")."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, redirect, render_template

from hotline.core.auth import AuthError

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


# ---- issue 15 (workspace): a page a role may not use answers with a refusal page ----------
# (docs/design/ux.md §4): a department user on /dispatch saw empty tables. The roles of a page
# are the roles of the API it reads (named at each route). With no session the page is served
# as before and its script sends the visitor to /login; the API still decides every request.

def page_for(*roles):
    def deco(fn):
        @wraps(fn)
        def wrapper(*a, **kw):
            from hotline.web.api import optional_actor
            try:
                actor = optional_actor()
            except AuthError:   # an expired or revoked session: the script goes to /login
                actor = None
            if actor is not None and roles and actor.role not in roles:
                return render_template("refused.html"), 403
            return fn(*a, **kw)
        return wrapper
    return deco


@bp.get("/")
def index():
    return redirect("/login")


@bp.get("/login")
def login_page():
    return render_template("login.html")


@bp.get("/intake")
@page_for("agent", "dispatcher", "admin")          # POST /api/v1/orders
def intake_page():
    return render_template("intake.html", **_ctx())


@bp.get("/orders")
def orders_page():
    """工单查询: the search and order list of every staff role (issue 15, Build 3); what each
    role finds is the API's business (core/access.py), the page only asks."""
    from hotline.workorders.domain.workflow import STATUS_LABELS
    return render_template("orders.html", statuses=[(str(k), v) for k, v in STATUS_LABELS.items()],
                           **_ctx())


@bp.get("/docs")
def docs_page():
    return render_template("docs.html")
