"""The step an upgrade that adds statistics cells documents: rebuild, then check."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.stats import service


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
