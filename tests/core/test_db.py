"""Read sessions cannot write, on either engine, so a read path is safe on a replica."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core.db import Database

INSERT = text("INSERT INTO dossier_sequences (unit_code, day, last) VALUES ('U', '2026-01-02', 1)")


@pytest.mark.parametrize("mode", ["read", "fresh"])
def test_a_read_session_refuses_a_write(database_url: str, mode: str) -> None:
    db = Database.from_urls(database_url, pool_size=1)
    try:
        with pytest.raises(DBAPIError, match=r"read-only|readonly"), db.transaction(mode) as s:
            s.execute(INSERT)
        # The writer still writes on the same pool: the read-only mark left with the session.
        with db.transaction("write") as s:
            s.execute(INSERT)
            s.rollback()
    finally:
        db.dispose()
