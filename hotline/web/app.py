"""Flask app factory."""
from __future__ import annotations

import logging

from flask import Flask, jsonify

from hotline.core.runtime import Runtime

MAX_BODY = 1024 * 1024   # bodies up to 1 MB are parsed; larger is 413

# Issue 12 (findings 1-2): the browser runs only our own script files. No 'unsafe-inline' and
# no 'unsafe-eval' in script-src, so a value that ever slips into markup as an <script> or an
# on*= handler is inert; the pages build DOM with textContent (static/dom.js) and read their
# data from <script type="application/json"> blocks. Styles are files too (no style=
# attributes). Sent on every response, JSON included, where it is harmless.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"))


def create_app(runtime: Runtime | None = None) -> Flask:
    app = Flask(__name__)
    rt = runtime or Runtime.build()
    app.config.update(SECRET_KEY=rt.settings.secret_key, MAX_CONTENT_LENGTH=MAX_BODY,
                      JSON_AS_ASCII=False, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    app.json.ensure_ascii = False
    app.extensions["hotline"] = rt

    from hotline.dispatch import api as ext_dispatch
    from hotline.intake import api as ext_open311
    from hotline.knowledge import api as knowledge_api  # issue 16: the feature's own package
    from hotline.privacy import api as ext_security
    from hotline.reports import api as ext_reports
    from hotline.sla import api as ext_sla
    from hotline.survey import api as ext_survey
    from hotline.web import admin as ext_admin
    from hotline.web import api, errors, pages
    errors.register(app)

    @app.after_request
    def _content_security_policy(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    for ext in (ext_dispatch, ext_reports, ext_open311, ext_survey, ext_admin, knowledge_api,
                ext_security,
                ext_sla):
        ext.init_app(app)
    # issue 18 (callcentre helper): call figures, 好差评 整改, 服务体验官
    from hotline.callcentre import api as callcentre_api
    from hotline.experience import api as experience_api
    from hotline.rating import api as rating_api
    for ext in (callcentre_api, rating_api, experience_api):
        ext.init_app(app)

    # issue 15 (item 10): npm packages' built files under /vendor/ (ECharts, Swagger UI)
    from hotline.web import vendor
    vendor.init_app(app)

    # ---- issue 15 (workspace): the order page's facts and the agent's shift list
    from hotline.web import workspace_api
    workspace_api.init_app(app)

    # issue 17 (cases): 会商, hard cases, repeat appeals, hot spots, transfers to other platforms
    from hotline.consult import api as consult_api
    from hotline.hardcases import api as hardcases_api
    from hotline.hotspots import api as hotspots_api
    from hotline.repeats import api as repeats_api
    from hotline.transfers import api as transfers_api
    for ext in (consult_api, hardcases_api, hotspots_api, repeats_api, transfers_api):
        ext.init_app(app)

    @app.get("/healthz")
    def healthz():
        body, status = api.health_payload(rt)
        return jsonify(body), status

    @app.get("/api/v1/openapi.json")
    def openapi():
        from hotline.web.openapi import build_spec
        return jsonify(build_spec(api.ROUTES, api._create_schema().__class__))

    logging.basicConfig(level=logging.INFO)
    return app

