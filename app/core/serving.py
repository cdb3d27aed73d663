"""How uvicorn serves the app: timeouts and header limits chosen, not left to defaults.

- `timeout_keep_alive`: an idle keep-alive connection is closed after 5 s, so idle or slow
  clients cannot hold sockets (and file descriptors) open for long.
- `timeout_graceful_shutdown`: a restart waits at most 30 s for requests in flight.

uvicorn has no timeout for reading a request's headers (a client trickling a byte at a time
keeps its connection), and with httptools installed it ignores h11's header-size limit. Bound
both at the reverse proxy (nginx `client_header_timeout` and `client_body_timeout`, e.g. 10 s;
`large_client_header_buffers 4 16k`). uvicorn's own X-Forwarded-For handling is off: the app
reads that header only from the proxies listed in `TRUSTED_PROXIES` (none by default).
"""

from __future__ import annotations

from typing import Final

KEEP_ALIVE_SECONDS: Final = 5
GRACEFUL_SHUTDOWN_SECONDS: Final = 30
