"""The OpenAPI document tells the truth (SPEC §5, round 2): problems, security, parameters, bodies."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
async def document(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and method in ("get", "post", "put", "patch", "delete", "head"):
                yield path, method, operation


def problem_codes(operation) -> set[int]:
    return {int(code) for code, answer in operation["responses"].items()
            if PROBLEM in answer.get("content", {})}


async def test_every_api_operation_lists_its_problem_answers_as_problem_json_with_errors(document):
    problem = document["components"]["schemas"]["Problem"]
    assert "errors" in problem["properties"] and problem["properties"]["errors"]["type"] == "array"
    for path, method, operation in operations(document):
        if not path.startswith("/v1"):
            continue
        codes = problem_codes(operation)
        assert 400 in codes, (method, path)
        for answer in operation["responses"].values():
            assert "application/json" not in answer.get("content", {}) or "status_code" not in str(answer), \
                f"{method} {path} still documents Litestar's own error shape"
        if method == "post":
            assert {400, 401, 403, 409, 413, 415, 422} <= codes, (method, path, codes)
        if "{" in path:
            assert 404 in codes, (method, path)


async def test_writes_and_auditor_reads_declare_the_bearer_scheme_and_public_reads_do_not(document):
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearer"]
        ["description"]}
    secured = {(method, path) for path, method, operation in operations(document)
               if operation.get("security") == [{"bearer": []}]}
    for path, method, _ in operations(document):
        if method == "post" or path in ("/v1/log", "/v1/audit/verify", "/v1/audit/replay"):
            assert (method, path) in secured, (method, path)
    assert ("get", "/v1/timeline") not in secured and ("get", "/v1/audit/root") not in secured


async def test_every_parameter_has_a_description(document):
    missing = [(method, path, parameter["name"]) for path, method, operation in operations(document)
               for parameter in operation.get("parameters", []) if not parameter.get("description")]
    assert missing == []


async def test_every_write_names_its_body_schema_in_the_document_and_on_the_docs_page(client, document):
    page = (await client.get("/schema/docs")).text
    for path, method, operation in operations(document):
        if method != "post":
            continue
        content = operation["requestBody"]["content"]
        if "text/csv" in content:  # a dataset snapshot's CSV (SPEC §10): a string, not a JSON schema
            assert content["text/csv"]["schema"]["type"] == "string", path
            continue
        reference = content["application/json"]["schema"]["$ref"]
        name = reference.rsplit("/", 1)[-1]
        assert name in document["components"]["schemas"], (path, name)
        assert f"<code>{name}</code></a>" in page, (path, name)


async def test_event_and_claim_reads_document_their_not_modified_answer(document):
    for path in ("/v1/events/{event_id}", "/v1/claims/{claim_id}"):
        assert "304" in document["paths"][path]["get"]["responses"]
