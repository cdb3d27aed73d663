"""Fresh databases, uvicorn subprocesses on loopback, and the catalogue the load needs."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench import workload

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ADMIN_KEY = "bench-admin-" + secrets.token_hex(8)


def pg_plain(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq/psycopg take it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def fresh_database(engine: str, tmp: Path, pg_server: str) -> Iterator[str]:
    """A SQLAlchemy URL to an empty database, removed afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    import psycopg

    name = f"motcua_bench_{secrets.token_hex(4)}"
    with psycopg.connect(pg_plain(pg_server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(pg_plain(pg_server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


SERVERS = ("uvicorn", "granian")


def _command(server: str, app: str, port: int, workers: int) -> list[str]:
    """The command line serving `app`: uvicorn (uvloop, httptools) or granian."""
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "asgi", "--host", HOST,
                "--port", str(port), "--workers", str(workers), "--no-ws",
                "--log-level", "warning", app]
    args = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
            "--no-access-log", "--log-level", "warning"]
    return args + (["--workers", str(workers)] if workers > 1 else [])


class Server:
    """`app` served by uvicorn or granian in a subprocess, on a free loopback port."""

    def __init__(self, app: str, env: dict[str, str], log: Path, workers: int = 1,
                 server: str = "uvicorn") -> None:
        self.port = free_port()
        self.log = log
        args = _command(server, app, self.port, workers)
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            )

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://{HOST}:{self.port}"

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Poll /health/live until it answers (the service migrates first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text()[-2000:]
                raise RuntimeError(f"server exited; see {self.log}:\n{tail}")
            try:
                if httpx.get(self.url + "/health/live", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout}s; see {self.log}")

    def pids(self) -> list[int]:
        """The server process and its worker children (uvicorn --workers, granian)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        found = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [self.proc.pid, *found]

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) in MiB, summed over the serving processes."""
        total_kb = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
        return total_kb / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the serving processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            # Fields after the parenthesised command name; utime and stime are 14th and 15th.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        """Terminate gracefully, kill if it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def set_up_catalogue(base_url: str) -> str:
    """A province with its communes and procedures; return a counter key for the province."""
    with httpx.Client(base_url=base_url, headers={"X-API-Key": ADMIN_KEY}, timeout=30) as c:

        def post(path: str, body: dict[str, object]) -> dict[str, object]:
            r = c.post(path, json=body)
            if r.status_code != 201:
                raise RuntimeError(f"setup {path} failed: {r.status_code} {r.text}")
            return dict(r.json())

        post("/api/v1/units", {"code": workload.PROVINCE, "name": "Tỉnh thử tải",
                               "level": "province"})
        for code in workload.COMMUNES:
            post("/api/v1/units", {"code": code, "name": f"Xã {code}", "level": "commune",
                                   "parent": workload.PROVINCE})
        for code, days, hours in workload.PROCEDURES:
            time_ = {"working_days": days} if days else {"working_hours": hours}
            post("/api/v1/procedures", {"code": code, "name": f"Thủ tục {code}",
                                        "field_code": "HT", "field_name": "Hộ tịch",
                                        "processing_time": time_})
        key = post("/api/v1/keys", {"name": "bench counter", "role": "counter",
                                    "unit": workload.PROVINCE})
        return str(key["key"])
