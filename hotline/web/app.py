"""Flask app factory."""
from __future__ import annotations

import logging

from flask import Flask, jsonify

from hotline.services.runtime import Runtime

MAX_BODY = 1024 * 1024   # bodies up to 1 MB are parsed; larger is 413


def create_app(runtime: Runtime | None = None) -> Flask:
    app = Flask(__name__)
    rt = runtime or Runtime.build()
    app.config.update(SECRET_KEY=rt.settings.secret_key, MAX_CONTENT_LENGTH=MAX_BODY,
                      JSON_AS_ASCII=False, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    app.json.ensure_ascii = False
    app.extensions["hotline"] = rt

    from . import api, errors, pages
    errors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    for extra in _extensions():
        extra(app)

    @app.get("/healthz")
    def healthz():
        body, status = api.health_payload(rt)
        return jsonify(body), status

    @app.get("/api/v1/openapi.json")
    def openapi():
        from .openapi import build_spec
        return jsonify(build_spec(api.ROUTES, api._create_schema().__class__))

    logging.basicConfig(level=logging.INFO)
    return app


def _extensions():
    """Blueprints added by later features register here (import-time optional)."""
    out = []
    for mod in ("hotline.web.ext_dispatch", "hotline.web.ext_reports", "hotline.web.ext_open311",
                "hotline.web.ext_survey", "hotline.web.ext_admin", "hotline.web.ext_security",
                "hotline.web.ext_sla"):
        try:
            m = __import__(mod, fromlist=["init_app"])
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            continue
        out.append(m.init_app)
    return out
