"""OpenAPI 3 document built from the routes' marshmallow schemas (apispec)."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from hotline import __version__


def build_spec(routes: list[dict], create_schema) -> dict:
    spec = APISpec(title="hotline 12345 工单服务 API", version=__version__, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "东莞 12345 政务服务便民热线工单服务"})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    from hotline.web.schemas import ErrorSchema
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict] = {}
    for r in routes:
        op: dict = {"summary": r["summary"], "tags": r["tags"], "responses": {}}
        params = [{"name": p.strip("{}"), "in": "path", "required": True,
                   "schema": {"type": "integer" if p.endswith("_id}") else "string"}}
                  for p in r["path"].split("/") if p.startswith("{")]
        if r["query"] is not None:
            params.append({"in": "query", "schema": r["query"]})
        if params:
            op["parameters"] = params
        req = r["request"]
        if req == "OrderCreate":
            req = create_schema
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "description": "重试时带同一个键: 已登记的工单原样返回 (200), 不会重复登记",
                           "schema": {"type": "string", "minLength": 1, "maxLength": 64,
                                      "pattern": "^[!-~]+$"}})
            op["parameters"] = params
        if req is not None:
            op["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": req}}}
        ok = {"description": "成功"}
        if r["response"] is not None:
            ok["content"] = {"application/json": {"schema": r["response"]}}
        else:
            ok["content"] = {"application/json": {"schema": {"type": "object"}}}
        op["responses"][str(r["status"])] = ok
        if r["request"] == "OrderCreate":
            op["responses"]["200"] = {**ok, "description": "幂等重试: 返回此前已登记的工单"}
        for code in (400, 401, 403, 404, 409, 413, 422, 503):
            op["responses"][str(code)] = {"description": "错误", "content": {
                "application/json": {"schema": "Error"}}}
        if r["auth"]:
            op["security"] = [{"bearer": []}]
        paths.setdefault(r["path"], {})[r["method"]] = op
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return _open_responses(spec.to_dict())


def _open_responses(doc: dict) -> dict:
    """Response bodies may grow new fields without breaking clients (additive API changes),
    so response schemas allow additional properties; request schemas stay strict (unknown
    input fields are refused with 422)."""
    comps = doc.get("components", {}).get("schemas", {})
    seen: set[str] = set()

    def visit(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in seen and name in comps:
                    seen.add(name)
                    visit(comps[name])
            if node.get("additionalProperties") is False:
                node["additionalProperties"] = True
            for v in node.values():
                visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            if isinstance(op, dict):
                for resp in op.get("responses", {}).values():
                    visit(resp)
    return doc
