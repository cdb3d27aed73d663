"""Ingest benchmarks: single events under 64 connections, batches of 1,000, peak memory."""

from __future__ import annotations

import statistics
from typing import Any

from bench import raw
from bench.harness import Context, Row, benchmark
from bench.servers import pg_plain

# Issue 6 targets.
SINGLE_SHARE_SQLITE = 0.40
SINGLE_RATE_POSTGRES = 3_000
BATCH_RATE = {"sqlite": 50_000, "postgresql": 30_000}
PEAK_RSS_MB = 300


def _errors(name: str, result: dict[str, Any]) -> str | None:
    if not result["errors"]:
        return None
    return f"{name}: non-2xx answers {result['errors']}, e.g. {result['error_sample']}"


@benchmark("ingest-single")
def ingest_single(ctx: Context) -> list[Row]:
    """Receipts and event streams, one request each, against the service and the ceiling."""
    o = ctx.options
    args = ("--connections", str(o.connections), "--duration", str(o.duration),
            "--warmup", "0.5" if o.quick else "1")
    ours: list[dict[str, Any]] = []
    ceiling: list[dict[str, Any]] = []
    # Alternate the two servers so a noisy neighbour hurts both sides alike.
    for n in range(o.rounds):
        for server, results, run in ((ctx.ceiling, ceiling, f"c{n}"),
                                     (ctx.service, ours, f"s{n}")):
            cpu = server.cpu_seconds()
            result = ctx.load("single", server, *args, run=run)
            # CPU per request (warm-up included on both sides): steadier than rates when
            # other work shares the machine.
            result["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, result["sent"])
            results.append(result)
    for name, results in (("service", ours), ("ceiling", ceiling)):
        for result in results:
            if (problem := _errors(name, result)) is not None:
                ctx.notes.append(problem)
                break

    def median(results: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in results))

    rps, peer = median(ours, "rps"), median(ceiling, "rps")
    ratio = rps / peer
    if ctx.engine == "sqlite":
        target, passed = f">= {SINGLE_SHARE_SQLITE:.0%} of ceiling", ratio >= SINGLE_SHARE_SQLITE
    else:
        target, passed = f">= {SINGLE_RATE_POSTGRES:,} events/s", rps >= SINGLE_RATE_POSTGRES
    latency = "{:.1f} / {:.1f}"
    return [
        Row(f"ingest, single events, {o.connections} connections (events/s)",
            f"{rps:,.0f}", f"{peer:,.0f}", ratio, target, passed),
        Row("ingest, single events: server CPU per event (ms)",
            f"{median(ours, 'cpu_ms'):.2f}", f"{median(ceiling, 'cpu_ms'):.2f}",
            median(ceiling, "cpu_ms") / median(ours, "cpu_ms"), "", None),
        Row("ingest, single events: p50 / p99 latency (ms)",
            latency.format(median(ours, "p50_ms"), median(ours, "p99_ms")),
            latency.format(median(ceiling, "p50_ms"), median(ceiling, "p99_ms")),
            None, "", None),
    ]


@benchmark("ingest-batch")
def ingest_batch(ctx: Context) -> list[Row]:
    """Batches of receipts then of events, against bare executemany of the same rows."""
    o = ctx.options
    result = ctx.load("batch", ctx.service, "--batches", str(o.batches),
                      "--size", str(o.batch_size), "--connections", str(o.batch_connections),
                      run="b")
    for phase in ("receipts", "events"):
        if (problem := _errors(f"batch {phase}", result[phase])) is not None:
            ctx.notes.append(problem)
    dossiers, events = raw.rows(o.batches, o.batch_size, seed=7)
    if ctx.engine == "sqlite":
        peer = raw.per_second_sqlite(str(ctx.tmp / "raw.db"), dossiers, events, o.batch_size)
    else:
        peer = raw.per_second_postgres(pg_plain(ctx.database_url), dossiers, events,
                                       o.batch_size)
    target = BATCH_RATE[ctx.engine]
    rows = []
    for phase, path, raw_rate in (("receipts", "dossiers/batch", peer[0]),
                                  ("events", "events/batch", peer[1])):
        rate = result[phase]["per_second"]
        rows.append(Row(f"ingest, {phase} in batches of {o.batch_size:,} "
                        f"(POST /api/v1/{path}, items/s; peer: raw executemany)",
                        f"{rate:,.0f}", f"{raw_rate:,.0f}", rate / raw_rate,
                        f">= {target:,} events/s", rate >= target))
    return rows


@benchmark("memory")
def memory(ctx: Context) -> list[Row]:
    """Peak RSS (VmHWM) of the uvicorn process after the ingest load, beside the ceiling's."""
    ours, peer = ctx.service.peak_rss_mb(), ctx.ceiling.peak_rss_mb()
    return [Row("server peak RSS under the ingest load (MiB)", f"{ours:,.0f}", f"{peer:,.0f}",
                ours / peer, f"< {PEAK_RSS_MB} MiB", ours < PEAK_RSS_MB)]
