"""The group-commit writer: concurrent items share a transaction, answers follow the commit,
one bad item cannot fail the others, a failed commit fails its whole group."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.core.db import Database
from app.core.group_commit import GroupCommit
from app.core.observability import CURRENT, RequestInfo


class Recorder:
    """A handler writing each item as an audit-free row of a scratch table."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.requests: list[RequestInfo | None] = []  # whose writes each group logs under

    def __call__(self, session: Session, items: list[str]) -> list[str]:
        self.entered.set()
        assert self.gate.wait(10)
        self.groups.append(list(items))
        self.requests.append(CURRENT.get())
        if "boom" in items:
            raise RuntimeError("a bug met by one item")
        if "db-down" in items:
            raise OperationalError("SELECT 1", None, Exception("connection refused"))
        if "fail-commit" in items:
            def refuse(_: Session) -> None:
                raise RuntimeError("the commit failed")
            event.listen(session, "before_commit", refuse)
        session.execute(text("INSERT INTO scratch (item) VALUES (:item)"),
                        [{"item": i} for i in items])
        return [f"ok {i}" for i in items]


@pytest.fixture
def db(tmp_path: Any) -> Iterator[Database]:
    database = Database.from_urls(f"sqlite:///{tmp_path / 'group.db'}")
    with database.transaction() as session:
        session.execute(text("CREATE TABLE scratch (item TEXT)"))
    yield database
    database.dispose()


def stored(db: Database) -> list[str]:
    with db.transaction("fresh") as session:
        return sorted(session.scalars(text("SELECT item FROM scratch")))


def submit_all(writer: GroupCommit[str, str], items: list[str]) -> list[Any]:
    """Submit each item as its own request would: under a request id `req-<item>` and key 7."""
    async def submit(item: str) -> str:
        CURRENT.set(RequestInfo(f"req-{item}", key_id=7))
        return await writer.submit(item)

    async def run() -> list[Any]:
        return await asyncio.gather(*(submit(i) for i in items), return_exceptions=True)
    return asyncio.run(run())


def as_one_group(db: Database, handler: Recorder, items: list[str]) -> list[Any]:
    """Submit `items` while the writer is busy with "first", so they queue up and form one
    group; returns their outcomes once both groups are done."""
    handler.gate.clear()
    writer = GroupCommit(db, handler, max_items=100)
    results: list[Any] = []
    try:
        blocker = threading.Thread(target=submit_all, args=(writer, ["first"]))
        blocker.start()
        assert handler.entered.wait(10)  # "first" is being applied: the writer is busy
        group = threading.Thread(target=lambda: results.extend(submit_all(writer, items)))
        group.start()
        while writer._queue.qsize() < len(items):
            threading.Event().wait(0.01)
        handler.gate.set()
        blocker.join(10)
        group.join(10)
    finally:
        writer.close()
    return results


def test_items_queued_while_a_group_runs_share_the_next_transaction(db: Database) -> None:
    handler = Recorder()
    items = [f"b{i}" for i in range(20)]
    assert as_one_group(db, handler, items) == [f"ok {i}" for i in items]
    assert handler.groups == [["first"], items]
    assert stored(db) == sorted(["first", *items])


def test_an_error_in_one_item_fails_only_that_item(db: Database) -> None:
    handler = Recorder()
    results = as_one_group(db, handler, ["x", "boom", "y"])
    # The group of three failed, then each item ran alone.
    assert handler.groups[1] == ["x", "boom", "y"]
    assert handler.groups[2:] == [["x"], ["boom"], ["y"]]
    assert results[0] == "ok x" and results[2] == "ok y"
    assert isinstance(results[1], RuntimeError)
    assert stored(db) == ["first", "x", "y"]


def test_the_writer_logs_under_the_ids_of_the_requests_it_serves(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    """An item applied alone logs as its request would; a line about a group names them all,
    and a group is never logged under one of its requests."""
    handler = Recorder()
    with caplog.at_level("WARNING", logger="app.core.group_commit"):
        as_one_group(db, handler, ["x", "boom", "y"])
    assert [(r.request_id, r.key_id) if r else None for r in handler.requests] == [
        ("req-first", 7), None, ("req-x", 7), ("req-boom", 7), ("req-y", 7)]
    [line] = caplog.records
    assert line.__dict__["request_ids"] == ["req-x", "req-boom", "req-y"]
    assert line.__dict__["key_ids"] == [7, 7, 7]


def test_a_failed_commit_fails_the_group_and_is_not_retried(db: Database) -> None:
    handler = Recorder()
    writer = GroupCommit(db, handler, max_items=100)
    try:
        results = submit_all(writer, ["fail-commit"])
    finally:
        writer.close()
    assert handler.groups == [["fail-commit"]]
    assert isinstance(results[0], RuntimeError) and "commit" in str(results[0])
    assert stored(db) == []


def test_close_finishes_what_was_queued(db: Database) -> None:
    handler = Recorder()
    writer = GroupCommit(db, handler, max_items=3)

    async def run() -> list[Any]:
        futures = [asyncio.ensure_future(writer.submit(f"q{i}")) for i in range(7)]
        await asyncio.sleep(0)  # every submit has queued its item
        await asyncio.to_thread(writer.close)
        return list(await asyncio.gather(*futures))

    assert asyncio.run(run()) == [f"ok q{i}" for i in range(7)]
    assert all(len(g) <= 3 for g in handler.groups)
    assert stored(db) == sorted(f"q{i}" for i in range(7))


def test_a_database_outage_fails_the_group_at_once(db: Database) -> None:
    handler = Recorder()
    results = as_one_group(db, handler, ["x", "db-down", "y"])
    # No retries one by one: each would wait for its own connection timeout.
    assert handler.groups[1:] == [["x", "db-down", "y"]]
    assert all(isinstance(r, OperationalError) for r in results)
    assert stored(db) == ["first"]
