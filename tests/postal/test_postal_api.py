"""A postal return end to end (QĐ 45/2016): request, feed, handover, delivery or failure."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from app.dossiers.models import Dossier, DossierEvent
from app.postal.models import PostalReturn
from tests.factories import COMMUNE, OTHER_COMMUNE, Api, iso

DELIVERY = {"name": "Trần Thị Bình", "address": "Số 5 Lý Thái Tổ, Hoàn Kiếm, Hà Nội",
            "phone": "0987654321", "cod_amount": 35000}


@pytest.fixture
def postal_key(api: Api) -> str:
    api.province()
    return api.key("postal")


def by_post(api: Api, at: str = "2026-03-02 08:00", **fields: Any) -> str:
    """Receive a dossier whose result goes by post, and return its code."""
    d = api.receive(at, return_by_post=True, delivery=DELIVERY, **fields)
    return str(d["code"])


def feed(api: Api, key: str, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    r = api.client.get("/api/v1/postal/returns", params=params, headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    return dict(r.json())


def report(api: Api, key: str, code: str, step: str, **body: Any) -> Any:
    return api.client.post(f"/api/v1/postal/returns/{code}/{step}", json=body,
                           headers={"X-API-Key": key})


def events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(DossierEvent)) or 0)


def test_return_by_post_end_to_end(api: Api, postal_key: str) -> None:
    code = by_post(api)
    assert feed(api, postal_key)["items"] == []  # not resolved yet
    api.event(code, "resolved", "2026-03-05 10:00", result_document="Giấy khai sinh (bản chính)")
    [item] = feed(api, postal_key)["items"]
    assert item == {
        "dossier_code": code, "unit": {"code": COMMUNE, "name": f"Đơn vị {COMMUNE}"},
        "procedure": "Thủ tục 1.000001",
        "recipient": {"name": DELIVERY["name"], "address": DELIVERY["address"],
                      "phone": DELIVERY["phone"]},
        "document": "Giấy khai sinh (bản chính)", "cod_amount": 35000,
        "ready_at": "2026-03-05T10:00:00+07:00",
    }
    r = report(api, postal_key, code, "handed_over", waybill="EB123456789VN",
               at=iso("2026-03-05 15:00"))
    assert r.status_code == 201, r.text
    d = r.json()["dossier"]
    assert (d["status"], d["return_method"], d["returned_at"]) == (
        "returned", "postal", "2026-03-05T15:00:00+07:00")
    assert d["applicant"] is None  # a postal key never sees the applicant
    assert feed(api, postal_key)["items"] == []  # acknowledged: out of the feed
    r = report(api, postal_key, code, "delivered", at=iso("2026-03-06 09:30"))
    assert r.status_code == 201, r.text
    full = api.dossier(code)
    assert (full["status"], full["returned_at"]) == ("returned", "2026-03-05T15:00:00+07:00")
    assert [e["type"] for e in full["timeline"]] == ["received", "resolved", "returned",
                                                     "delivered"]
    assert full["timeline"][2]["details"]["waybill"] == "EB123456789VN"


def test_retried_callbacks_change_nothing(api: Api, postal_key: str, engine: Engine) -> None:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    body = {"waybill": "EB1VN", "at": iso("2026-03-05 15:00")}
    first = report(api, postal_key, code, "handed_over", **body)
    count = events(engine)
    again = report(api, postal_key, code, "handed_over", **body)
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.json() == first.json()
    delivered = report(api, postal_key, code, "delivered", at=iso("2026-03-06 09:00"))
    retry = report(api, postal_key, code, "delivered", at=iso("2026-03-06 09:00"))
    assert retry.json() == delivered.json()
    assert events(engine) == count + 1
    # A different report for the same waybill is a conflict, not a second delivery.
    other = report(api, postal_key, code, "delivered", at=iso("2026-03-06 10:00"))
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    failed = report(api, postal_key, code, "delivery_failed", at=iso("2026-03-06 11:00"),
                    reason="Không có người nhận")
    assert (failed.status_code, failed.json()["code"]) == (409, "not_awaiting_delivery")


def test_failed_delivery_goes_back_to_the_counter(api: Api, postal_key: str) -> None:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    report(api, postal_key, code, "handed_over", waybill="EB2VN", at=iso("2026-03-05 15:00"))
    r = report(api, postal_key, code, "delivery_failed", at=iso("2026-03-07 10:00"),
               reason="Không có người nhận")
    assert r.status_code == 201, r.text
    d = api.dossier(code)
    assert (d["status"], d["return_method"], d["returned_at"]) == ("resolved", None, None)
    assert d["timeline"][-1]["details"]["reason"] == "Không có người nhận"
    assert feed(api, postal_key)["items"] == []  # back at the counter, not in the feed
    d = api.event(code, "returned", "2026-03-09 09:00", method="counter")
    assert (d["status"], d["return_method"]) == ("returned", "counter")


def test_a_failed_delivery_can_be_posted_again_with_a_new_waybill(
    api: Api, postal_key: str
) -> None:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    report(api, postal_key, code, "handed_over", waybill="EB3VN", at=iso("2026-03-05 15:00"))
    report(api, postal_key, code, "delivery_failed", at=iso("2026-03-07 10:00"), reason="Sai")
    api.event(code, "return_by_post_requested", "2026-03-09 08:00",
              delivery={"address": "Số 9 Hàng Bài, Hà Nội"})
    [item] = feed(api, postal_key)["items"]
    assert item["recipient"]["address"] == "Số 9 Hàng Bài, Hà Nội"
    assert item["recipient"]["name"] == "Nguyễn Văn An"  # the applicant, by default
    r = report(api, postal_key, code, "handed_over", waybill="EB4VN", at=iso("2026-03-09 14:00"))
    assert r.status_code == 201, r.text
    assert report(api, postal_key, code, "delivered", at=iso("2026-03-10 09:00")).status_code \
        == 201


def test_request_after_resolution_lands_in_the_feed_at_once(api: Api, postal_key: str) -> None:
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "resolved", "2026-03-05 10:00")
    assert feed(api, postal_key)["items"] == []
    api.event(code, "return_by_post_requested", "2026-03-05 11:00")
    [item] = feed(api, postal_key)["items"]
    assert item["recipient"]["address"] == "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội"
    # The address is personal data: it stays out of the timeline dashboards read.
    assert "delivery" not in api.dossier(code)["timeline"][-1]["details"]


def test_returned_at_the_counter_leaves_the_feed(api: Api, postal_key: str) -> None:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    api.event(code, "returned", "2026-03-05 11:00", method="counter")
    assert feed(api, postal_key)["items"] == []
    r = report(api, postal_key, code, "delivered", at=iso("2026-03-06 09:00"))
    assert (r.status_code, r.json()["code"]) == (409, "not_handed_over")


def test_handover_by_post_needs_a_waybill(api: Api) -> None:
    api.province()
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    r = api.event_raw(code, "returned", "2026-03-05 15:00", method="postal")
    assert (r.status_code, r.json()["code"]) == (422, "waybill_missing")
    assert api.dossier(code)["status"] == "resolved"


def test_feed_pages_with_a_cursor_oldest_first(api: Api, postal_key: str) -> None:
    codes = [by_post(api, f"2026-03-02 0{h}:00") for h in range(8, 10)]
    codes.append(by_post(api, "2026-03-02 10:00"))
    for code in codes:
        api.event(code, "resolved", "2026-03-05 10:00")
    first = feed(api, postal_key, limit=2)
    second = feed(api, postal_key, first["next_cursor"], limit=2)
    assert [i["dossier_code"] for i in first["items"] + second["items"]] == codes
    # Polling on from the last position sees only what became ready since.
    later = by_post(api, "2026-03-03 08:00")
    assert feed(api, postal_key, second["next_cursor"])["items"] == []
    api.event(later, "resolved", "2026-03-06 10:00")
    assert [i["dossier_code"] for i in feed(api, postal_key, second["next_cursor"])["items"]] \
        == [later]
    bad = api.client.get("/api/v1/postal/returns", params={"cursor": "!!"},
                         headers={"X-API-Key": postal_key})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")


def test_feed_is_scoped_to_the_postal_keys_units(api: Api) -> None:
    api.province()
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    mine = api.key("postal", OTHER_COMMUNE)
    assert feed(api, mine)["items"] == []
    r = report(api, mine, code, "handed_over", waybill="EB5VN", at=iso("2026-03-05 15:00"))
    assert r.status_code == 403


def test_postal_keys_only_reach_postal_endpoints(api: Api, postal_key: str) -> None:
    code = by_post(api)
    headers = {"X-API-Key": postal_key}
    for r in (api.client.get("/api/v1/dossiers", headers=headers),
              api.client.get(f"/api/v1/dossiers/{code}", headers=headers),
              api.client.get("/api/v1/dossiers/overdue", headers=headers),
              api.client.get(f"/api/v1/dossiers/{code}/documents/receipt", headers=headers),
              api.client.get("/api/v1/webhooks", headers=headers),
              api.event_raw(code, "resolved", "2026-03-05 10:00", key=postal_key)):
        assert r.status_code == 403, r.request.url
    counter = api.key("counter", COMMUNE)
    r = api.client.get("/api/v1/postal/returns", headers={"X-API-Key": counter})
    assert r.status_code == 403


def test_postal_receipt_records_the_inbound_waybill(api: Api) -> None:
    api.province()
    d = api.receive("2026-03-02 09:15", channel="postal", waybill="RR987654321VN")
    assert (d["channel"], d["received_at"]) == ("postal", "2026-03-02T09:15:00+07:00")
    assert api.dossier(d["code"])["timeline"][0]["details"]["waybill"] == "RR987654321VN"
    r = api.receive_raw("2026-03-02 09:15", waybill="RR1VN")
    assert r.status_code == 422  # a waybill belongs to a postal receipt


def test_return_by_post_needs_a_procedure_that_offers_it(api: Api) -> None:
    api.province()
    api.procedure("NP", postal=False)
    r = api.receive_raw("2026-03-02 08:00", procedure="NP", return_by_post=True)
    assert (r.status_code, r.json()["code"]) == (422, "postal_not_offered")


def _never_asked(api: Api) -> str:
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "resolved", "2026-03-05 10:00")
    return code


def _not_ready(api: Api) -> str:
    return by_post(api)


def _collected(api: Api) -> str:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    api.event(code, "returned", "2026-03-05 11:00", method="counter")
    return code


def _back_after_failure(api: Api, postal_key: str) -> str:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    report(api, postal_key, code, "handed_over", waybill="EB7VN", at=iso("2026-03-05 15:00"))
    report(api, postal_key, code, "delivery_failed", at=iso("2026-03-06 10:00"), reason="Vắng")
    return code


@pytest.mark.parametrize("make", [
    lambda api, key: _never_asked(api), lambda api, key: _not_ready(api),
    lambda api, key: _collected(api), _back_after_failure,
], ids=["never-asked-for-post", "not-resolved-yet", "collected-at-counter",
        "back-after-failure"])
def test_the_post_hands_over_only_what_is_in_its_feed(
    api: Api, postal_key: str, engine: Engine, make: Any
) -> None:
    code = make(api, postal_key)
    before, count = api.dossier(code), events(engine)
    r = report(api, postal_key, code, "handed_over", waybill="EB9VN", at=iso("2026-03-06 15:00"))
    assert (r.status_code, r.json()["code"]) == (409, "not_in_postal_feed"), r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert (api.dossier(code), events(engine)) == (before, count)
    for step, body in (("delivered", {}), ("delivery_failed", {"reason": "Vắng"})):
        r = report(api, postal_key, code, step, at=iso("2026-03-07 09:00"), **body)
        assert r.status_code == 409, r.text
    assert (api.dossier(code), events(engine)) == (before, count)


def test_a_damaged_ready_row_is_logged_and_left_out_not_a_500(
        api: Api, postal_key: str, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    first, second = by_post(api), by_post(api, "2026-03-02 09:00")
    for code in (first, second):
        api.event(code, "resolved", "2026-03-05 10:00")
    with engine.begin() as conn:
        conn.execute(update(PostalReturn).where(PostalReturn.dossier_id == select(
            Dossier.id).where(Dossier.code == first).scalar_subquery()).values(ready_at=None))
    with caplog.at_level(logging.ERROR, logger="app.postal"):
        page = feed(api, postal_key)
    assert [i["dossier_code"] for i in page["items"]] == [second]
    assert any("left out of the feed" in r.getMessage() for r in caplog.records)


def test_the_post_reports_a_failure_with_a_reason_code(api: Api, postal_key: str) -> None:
    code = by_post(api)
    api.event(code, "resolved", "2026-03-05 10:00")
    report(api, postal_key, code, "handed_over", waybill="EB3VN", at=iso("2026-03-05 15:00"))
    bad = report(api, postal_key, code, "delivery_failed", at=iso("2026-03-07 10:00"),
                 reason="Vắng", reason_code="holiday")
    assert bad.status_code == 422 and "'recipient_absent'" in bad.text
    r = report(api, postal_key, code, "delivery_failed", at=iso("2026-03-07 10:00"),
               reason="Vắng nhà", reason_code="recipient_absent")
    assert r.status_code == 201, r.text
    details = api.dossier(code)["timeline"][-1]["details"]
    assert details == {"reason": "Vắng nhà", "reason_code": "recipient_absent"}
