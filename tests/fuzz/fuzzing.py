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
