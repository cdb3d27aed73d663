"""Citizen notices through the webhooks: posted events come out, signed, at a loopback
receiver as `citizen.notice` with their texts; a replayed or refused event sends nothing, and
a webhook that did not name notices (not even one registered for every type) gets none."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from app.core.config import Settings
from app.notifications.rules import signature
from app.notifications.sender import run_once
from tests.conftest import Clock
from tests.documents.test_render import norm, visible_text
from tests.factories import Api, iso, vn
from tests.notifications.receiver import Received, receiver
from tests.notifications.test_webhooks import db_of, outbox
from tests.postal.test_postal_api import by_post

NOW = vn("2026-03-20 09:00")
NAME, PHONE = "Nguyễn Văn An", "0912345678"  # the factory's applicant
CLERK_NOTE = "Đã gọi chị Hoa 0987111222, hẹn chiều mai"


def register(api: Api, url: str, types: list[str] | None) -> str:
    r = api.client.post("/api/v1/webhooks", json={"url": url, "event_types": types})
    assert r.status_code == 201, r.text
    return str(r.json()["secret"])


@pytest.fixture
def hook(api: Api, clock: Clock) -> Iterator[tuple[Received, str]]:
    """A receiver subscribed to citizen notices only, and its signing secret."""
    clock.now = NOW
    api.province()
    with receiver() as server:
        yield server, register(api, server.url, ["citizen.notice"])


@pytest.fixture
def got(hook: tuple[Received, str]) -> Received:
    """The receiver of `hook`."""
    return hook[0]


def delivered(settings: Settings, api: Api, got: Received) -> list[dict[str, Any]]:
    """Send what is due and return the events the receiver got, in order."""
    run_once(db_of(api), settings, NOW + timedelta(minutes=1))
    return [json.loads(body) for _, body in got.posts]


def test_an_online_filing_hears_of_its_supplement_apology_and_result(
        api: Api, settings: Settings, hook: tuple[Received, str],
        caplog: pytest.LogCaptureFixture) -> None:
    got, secret = hook
    caplog.set_level(logging.DEBUG)
    code = api.receive("2026-03-02 08:00", channel="online")["code"]
    api.event(code, "processing_started", "2026-03-02 09:00", note=CLERK_NOTE)
    api.event(code, "supplement_requested", "2026-03-03 10:00", id_="bs-1",
              reason="Thiếu bản sao giấy chứng sinh", reason_code="missing_document",
              documents=["Bản sao giấy chứng sinh"], note=CLERK_NOTE)
    api.event(code, "supplement_received", "2026-03-04 08:00")
    api.event(code, "apology_issued", "2026-03-09 15:00", id_="xl-1",
              reason="Cần xác minh thêm với UBND huyện", reason_code="verification_needed",
              new_due_at=iso("2026-03-12 17:00"), note=CLERK_NOTE)
    api.event(code, "resolved", "2026-03-11 10:00", id_="kq-1",
              result_document="Giấy khai sinh số 45/2026")
    events = delivered(settings, api, got)
    assert [(e["type"], e["data"]["kind"]) for e in events] == [
        ("citizen.notice", "supplement_requested"), ("citizen.notice", "apology_issued"),
        ("citizen.notice", "result_ready")]
    headers, body = got.posts[0]
    assert headers["x-motcua-signature"] == signature(
        secret, int(headers["x-motcua-timestamp"]), body)
    for e in events:
        data = e["data"]
        assert (data["dossier_code"], data["channel"]) == (code, "online")
        assert data["recipient"] == {"name": NAME, "phone": PHONE}
        assert len(data["sms"]) <= 160 and data["sms"].isascii() and code in data["sms"]
        assert code in data["email"]["subject"] and "Thủ tục 1.000001" in data["email"]["body"]
        assert CLERK_NOTE not in json.dumps(data, ensure_ascii=False)  # notes stay in the file
    supplement, apology, result = (e["data"] for e in events)
    assert supplement["at"] == "2026-03-03T10:00:00+07:00" and supplement["letter"] is None
    assert "Lý do: Thiếu bản sao giấy chứng sinh" in supplement["email"]["body"]
    assert "(1) Bản sao giấy chứng sinh" in supplement["email"]["body"]
    assert "tạm dừng từ 10:00 ngày 03/03/2026" in supplement["email"]["body"]
    assert "Hen tra moi 17:00 ngay 12/03/2026" in apology["sms"]
    letter = apology["letter"]
    assert letter["path"] == f"/api/v1/dossiers/{code}/documents/apology"
    assert letter["title"] == "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    assert apology["email"]["body"].startswith(letter["text"])
    printed = api.client.get(letter["path"])
    assert printed.status_code == 200, printed.text
    for line in filter(None, letter["text"].splitlines()):
        assert norm(line) in visible_text(printed.text), line
    assert "Kết quả: Giấy khai sinh số 45/2026" in result["email"]["body"]
    assert "moi Ong/Ba nhan tai" in result["sms"]
    # The one webhook with personal data keeps it out of the logs.
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert NAME not in logged and PHONE not in logged


def test_a_counter_filing_gets_no_letter_and_a_posted_result_its_waybill(
        api: Api, settings: Settings, got: Received) -> None:
    counter = api.receive("2026-03-02 08:00")["code"]
    api.event(counter, "apology_issued", "2026-03-05 15:00", reason="Chậm",
              new_due_at=iso("2026-03-12 17:00"))
    posted = by_post(api)
    api.event(posted, "resolved", "2026-03-05 10:00")
    api.event(posted, "returned", "2026-03-06 09:00", method="postal", waybill="EB987654321VN")
    api.event(counter, "processing_started", "2026-03-06 09:00")  # no notice
    data = [e["data"] for e in delivered(settings, api, got)]
    assert [(d["dossier_code"], d["kind"]) for d in data] == [
        (counter, "apology_issued"), (posted, "result_ready"), (posted, "result_posted")]
    assert data[0]["channel"] == "direct" and data[0]["letter"] is None
    assert "se gui qua buu chinh" in data[1]["sms"]
    assert "Số hiệu bưu gửi: EB987654321VN" in data[2]["email"]["body"]


def test_a_replayed_or_refused_event_sends_nothing(
        api: Api, settings: Settings, got: Received) -> None:
    code = api.receive("2026-03-02 08:00")["code"]
    body: dict[str, Any] = {"id_": "bs-1", "reason": "Thiếu tờ khai", "documents": ["Tờ khai"]}
    api.event(code, "supplement_requested", "2026-03-03 10:00", **body)
    replay = api.event_raw(code, "supplement_requested", "2026-03-03 10:00", **body)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    # Already awaiting a supplement: refused, and it changes nothing.
    refused = api.event_raw(code, "supplement_requested", "2026-03-03 11:00", id_="bs-2",
                            reason="Thiếu tờ khai")
    assert refused.status_code == 409, refused.text
    batch = api.client.post("/api/v1/events/batch", json={"items": [
        {"dossier": code, "event": {"id": "bs-1", "type": "supplement_requested",
                                    "at": iso("2026-03-03 10:00"), "reason": "Thiếu tờ khai",
                                    "documents": ["Tờ khai"]}}]})
    assert batch.status_code in (200, 207), batch.text
    assert [(e["data"]["kind"], e["data"]["dossier_code"])
            for e in delivered(settings, api, got)] == [("supplement_requested", code)]
    assert len(outbox(api)) == 1


def test_a_webhook_that_did_not_ask_for_notices_gets_none(
        api: Api, settings: Settings, clock: Clock) -> None:
    clock.now = NOW
    api.province()
    with receiver() as postal, receiver() as everything, receiver() as gateway:
        register(api, postal.url, ["postal.return_ready"])
        register(api, everything.url, None)  # every type but the one with personal data
        code = by_post(api)
        api.event(code, "resolved", "2026-03-05 10:00")
        # Nobody asked for notices yet: none is written, the applicant is not stored twice.
        assert {d["event_type"] for d in outbox(api)} == {"postal.return_ready"}
        register(api, gateway.url, ["citizen.notice"])
        api.event(code, "returned", "2026-03-06 09:00", method="postal", waybill="EB1VN")
        run_once(db_of(api), settings, NOW + timedelta(minutes=1))
    assert [json.loads(b)["type"] for _, b in postal.posts] == ["postal.return_ready"]
    assert [json.loads(b)["type"] for _, b in everything.posts] == ["postal.return_ready"]
    assert [(json.loads(b)["type"], json.loads(b)["data"]["kind"])
            for _, b in gateway.posts] == [("citizen.notice", "result_posted")]
