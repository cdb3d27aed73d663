"""CORS is off unless origins are configured, and then only for those origins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.conftest import ADMIN_KEY

DASHBOARD = "https://dashboard.example.gov.vn"
STRANGER = "https://evil.example.com"
PREFLIGHT = {"Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "X-API-Key"}


def _client(settings: Settings, origins: list[str]) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"cors_origins": origins}))
    with TestClient(app) as c:
        c.headers["X-API-Key"] = ADMIN_KEY
        yield c


@pytest.fixture
def default(settings: Settings) -> Iterator[TestClient]:
    """The app as deployed without CORS_ORIGINS."""
    yield from _client(settings, [])


@pytest.fixture
def configured(settings: Settings) -> Iterator[TestClient]:
    """The app with one dashboard origin allowed."""
    yield from _client(settings, [DASHBOARD])


@pytest.mark.parametrize("origin", [DASHBOARD, STRANGER])
def test_no_cors_by_default(default: TestClient, origin: str) -> None:
    read = default.get("/api/v1/procedures", headers={"Origin": origin})
    preflight = default.options("/api/v1/procedures", headers={"Origin": origin, **PREFLIGHT})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
    assert "access-control-allow-origin" not in preflight.headers


def test_a_configured_origin_is_allowed(configured: TestClient) -> None:
    read = configured.get("/api/v1/procedures", headers={"Origin": DASHBOARD})
    preflight = configured.options("/api/v1/procedures",
                                   headers={"Origin": DASHBOARD, **PREFLIGHT})
    assert read.headers["access-control-allow-origin"] == DASHBOARD
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == DASHBOARD
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()


def test_other_origins_stay_refused_when_configured(configured: TestClient) -> None:
    read = configured.get("/api/v1/procedures", headers={"Origin": STRANGER})
    preflight = configured.options("/api/v1/procedures",
                                   headers={"Origin": STRANGER, **PREFLIGHT})
    assert "access-control-allow-origin" not in read.headers
    assert "access-control-allow-origin" not in preflight.headers
