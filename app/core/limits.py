"""Refuse oversized request bodies before anything reads them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import problem_response
from app.core.problems import problem


class BodyLimit:
    """A 413 problem+json when the declared Content-Length is above `max_bytes`.

    Plain ASGI rather than @app.middleware("http"): Starlette's BaseHTTPMiddleware runs every
    request through extra tasks and memory streams, a cost paid on each event ingested.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 at once, or pass the request on untouched."""
        if scope["type"] == "http":
            length = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
            if length.isdigit() and int(length) > self.max_bytes:
                body = problem(413, "payload_too_large", "Request body too large",
                               f"At most {self.max_bytes} bytes.", Request(scope).url.path)
                await problem_response(413, body)(scope, receive, send)
                return
        await self.app(scope, receive, send)
