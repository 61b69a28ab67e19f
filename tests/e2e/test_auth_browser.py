"""Page sessions in a real browser (issue 12): the credential is an HttpOnly cookie no script
can read, a new tab is logged in by that cookie, and the logout button on the page revokes it
on the server, so a copy taken before logout is refused."""
import json
import urllib.error
import urllib.request

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def _me_with_cookie(base: str, value: str) -> int:
    req = urllib.request.Request(f"{base}/api/v1/auth/me",
                                 headers={"Cookie": f"hotline_auth={value}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_login_cookie_is_out_of_scripts_reach_and_logout_revokes_it(live_server, page):
    base = live_server.url
    login(page, base, "dispatcher")
    assert page.url.endswith("/dispatch")
    # nothing a script in the page can read carries authority
    assert "hotline_auth" not in page.evaluate("document.cookie")
    stored = page.evaluate("JSON.stringify(Object.assign({}, sessionStorage))")
    assert "token" not in stored and "dispatcher" in stored
    cookie = next(c for c in page.context.cookies() if c["name"] == "hotline_auth")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert _me_with_cookie(base, cookie["value"]) == 200

    # a new tab has no sessionStorage: the cookie logs it in (requireLogin asks /auth/me)
    tab = page.context.new_page()
    tab.goto(f"{base}/dispatch")
    tab.locator("#whoami").filter(has_text="派单员王工").wait_for(timeout=10000)
    assert tab.url.endswith("/dispatch")
    tab.close()

    button = page.locator("#logout")
    assert button.is_visible() and button.inner_text() == "退出登录"
    screenshot(page, "auth-01-logout-button")
    button.click()
    page.wait_for_url(lambda u: u.rstrip("/").endswith("/login"))
    assert not [c for c in page.context.cookies() if c["name"] == "hotline_auth"]
    assert page.evaluate("sessionStorage.getItem('hotline')") is None
    # the copy taken before logout is dead on the server
    assert _me_with_cookie(base, cookie["value"]) == 401
    # and a staff page now sends the browser back to the login page
    page.goto(f"{base}/dispatch")
    page.wait_for_url(lambda u: "/login" in u)
    assert json.loads(page.evaluate("JSON.stringify(location.search)")).startswith("?next=")
