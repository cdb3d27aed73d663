"""Group commit: concurrent single writes share one transaction and one commit.

A counter posts one event per request. Run one transaction per request and the fixed cost of
a transaction (begin, a dozen lookups, the aggregate upserts, commit) is paid per event, by
many threads that then queue on the same write lock anyway. Instead the request hands its
item to one writer thread and waits. The writer takes everything that queued up meanwhile and
applies it with the set-based service calls the batch endpoints use, in one transaction. Under
light load a group is a single item and nothing waits; under heavy load groups grow and the
cost per item falls to the batch cost.

Guarantees, as with one transaction per request:
- an item's answer is released only after its transaction committed (nothing acknowledged is
  lost), and a refused item (a problem) changes nothing, as in a batch;
- an unexpected error while applying a group (a bug, a constraint the checks did not foresee)
  rolls the group back and every item is retried in a transaction of its own, so one bad item
  cannot fail the others;
- the database being unavailable (or breaking a deadlock) fails the whole group at once, as
  503s the clients retry: retrying item by item would only queue every later request behind a
  connection timeout per item;
- a failed commit fails the whole group, never retried, because the database may have kept it.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.core.db import Database
from app.core.observability import GROUP_SIZE, GROUP_WAIT

log = logging.getLogger(__name__)

# Applies a list of items of one kind in the given session; one outcome per item, in order.
Handler = Callable[[Session, list[Any]], list[Any]]


class _Job:
    __slots__ = ("future", "item", "kind", "queued")

    def __init__(self, kind: str, item: object) -> None:
        self.kind, self.item = kind, item
        self.future: Future[object] = Future()
        self.queued = time.perf_counter()


_STOP = _Job("", None)


class GroupCommit:
    """One writer thread applying queued items in groups of at most `max_items`."""

    def __init__(self, db: Database, handlers: Mapping[str, Handler], max_items: int) -> None:
        self._db = db
        self._handlers = dict(handlers)
        self._max_items = max_items
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    async def submit(self, kind: str, item: object) -> object:
        """Queue an item and wait for its outcome (after commit); errors are raised here."""
        if kind not in self._handlers:
            raise KeyError(kind)
        job = _Job(kind, item)
        self._queue.put(job)
        return await asyncio.wrap_future(job.future)

    def close(self) -> None:
        """Finish every queued item, then stop the writer."""
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        while True:
            job, jobs = self._queue.get(), []
            while job is not _STOP:
                jobs.append(job)
                if len(jobs) == self._max_items:
                    break
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
            if jobs:
                started = time.perf_counter()
                GROUP_SIZE.observe(len(jobs))
                for queued in jobs:
                    GROUP_WAIT.observe(started - queued.queued)
                self._commit(jobs)
            if job is _STOP:
                return

    def _commit(self, jobs: list[_Job]) -> None:
        applied = False
        try:
            with self._db.transaction("write") as session:
                outcomes = self._apply(session, jobs)
                applied = True
        except Exception as exc:
            if applied or len(jobs) == 1 or isinstance(exc, OperationalError):
                for job in jobs:
                    job.future.set_exception(exc)
                return
            log.warning("a group of %d writes failed; retrying them one by one", len(jobs))
            for job in jobs:
                self._commit([job])
            return
        for job, outcome in zip(jobs, outcomes, strict=True):
            job.future.set_result(outcome)

    def _apply(self, session: Session, jobs: list[_Job]) -> list[object]:
        outcomes: list[object] = [None] * len(jobs)
        by_kind: dict[str, list[int]] = {}
        for index, job in enumerate(jobs):
            by_kind.setdefault(job.kind, []).append(index)
        for kind, indexes in by_kind.items():
            results = self._handlers[kind](session, [jobs[i].item for i in indexes])
            for index, result in zip(indexes, results, strict=True):
                outcomes[index] = result
        return outcomes
