"""The load generator: a separate process that speaks HTTP/1.1 keep-alive over asyncio.

A hand-written client because httpx spends more CPU per request than the framework under
test; on a small machine the generator would then be the bottleneck and hide the ratio.
Prints one JSON document on stdout. Every loop is bounded by a deadline.

    python -m bench.load single --port 8000 --key K --connections 64 --duration 10
    python -m bench.load batch --port 8000 --key K --batches 10 --size 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench import workload

HOST = "127.0.0.1"


class Connection:
    """One keep-alive connection; reopens itself when the server closes it."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.head = (f"Host: {HOST}:{port}\r\nContent-Type: application/json\r\n"
                     f"X-API-Key: {key}\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST a JSON body; return the status and the response body."""
        # uvicorn drops connections idle for 5 s (between batch phases): reopen before then.
        if self.writer is not None and time.monotonic() - self.used > 3:
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\n" + self.head
                          + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = None, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length is None:
            raise RuntimeError(f"response without Content-Length: {head!r}")
        payload = await self.reader.readexactly(length)
        self.used = time.monotonic()
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        """Close the socket if open."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


@dataclass
class Tally:
    """Latencies of successful requests and counts of failures, within the measured window."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[int] = field(default_factory=Counter)
    sample: str = ""

    def add(self, status: int, body: bytes, started: float, ended: float, expect: int) -> None:
        """Record one answer."""
        if status == expect:
            self.latencies.append(ended - started)
        else:
            self.errors[status] += 1
            self.sample = self.sample or body[:300].decode(errors="replace")


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-quantile (0..1) of sorted values, nearest rank."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


async def single(args: argparse.Namespace) -> dict[str, Any]:
    """64 connections, each posting receipt + event streams one request at a time."""
    # perf_counter, not loop.time(): uvloop's clock only has millisecond resolution.
    clock = time.perf_counter
    start = clock()
    measure_from = start + args.warmup
    deadline = measure_from + args.duration
    tally = Tally()
    sent = 0
    now = datetime.now(UTC)

    async def worker(w: int) -> None:
        rng = random.Random(args.seed * 1000 + w)
        conn = Connection(args.port, args.key)
        n = 0
        async def post(path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
            # Counted when the whole request fell inside the measured window.
            nonlocal sent
            t0 = clock()
            status, body = await conn.post(path, dumps(payload))
            t1 = clock()
            sent += 1
            if t0 >= measure_from and t1 <= deadline:
                tally.add(status, body, t0, t1, 201)
            return status, body

        try:
            while clock() < deadline:
                n += 1
                r = workload.receipt(rng, f"{args.run}-{w}-{n}", now)
                status, body = await post("/api/v1/dossiers", r.body)
                if status != 201:
                    continue
                path = f"/api/v1/dossiers/{json.loads(body)['code']}/events"
                for ev in workload.events(rng, r):
                    if clock() >= deadline:
                        break
                    status, _ = await post(path, ev)
                    if status != 201:
                        break
        finally:
            await conn.close()

    await asyncio.wait_for(asyncio.gather(*(worker(w) for w in range(args.connections))),
                           timeout=args.warmup + args.duration + 60)
    lat = sorted(tally.latencies)
    return {
        "requests": len(lat), "sent": sent, "seconds": args.duration,
        "rps": len(lat) / args.duration,
        "p50_ms": percentile(lat, 0.50) * 1000, "p99_ms": percentile(lat, 0.99) * 1000,
        "errors": dict(tally.errors), "error_sample": tally.sample,
    }


async def batch(args: argparse.Namespace) -> dict[str, Any]:
    """Receipts in batches, then each stage of the timeline in batches; items/s per phase."""
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    receipts = [workload.receipt(rng, f"{args.run}-b-{i}", now)
                for i in range(args.batches * args.size)]
    conns = [Connection(args.port, args.key) for _ in range(args.connections)]
    limit = time.monotonic() + args.timeout

    async def phase(path: str, batches: list[list[dict[str, Any]]],
                    ) -> tuple[float, Tally, list[list[dict[str, Any]] | None]]:
        bodies = [dumps({"items": items}) for items in batches]
        queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
        for i, b in enumerate(bodies):
            queue.put_nowait((i, b))
        tally = Tally()
        results: list[list[dict[str, Any]] | None] = [None] * len(bodies)

        async def worker(conn: Connection) -> None:
            while not queue.empty() and time.monotonic() < limit:
                i, b = queue.get_nowait()
                t0 = time.perf_counter()
                status, body = await conn.post(path, b)
                tally.add(status, body, t0, time.perf_counter(), 200)
                if status == 200:
                    answers: list[dict[str, Any]] = json.loads(body)["results"]
                    results[i] = answers
                    for item in answers:
                        if item["status"] != 201:
                            tally.errors[item["status"]] += 1
                            tally.sample = tally.sample or json.dumps(item["body"])[:300]

        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in conns))
        return time.perf_counter() - started, tally, results

    out: dict[str, Any] = {}
    seconds, tally, results = await phase(
        "/api/v1/dossiers/batch",
        [[r.body for r in receipts[i:i + args.size]] for i in range(0, len(receipts), args.size)],
    )
    # A code per receipt, None where the batch or the item failed, so streams stay aligned.
    codes: list[str | None] = []
    for chunk in results:
        codes += ([item["body"].get("code") for item in chunk] if chunk
                  else [None] * args.size)
    out["receipts"] = _phase_summary(sum(1 for c in codes if c), seconds, tally)
    # Stage k of every dossier's stream, so each batch respects its dossiers' order.
    streams = [list(workload.events(rng, r)) for r in receipts]
    total_items, total_seconds, all_errors = 0, 0.0, Tally()
    for stage in range(max((len(s) for s in streams), default=0)):
        items = [{"dossier": code, **s[stage]} for code, s in zip(codes, streams, strict=True)
                 if code and stage < len(s)]
        seconds, tally, results = await phase(
            "/api/v1/events/batch",
            [items[i:i + args.size] for i in range(0, len(items), args.size)],
        )
        total_items += sum(1 for chunk in results if chunk for item in chunk
                           if item["status"] == 201)
        total_seconds += seconds
        all_errors.errors.update(tally.errors)
        all_errors.sample = all_errors.sample or tally.sample
    out["events"] = _phase_summary(total_items, total_seconds, all_errors)
    for conn in conns:
        await conn.close()
    return out


def _phase_summary(items: int, seconds: float, tally: Tally) -> dict[str, Any]:
    return {"items": items, "seconds": seconds, "per_second": items / seconds if seconds else 0.0,
            "errors": dict(tally.errors), "error_sample": tally.sample}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the load, print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("single", "batch"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--run", default="r", help="prefix of client refs, unique per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=300.0, help="batch mode time bound")
    args = parser.parse_args(argv)
    work = single(args) if args.mode == "single" else batch(args)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(work)
    else:
        result = uvloop.run(work)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
