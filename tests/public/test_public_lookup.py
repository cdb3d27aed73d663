"""Public lookup (tra cứu hồ sơ): status without personal data, a second factor, a budget."""

from __future__ import annotations

from typing import Any

from tests.factories import Api, iso

URL = "/api/v1/public/dossiers/"
APPLICANT = ["Nguyễn Văn An", "001090012345", "0912345678", "Số 1 Tràng Tiền"]
PUBLIC_FIELDS = {"code", "status", "status_label", "procedure", "receiving_unit",
                 "handling_unit", "received_at", "due_at", "rescheduled_due_at",
                 "result_ready", "returned_at", "return_method", "postal"}


def leaves(value: Any) -> list[str]:
    """Every scalar of a JSON document, as text."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in leaves(v)]
    return [str(value)]


def test_lookup_shows_status_and_post_but_nothing_personal(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00", return_by_post=True, delivery={
        "name": "Trần Thị Bình", "address": "Số 5 Lý Thái Tổ", "phone": "0987654321"})["code"])
    api.event(code, "apology_issued", "2026-03-05 09:00", reason="Nội bộ: chờ ký",
              note="ghi chú nội bộ", new_due_at=iso("2026-03-10 09:00"))
    api.event(code, "resolved", "2026-03-09 10:00")
    postal = api.key("postal")
    api.client.post(f"/api/v1/postal/returns/{code}/handed_over", headers={"X-API-Key": postal},
                    json={"waybill": "EB777VN", "at": iso("2026-03-09 15:00")})
    del api.client.headers["X-API-Key"]
    r = api.client.get(URL + code, headers={"X-Phone-Last4": "5678"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == PUBLIC_FIELDS
    assert set(body["postal"]) == {"state", "waybill", "handed_over_at", "delivered_at"}
    assert (body["status"], body["status_label"]) == ("returned", "Đã trả kết quả")
    assert body["rescheduled_due_at"] == "2026-03-10T09:00:00+07:00"
    assert (body["postal"]["waybill"], body["return_method"]) == ("EB777VN", "postal")
    text = " ".join(leaves(body))
    for secret in [*APPLICANT, "5678", "Trần Thị Bình", "Số 5 Lý Thái Tổ", "0987654321",
                   "Nội bộ", "ghi chú"]:
        assert secret not in text, secret


def test_the_query_parameter_still_works_as_second_factor(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    r = api.client.get(URL + code, params={"phone_last4": "5678"}, headers={"X-API-Key": ""})
    assert (r.status_code, r.json()["result_ready"]) == (200, False)


def test_wrong_digits_answer_exactly_like_an_unknown_code(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    wrong = api.client.get(URL + code, headers={"X-Phone-Last4": "1234"})
    unknown = api.client.get(URL + "000.00.20.H12-260302-9999", headers={"X-Phone-Last4": "5678"})
    missing = api.client.get(URL + code)
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.content == unknown.content == missing.content
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


def test_failed_lookups_are_rate_limited(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    public = api.client
    del public.headers["X-API-Key"]  # no key is needed
    burst = 10
    for n in range(burst):
        assert public.get(URL + code, headers={"X-Phone-Last4": f"{n:04d}"}).status_code == 404
    blocked = public.get(URL + code, headers={"X-Phone-Last4": "5678"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # The same client is held back on other codes too (per IP).
    assert public.get(URL + "other", headers={"X-Phone-Last4": "5678"}).status_code == 429
