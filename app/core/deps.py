"""Request-scoped dependencies: the transaction, the caller and the current time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.db import Database

# The small dependencies are `async def`: FastAPI runs a plain `def` dependency in the thread
# pool, a hand-off per dependency per request for what is an attribute read.


async def get_db(request: Request) -> Database:
    """The app's Database, set up by the lifespan."""
    db: Database = request.app.state.db
    return db


async def get_settings_dep(request: Request) -> Settings:
    """The app's settings (tests build apps with their own)."""
    settings: Settings = request.app.state.settings
    return settings




def _write_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.transaction("write") as session:
        yield session


def _tree_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.transaction("tree") as session:
        yield session


def _fresh_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.transaction("fresh") as session:
        yield session


def _read_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.transaction("read") as session:
        yield session


async def get_now() -> datetime:
    """The request's notion of now; tests override it to replay history."""
    return utcnow()


# scope="function": the commit runs before the response is sent, so a client never gets a
# 2xx for a write that then failed to commit (the default scope commits after sending).
WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
# A write that may move units in the tree: it runs alone among the writes (see core.db).
TreeSession = Annotated[Session, Depends(_tree_session, scope="function")]
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
# The primary without SQLite's write lock: reads that must be current (a feed, not a replica).
FreshSession = Annotated[Session, Depends(_fresh_session, scope="function")]
Now = Annotated[datetime, Depends(get_now)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
