"""Memory under hostile load: 64 concurrent maximum-size batch bodies from one counter key.

Two fresh service processes on the run's database, one after the other: the service as
configured (large bodies admitted against a byte budget) and the same service with the
budget lifted (`BODY_BUDGET_BYTES` = 64 bodies), which is how it behaved before admission
existed. The figure is each one's peak RSS (VmHWM) after the load; the target is the issue's.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from bench.harness import Context, Row, benchmark
from bench.servers import ADMIN_KEY, Server

CONCURRENT = 64
PEAK_RSS_MB = 400
MAX_BODY = 8 * 1024 * 1024


def hostile_body(size: int = MAX_BODY - 64 * 1024) -> bytes:
    """A batch body just under the size limit, made of many small items (the most objects
    per byte once parsed); it is refused as a whole after parsing, which costs the same."""
    item = {"procedure": "1.000001", "receiving_unit": "000.00.10.B01", "channel": "direct",
            "received_at": "2026-03-02T08:00:00+07:00", "applicant": {"name": "Nguyễn Văn An"}}
    one = json.dumps(item, ensure_ascii=False).encode()
    count = size // (len(one) + 1)
    return b'{"items":[' + b",".join([one] * count) + b"]}"


async def _flood(url: str, key: str, body: bytes) -> dict[int, int]:
    """Send the body CONCURRENT times at once; how many answers of each status."""
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=CONCURRENT)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        async def one() -> None:
            try:
                r = await client.post("/api/v1/dossiers/batch", content=body, headers={
                    "X-API-Key": key, "Content-Type": "application/json"})
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            except httpx.TransportError:
                statuses[0] = statuses.get(0, 0) + 1

        await asyncio.gather(*(one() for _ in range(CONCURRENT)))
    return statuses


def _peak_after_flood(ctx: Context, name: str, env: dict[str, str], body: bytes
                      ) -> tuple[float, dict[int, int]]:
    server = Server("app.main:app", {"DATABASE_URL": ctx.database_url,
                                     "ADMIN_API_KEY": ADMIN_KEY,
                                     "WEBHOOK_SENDER_ENABLED": "false",
                                     "MIGRATE_ON_START": "false", **env},
                    Path(ctx.tmp) / f"{name}.log", 1, ctx.options.server)
    try:
        server.wait_ready()
        statuses = asyncio.run(_flood(server.url, ctx.key, body))
        return server.peak_rss_mb(), statuses
    finally:
        server.stop()


@benchmark("hostile-batches")
def hostile_batches(ctx: Context) -> list[Row]:
    """Peak RSS of a fresh server after 64 concurrent maximum-size batches, with and without
    the admission budget."""
    body = hostile_body()
    ours, seen = _peak_after_flood(ctx, "hostile", {}, body)
    unbounded, seen_off = _peak_after_flood(
        ctx, "hostile-unbounded", {"BODY_BUDGET_BYTES": str(CONCURRENT * MAX_BODY)}, body)
    ctx.notes.append(f"hostile batches ({len(body) / 2**20:.1f} MiB each, {CONCURRENT} at "
                     f"once): answers by status with admission {dict(sorted(seen.items()))}, "
                     f"without {dict(sorted(seen_off.items()))}")
    return [Row(f"server peak RSS, {CONCURRENT} concurrent {len(body) / 2**20:.1f} MiB batches "
                "(MiB; peer: the same server without the admission budget)",
                f"{ours:,.0f}", f"{unbounded:,.0f}", ours / unbounded,
                f"< {PEAK_RSS_MB} MiB", ours < PEAK_RSS_MB)]
