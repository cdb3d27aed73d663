"""A real server for the reliability tests, on the run's database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import Api
from tests.reliability.server import LiveServer


@pytest.fixture
def live(api: Api, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A uvicorn subprocess on the run's database, emptied and seeded with a province."""
    api.province()
    with LiveServer(database_url, tmp_path / "server.log") as server:
        yield server
