"""Admission of large request bodies: a per-process byte budget, so memory stays bounded.

A batch of 1,000 receipts is a few megabytes on the wire and several times that once parsed
and validated. Thirty-two of them at once took a process from 125 MB to 1.6 GB: every body was
read and parsed before anything limited concurrency. Here a request whose body is large (or
of unknown length) must first reserve its size from a budget shared by the process. Until it
is admitted its body is not read at all, so it stays in the socket and costs nothing; TCP
flow control holds the client back. A request that cannot be admitted within the wait gets
503 with `Retry-After`, and nothing of it was applied. Small bodies (single receipts and
events, queries) never wait behind batches.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import problem_response
from app.core.problems import problem


class ByteBudget:
    """A FIFO byte semaphore: `reserve(n)` waits until n bytes are free, in arrival order."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.free = capacity
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    async def reserve(self, size: int, wait: float) -> bool:
        """True once `size` bytes are held (a size over the capacity takes the whole budget);
        False if that did not happen within `wait` seconds."""
        size = min(size, self.capacity)
        if not self._waiters and self.free >= size:
            self.free -= size
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, waiter)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), wait)
        except TimeoutError:
            if waiter.done():  # granted just as the wait ran out: keep it
                return True
            self._waiters.remove(entry)
            self._wake()  # a smaller request behind this one may fit now
            return False
        return True

    def release(self, size: int) -> None:
        """Give back what `reserve(size)` held."""
        self.free += min(size, self.capacity)
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._waiters[0][0] <= self.free:
            size, waiter = self._waiters.popleft()
            self.free -= size
            waiter.set_result(None)


class BodyAdmission:
    """Pure ASGI middleware: large or unsized bodies wait for a share of the byte budget."""

    def __init__(self, app: ASGIApp, budget_bytes: int, small_body_bytes: int,
                 max_body_bytes: int, wait_seconds: float) -> None:
        self.app = app
        self.budget = ByteBudget(budget_bytes)
        self.small = small_body_bytes
        self.max_body = max_body_bytes
        self.wait = wait_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        size = self._size(scope)
        if size <= self.small:
            await self.app(scope, receive, send)
            return
        if not await self.budget.reserve(size, self.wait):
            retry = max(1, math.ceil(self.wait))
            body = problem(503, "busy", "Server busy",
                           "Too many large requests are being processed; nothing of this one "
                           f"was applied. Retry in {retry} s.", scope["path"])
            response = problem_response(503, body)
            response.headers["Retry-After"] = str(retry)
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.budget.release(size)

    def _size(self, scope: Scope) -> int:
        """The declared length; a chunked body may grow to the limit, so it counts as that;
        a request with neither has no body."""
        headers = dict(scope["headers"])
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return self.max_body
        declared = headers.get(b"content-length", b"0")
        return int(declared) if declared.isdigit() else self.max_body
