"""A real HTTP server on loopback that records webhook posts and can answer 500 on demand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if got.fail_next > 0:
                got.fail_next -= 1
                self.send_response(500)
            else:
                got.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                got.arrived.set()
                self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
