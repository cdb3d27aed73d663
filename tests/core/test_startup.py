"""The server migrates its own database at start, from any working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect

from app.core.config import Settings
from app.main import create_app


def test_first_start_creates_the_schema_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(Settings(database_url=url, admin_api_key="k", migrate_on_start=True))
    with TestClient(app, headers={"X-API-Key": "k"}) as client:
        r = client.post("/api/v1/units", json={"code": "P", "name": "P", "level": "province"})
        assert r.status_code == 201
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"dossiers", "dossier_events", "alembic_version"} <= tables
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
