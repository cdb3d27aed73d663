"""Keys: created hashed, shown once, scoped to a subtree, revocable at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.clock import utcnow
from tests.conftest import Clock
from tests.factories import AGENCY, COMMUNE, OTHER_COMMUNE, PROVINCE, Api


def test_no_key_and_a_wrong_key_are_401(api: Api) -> None:
    for headers in ({"X-API-Key": ""}, {"X-API-Key": "mc_000000000000_nope"}, {"X-API-Key": "x"}):
        r = api.client.get("/api/v1/units", headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"


def test_secret_is_stored_hashed_and_shown_once(api: Api, engine: Engine) -> None:
    api.province()
    r = api.client.post("/api/v1/keys", json={"name": "Quầy 1", "role": "counter",
                                              "unit": COMMUNE})
    secret = r.json()["key"]
    listed = api.client.get("/api/v1/keys").json()
    assert "key" not in listed[0]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT prefix, secret_hash FROM api_keys")).one()
    assert secret not in stored and stored.secret_hash != secret


def test_counter_key_is_refused_for_a_foreign_unit(api: Api) -> None:
    api.province()
    own = api.key("counter", COMMUNE)
    mine = api.receive_raw("2026-03-02 08:00", key=own)
    assert mine.status_code == 201
    foreign = api.receive_raw("2026-03-02 08:00", key=own, receiving_unit=OTHER_COMMUNE)
    assert (foreign.status_code, foreign.json()["code"]) == (403, "outside_unit_scope")
    theirs = api.receive("2026-03-02 08:00", receiving_unit=OTHER_COMMUNE)["code"]
    r = api.event_raw(theirs, "resolved", "2026-03-03 09:00", key=own)
    assert r.status_code == 403
    r = api.client.get(f"/api/v1/dossiers/{theirs}", headers={"X-API-Key": own})
    assert r.status_code == 403
    listed = api.client.get("/api/v1/dossiers", headers={"X-API-Key": own}).json()
    assert [d["code"] for d in listed["items"]] == [mine.json()["code"]]


def test_a_dossier_transferred_in_is_visible_to_the_deciding_unit(api: Api) -> None:
    api.province()
    agency = api.key("counter", AGENCY)
    code = api.receive("2026-03-02 08:00")["code"]
    assert api.event_raw(code, "resolved", "2026-03-03 09:00", key=agency).status_code == 403
    api.event(code, "transferred", "2026-03-02 09:00", to_unit=AGENCY)
    assert api.event_raw(code, "resolved", "2026-03-03 09:00", key=agency).status_code == 201


def test_province_key_covers_its_communes(api: Api) -> None:
    api.province()
    province = api.key("counter", PROVINCE)
    assert api.receive_raw("2026-03-02 08:00", key=province).status_code == 201


def test_dashboard_key_reads_without_personal_data_and_cannot_write(api: Api) -> None:
    api.province()
    dash = api.key("dashboard", PROVINCE)
    code = api.receive("2026-03-02 08:00")["code"]
    r = api.client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": dash})
    assert r.status_code == 200 and r.json()["applicant"] is None
    assert api.receive_raw("2026-03-02 08:00", key=dash).status_code == 403
    assert api.event_raw(code, "resolved", "2026-03-03 09:00", key=dash).status_code == 403


def test_postal_key_cannot_read_dossiers_or_catalogue(api: Api) -> None:
    api.province()
    postal = api.key("postal")
    code = api.receive("2026-03-02 08:00")["code"]
    for url in (f"/api/v1/dossiers/{code}", "/api/v1/dossiers", "/api/v1/units"):
        assert api.client.get(url, headers={"X-API-Key": postal}).status_code == 403


def test_non_admin_keys_cannot_manage_catalogue_or_keys(api: Api) -> None:
    api.province()
    counter = api.key("counter", COMMUNE)
    h = {"X-API-Key": counter}
    assert api.client.post("/api/v1/keys", json={"name": "x", "role": "admin"},
                           headers=h).status_code == 403
    assert api.client.post("/api/v1/procedures", json={}, headers=h).status_code == 403
    assert api.client.patch(f"/api/v1/units/{COMMUNE}", json={"name": "x"},
                            headers=h).status_code == 403


def test_revoked_key_is_refused_at_once(api: Api) -> None:
    api.province()
    r = api.client.post("/api/v1/keys", json={"name": "k", "role": "dashboard",
                                              "unit": PROVINCE})
    secret, key_id = r.json()["key"], r.json()["id"]
    h = {"X-API-Key": secret}
    assert api.client.get("/api/v1/units", headers=h).status_code == 200
    assert api.client.post(f"/api/v1/keys/{key_id}/revoke").status_code == 200
    assert api.client.get("/api/v1/units", headers=h).status_code == 401
    assert api.client.post(f"/api/v1/keys/{key_id}/revoke").status_code == 409


def test_expired_key_is_refused(api: Api, clock: Clock) -> None:
    api.province()
    expires = (utcnow() + timedelta(hours=1)).isoformat()
    r = api.client.post("/api/v1/keys", json={"name": "k", "role": "dashboard",
                                              "unit": PROVINCE, "expires_at": expires})
    h = {"X-API-Key": r.json()["key"]}
    assert api.client.get("/api/v1/units", headers=h).status_code == 200
    clock.now = utcnow() + timedelta(hours=2)
    assert api.client.get("/api/v1/units", headers=h).status_code == 401


def test_counter_and_dashboard_keys_need_a_unit(api: Api) -> None:
    r = api.client.post("/api/v1/keys", json={"name": "k", "role": "counter"})
    assert (r.status_code, r.json()["code"]) == (422, "unit_required")


def test_key_changes_are_audited(api: Api) -> None:
    api.province()
    api.key("postal")
    trail = api.client.get("/api/v1/audit", params={"entity": "api_key"}).json()["items"]
    assert trail[0]["action"] == "create" and trail[0]["new"]["role"] == "postal"


def test_admin_keys_cannot_be_scoped_to_a_unit(api: Api) -> None:
    api.province()
    r = api.client.post("/api/v1/keys", json={"name": "k", "role": "admin", "unit": COMMUNE})
    assert (r.status_code, r.json()["code"]) == (422, "admin_key_is_national")


def test_writes_checked_in_the_writer_refuse_revoked_and_expired_keys(
    api: Api, clock: Clock
) -> None:
    """Single receipts and events look the key up in the group-commit writer: same answers."""
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    expires = (utcnow() + timedelta(hours=1)).isoformat()
    r = api.client.post("/api/v1/keys", json={"name": "k", "role": "counter",
                                              "unit": PROVINCE, "expires_at": expires})
    secret, key_id = r.json()["key"], r.json()["id"]
    assert api.receive_raw("2026-03-02 09:00", key=secret).status_code == 201
    assert api.event_raw(code, "processing_started", "2026-03-02 10:00",
                         key=secret).status_code == 201
    assert api.receive_raw("2026-03-02 08:00", key="mc_000000000000_nope").status_code == 401
    clock.now = utcnow() + timedelta(hours=2)
    expired = api.receive_raw("2026-03-02 09:30", key=secret)
    assert expired.status_code == 401 and expired.json()["code"] == "invalid_key"
    clock.now = None
    assert api.client.post(f"/api/v1/keys/{key_id}/revoke").status_code == 200
    revoked = api.event_raw(code, "resolved", "2026-03-03 10:00", key=secret)
    assert revoked.status_code == 401
    assert revoked.headers["content-type"] == "application/problem+json"
    assert api.dossier(code)["status"] == "processing"  # nothing changed
