"""Online pre-receipt through the API: the check queue, acceptance as a receipt, not
accepting with a reason, the scope of counter keys, idempotent filing and the figures."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Clock
from tests.factories import COMMUNE, OTHER_COMMUNE, PROCEDURE, Api, iso, vn

APPLICANT = {"kind": "person", "name": "Trần Thị Mai", "id_number": "022190001234",
             "phone": "0912345678", "address": "Tổ 3, khu 5, phường Hạ Long, Quảng Ninh"}


def submit_raw(api: Api, at: str | None = None, *, key: str | None = None,
               **fields: Any) -> httpx.Response:
    body: dict[str, Any] = {"procedure": PROCEDURE, "receiving_unit": COMMUNE,
                            "applicant": APPLICANT, "documents": ["Tờ khai đăng ký khai sinh"]}
    if at is not None:
        body["submitted_at"] = iso(at)
    body.update(fields)
    headers = {"X-API-Key": key} if key else {}
    response: httpx.Response = api.client.post("/api/v1/submissions", json=body,
                                               headers=headers)
    return response


def submit(api: Api, at: str, **fields: Any) -> dict[str, Any]:
    r = submit_raw(api, at, **fields)
    assert r.status_code == 201, r.text
    return dict(r.json())


def decide(api: Api, id_: int, action: str, at: str, key: str | None = None,
           **fields: Any) -> httpx.Response:
    headers = {"X-API-Key": key} if key else {}
    response: httpx.Response = api.client.post(
        f"/api/v1/submissions/{id_}/{action}", json={"at": iso(at), **fields}, headers=headers)
    return response


def queue(api: Api, **params: Any) -> dict[str, Any]:
    r = api.client.get("/api/v1/submissions", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def dossier_count(api: Api) -> int:
    return len(api.client.get("/api/v1/dossiers", params={"limit": 500}).json()["items"])


NOT_ACCEPTED = {"reason_code": "incomplete", "reason": "Thiếu bản sao giấy chứng sinh"}


def test_the_queue_orders_by_check_deadline_and_flags_the_overdue(api: Api, clock: Clock
                                                                  ) -> None:
    api.province()
    clock.now = vn("2026-03-09 14:00")  # Monday
    first = submit(api, "2026-03-06 08:00")   # due Friday 17:00
    second = submit(api, "2026-03-06 15:00")  # due Monday 15:00
    third = submit(api, "2026-03-09 08:00")   # due Monday 17:00
    assert (first["status"], first["check_due_at"]) == ("waiting", "2026-03-06T17:00:00+07:00")
    assert second["check_due_at"] == "2026-03-09T15:00:00+07:00"
    page = queue(api)
    assert [(s["id"], s["overdue"]) for s in page["items"]] == [
        (first["id"], True), (second["id"], False), (third["id"], False)]
    assert [s["id"] for s in queue(api, due_within_hours=1)["items"]] == [second["id"]]
    assert [s["id"] for s in queue(api, due_within_hours=3)["items"]] == [second["id"],
                                                                         third["id"]]
    one = queue(api, limit=2)
    assert [s["id"] for s in one["items"]] == [first["id"], second["id"]]
    assert [s["id"] for s in queue(api, limit=2, cursor=one["next_cursor"])["items"]] == [
        third["id"]]
    assert queue(api, status="accepted")["items"] == []
    forged = api.client.get("/api/v1/submissions", params={"cursor": "WzEwMDAwMDAwMDAwMDAw"
                                                                      "MDAwMDAwLDFd"})
    assert forged.status_code == 422 and forged.json()["code"] == "invalid_cursor"
    assert api.client.get("/api/v1/submissions",
                          params={"due_within_hours": 0}).status_code == 422


def test_accepting_receives_the_dossier_at_the_acceptance_once(api: Api, clock: Clock) -> None:
    api.province()
    clock.now = vn("2026-03-09 16:00")
    late = submit(api, "2026-03-06 09:00")
    before = dossier_count(api)
    r = decide(api, late["id"], "accept", "2026-03-09 14:00")
    assert r.status_code == 200, r.text
    dossier, submission = r.json()["dossier"], r.json()["submission"]
    assert dossier["code"].startswith(f"{COMMUNE}-260309-")
    assert (dossier["received_at"], dossier["channel"], dossier["status"]) == (
        "2026-03-09T14:00:00+07:00", "online", "received")
    assert api.dossier(dossier["code"])["applicant"]["name"] == APPLICANT["name"]
    assert (submission["status"], submission["dossier_code"], submission["checked_late"],
            submission["decided_at"]) == ("accepted", dossier["code"], True,
                                          "2026-03-09T14:00:00+07:00")
    assert dossier_count(api) == before + 1
    again = decide(api, late["id"], "accept", "2026-03-09 15:00")
    assert again.status_code == 409 and again.json()["code"] == "submission_decided"
    refused = decide(api, late["id"], "not-accept", "2026-03-09 15:00", **NOT_ACCEPTED)
    assert refused.status_code == 409
    assert dossier_count(api) == before + 1
    stored = api.client.get(f"/api/v1/submissions/{late['id']}").json()
    assert stored == submission | {"overdue": False}
    trail = api.client.get("/api/v1/audit", params={"entity": "submission"}).json()["items"]
    assert [(e["action"], e["old"]["status"], e["new"]["status"]) for e in trail] == [
        ("accept", "waiting", "accepted")]


def test_a_receipt_refused_at_acceptance_leaves_the_submission_waiting(api: Api, clock: Clock
                                                                       ) -> None:
    api.province()
    clock.now = vn("2026-03-09 16:00")
    s = submit(api, "2026-03-09 09:00", handling_unit="000.00.99.H12")
    r = decide(api, s["id"], "accept", "2026-03-09 10:00")
    assert r.status_code == 422 and r.json()["code"] == "unknown_unit"
    assert api.client.get(f"/api/v1/submissions/{s['id']}").json()["status"] == "waiting"
    early = decide(api, s["id"], "accept", "2026-03-09 08:00")
    assert early.status_code == 422 and early.json()["code"] == "decided_before_submission"


def test_not_accepted_is_never_received(api: Api, clock: Clock) -> None:
    api.province()
    clock.now = vn("2026-03-09 16:00")
    declined = submit(api, "2026-03-09 08:00")
    taken = submit(api, "2026-03-09 08:30")
    submit(api, "2026-03-09 09:00")
    r = decide(api, declined["id"], "not-accept", "2026-03-09 10:00", **NOT_ACCEPTED)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reason_code"], r.json()["reason_label"],
            r.json()["dossier_code"], r.json()["checked_late"]) == (
        "not_accepted", "incomplete", "Hồ sơ chưa đầy đủ thành phần theo quy định", None, False)
    assert decide(api, declined["id"], "accept", "2026-03-09 11:00").status_code == 409
    assert decide(api, taken["id"], "accept", "2026-03-09 10:00").status_code == 200
    assert dossier_count(api) == 1
    figures = api.client.get("/api/v1/stats/on-time",
                             params={"unit": COMMUNE, "period": "2026-03"}).json()
    assert (figures["received"]["new"], figures["received"]["online"]) == (1, 1)
    own = api.client.get("/api/v1/stats/submissions", params={"unit": COMMUNE,
                                                              "period": "2026-03"})
    assert own.status_code == 200, own.text
    assert own.json() == {"unit": COMMUNE, "from": "2026-03-01", "to": "2026-03-31",
                          "submitted": 3, "accepted": 1, "not_accepted": 1, "waiting": 1,
                          "checked_late": 0}
    before = api.client.get("/api/v1/stats/submissions", params={
        "unit": COMMUNE, "from": "2026-03-01", "to": "2026-03-08"}).json()
    assert (before["submitted"], before["waiting"]) == (0, 0)
    bad = decide(api, taken["id"], "not-accept", "2026-03-09 10:00", reason_code="nope",
                 reason="x")
    assert bad.status_code == 422


def test_a_counter_key_acts_only_within_its_unit(api: Api, clock: Clock) -> None:
    api.province()
    clock.now = vn("2026-03-09 16:00")
    s = submit(api, "2026-03-09 09:00")
    other = api.key("counter", OTHER_COMMUNE)
    own = api.key("counter", COMMUNE)
    refused = submit_raw(api, "2026-03-09 09:00", key=other)
    assert refused.status_code == 403 and refused.json()["code"] == "outside_unit_scope"
    assert decide(api, s["id"], "accept", "2026-03-09 10:00", key=other).status_code == 403
    assert decide(api, s["id"], "not-accept", "2026-03-09 10:00", key=other,
                  **NOT_ACCEPTED).status_code == 403
    listed = api.client.get("/api/v1/submissions", params={"unit": COMMUNE},
                            headers={"X-API-Key": other})
    assert listed.status_code == 403
    assert api.client.get("/api/v1/submissions",
                          headers={"X-API-Key": other}).json()["items"] == []
    assert api.client.get(f"/api/v1/submissions/{s['id']}",
                          headers={"X-API-Key": other}).status_code == 403
    assert dossier_count(api) == 0
    assert decide(api, s["id"], "accept", "2026-03-09 10:00", key=own).status_code == 200
    dashboard = api.key("dashboard", COMMUNE)
    seen = api.client.get("/api/v1/submissions", params={"status": "accepted"},
                          headers={"X-API-Key": dashboard}).json()["items"]
    assert [(x["id"], x["applicant"]) for x in seen] == [(s["id"], None)]
    assert submit_raw(api, key=dashboard).status_code == 403


def test_filing_is_idempotent_on_client_ref(api: Api, clock: Clock) -> None:
    api.province()
    clock.now = vn("2026-03-09 16:00")
    first = submit_raw(api, "2026-03-09 09:00", client_ref="dvc-2026-000123456")
    again = submit_raw(api, "2026-03-09 09:00", client_ref="dvc-2026-000123456")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = submit_raw(api, "2026-03-09 10:00", client_ref="dvc-2026-000123456")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert len(queue(api)["items"]) == 1


def test_only_online_filings_of_procedures_offered_online(api: Api, clock: Clock) -> None:
    api.province()
    api.procedure("1.000009", online=False)
    clock.now = vn("2026-03-09 16:00")
    assert submit(api, "2026-03-09 09:00", channel="online")["status"] == "waiting"
    cases = [({"channel": "direct"}, "validation_failed"),
             ({"received_at": iso("2026-03-09 09:00")}, "validation_failed"),
             ({"procedure": "1.000009"}, "channel_not_offered"),
             ({"procedure": "9.999999"}, "unknown_procedure"),
             ({"receiving_unit": "000.00.99.H12"}, "unknown_unit"),
             ({"submitted_at": iso("2026-03-09 17:00")}, "submitted_in_future")]
    for fields, code in cases:
        r = submit_raw(api, "2026-03-09 09:00" if "submitted_at" not in fields else None,
                       **fields)
        assert r.status_code == 422 and r.json()["code"] == code, (fields, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert len(queue(api)["items"]) == 1
    missing = decide(api, 999, "accept", "2026-03-09 10:00")
    assert missing.status_code == 404 and missing.json()["code"] == "submission_not_found"
