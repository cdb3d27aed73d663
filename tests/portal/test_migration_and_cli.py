"""The sync-state migration from the previous head, and `python -m app sync reconcile`."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.__main__ import main
from app.core.config import get_settings
from app.core.migrate import alembic_config
from tests.factories import Api, app_on, revision_before

BEFORE = revision_before("aff60f669ab0")


def test_upgrade_from_the_previous_head_keeps_the_dossiers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        api.receive("2026-03-02 08:00")
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    assert "portal_sync" not in inspect(engine).get_table_names()
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dossiers")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM portal_sync")).scalar() == 0
    assert "ix_dossier_events_dossier_id_id" in {
        i["name"] for i in inspect(engine).get_indexes("dossier_events")}
    engine.dispose()


def test_the_cli_reconciles_a_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with app_on(url) as api:
        api.province()
        code = str(Api(api.client).receive("2026-03-02 08:00")["code"])
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert main(["sync", "reconcile", "--day", "2026-03-02"]) == 1
        assert code in capsys.readouterr().out
        assert main(["sync", "reconcile", "--day", "2026-03-03"]) == 0
    finally:
        get_settings.cache_clear()
