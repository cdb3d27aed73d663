"""The financial-obligation pause (nghĩa vụ tài chính) through the API: its own events, its own
status, its own paused time, and figures that treat it as a stopped clock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.dossiers.models import DossierEvent
from tests.conftest import Clock
from tests.factories import PROVINCE, Api, vn

PERIOD = {"unit": PROVINCE, "from": "2026-04-01", "to": "2026-05-05"}


def figures(api: Api) -> dict[str, Any]:
    r = api.client.get("/api/v1/stats/on-time", params=PERIOD)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_pause_for_payment_across_the_holidays(api: Api, clock: Clock) -> None:
    api.province()
    code = str(api.receive("2026-04-20 08:00")["code"])  # due Fri 24/4 17:00
    r = api.event_raw(code, "financial_obligation_requested", "2026-04-24 10:00",
                      reason="Thông báo nộp tiền sử dụng đất")
    assert r.status_code == 201, r.text
    waiting = r.json()["dossier"]
    assert (waiting["status"], waiting["paused"], waiting["pause_kind"]) == (
        "awaiting_financial_obligation", True, "financial_obligation")
    # Judged on 5 May, long past the appointment: the stopped clock is not overdue.
    clock.now = vn("2026-05-05 09:00")
    assert api.dossier(code)["overdue"] is False
    assert figures(api)["pending"] == {"total": 1, "within_deadline": 1, "overdue": 0}
    clock.now = None
    r = api.event_raw(code, "financial_obligation_fulfilled", "2026-05-04 10:00")
    assert r.status_code == 201, r.text
    body = r.json()
    # 6 h on 24/4, 16 h on 28-29/4, 2 h on 4/5: Hùng Kings' day observed (27/4), 30/4 and 1/5
    # and the weekends do not count, before or after.
    assert body["event"]["flags"] == {"pause_ended": "financial_obligation",
                                      "paused_seconds": 24 * 3600}
    d = body["dossier"]
    assert d["due_at"] == "2026-05-04T17:00:00+07:00"
    assert (d["status"], d["paused"], d["pause_kind"]) == ("processing", False, None)
    assert (d["financial_obligation_paused_seconds"], d["supplement_paused_seconds"]) == (
        24 * 3600, 0)
    assert d["supplement_count"] == 0
    resolved = api.event(code, "resolved", "2026-05-04 16:00")
    assert resolved["timeliness"] == "on_time"
    f = figures(api)
    assert f["financial_obligations"] == {"requested": 1}
    assert f["supplements"] == {"requested": 0, "dossiers_with_more_than_one": 0}
    assert f["resolved"]["on_time"] == 1
    timeline = [e["type"] for e in api.dossier(code)["timeline"]]
    assert timeline == ["received", "financial_obligation_requested",
                        "financial_obligation_fulfilled", "resolved"]


def test_the_public_lookup_names_the_wait(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-04-20 08:00")["code"])
    api.event(code, "financial_obligation_requested", "2026-04-21 10:00")
    r = api.client.get(f"/api/v1/public/dossiers/{code}", params={"phone_last4": "5678"},
                       headers={"X-API-Key": ""})
    assert r.status_code == 200, r.text
    assert r.json()["status_label"] == "Chờ thực hiện nghĩa vụ tài chính"


def test_fulfilment_without_a_request_changes_nothing(api: Api, engine: Engine) -> None:
    api.province()
    code = str(api.receive("2026-04-20 08:00")["code"])
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(DossierEvent))
    r = api.event_raw(code, "financial_obligation_fulfilled", "2026-04-21 10:00")
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(DossierEvent)) == before
    # one pause at a time: no supplement request while waiting for payment
    api.event(code, "financial_obligation_requested", "2026-04-21 10:00")
    assert api.event_raw(code, "supplement_requested", "2026-04-21 11:00",
                         reason="Thiếu giấy tờ").status_code == 409
