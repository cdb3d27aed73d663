"""Alembic, driven from code: the server upgrades its own schema from any working directory."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.core.db import migrations_dir


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to `revision`."""
    command.upgrade(alembic_config(url), revision)
