"""An upgrade that adds statistics cells, as operators meet it: the new cells start empty
(`stats check` says so) until the documented rebuild, after which the check agrees."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.core.migrate import alembic_config
from app.stats import service


def upgrade_leaves_cells_to_rebuild(url: str, before: str) -> None:
    """Take the database at `url` back to revision `before`, upgrade it to head, and assert
    that `stats check` finds the aggregates incomplete until they are rebuilt."""
    command.downgrade(alembic_config(url), before)
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            assert service.check(session) != []
            session.rollback()
    finally:
        engine.dispose()


def rebuild_and_check(url: str) -> int:
    """Rebuild the aggregates of the database at `url`; assert `stats check` then agrees.
    Returns how many dossiers were rebuilt."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rebuilt = service.rebuild(session)
            session.commit()
        with Session(engine) as session:
            assert service.check(session) == []
            session.rollback()
    finally:
        engine.dispose()
    return rebuilt
