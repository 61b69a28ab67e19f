"""Issue 12 (findings 1-2, fixed as a class): every HTML page answers with a Content-Security-
Policy that runs no inline script and no eval, and nothing in the templates or page scripts
needs either: no inline <script> body (JSON data blocks only), no on*= handler, no style
attribute, and no HTML parsed from strings in the page scripts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "hotline" / "web"
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
SCRIPTS = sorted((WEB / "static").glob("*.js"))
# the HTML sinks of the DOM API (spelt as patterns so the names appear in the .js files only)
HTML_SINKS = re.compile(r"\b(?:inner|outer)HTML\b|\binsertAdjacent[H]TML\b|\bdocument\.write(?:ln)?\b"
                        r"|\bcreateContextualFragment\b|\bDOMParser\b")
EVAL = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|setTimeout\s*\(\s*['\"`]|javascript:")


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def _assert_strict(header: str | None, where: str) -> None:
    assert header, f"{where}: no Content-Security-Policy"
    d = _directives(header)
    script = d.get("script-src", d.get("default-src"))
    assert script is not None, f"{where}: no script-src nor default-src"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (where, header)
    assert "*" not in script and "data:" not in script, (where, header)
    assert d.get("object-src") == ["'none'"], (where, header)


def _page_urls(app) -> list[str]:
    """Every GET route that is not the API, Open311, static files or the health check, with
    sample values for its arguments."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if rule.rule.startswith(("/api/", "/open311/", "/healthz", "/static/")):
            continue
        urls.append(re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
                           lambda m: "1" if m.group(1) == "int" else "x", rule.rule))
    return sorted(set(urls))


def test_every_html_page_forbids_inline_script_and_eval(sqlite_api):
    client = sqlite_api.client
    urls = _page_urls(sqlite_api.app)
    html = []
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code)
        if r.mimetype == "text/html":
            html.append(url)
            _assert_strict(r.headers.get("Content-Security-Policy"), url)
    # the walk really reached the staff and the citizen pages
    for page in ("/login", "/intake", "/dispatch", "/inbox", "/supervisor", "/admin",
                 "/orders/1", "/orders/1/deadlines", "/docs", "/self/new", "/self/track",
                 "/s/x", "/survey-queue", "/sms-outbox", "/supervisor/sla", "/inbox/sla",
                 "/supervisor/arbitration", "/supervisor/rankings", "/supervisor/returns",
                 "/supervisor/surveys", "/supervisor/comments", "/orders", "/supervisor/bulletin",
                 "/calls/report", "/rectifications", "/experience", "/experience/report",
                 "/x/x", "/consultations", "/hard-cases", "/hotspots"):
        assert page in html, (page, html)


SUPERVISOR_PAGES = ("/supervisor", "/supervisor/rankings", "/supervisor/sla",
                    "/supervisor/returns", "/supervisor/surveys", "/supervisor/comments")


def _session(client, username):
    from tests.conftest import PASSWORD
    r = client.post("/api/v1/auth/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.json


def test_logged_in_pages_and_refusals_carry_the_policy(sqlite_api):
    """Issue 15: the pages as their users see them, and the refusal a department user gets on
    the supervisor workspace (a page in words, 403), each with the strict policy; /docs loads
    Swagger UI from the app's own /vendor/ files."""
    c = sqlite_api.app.test_client()
    _session(c, "town_humen")
    for url in SUPERVISOR_PAGES:
        r = c.get(url)
        assert r.status_code == 403 and r.mimetype == "text/html", url
        assert "无权使用此页面" in r.get_data(as_text=True)
        _assert_strict(r.headers.get("Content-Security-Policy"), url)
    c = sqlite_api.app.test_client()
    _session(c, "supervisor")
    for url in (*SUPERVISOR_PAGES, "/docs", "/supervisor/arbitration"):
        r = c.get(url)
        assert r.status_code == 200 and r.mimetype == "text/html", url
        body = r.get_data(as_text=True)
        _assert_strict(r.headers.get("Content-Security-Policy"), url)
        # scripts only from the app itself, by src (the policy would refuse anything else)
        for attrs in re.findall(r"<script\b([^>]*)>", body):
            assert re.search(r'src="/(static|vendor)/', attrs) or "application/json" in attrs, \
                (url, attrs)
    assert "/vendor/swagger-ui-dist/" in c.get("/docs").get_data(as_text=True)


def test_error_pages_json_and_posted_pages_carry_the_policy(sqlite_api):
    c = sqlite_api.client
    for r, where in ((c.get("/no/such/page"), "404"), (c.get("/healthz"), "json"),
                     (c.get("/api/v1/openapi.json"), "openapi"),
                     (c.post("/self/track", data={"number": "DG1", "code": "000000"}), "track"),
                     (c.get("/static/app.js"), "static")):
        _assert_strict(r.headers.get("Content-Security-Policy"), where)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_has_no_inline_script_handler_or_style(path):
    text = path.read_text(encoding="utf-8")
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I):
        if body.strip():
            # data for the page scripts travels as JSON, which the browser never runs
            assert re.search(r"""\btype\s*=\s*["']application/json["']""", attrs), \
                f"{path.name}: inline script {body.strip()[:60]!r}"
            assert "|tojson" in body.replace(" ", ""), f"{path.name}: JSON block not from |tojson"
    tags = re.findall(r"<[a-zA-Z][^>]*>", text)
    handlers = [t for t in tags if re.search(r"""\son[a-z]+\s*=""", t, re.I)]
    assert handlers == [], f"{path.name}: on*= handlers {handlers}"
    styled = [t for t in tags if re.search(r"""\sstyle\s*=""", t, re.I)]
    assert styled == [] and "<style" not in text.lower(), f"{path.name}: inline style {styled}"
    assert "javascript:" not in text.lower()


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_page_script_builds_no_html_from_strings(path):
    text = path.read_text(encoding="utf-8")
    assert HTML_SINKS.findall(text) == [], f"{path.name}: HTML sink"
    assert EVAL.findall(text) == [], f"{path.name}: eval-like code"
    # the old escaping helper is gone with the string-built markup it served
    assert "Hotline.esc" not in text and "setAttribute('style'" not in text


def test_citizen_forms_post_from_a_browser_that_opened_a_staff_page(sqlite_api):
    """A shared computer (service hall) that showed /login holds a session cookie: the citizen
    forms then carry its CSRF token, so tracking answers the page (404 unknown), not a 403
    JSON error; a citizen's own browser gets no session cookie from them."""
    c = sqlite_api.app.test_client()
    assert c.get("/self/track").headers.get("Set-Cookie") is None
    c.get("/login")
    page = c.get("/self/track").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/self/track", data={"number": "DG1", "code": "000000", "csrf_token": token})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert 'name="csrf_token"' in c.get("/self/new").get_data(as_text=True)
