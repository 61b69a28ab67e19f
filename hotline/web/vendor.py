"""Front-end packages from the npm registry, served by the app under /vendor/ (issue 15, item 10).

`package.json` / `package-lock.json` at the top of the tree name them; `make run` and `make test`
install them into `node_modules/` with `npm ci`. Nothing is copied into the tree and nothing is
loaded from a CDN: the pages keep `script-src 'self'` (docs/design/ux.md §10).

Only the files listed in FILES are served (a package holds sources, maps and tests that no page
needs). A URL carries the installed version (`/vendor/echarts/6.1.0/dist/echarts.min.js`), so a
file can be cached for a year: an upgrade changes the URL. Templates write `{{ vendor(...) }}`."""
from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, send_file

log = logging.getLogger(__name__)

# The repository root (the app is installed editable: `pip install -e .`); HOTLINE_NODE_MODULES
# points elsewhere for an installation that keeps its assets apart.
NODE_MODULES = Path(os.environ.get("HOTLINE_NODE_MODULES")
                    or Path(__file__).resolve().parents[2] / "node_modules")

# package -> the built files the pages use (axe-core is a test tool: the browser tests inject it
# themselves, no page loads it)
FILES: dict[str, tuple[str, ...]] = {
    "echarts": ("dist/echarts.min.js",),
    "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css"),
}
ONE_YEAR = 365 * 24 * 3600

bp = Blueprint("vendor", __name__)


@lru_cache(maxsize=None)
def installed_version(package: str) -> str | None:
    try:
        meta = json.loads((NODE_MODULES / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("version")


def vendor_url(package: str, path: str) -> str:
    """The URL of a listed file of an installed package (a template global)."""
    if path not in FILES.get(package, ()):
        raise KeyError(f"{package}/{path} is not a served vendor file (hotline/web/vendor.py)")
    return f"/vendor/{package}/{installed_version(package) or 'missing'}/{path}"


@bp.get("/vendor/<package>/<version>/<path:path>")
def vendor_file(package: str, version: str, path: str):
    if path not in FILES.get(package, ()) or version != installed_version(package):
        abort(404)
    response = send_file(NODE_MODULES / package / path, max_age=ONE_YEAR, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["vendor"] = vendor_url
    missing = [p for p in FILES if installed_version(p) is None]
    if missing:
        # the pages still answer; their charts and the API browser stay empty until installed
        log.warning("front-end packages %s are not installed in %s: run `make run` (npm ci)",
                    ", ".join(missing), NODE_MODULES)
