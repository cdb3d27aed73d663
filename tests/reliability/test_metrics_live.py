"""/metrics of a real uvicorn server, scraped while receipts are posted concurrently."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import COMMUNE, PROCEDURE
from tests.reliability.server import LiveServer

CLIENTS, EACH = 8, 25
ROUTE = "/api/v1/dossiers"


def scrape(client: httpx.Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def receipts_counted(values: dict[tuple[str, frozenset[tuple[str, str]]], float]) -> float:
    key = ("motcua_http_requests_total",
           frozenset({("method", "POST"), ("route", ROUTE), ("status", "201")}))
    return values.get(key, 0.0)


def test_counters_add_up_to_the_requests_sent(live: LiveServer) -> None:
    done = threading.Event()
    seen: list[float] = []

    def scraper() -> None:
        with live.client() as c:
            while not done.is_set():
                seen.append(receipts_counted(scrape(c)))

    def counter(n: int) -> list[int]:
        with live.client() as c:
            return [c.post(ROUTE, json={
                "procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
                "received_at": "2026-03-02T08:00:00+07:00", "client_ref": f"m-{n}-{i}",
                "applicant": {"name": "Lê Văn Cường"}}).status_code for i in range(EACH)]

    watcher = threading.Thread(target=scraper)
    watcher.start()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [s for batch in pool.map(counter, range(CLIENTS)) for s in batch]
    finally:
        done.set()
        watcher.join(timeout=30)
    assert statuses == [201] * (CLIENTS * EACH)
    with live.client() as c:
        final = scrape(c)
    assert receipts_counted(final) == CLIENTS * EACH
    # Scrapes taken during the load never went backwards and never over the total.
    assert seen == sorted(seen) and seen[-1] <= CLIENTS * EACH
    # Every receipt went through the group-commit writer, in groups of one or more.
    items = final[("motcua_group_commit_items_sum", frozenset())]
    groups = final[("motcua_group_commit_items_count", frozenset())]
    assert items == CLIENTS * EACH
    assert 1 <= groups <= items
