"""`python -m app stats check|rebuild` on a real database."""

from __future__ import annotations

import pytest

from app.__main__ import main
from tests.factories import Api


def test_check_and_rebuild(api: Api, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    api.province()
    api.receive("2026-03-02 08:00")
    assert main(["stats", "check"]) == 0
    assert "aggregates agree" in capsys.readouterr().out
    assert main(["stats", "rebuild"]) == 0
    assert "rebuilt the aggregates of 1 dossiers" in capsys.readouterr().out
