"""The registry of benchmarks, what they report, and the results table.

A benchmark is a function of a Context returning table rows, registered with
`@benchmark("name")`; run.py runs the registered ones in order of registration. The
statistics benchmark (GET /api/v1/stats/on-time at scale) will be one more module that
registers itself and is listed in run.MODULES; nothing else changes.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.servers import Server


@dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    quick: bool
    duration: float
    rounds: int
    connections: int
    batches: int
    batch_size: int
    batch_connections: int
    workers: int
    server: str = "uvicorn"
    stats_dossiers: int = 1_000_000


@dataclass
class Context:
    """One engine's run: the servers under load and what the benchmarks share."""

    engine: str
    database_url: str
    tmp: Path
    service: Server
    ceiling: Server
    key: str
    options: Options
    notes: list[str] = field(default_factory=list)

    def load(self, mode: str, server: Server, *extra: str, run: str = "r") -> dict[str, Any]:
        """Run the load generator in its own process against `server`; its JSON result."""
        args = [sys.executable, "-m", "bench.load", mode, "--port", str(server.port),
                "--key", self.key, "--run", run, *extra]
        done = subprocess.run(args, cwd=Path(__file__).resolve().parent.parent,
                              capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout)
        return result


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, ours and the peer's, their ratio, the target."""

    figure: str
    service: str
    peer: str
    ratio: float | None
    target: str
    passed: bool | None


Benchmark = Callable[[Context], list[Row]]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    """Register a benchmark under `name` (run order = registration order)."""

    def register(fn: Benchmark) -> Benchmark:
        BENCHMARKS[name] = fn
        return fn

    return register


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| figure | this service | ceiling/peer | ratio | target | pass |",
             "|---|---:|---:|---:|---|:---:|"]
    for r in rows:
        ratio = "" if r.ratio is None else f"{r.ratio:.0%}"
        passed = "" if r.passed is None else ("yes" if r.passed else "**NO**")
        lines.append(f"| {r.figure} | {r.service} | {r.peer} | {ratio} | {r.target} | {passed} |")
    return "\n".join(lines)


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine(pg_version: str | None) -> str:
    """Cores, memory, CPU model and the software versions, as Markdown bullets."""
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    mem = f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "unknown"
    items = [
        f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"cores: {os.cpu_count()}; memory: {mem}",
        f"CPU: {_first('/proc/cpuinfo', 'model name')}",
        f"OS: {platform.platform()}",
        # Others' work on a shared machine deflates every rate; ratios and CPU/event less so.
        "load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{v:.1f}" for v in os.getloadavg()),
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {pg_version or 'not run'}",
    ]
    return "\n".join(f"- {i}" for i in items)
