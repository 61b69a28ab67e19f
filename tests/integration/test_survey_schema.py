"""The survey answers conform to the OpenAPI document for a PENDING survey too: before the
citizen answers, resolved / satisfaction / comment (and the other answer fields) are null, and
the document says so (nullable), on SQLite and PostgreSQL."""
from __future__ import annotations

import schemathesis

from tests.integration.survey_flow import citizen_token, pending_for, to_return_visit


def _operations(api):
    doc = api.client.get("/api/v1/openapi.json").json
    schema = schemathesis.openapi.from_dict(doc)
    return {(m, p): schema[p][m] for p, m in (("/api/v1/surveys", "GET"),
                                              ("/api/v1/surveys/{token}", "GET"),
                                              ("/api/v1/surveys/{survey_id}/attempts", "POST"))}


def test_pending_survey_answers_conform_to_the_document(api):
    oid = to_return_visit(api)
    [s] = pending_for(api, oid)
    assert s["status"] == "pending"
    assert (s["resolved"], s["satisfaction"], s["comment"]) == (None, None, None)
    ops = _operations(api)
    listing = api.as_("agent").get("/api/v1/surveys?status=pending")
    citizen = api.client.get(f"/api/v1/surveys/{citizen_token(api, s['id'])}")
    attempt = api.as_("agent").post(f"/api/v1/surveys/{s['id']}/attempts", json={"note": None})
    for key, r in ((("GET", "/api/v1/surveys"), listing),
                   (("GET", "/api/v1/surveys/{token}"), citizen),
                   (("POST", "/api/v1/surveys/{survey_id}/attempts"), attempt)):
        assert r.status_code == 200, (key, r.status_code, r.json)
        ops[key].validate_response(r)          # raises with the offending field
    assert attempt.json["status"] == "pending" and attempt.json["comment"] is None
