"""Oversized bodies are refused with 413 before anything reads them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.conftest import ADMIN_KEY


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    """A client of an app that takes bodies of at most 1,024 bytes."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 1024}))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["X-API-Key"] = ADMIN_KEY
        yield c


def test_a_body_over_the_limit_is_a_413_problem(small_client: TestClient) -> None:
    r = small_client.post("/api/v1/units", content=b"{" + b" " * 2000 + b"}",
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "payload_too_large"
    assert r.json()["instance"] == "/api/v1/units"


def test_a_body_within_the_limit_reaches_the_route(small_client: TestClient) -> None:
    r = small_client.post("/api/v1/units", json={"code": "X"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_failed"
