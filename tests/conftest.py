"""Test harness: one migrated database per run (SQLite file, or a fresh PostgreSQL database
when TEST_DATABASE_URL points at a server), emptied between tests, and a real app around it."""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.db import Base
from app.core.deps import get_now
from app.core.migrate import upgrade
from app.main import create_app
from tests import problem_check
from tests.factories import Api

ADMIN_KEY = "test-admin-key"


@pytest.fixture(autouse=True, scope="session")
def problems_are_documented() -> Iterator[None]:
    """Every TestClient of the run checks each problem+json answer against the OpenAPI
    document (tests/problem_check.py)."""
    created = TestClient.__init__

    def init(self: TestClient, *args: Any, **kwargs: Any) -> None:
        created(self, *args, **kwargs)
        if isinstance(self.app, FastAPI):
            self.event_hooks["response"].append(partial(problem_check.check, self.app))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TestClient, "__init__", init)
        yield


def _fresh_postgres(url: str) -> Iterator[str]:
    """Create a uniquely named database on the server for this run, drop it afterwards."""
    server = make_url(url)
    name = f"motcua_test_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's database, migrated to head with Alembic (never create_all)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        for fresh in _fresh_postgres(url):
            upgrade(fresh)
            yield fresh
        return
    path: Path = tmp_path_factory.mktemp("db") / "test.db"
    fresh = f"sqlite:///{path}"
    upgrade(fresh)
    yield fresh


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """A plain engine for assertions that look at the tables directly."""
    eng = create_engine(database_url)
    yield eng
    eng.dispose()


# Reference data the migrations seed, as a fresh install has it: only rows added since go.
SEEDED = {"scorecard_weights": "version > 1"}


def empty_database(engine: Engine) -> None:
    """Delete every row but the seeded reference data, keeping the schema."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in SEEDED]
    with engine.begin() as conn:
        for table, added in SEEDED.items():
            conn.execute(text(f"DELETE FROM {table} WHERE {added}"))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


class Clock:
    """The app's notion of now; None means the real clock."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or utcnow()


@pytest.fixture
def clock() -> Clock:
    """Set `clock.now` to replay history at a given instant."""
    return Clock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings of the app under test."""
    return Settings(database_url=database_url, admin_api_key=ADMIN_KEY, migrate_on_start=False,
                    webhook_sender_enabled=False)


@pytest.fixture
def client(settings: Settings, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    """A client of a real app on the run's database, emptied before each test."""
    empty_database(engine)
    app = create_app(settings)
    app.dependency_overrides[get_now] = clock
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["X-API-Key"] = ADMIN_KEY
        yield c


@pytest.fixture
def api(client: TestClient) -> Api:
    """Factories and helpers that go through the public API."""
    return Api(client)


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`python -m app ...` (app.__main__.main) on the run's database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def skip_reasons(reports: list[pytest.TestReport]) -> str:
    """One line: how many tests were skipped for each reason, most frequent first."""
    reasons = Counter(
        str(r.longrepr[2]).removeprefix("Skipped: ") if isinstance(r.longrepr, tuple)
        else str(r.longrepr)
        for r in reports
    )
    return "; ".join(f"{n} x {reason}" for reason, n in reasons.most_common())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """End the run with what it did not check and why (the README lists the packages)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(f"Not checked in this run: {skip_reasons(skipped)}",
                                    yellow=True)
