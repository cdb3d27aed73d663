"""`python -m app stats check|rebuild` on a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.__main__ import main
from app.core.config import get_settings
from tests.factories import Api


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_check_and_rebuild(api: Api, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    api.province()
    api.receive("2026-03-02 08:00")
    assert main(["stats", "check"]) == 0
    assert "aggregates agree" in capsys.readouterr().out
    assert main(["stats", "rebuild"]) == 0
    assert "rebuilt the aggregates of 1 dossiers" in capsys.readouterr().out
