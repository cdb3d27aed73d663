"""Every event carries its dossier's province code: the future distribution column."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from app.core.migrate import alembic_config
from tests.factories import PROVINCE, Api, app_on

BEFORE = "abd9e3a28333"
EVENTS = text("SELECT e.province_code, d.province_code FROM dossier_events e"
              " JOIN dossiers d ON d.id = e.dossier_id")


def test_events_carry_the_dossiers_province(api: Api, engine: Engine) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "processing_started", "2026-03-02 09:00")
    with engine.connect() as conn:
        rows = conn.execute(EVENTS).all()
    assert rows == [(PROVINCE, PROVINCE)] * 2


def test_upgrade_fills_the_province_of_existing_events(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        api.event(str(api.receive("2026-03-02 08:00")["code"]), "withdrawn", "2026-03-02 09:00")
    command.downgrade(alembic_config(url), BEFORE)
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(EVENTS).all() == [(PROVINCE, PROVINCE)] * 2
    engine.dispose()
