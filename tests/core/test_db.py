"""SQLite writers queue in-process: concurrent writes all land, and the queue never jams;
read sessions cannot write, on either engine, so a read path is safe on a replica."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core.db import Database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A Database on a fresh SQLite file with one counter row."""
    db = Database.from_urls(f"sqlite:///{tmp_path / 'q.db'}")
    with db.transaction() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
    yield db
    db.dispose()


def _count(db: Database) -> int:
    with db.transaction("fresh") as session:
        return int(session.execute(text("SELECT n FROM counter")).scalar_one())


def _increment(db: Database) -> None:
    with db.transaction() as session:
        n = session.execute(text("SELECT n FROM counter")).scalar_one()
        session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})


def _finishes_within(seconds: float, work: object) -> bool:
    thread = threading.Thread(target=work)  # type: ignore[arg-type]
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def test_concurrent_read_modify_write_transactions_all_land(sqlite_db: Database) -> None:
    def work() -> None:
        for _ in range(25):
            _increment(sqlite_db)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert _count(sqlite_db) == 200


def test_a_rolled_back_write_lets_the_next_writer_in(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError), sqlite_db.transaction() as session:
        session.execute(text("UPDATE counter SET n = 99"))
        raise RuntimeError("the request failed")
    assert _finishes_within(5, lambda: _increment(sqlite_db))
    assert _count(sqlite_db) == 1


def test_an_invalidated_connection_lets_the_next_writer_in(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError), sqlite_db.transaction() as session:
        session.execute(text("UPDATE counter SET n = 99"))
        session.connection().invalidate()  # as when the driver reports a lost connection
        raise RuntimeError("the connection broke")
    assert _finishes_within(5, lambda: _increment(sqlite_db))
    assert _count(sqlite_db) == 1


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
