"""Public lookup (tra cứu hồ sơ): status without personal data, a second factor, a budget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.conftest import ADMIN_KEY
from tests.factories import Api, iso

URL = "/api/v1/public/dossiers/"
APPLICANT = ["Nguyễn Văn An", "001090012345", "0912345678", "Số 1 Tràng Tiền"]
PUBLIC_FIELDS = {"code", "status", "status_label", "procedure", "receiving_unit",
                 "handling_unit", "received_at", "due_at", "rescheduled_due_at",
                 "result_ready", "returned_at", "return_method", "postal"}

PROXY = "10.0.0.1"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The test app, behind one trusted reverse proxy."""
    return Settings(database_url=database_url, admin_api_key=ADMIN_KEY, migrate_on_start=False,
                    webhook_sender_enabled=False, trusted_proxies=[PROXY])


def client_at(api: Api, host: str) -> TestClient:
    """A keyless client of the same app whose connection comes from `host`."""
    return TestClient(api.client.app, client=(host, 40000), raise_server_exceptions=False)


def slip_code(api: Api, code: str) -> str:
    """The lookup code printed on the dossier's receipt slip."""
    html = api.client.get(f"/api/v1/dossiers/{code}/documents/receipt").text
    found = re.search(r"mã tra cứu\s*<b>([0-9A-Z]{5}-[0-9A-Z]{5})</b>", html)
    assert found, html
    return found.group(1)


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


def test_a_stranger_guessing_cannot_lock_out_the_owner_of_the_slip(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    secret = slip_code(api, code)
    # Strangers from many addresses spend every failure they have on this code, with phone
    # digits and with made-up lookup codes.
    for n in range(30):
        stranger = client_at(api, f"198.51.100.{n}")
        answers = {stranger.get(URL + code, headers={"X-Phone-Last4": f"{n:04d}"}).status_code
                   for _ in range(3)}
        answers |= {stranger.get(URL + code, headers={"X-Lookup-Secret": "ZZZZZ-ZZZZZ"})
                    .status_code for _ in range(11)}
        assert answers == {404, 429}
    # The phone digits are now held back for everyone on this code ...
    owner = client_at(api, "203.0.113.9")
    assert owner.get(URL + code, headers={"X-Phone-Last4": "5678"}).status_code == 429
    # ... but the slip's lookup code gets its owner through, as printed or as typed.
    for typed in (secret, secret.replace("-", "").lower(), secret.replace("-", " ")):
        r = owner.get(URL + code, headers={"X-Lookup-Secret": typed})
        assert r.status_code == 200, (typed, r.text)
        assert r.json()["code"] == code


def test_a_wrong_lookup_code_answers_exactly_like_an_unknown_dossier(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    secret = slip_code(api, code)
    guest = client_at(api, "203.0.113.9")
    wrong = guest.get(URL + code, headers={"X-Lookup-Secret": "00000-00000"})
    unknown = guest.get(URL + "000.00.20.H12-260302-9999", headers={"X-Lookup-Secret": secret})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    malformed = guest.get(URL + code, headers={"X-Lookup-Secret": "x" * 40})
    assert malformed.status_code == 422


def test_one_client_enumerating_codes_is_throttled(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    secret = slip_code(api, code)
    scanner = client_at(api, "198.51.100.77")
    prefix = code.rsplit("-", 1)[0]
    answers = [scanner.get(f"{URL}{prefix}-{n:04d}", headers={"X-Lookup-Secret": secret})
               .status_code for n in range(2, 14)]
    assert answers[:10] == [404] * 10 and set(answers[10:]) == {429}
    blocked = scanner.get(URL + code, headers={"X-Lookup-Secret": secret})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Another client is not held back by the scanner.
    assert client_at(api, "203.0.113.9").get(
        URL + code, headers={"X-Lookup-Secret": secret}).status_code == 200


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    secret = slip_code(api, code)
    spoofer = client_at(api, "198.51.100.77")
    answers = [spoofer.get(URL + code, headers={"X-Lookup-Secret": "ZZZZZ-ZZZZZ",
                                                "X-Forwarded-For": f"192.0.2.{n}"}).status_code
               for n in range(11)]
    assert answers == [404] * 10 + [429]
    # Through the trusted proxy, only the address it appended counts, not one the client wrote.
    behind = client_at(api, PROXY)
    for n in range(11):
        r = behind.get(URL + code, headers={"X-Lookup-Secret": "ZZZZZ-ZZZZZ",
                                            "X-Forwarded-For": f"192.0.2.{n}, 198.51.100.8"})
    assert r.status_code == 429
    # Other citizens behind the same proxy are told apart by the address the proxy saw.
    r = behind.get(URL + code, headers={"X-Lookup-Secret": secret,
                                        "X-Forwarded-For": "203.0.113.50"})
    assert r.status_code == 200, r.text

