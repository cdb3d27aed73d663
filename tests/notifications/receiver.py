"""A real HTTP server on loopback that records webhook posts and can answer 500 on demand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.loopback import QuietHandler, serving


@dataclass
class Received:
    """What the server got, and how many of the next posts it should fail."""

    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0
    url: str = ""
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def receiver() -> Iterator[Received]:
    """Serve on 127.0.0.1 on a free port until the block ends."""
    got = Received()

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if got.fail_next > 0:
                got.fail_next -= 1
                self.send_response(500)
            else:
                got.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                got.arrived.set()
                self.send_response(204)
            self.end_headers()

    with serving(Handler) as base:
        got.url = f"{base}/hook"
        yield got
