"""Security doors: lock-out per (username, client address), rate limits on
public endpoints, CSRF on cookie-authenticated forms, secure cookies and headers, admin API."""
import time

from tests.conftest import PASSWORD


def _login(client, username, password, ip):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_lockout_is_per_user_and_address_and_admin_clears_it(api, monkeypatch):
    monkeypatch.setenv("HOTLINE_LOCKOUT_THRESHOLD", "5")
    c = api.client
    codes = [_login(c, "agent", "wrong-password", "10.1.1.1").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    # locked: even the right password is refused from that address
    r = _login(c, "agent", PASSWORD, "10.1.1.1")
    assert r.status_code == 429 and r.json["error"]["code"] == "too_many_requests"
    # the real user at another desk is not locked out
    assert _login(c, "agent", PASSWORD, "10.2.2.2").status_code == 200
    # another user from the attacker's address is not locked either
    assert _login(c, "agent2", PASSWORD, "10.1.1.1").status_code == 200
    locks = api.as_("admin").get("/api/v1/admin/lockouts?username=agent").json["items"]
    assert [(x["client"], x["locked"]) for x in locks] == [("10.1.1.1", True)]
    assert api.as_("agent").get("/api/v1/admin/lockouts").status_code == 403
    r = api.as_("admin").delete("/api/v1/admin/lockouts/agent")
    assert r.status_code == 200 and r.json["cleared"] == 1
    assert _login(c, "agent", PASSWORD, "10.1.1.1").status_code == 200


def test_lockout_expires_by_itself(api, monkeypatch):
    monkeypatch.setenv("HOTLINE_LOCKOUT_THRESHOLD", "2")
    monkeypatch.setenv("HOTLINE_LOCKOUT_SECONDS", "1")
    c = api.client
    assert [_login(c, "dispatcher", "x" * 12, "10.3.3.3").status_code
            for _ in range(2)] == [401, 429]
    assert _login(c, "dispatcher", PASSWORD, "10.3.3.3").status_code == 429
    time.sleep(1.2)
    assert _login(c, "dispatcher", PASSWORD, "10.3.3.3").status_code == 200


def test_unknown_user_answers_like_a_wrong_password(api):
    r = _login(api.client, "nobody-here", "whatever-pw", "10.4.4.4")
    assert r.status_code == 401 and r.json["error"]["message"] == "用户名或密码错误"


def test_login_is_rate_limited_per_address(rt, monkeypatch):
    monkeypatch.setenv("HOTLINE_RATELIMIT_LOGIN", "3/minute")
    from hotline.web.app import create_app
    app = create_app(rt)
    c = app.test_client()
    codes = [_login(c, "agent", PASSWORD, "10.5.5.5").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _login(c, "agent", PASSWORD, "10.5.5.6").status_code == 200
    assert "api.token" in app.extensions["hotline.limited_endpoints"]


def test_public_endpoints_found_in_url_map_are_limited(app):
    limited = set(app.extensions["hotline.limited_endpoints"])
    public = {r.endpoint for r in app.url_map.iter_rules()
              if r.rule.startswith(("/open311/", "/self/", "/s/"))}
    assert public <= limited
    assert "api.token" in limited


def test_bearer_api_needs_no_csrf_but_cookie_forms_do(api):
    app = api.app
    from flask import render_template_string, session

    @app.route("/_test/form", methods=["GET", "POST"])
    def _form():
        session["who"] = "x"   # a cookie-authenticated form
        return render_template_string("<form><input name=csrf_token value='{{ csrf_token() }}'>"
                                      "</form>")
    c = app.test_client()
    page = c.get("/_test/form")
    token = page.get_data(as_text=True).split("value='")[1].split("'")[0]
    r = c.post("/_test/form", data={"a": "1"})
    assert r.status_code == 403 and r.json["error"]["code"] == "csrf_failed"
    assert c.post("/_test/form", data={"csrf_token": "forged"}).status_code == 403
    assert c.post("/_test/form", data={"csrf_token": token}).status_code == 200
    assert c.post("/_test/form", headers={"X-CSRFToken": token}).status_code == 200
    # the bearer JSON API works without any CSRF token, even with the cookie present
    r = c.post("/api/v1/orders", json={"content": "市民反映路灯不亮, 夜间出行不便, 请尽快处理"},
               headers=api.headers("agent"))
    assert r.status_code == 201


def test_security_headers_and_cookie_flags(api, rt):
    r = api.as_("agent").get("/api/v1/orders")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert api.app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert api.app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_cookies_are_secure(rt, monkeypatch):
    monkeypatch.delenv("HOTLINE_SECURE_COOKIES", raising=False)
    from dataclasses import replace

    from hotline.web.app import create_app
    rt.settings = replace(rt.settings, embedded=False)
    assert create_app(rt).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("HOTLINE_SECURE_COOKIES", "0")
    assert create_app(rt).config["SESSION_COOKIE_SECURE"] is False


def test_admin_manages_users_and_tokens_are_revoked(api):
    adm = api.as_("admin")
    r = adm.post("/api/v1/admin/users", json={"username": "new_agent", "name": "新话务员",
                                              "role": "agent", "password": "a-long-password"})
    assert r.status_code == 201, r.json
    assert adm.post("/api/v1/admin/users", json={"username": "new_agent", "role": "agent",
                                                 "password": "a-long-password"}).status_code == 409
    assert adm.post("/api/v1/admin/users", json={"username": "d2", "role": "department",
                                                 "password": "a-long-password"}).status_code == 422
    r = api.client.post("/api/v1/auth/token", json={"username": "new_agent",
                                                    "password": "a-long-password"})
    tok = {"Authorization": "Bearer " + r.json["token"]}
    assert api.client.get("/api/v1/orders", headers=tok).status_code == 200
    r = adm.patch("/api/v1/admin/users/new_agent", json={"active": False})
    assert r.status_code == 200 and r.json["active"] is False
    assert api.client.get("/api/v1/orders", headers=tok).status_code == 401
    names = [u["username"] for u in adm.get("/api/v1/admin/users").json["items"]]
    assert "new_agent" in names and "town_humen" in names
    assert adm.patch("/api/v1/admin/users/admin", json={"active": False}).status_code == 422
    assert api.as_("supervisor").get("/api/v1/admin/users").status_code == 403
    assert adm.patch("/api/v1/admin/users/ghost", json={"name": "x"}).status_code == 404


def test_admin_units_and_page(api):
    adm = api.as_("admin")
    r = adm.patch("/api/v1/admin/units/dept_housing", json={"active": False})
    assert r.status_code == 200 and r.json["active"] is False
    units = {u["code"]: u for u in adm.get("/api/v1/admin/units").json["items"]}
    assert units["dept_housing"]["active"] is False
    page = api.client.get("/admin")
    assert page.status_code == 200 and "系统管理" in page.get_data(as_text=True)
