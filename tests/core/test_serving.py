"""The serve command's uvicorn settings, observed on a live server: idle keep-alive
connections are closed; the Docker image uses the same values."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from app.core.serving import GRACEFUL_SHUTDOWN_SECONDS, KEEP_ALIVE_SECONDS
from tests.reliability.server import LOOPBACK, REPO, free_port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`python -m app serve` on a loopback port with a fresh SQLite database."""
    port, tmp = free_port(), tmp_path_factory.mktemp("serve")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'serve.db'}",
           "PYTHONPATH": str(REPO)}
    with (tmp / "log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", LOOPBACK,
                                    "--port", str(port)], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://{LOOPBACK}:{port}/health/live", timeout=1).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _request(headers: str = "") -> bytes:
    return f"GET /health/live HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()


@pytest.mark.slow
def test_an_idle_keep_alive_connection_is_closed(served: int) -> None:
    with socket.create_connection((LOOPBACK, served), timeout=KEEP_ALIVE_SECONDS + 5) as s:
        s.sendall(_request())
        answer = b""
        while not answer.endswith(b"}"):
            answer += s.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert s.recv(65536) == b""  # the server hung up
        assert KEEP_ALIVE_SECONDS - 1 < time.monotonic() - started < KEEP_ALIVE_SECONDS + 3


def test_the_image_serves_with_the_same_settings() -> None:
    cmd = " ".join(re.findall(r'"([^"]+)"', (REPO / "Dockerfile").read_text().split("CMD")[-1]))
    assert f"--timeout-keep-alive {KEEP_ALIVE_SECONDS}" in cmd
    assert f"--timeout-graceful-shutdown {GRACEFUL_SHUTDOWN_SECONDS}" in cmd
    # The app reads X-Forwarded-For itself, from TRUSTED_PROXIES only.
    assert "--no-proxy-headers" in cmd
