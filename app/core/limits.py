"""Refuse, before any route runs, what no route may see: oversized bodies and NULs in the URL."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem_response
from app.core.problems import problem


class RequestGuard:
    """Pure ASGI middleware: body size limit (declared or streamed) and a clean URL.

    A Content-Length over the limit is answered 413 at once. A body sent without one
    (chunked) is counted as it arrives and refused with 413 once it passes the limit, so a
    client cannot stream an endless body into memory. PostgreSQL refuses NUL in text, so a
    NUL in the path or query string would reach the driver and fail there: it is a 422 here.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _refusal(self, scope: Scope) -> ASGIApp | None:
        path = scope["path"]
        query: bytes = scope.get("query_string", b"")
        if "\x00" in path or b"\x00" in query or b"%00" in query:
            body = problem(422, "nul_character", "Invalid request",
                           "The URL contains a NUL character.", path.replace("\x00", ""))
            return problem_response(422, body)
        declared: bytes = dict(scope["headers"]).get(b"content-length", b"")
        # The length check first: int() refuses strings of thousands of digits.
        if declared.isdigit() and (len(declared) > 18 or int(declared) > self.max_body_bytes):
            body = problem(413, "payload_too_large", "Request body too large",
                           f"At most {self.max_body_bytes} bytes.", path)
            return problem_response(413, body)
        return None

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    # Raised while the route reads its body: FastAPI re-raises HTTPExceptions,
                    # and the problem+json handler renders it.
                    raise HTTPException(413, f"At most {self.max_body_bytes} bytes.")
            return message

        return counted
