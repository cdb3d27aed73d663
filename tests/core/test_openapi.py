import json
import os
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _responses(client: TestClient) -> list[tuple[str, dict[str, Any]]]:
    paths = client.get("/openapi.json").json()["paths"]
    return [(status, response) for item in paths.values() for op in item.values()
            for status, response in op["responses"].items()]


def test_every_error_response_is_documented_as_problem_json(client: TestClient) -> None:
    errors = [(s, r) for s, r in _responses(client) if s[0] in "45"]
    assert errors
    assert all(r["content"] == PROBLEM for _, r in errors)


def test_every_operation_documents_client_and_server_errors(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for item in paths.values():
        for op in item.values():
            assert {"4XX", "5XX"} <= set(op["responses"])


def test_a_validation_error_matches_the_documented_problem(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Problem"]
    r = client.post("/api/v1/units", json={})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert set(schema["required"]) <= set(r.json())


def test_every_operation_has_a_written_summary_and_description(client: TestClient) -> None:
    """Not FastAPI's fallback ("Report Ii06A" from `report_ii06a`), which reads as noise."""
    paths = client.get("/openapi.json").json()["paths"]
    lacking = []
    for path, item in paths.items():
        for method, op in item.items():
            # FastAPI's fallback is the function name in title case, which starts operationId.
            generated = op["operationId"].startswith(
                op.get("summary", "").lower().replace(" ", "_") + "_")
            if generated or not op.get("description"):
                lacking.append(f"{method.upper()} {path}")
    assert lacking == []


def test_schema_names_are_the_models_names(client: TestClient) -> None:
    names = client.get("/openapi.json").json()["components"]["schemas"]
    assert [n for n in names if not n.isidentifier() or "__" in n] == []
    assert {"DossiersResolved", "StatsResolved"} <= set(names)


SNAPSHOT = Path(__file__).with_name("openapi.json")


def test_openapi_matches_the_committed_snapshot(client: TestClient) -> None:
    """A change to the API's contract shows in review as a diff of tests/core/openapi.json;
    UPDATE_OPENAPI=1 rewrites it after an intended change."""
    current = json.dumps(client.get("/openapi.json").json(), ensure_ascii=False, indent=1,
                         sort_keys=True) + "\n"
    if os.environ.get("UPDATE_OPENAPI"):
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8"), \
        "the OpenAPI document changed: review it, then run with UPDATE_OPENAPI=1"
