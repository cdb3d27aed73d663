"""Outbox to webhook: signed delivery to a loopback server, retry after 500, restart safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.notifications.rules import signature
from app.notifications.sender import run_once
from tests.conftest import Clock
from tests.factories import Api, vn
from tests.notifications.receiver import Received, receiver
from tests.postal.test_postal_api import by_post

T0 = vn("2026-03-05 10:05")


@pytest.fixture
def hook(api: Api, clock: Clock) -> Iterator[tuple[Received, str]]:
    """A receiving server and a webhook registered for it; yields (server, secret)."""
    clock.now = T0
    api.province()
    with receiver() as got:
        r = api.client.post("/api/v1/webhooks", json={"url": got.url,
                                                      "event_types": ["postal.return_ready"]})
        assert r.status_code == 201, r.text
        yield got, str(r.json()["secret"])


def ready_for_post(api: Api) -> str:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    return code


def db_of(api: Api) -> Database:
    db: Database = api.client.app.state.db  # type: ignore[attr-defined]
    return db


def outbox(api: Api) -> list[dict[str, Any]]:
    r = api.client.get("/api/v1/outbox")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_delivers_signed_and_retries_after_a_500(
    api: Api, settings: Settings, hook: tuple[Received, str]
) -> None:
    got, secret = hook
    code = ready_for_post(api)
    got.fail_next = 1
    assert run_once(db_of(api), settings, T0) == 0
    [pending] = outbox(api)
    assert (pending["state"], pending["attempts"], pending["last_status"]) == (
        "pending", 1, 500)
    # Not due again before the backoff has passed.
    assert run_once(db_of(api), settings, T0 + timedelta(seconds=1)) == 0
    assert got.posts == []
    later = T0 + timedelta(seconds=settings.webhook_retry_base_seconds + 1)
    assert run_once(db_of(api), settings, later) == 1
    [(headers, body)] = got.posts
    stamp = int(headers["x-motcua-timestamp"])
    assert headers["x-motcua-signature"] == signature(secret, stamp, body)
    event = json.loads(body)
    assert (event["type"], event["data"]["dossier_code"]) == ("postal.return_ready", code)
    assert "recipient" not in event["data"]  # personal data stays behind the postal key
    [done] = outbox(api)
    assert (done["state"], done["attempts"]) == ("delivered", 2)
    assert run_once(db_of(api), settings, later + timedelta(hours=1)) == 0  # sent once


def test_gives_up_after_the_last_attempt(
    api: Api, settings: Settings, hook: tuple[Received, str]
) -> None:
    got, _ = hook
    ready_for_post(api)
    got.fail_next = 99
    few = settings.model_copy(update={"webhook_max_attempts": 2})
    run_once(db_of(api), few, T0)
    run_once(db_of(api), few, T0 + timedelta(days=1))
    [row] = outbox(api)
    assert (row["state"], row["attempts"]) == ("failed", 2)


def test_pending_deliveries_go_out_after_a_restart(
    api: Api, settings: Settings, hook: tuple[Received, str]
) -> None:
    got, _ = hook
    ready_for_post(api)  # written while this app's sender is off
    assert outbox(api)[0]["state"] == "pending"
    sending = settings.model_copy(update={"webhook_sender_enabled": True,
                                          "webhook_interval_seconds": 0.05})
    with TestClient(create_app(sending)):
        assert got.arrived.wait(15)
    assert outbox(api)[0]["state"] == "delivered"


def test_cli_sends_once(api: Api, database_url: str, hook: tuple[Received, str]) -> None:
    got, _ = hook
    ready_for_post(api)
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "app", "send-webhooks", "--once"], env=env,
                   check=True, capture_output=True, timeout=60)
    assert len(got.posts) == 1


def test_deadline_scan_writes_each_condition_once(api: Api, settings: Settings) -> None:
    api.province()
    with receiver() as got:
        api.client.post("/api/v1/webhooks", json={"url": got.url})
        soon = api.receive("2026-03-02 08:00")["code"]  # due 2026-03-06 17:00
        late = api.receive("2026-02-23 08:00")["code"]  # due 2026-02-27 17:00
        now = vn("2026-03-06 09:00")  # within one working day (7.5 h) of 17:00
        assert run_once(db_of(api), settings, now) == 2
        assert run_once(db_of(api), settings, now + timedelta(minutes=5)) == 0
    kinds = sorted((json.loads(b)["type"], json.loads(b)["data"]["dossier_code"])
                   for _, b in got.posts)
    assert kinds == [("dossier.due_soon", soon), ("dossier.overdue", late)]


def test_webhooks_admin_api(api: Api) -> None:
    api.province()
    r = api.client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"})
    assert r.status_code == 201 and len(r.json()["secret"]) >= 32
    listed = api.client.get("/api/v1/webhooks").json()
    assert [h["url"] for h in listed] == ["http://127.0.0.1:9/x"]
    assert "secret" not in listed[0]
    assert api.client.post("/api/v1/webhooks", json={"url": "ftp://x"}).status_code == 422
    counter = api.key("counter", "000.00.20.H12")
    assert api.client.get("/api/v1/webhooks", headers={"X-API-Key": counter}).status_code == 403
    assert api.client.delete(f"/api/v1/webhooks/{r.json()['id']}").status_code == 204
    assert api.client.get("/api/v1/webhooks").json() == []
    assert api.client.delete(f"/api/v1/webhooks/{r.json()['id']}").status_code == 404
