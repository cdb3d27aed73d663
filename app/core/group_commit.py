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

The writer's log lines name whose writes they are: an item applied alone logs under its
request's id and key, as if the request had written it; a line about a group lists them all.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

from opentelemetry import trace
from opentelemetry.trace import Link, Tracer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.core.db import Database
from app.core.observability import CURRENT, GROUP_SIZE, GROUP_WAIT, RequestInfo

log = logging.getLogger(__name__)

C = TypeVar("C")  # an item a request hands over
O = TypeVar("O")  # noqa: E741  # its outcome

# Applies a group of items in the given session; one outcome per item, in order.
Handler = Callable[[Session, list[C]], list[O]]


class _Job(Generic[C, O]):
    __slots__ = ("future", "item", "queued", "request", "span")

    def __init__(self, item: C) -> None:
        self.item = item
        self.future: Future[O] = Future()
        self.queued = time.perf_counter()
        self.request: RequestInfo | None = CURRENT.get()  # whose item it is, for the logs
        self.span = trace.get_current_span().get_span_context()  # and for the traces


class GroupCommit(Generic[C, O]):
    """One writer thread applying queued items in groups of at most `max_items`."""

    def __init__(self, db: Database, handler: Handler[C, O], max_items: int,
                 tracer: Tracer | None = None) -> None:
        self._db = db
        self._tracer = tracer
        self._handler = handler
        self._max_items = max_items
        self._queue: queue.SimpleQueue[_Job[C, O] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    async def submit(self, item: C) -> O:
        """Queue an item and wait for its outcome (after commit); errors are raised here."""
        job: _Job[C, O] = _Job(item)
        self._queue.put(job)
        return await asyncio.wrap_future(job.future)

    def close(self) -> None:
        """Finish every queued item, then stop the writer."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            job: _Job[C, O] | None = self._queue.get()
            jobs: list[_Job[C, O]] = []
            while job is not None:
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
                if self._tracer is None:
                    self._commit(jobs)
                else:
                    # One span for the group, linked to the request span of each item in it.
                    with self._tracer.start_as_current_span(
                            "write group", attributes={"motcua.group.items": len(jobs)},
                            links=[Link(j.span) for j in jobs if j.span.is_valid]):
                        self._commit(jobs)
            if job is None:
                return

    def _commit(self, jobs: list[_Job[C, O]]) -> None:
        token = CURRENT.set(jobs[0].request if len(jobs) == 1 else None)
        try:
            self._apply(jobs)
        finally:
            CURRENT.reset(token)

    def _apply(self, jobs: list[_Job[C, O]]) -> None:
        applied = False
        try:
            with self._db.transaction("write") as session:
                outcomes = self._handler(session, [job.item for job in jobs])
                applied = True
        except Exception as exc:
            if applied or len(jobs) == 1 or isinstance(exc, OperationalError):
                for job in jobs:
                    job.future.set_exception(exc)
                return
            requests = [job.request for job in jobs]
            log.warning("a group of %d writes failed; retrying them one by one", len(jobs),
                        extra={"request_ids": [r.request_id if r else None for r in requests],
                               "key_ids": [r.key_id if r else None for r in requests]})
            for job in jobs:
                self._commit([job])
            return
        for job, outcome in zip(jobs, outcomes, strict=True):
            job.future.set_result(outcome)
