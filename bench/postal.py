"""The postal feed at size: results ready to go by post, read in pages of 500 by the post."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench import workload
from bench.harness import Context, Row, benchmark
from bench.servers import ADMIN_KEY

PAGE = 500
PAGE_MS = 20.0  # the target for a page of the postal feed
DELIVERY = {"name": "Trần Thị Bình", "address": "Số 5 Lý Thái Tổ, Hoàn Kiếm, Hà Nội",
            "phone": "0987654321", "cod_amount": 35000}


def _post_all(client: httpx.Client, path: str, items: list[dict[str, Any]],
              ) -> list[dict[str, Any]]:
    """Post items in batches of 1,000; every item must be accepted. Returns the answers."""
    answers = []
    for i in range(0, len(items), 1000):
        r = client.post(path, json={"items": items[i:i + 1000]})
        r.raise_for_status()
        for result in r.json()["results"]:
            if result["status"] != 201:
                raise RuntimeError(f"feed setup: {path} refused an item: {result['body']}")
            answers.append(result["body"])
    return answers


def _ready(client: httpx.Client, n: int) -> None:
    """n dossiers whose results go by post, resolved: n items waiting in the feed."""
    rng = random.Random(11)
    now = datetime.now(UTC)
    receipts = []
    for i in range(n):
        r = workload.receipt(rng, f"feed-{i}", now)
        receipts.append((r, {**r.body, "return_by_post": True, "delivery": DELIVERY}))
    answers = _post_all(client, "/api/v1/dossiers/batch", [body for _, body in receipts])
    _post_all(client, "/api/v1/events/batch", [
        {"dossier": a["code"], "id": f"{r.ref}-resolved", "type": "resolved",
         "at": (r.at + timedelta(days=2)).isoformat()}
        for (r, _), a in zip(receipts, answers, strict=True)])


@benchmark("postal-feed")
def postal_feed(ctx: Context) -> list[Row]:
    """Walk the whole feed in pages of 500 with the post's key, several times; time each page."""
    n = 2_000 if ctx.options.quick else 10_000
    with httpx.Client(base_url=ctx.service.url, timeout=120,
                      headers={"X-API-Key": ctx.key}) as counter:
        _ready(counter, n)
    with httpx.Client(base_url=ctx.service.url, timeout=60,
                      headers={"X-API-Key": ADMIN_KEY}) as admin:
        r = admin.post("/api/v1/keys", json={"name": "bench post", "role": "postal",
                                             "unit": workload.PROVINCE})
        r.raise_for_status()
        key = r.json()["key"]
    times: list[float] = []
    seen = 0
    with httpx.Client(base_url=ctx.service.url, timeout=60,
                      headers={"X-API-Key": key}) as post:
        for walk in range(7):
            cursor, seen = None, 0
            while True:
                params: dict[str, Any] = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
                t = time.perf_counter()
                r = post.get("/api/v1/postal/returns", params=params)
                elapsed = (time.perf_counter() - t) * 1000
                r.raise_for_status()
                if walk:  # the first walk warms connections and caches
                    times.append(elapsed)
                page = r.json()
                seen += len(page["items"])
                cursor = page["next_cursor"]
                if not page["items"] or cursor is None:
                    break
    if seen < n:
        ctx.notes.append(f"postal feed: {seen} items walked, {n} were made ready")
    times.sort()
    p50, p99 = statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]
    return [Row(f"postal feed: page of {PAGE}, {n:,} results waiting, HTTP round trip: "
                f"p50 / p99 (ms)", f"{p50:.1f} / {p99:.1f}", "", None, f"< {PAGE_MS:.0f} ms",
                p99 < PAGE_MS)]
