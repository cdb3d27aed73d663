"""Cross-cutting HTTP behaviour: problem+json everywhere, commit before answering, health."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import SessionTransaction

from tests.factories import Api


def test_unknown_route_and_method_are_problem_json(api: Api) -> None:
    for r in (api.client.get("/api/v1/nowhere"), api.client.put("/api/v1/units")):
        assert r.status_code in (404, 405)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == r.status_code


def test_malformed_json_is_a_422_problem(api: Api) -> None:
    r = api.client.post("/api/v1/units", content=b"{not json",
                        headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_failed"
    # The body is named, not the character position where a field name would go.
    [param] = r.json()["invalid_params"]
    assert param["name"] == "body" and param["code"] == "json_invalid"
    assert param["reason"].startswith("malformed JSON") and "at character 1" in param["reason"]


def test_a_body_without_its_content_type_is_told_why(api: Api) -> None:
    r = api.client.post("/api/v1/units", content=b'{"code": "X", "name": "A", "level": "province"}')
    assert r.status_code == 422
    assert "Content-Type: application/json" in r.json()["detail"]
    sent = api.client.post("/api/v1/units", json={"code": "X", "level": "nowhere"})
    assert "Content-Type" not in sent.json()["detail"]


def test_oversized_body_is_413(api: Api) -> None:
    r = api.client.post("/api/v1/units", content=b"x" * (9 * 1024 * 1024),
                        headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")


def test_a_failed_commit_is_never_acknowledged(
    api: Api, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: SessionTransaction) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SessionTransaction, "commit", fail)
    r = api.client.post("/api/v1/units", json={"code": "P", "name": "P", "level": "province"})
    monkeypatch.undo()
    assert r.status_code == 500
    assert r.json()["code"] == "internal_error"
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM units")) == 0


def test_health(api: Api) -> None:
    assert api.client.get("/health/live").json() == {"status": "ok"}
    assert api.client.get("/health/ready").json() == {"status": "ready"}


def test_openapi_documents_the_domain(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "/api/v1/dossiers/{code}/events" in spec["paths"]
    assert "tiếp nhận hồ sơ" in spec["paths"]["/api/v1/dossiers"]["post"]["description"]


def test_a_deadlock_victim_is_told_to_retry(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    class Deadlock(Exception):
        sqlstate = "40P01"

    def fail(self: SessionTransaction) -> None:
        raise OperationalError("COMMIT", None, Deadlock("deadlock detected"))

    monkeypatch.setattr(SessionTransaction, "commit", fail)
    r = api.client.post("/api/v1/units", json={"code": "P", "name": "P", "level": "province"})
    monkeypatch.undo()
    assert (r.status_code, r.json()["code"]) == (503, "transaction_conflict")
    assert r.headers["Retry-After"] == "1"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/api/v1/units", "GET, POST"),
    ("POST", "/api/v1/units/X", "DELETE, GET, PATCH"),
    ("DELETE", "/api/v1/stats/on-time", "GET"),
])
def test_a_405_names_every_allowed_method(client: TestClient, method: str, path: str,
                                          allow: str) -> None:
    r = client.request(method, path)
    assert (r.status_code, r.headers["content-type"]) == (405, "application/problem+json")
    assert r.headers["Allow"] == allow
