"""PostgreSQL unreachable: 503 problem+json and not ready; back: recovered without a restart.

The shared PostgreSQL server is never stopped: the app under test reaches it through a
loopback TCP proxy that the test cuts and restores.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from tests.factories import PROVINCE, Api
from tests.reliability.server import LOOPBACK, CuttableProxy, LiveServer


@pytest.fixture
def proxied(api: Api, database_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer,
                                                                            CuttableProxy]]:
    """A server whose database connections all go through a cuttable proxy."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    api.province()
    proxy = CuttableProxy(url.port or 5432)
    proxy.start()
    through = url.set(host=LOOPBACK, port=proxy.port).render_as_string(hide_password=False)
    try:
        with LiveServer(through, tmp_path / "server.log") as server:
            yield server, proxy
    finally:
        proxy.close()


def until(check: object, seconds: float = 20) -> httpx.Response:
    """Poll `check()` until it answers 2xx, at most `seconds`; return the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        r: httpx.Response = check()  # type: ignore[operator]
        if r.is_success or time.monotonic() > deadline:
            return r
        time.sleep(0.2)


def test_database_outage_is_503_then_recovers_without_restart(
    proxied: tuple[LiveServer, CuttableProxy],
) -> None:
    server, proxy = proxied
    unit = {"code": "X1", "name": "Xã 1", "level": "commune", "parent": PROVINCE}
    with server.client(timeout=15) as c:
        assert c.get("/api/v1/units/X0").status_code == 404  # the pool holds live connections
        proxy.cut()
        for answer in (c.post("/api/v1/units", json=unit), c.get(f"/api/v1/units/{PROVINCE}"),
                       c.get("/health/ready")):
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
        assert c.post("/api/v1/units", json=unit).json()["code"] == "database_unavailable"
        assert c.get("/health/ready").json()["code"] == "not_ready"
        assert c.get("/health/live").status_code == 200
        proxy.restore()
        assert until(lambda: c.get("/health/ready")).status_code == 200
        assert until(lambda: c.post("/api/v1/units", json=unit)).status_code == 201
        assert c.get("/api/v1/units/X1").status_code == 200
    assert server.process is not None and server.process.poll() is None
