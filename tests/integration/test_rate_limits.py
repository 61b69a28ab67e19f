"""One rate limit per public route, and each limit is reached (issue 12 finding 5: the general
/open311/ limit wrapped the Open311 POST first, so its own 30/min never applied).

Each limit is set to 2 a day through its HOTLINE_RATELIMIT_<NAME> override: a window starts at
its first hit, so no clock boundary resets it mid-test, and the third request is refused."""
import pytest

from hotline.privacy.api import PUBLIC_LIMITS
from tests.conftest import PASSWORD

# one request per limit name, on a route that limit governs
SAMPLES = {
    "login": ("post", "/api/v1/auth/token", {"json": {"username": "agent",
                                                      "password": PASSWORD}}),
    "open311_post": ("post", "/open311/v2/requests.json", {"data": {"service_code": "x"}}),
    "open311": ("get", "/open311/v2/services.json", {}),
    "kb_ask": ("post", "/self/api/knowledge/ask", {"json": {"q": "社保卡丢了怎么补办"}}),
    "selfservice": ("get", "/self/track", {}),
    "survey_token": ("get", "/s/no-such-token", {}),
    "survey_token_api": ("get", "/api/v1/surveys/no-such-token", {}),
}


def test_every_limit_has_a_sample_and_governs_a_route(app):
    names = [name for name, *_ in PUBLIC_LIMITS]
    assert set(SAMPLES) == set(names)
    chosen = app.extensions["hotline.route_limits"]
    shadowed = set(names) - set(chosen.values())
    assert not shadowed, f"limits no route gets (an earlier entry matches first): {shadowed}"


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_limit_is_reached(rt, monkeypatch, name):
    monkeypatch.setenv(f"HOTLINE_RATELIMIT_{name.upper()}", "2/day")
    from hotline.web.app import create_app
    app = create_app(rt)
    method, path, kw = SAMPLES[name]
    rule, _ = app.url_map.bind("localhost").match(path, method=method.upper(),
                                                 return_rule=True)
    assert app.extensions["hotline.route_limits"][rule.endpoint] == name
    c = app.test_client()
    codes = [getattr(c, method)(path, **kw).status_code for _ in range(3)]
    assert 429 not in codes[:2], codes
    assert codes[2] == 429, codes
