"""Schemathesis fuzz driver shared by the test (`make test`, small budget) and the bench
(`make bench`, full budget): every operation of /api/v1/openapi.json, plus the Open311
GeoReport v2 endpoints (described below, since they are outside /api/v1), with the checks
not_a_server_error and response_schema_conformance. Returns the request count and failures."""
from __future__ import annotations

import logging
import time

OPEN311_DOC = {
    "openapi": "3.0.3", "info": {"title": "Open311 GeoReport v2", "version": "2"},
    "paths": {
        "/open311/v2/discovery.json": {"get": {"responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/open311/v2/services.json": {"get": {
            "parameters": [{"name": "jurisdiction_id", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "array", "items": {"type": "object"}}}}},
                "default": {"description": "error"}}}},
        "/open311/v2/services/{code}.json": {"get": {
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object"}}}}, "default": {"description": "error"}}}},
        "/open311/v2/requests.json": {
            "get": {"parameters": [
                {"name": n, "in": "query", "schema": {"type": "string"}}
                for n in ("service_request_id", "service_code", "start_date", "end_date",
                          "status", "jurisdiction_id", "page", "page_size")],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}}}}},
                    "default": {"description": "error"}}},
            "post": {"requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "properties": {
                        "api_key": {"type": "string"}, "service_code": {"type": "string"},
                        "lat": {"type": "string"}, "long": {"type": "string"},
                        "address_string": {"type": "string"}, "description": {"type": "string"},
                        "email": {"type": "string"}, "phone": {"type": "string"},
                        "first_name": {"type": "string"}, "last_name": {"type": "string"},
                        "jurisdiction_id": {"type": "string"}}}}}},
                "responses": {"201": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}}}}},
                    "default": {"description": "error"}}}},
        "/open311/v2/requests/{rid}.json": {"get": {
            "parameters": [{"name": "rid", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"default": {"description": "any"}}}},
        "/open311/v2/tokens/{token}.json": {"get": {
            "parameters": [{"name": "token", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"default": {"description": "any"}}}},
    },
}


def run_fuzz(app, headers: dict, examples: int, seed: int = 12345,
             include_open311: bool = True) -> dict:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance
    logging.disable(logging.CRITICAL)   # expected 4xx noise; failures are collected below
    try:
        schemas = [("api", schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app))]
        if include_open311 and any(r.rule.startswith("/open311/") for r in app.url_map.iter_rules()):
            doc = schemathesis.openapi.from_dict(OPEN311_DOC)
            doc.app = app
            schemas.append(("open311", doc))
        count, failures, ops = 0, {}, 0
        started = time.perf_counter()
        for _, schema in schemas:
            operations = [result.ok() for result in schema.get_all_operations()]
            # logout revokes the fuzzer's token: fuzz it last, or every later operation
            # would only see 401
            operations.sort(key=lambda o: o.label == "POST /api/v1/auth/logout")
            for op in operations:
                ops += 1
                seen: list = []

                @given(op.as_strategy())
                @settings(max_examples=examples, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck),
                          phases=[Phase.explicit, Phase.generate])
                def check(case):
                    nonlocal count
                    count += 1
                    case.call_and_validate(checks=[not_a_server_error,
                                                   response_schema_conformance],
                                           headers=headers)
                try:
                    import hypothesis
                    hypothesis.seed(seed)(check)()
                except BaseException as exc:   # FailureGroup: keep the text, go on
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    failures[op.label] = str(exc)[:3000]
                del seen
        return {"operations": ops, "requests": count, "failures": failures,
                "seconds": round(time.perf_counter() - started, 1)}
    finally:
        logging.disable(logging.NOTSET)


# ---------------------------------------------------------------- hostile shapes (issue 12)
# Values a schema-driven generator never produces, because they are outside the documented
# schema or outside what its string strategies emit: each once in every place of its kind, on
# every documented operation. Each must answer below 500; a refusal of a JSON body or a
# /api/v1 parameter must carry the error envelope.
DEEP_BODIES = {"deep_array": b"[" * 100_000 + b"]" * 100_000,
               "deep_object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000}
LONE_SURROGATES = ("\ud800abc", "abc\udfff")
HUGE_INTEGERS = (10 ** 30, -(10 ** 30), 2 ** 31, 2 ** 63)
EXTREME_DATES = ("0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00",
                 "0001-01-01T00:00:00+14:00")
DATE_NAMES = ("from", "to", "since", "until", "start_date", "end_date", "due", "received_at")
HOSTILE_ROLES = ("admin", "dispatcher", "supervisor", "agent", "town_humen")


def _resolve(doc: dict, node: dict) -> dict:
    comps = doc.get("components", {}).get("schemas", {})
    for _ in range(10):
        if "$ref" in node:
            node = comps[node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        else:
            break
    return node


def _leaves(doc: dict, schema: dict, path: tuple = (), depth: int = 0):
    """(path, kind) of each property, nested objects and list items included; kind is
    integer / date / string."""
    schema = _resolve(doc, schema)
    if schema.get("type") == "array" and depth < 4:
        yield from _leaves(doc, schema.get("items", {}), path + (0,), depth + 1)
        return
    props = schema.get("properties")
    if props and depth < 4:
        for name, sub in props.items():
            yield from _leaves(doc, sub, path + (name,), depth + 1)
        return
    if not path:
        return
    if schema.get("type") == "integer":
        yield path, "integer"
    elif schema.get("format") in ("date", "date-time") or path[-1] in DATE_NAMES:
        yield path, "date"
    else:
        yield path, "string"


def _put(path: tuple, value):
    body = value
    for key in reversed(path):
        body = [body] if key == 0 else {key: body}
    return body


def _values(kind: str) -> tuple:
    return {"integer": HUGE_INTEGERS[:3] + LONE_SURROGATES[:1],
            "date": EXTREME_DATES[::2] + LONE_SURROGATES[:1],
            "string": LONE_SURROGATES[:1] + HUGE_INTEGERS[:1] + (["list"],)}[kind]


def _query_values(param: dict) -> tuple:
    schema = param.get("schema", {})
    if param["name"] in DATE_NAMES or schema.get("format") in ("date", "date-time"):
        return EXTREME_DATES
    if schema.get("type") == "integer" or param["name"] in ("page", "page_size", "per_page"):
        return tuple(str(v) for v in HUGE_INTEGERS) + ("99999999999999999999",)
    return ("%ED%A0%80abc",)   # a surrogate's UTF-8-like bytes: not valid UTF-8 in a URL


def hostile_requests(doc: dict, fill: dict):
    """(method, url, kind, body bytes or None, must_refuse) for every documented operation."""
    import json
    from urllib.parse import quote
    for path, ops in doc.get("paths", {}).items():
        url = path
        for name, value in fill.items():
            url = url.replace("{" + name + "}", str(value))
        url = url.replace("{", "").replace("}", "")
        for method, op in ops.items():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []):
                if param.get("in") == "query" and "name" in param:
                    for v in _query_values(param):
                        q = v if v.startswith("%") else quote(v, safe="")
                        yield method, f"{url}?{param['name']}={q}", "query", None, False
                elif param.get("in") == "query" and "schema" in param:   # a marshmallow schema
                    for leaf, kind in _leaves(doc, param["schema"]):
                        for v in _query_values({"name": leaf[-1], "schema": {"type": kind}}):
                            q = v if v.startswith("%") else quote(v, safe="")
                            yield method, f"{url}?{leaf[-1]}={q}", "query", None, False
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            for shape, raw in DEEP_BODIES.items():
                yield method, url, shape, raw, True
            yield method, url, "surrogate_key", b'{"\\ud800": 1}', True
            for leaf, kind in _leaves(doc, content["application/json"].get("schema", {})):
                for v in _values(kind):
                    raw = json.dumps(_put(leaf, v)).encode()
                    yield (method, url, f"{'.'.join(map(str, leaf))}={v!r}"[:80], raw,
                           isinstance(v, str) and v in LONE_SURROGATES)


def run_hostile(app, docs: list[dict], tokens: dict[str, str], fill: dict) -> dict:
    """Send every hostile request of an operation once, as the first principal (no token,
    then each of `tokens`) that gets past the operation's access check, so the input reaches
    the parser and the schemas. Failures: 5xx, a JSON 4xx under /api/v1 without the error
    envelope, or a lone surrogate / deep body that was accepted."""
    client = app.test_client()
    count, failures = 0, {}
    principals = [(None, {}), *((u, {"Authorization": f"Bearer {t}"}) for u, t in tokens.items())]
    by_op: dict[tuple, list] = {}
    for doc in docs:
        for method, url, kind, raw, must_refuse in hostile_requests(doc, fill):
            by_op.setdefault((method, url.split("?")[0]), []).append(
                (method, url, kind, raw, must_refuse))
    for (method, url), requests in by_op.items():
        role, headers = principals[-1]
        for who, hdrs in principals:
            kw = {"headers": hdrs}
            if method in ("post", "put", "patch"):
                kw.update(json={})
            count += 1
            if getattr(client, method)(url, **kw).status_code not in (401, 403):
                role, headers = who, hdrs
                break
        for method_, url_, kind, raw, must_refuse in requests:
            count += 1
            kw = {"headers": headers}
            if raw is not None:
                kw.update(data=raw, content_type="application/json")
            r = getattr(client, method_)(url_, **kw)
            label = f"{method_.upper()} {url_} [{kind}] as {role or 'anon'}"
            if r.status_code >= 500:
                failures[label] = f"{r.status_code} {r.get_data(as_text=True)[:200]}"
            elif url_.startswith("/api/v1") and r.status_code >= 400 and r.is_json and \
                    set((r.get_json() or {}).get("error", {})) != {"code", "message", "fields"}:
                failures[label] = f"{r.status_code} without the error envelope"
            elif must_refuse and r.status_code < 400:
                failures[label] = f"{r.status_code}: accepted"
    return {"requests": count, "failures": failures}
