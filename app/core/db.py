"""Engines, the declarative base and the one-transaction-per-request session."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import orjson
from sqlalchemy import JSON, BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite keeps no offset, so we normalise both ways."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the database layer")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base: stable constraint names so migrations diff cleanly."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON()
    }


BUSY_TIMEOUT_SECONDS = 30


def _sqlite_pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" hook below issues BEGIN itself,
    # which is the documented way to get real transactions (and BEGIN IMMEDIATE) from pysqlite.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cur.close()


class _WriterQueue:
    """Queues this process's SQLite writers on a lock taken at BEGIN, released at check-in.

    SQLite's busy handler makes a waiting writer sleep and poll (up to 100 ms a nap), so under
    many concurrent requests most time went to sleeping while the lock was free. A Python lock
    hands over at once and in order. It is taken lazily, in the thread that runs the first
    statement, never in a dependency's setup: 40 pool threads blocked there would leave none
    to run the holder's endpoint. Other processes still wait on busy_timeout.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: object = None

    def begin(self, conn: Connection) -> None:
        if not self._lock.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked"))
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        self._holder = conn.connection.dbapi_connection

    def release(self, dbapi_conn: Any, *_: Any) -> None:
        # Check-in comes after COMMIT or ROLLBACK has run, so the next writer never meets
        # a lock SQLite still holds; invalidation covers a connection that is thrown away.
        if dbapi_conn is not None and self._holder is dbapi_conn:
            self._holder = None
            self._lock.release()


def _sqlite_query_only(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # Runs after _sqlite_pragmas (listeners fire in order), which needs to set WAL first.
    dbapi_conn.execute("PRAGMA query_only=ON")


def _json_text(value: Any) -> str:
    # JSON columns hold every event's stored answer: orjson renders them several times faster
    # than the standard library (the text differs only in whitespace; both read either).
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# The unit tree's lock on PostgreSQL (an advisory lock key; any constant unique to the app).
# Every write transaction holds it shared from its BEGIN, a tree change holds it exclusively:
# aggregates are kept per ancestor, so an event written from the tree as it was before a
# concurrent move would add to the wrong ancestors, and the move's re-filing would miss it.
# Writers do not block each other; a move waits for the writes in flight and holds new ones
# back for its own short transaction. SQLite has one writer at a time anyway.
TREE_LOCK_KEY = 0x6D6F7463  # "motc"
TREE_CHANGE = "motcua_tree_change"


def _tree_lock(conn: Connection) -> None:
    options = conn.get_execution_options()
    if options.get("postgresql_readonly"):
        return
    kind = "" if options.get(TREE_CHANGE) else "_shared"
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock{kind}({TREE_LOCK_KEY})")


def make_engine(url: str, *, writer: bool = True, pool_size: int = 10) -> Engine:
    """An engine for `url`: writers take SQLite's write lock at BEGIN, readers cannot write."""
    # hide_parameters: a logged database error must not carry the applicant's personal data.
    json = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               hide_parameters=True, **json)
        event.listen(engine, "connect", _sqlite_pragmas)
        if writer:
            # A deferred transaction that reads and then writes can fail with SQLITE_BUSY
            # without waiting; BEGIN IMMEDIATE takes the write lock up front.
            queue = _WriterQueue()
            event.listen(engine, "begin", queue.begin)
            event.listen(engine, "checkin", queue.release)
            event.listen(engine, "invalidate", queue.release)
        else:
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
            event.listen(engine, "connect", _sqlite_query_only)
        return engine
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
        hide_parameters=True, **json,
    )
    event.listen(engine, "begin", _tree_lock)
    # A read-only transaction on the primary fails a stray write exactly as a replica would,
    # so the ordinary test run already proves that read paths never write.
    return engine if writer else engine.execution_options(postgresql_readonly=True)


@dataclass
class Database:
    """The primary's engines and, when configured, a read replica for read-only requests.

    `engine` writes; `fresh_engine` reads the primary without taking SQLite's write lock (for
    what must be current, such as a key just revoked); `read_engine` may lag behind.
    """

    engine: Engine
    fresh_engine: Engine
    read_engine: Engine
    _writer: sessionmaker[Session] = field(init=False, repr=False)
    _fresh: sessionmaker[Session] = field(init=False, repr=False)
    _reader: sessionmaker[Session] = field(init=False, repr=False)
    _tree: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._tree = sessionmaker(self.engine.execution_options(**{TREE_CHANGE: True}),
                                  expire_on_commit=False)
        self._fresh = sessionmaker(self.fresh_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @classmethod
    def from_urls(cls, url: str, read_url: str | None = None, pool_size: int = 10) -> Database:
        """Engines for the primary and the (optional) replica."""
        engine = make_engine(url, pool_size=pool_size)
        # On PostgreSQL the fresh reader shares the writer's pool, with read-only transactions.
        fresh = (make_engine(url, writer=False) if url.startswith("sqlite")
                 else engine.execution_options(postgresql_readonly=True))
        read = make_engine(read_url, writer=False, pool_size=pool_size) if read_url else fresh
        return cls(engine, fresh, read)

    @contextmanager
    def transaction(self, mode: str = "write") -> Iterator[Session]:
        """One unit of work ("write", "tree" for a change of the unit tree, "fresh" or "read"):
        commit on success, else roll back."""
        factory = {"write": self._writer, "tree": self._tree, "fresh": self._fresh,
                   "read": self._reader}[mode]
        with factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        for engine in {self.engine, self.fresh_engine, self.read_engine}:
            engine.dispose()


def migrations_dir() -> Path:
    """The migrations folder, found through the installed package, not the working directory."""
    import migrations

    return Path(migrations.__file__).parent
