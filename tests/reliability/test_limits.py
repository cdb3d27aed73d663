"""Limits on input: each one a clear 4xx problem+json, never a crash, a loop or a stored row.

Bounds chosen (and documented in the schema): instants and days from 2000-01-01 to
2099-12-31 Vietnamese time (the holiday tables end with 2100); instants must carry an offset;
dates and times are written out as strings, never as numbers.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.main import create_app
from tests.conftest import ADMIN_KEY
from tests.factories import COMMUNE, PROCEDURE, Api


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    """The response's problem document, after checking its status and media type."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    return body


def dossiers(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM dossiers")) or 0)


@pytest.fixture
def small(settings: Settings, client: TestClient) -> Iterator[TestClient]:
    """A client of an app with a 4 KiB body limit and batches of at most 3 items."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 4096, "batch_max_items": 3}))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["X-API-Key"] = ADMIN_KEY
        yield c


def receipt(**fields: Any) -> dict[str, Any]:
    body = {"procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
            "received_at": "2026-03-02T08:00:00+07:00", "applicant": {"name": "Trần Thị Bình"}}
    return {**body, **fields}


def test_declared_body_over_the_limit_is_413(small: TestClient) -> None:
    r = small.post("/api/v1/units", content=b"{" + b" " * 5000 + b"}",
                   headers={"Content-Type": "application/json"})
    assert problem(r, 413)["code"] == "payload_too_large"


def test_streamed_body_over_the_limit_is_413(small: TestClient) -> None:
    # A generator body goes out chunked, without Content-Length: it must be counted.
    chunks = iter([b'{"code": "', b"x" * 3000, b"y" * 3000, b'"}'])
    r = small.post("/api/v1/units", content=chunks, headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert problem(r, 413)["code"] == "payload_too_large"


def test_streamed_body_under_the_limit_is_read(small: TestClient) -> None:
    chunks = iter([b'{"code": "P", "name": "P", ', b'"level": "province"}'])
    r = small.post("/api/v1/units", content=chunks, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text


def test_batch_over_the_limit_is_413_and_stores_nothing(
    api: Api, small: TestClient, engine: Engine
) -> None:
    api.province()
    items = [receipt(client_ref=f"b-{i}") for i in range(4)]
    r = small.post("/api/v1/dossiers/batch", json={"items": items[:4]})
    body = problem(r, 413)
    assert body["code"] == "batch_too_large"
    assert dossiers(engine) == 0
    assert small.post("/api/v1/dossiers/batch", json={"items": items[:3]}).status_code == 200


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/units", {"code": "x" * 41, "name": "N", "level": "province"}),
    ("/api/v1/units", {"code": "P", "name": "N" * 256, "level": "province"}),
    ("/api/v1/dossiers", receipt(client_ref="r" * 101)),
    ("/api/v1/dossiers", receipt(applicant={"name": "A" * 256})),
    ("/api/v1/dossiers", receipt(applicant={"name": "A", "address": "a" * 501})),
])
def test_overlong_strings_are_422(api: Api, engine: Engine, path: str, body: Any) -> None:
    api.province()
    r = api.client.post(path, json=body)
    assert problem(r, 422)["code"] == "validation_failed"
    assert dossiers(engine) == 0


def test_overlong_event_note_is_422_and_changes_nothing(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    r = api.event_raw(code, "resolved", "2026-03-03 08:00", note="n" * 1001)
    assert problem(r, 422)["invalid_params"][0]["name"] == "resolved.note"
    assert api.dossier(code)["status"] == "received"


@pytest.mark.parametrize("received_at", [
    "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59+07:00", "2100-01-01T00:00:00+07:00",
    "9999-12-31T23:59:59-14:00",
])
def test_receipts_outside_2000_to_2099_are_422(
    api: Api, engine: Engine, received_at: str
) -> None:
    api.province()
    r = api.client.post("/api/v1/dossiers", json=receipt(received_at=received_at))
    assert problem(r, 422)["invalid_params"][0]["name"] == "received_at"
    assert dossiers(engine) == 0


def test_the_first_moment_of_2000_is_accepted(api: Api) -> None:
    api.province()
    d = api.client.post("/api/v1/dossiers", json=receipt(received_at="2000-01-01T00:00:00+07:00"))
    assert d.status_code == 201, d.text
    assert d.json()["due_at"] == "2000-01-10T17:00:00+07:00"


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_events_and_apologies_outside_the_bounds_are_422(api: Api, at: str) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    url = f"/api/v1/dossiers/{code}/events"
    r = api.client.post(url, json={"id": "e1", "type": "resolved", "at": at})
    assert problem(r, 422)["invalid_params"][0]["name"] == "resolved.at"
    r = api.client.post(url, json={"id": "e2", "type": "apology_issued", "reason": "Trễ",
                                   "at": "2026-03-03T08:00:00+07:00", "new_due_at": at})
    assert problem(r, 422)["invalid_params"][0]["name"] == "apology_issued.new_due_at"
    assert api.dossier(code)["status"] == "received"


def test_due_time_at_the_far_bound_is_computed_without_looping(api: Api) -> None:
    api.province()
    params: dict[str, Any] = {"unit": COMMUNE, "start": "2099-12-31T16:00:00+07:00",
                              "working_days": 365}
    r = api.client.get("/api/v1/calendar/due", params=params)
    assert r.status_code == 200, r.text
    assert r.json()["due_at"].startswith("2101-")
    params["start"] = "9999-12-31T00:00:00+07:00"
    assert problem(api.client.get("/api/v1/calendar/due", params=params), 422)


@pytest.mark.parametrize("naive", ["2026-03-02T08:00:00", "2026-03-02 08:00"])
def test_timezone_naive_instants_are_422(api: Api, engine: Engine, naive: str) -> None:
    api.province()
    r = api.client.post("/api/v1/dossiers", json=receipt(received_at=naive))
    assert problem(r, 422)["invalid_params"][0]["code"] == "timezone_aware"
    r = api.client.get("/api/v1/calendar/due", params={"unit": COMMUNE, "start": naive,
                                                        "working_days": 1})
    assert problem(r, 422)["invalid_params"][0]["name"] == "start"
    assert dossiers(engine) == 0


def test_the_schema_documents_offsets_and_bounds(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    dossier_in = schemas["DossierIn"]
    resolved = schemas["DossiersResolved"]  # the event; stats has a Resolved of its own
    received = dossier_in["properties"]["received_at"]["description"]
    at = str(resolved["properties"]["at"])
    for text_ in (received, at):
        assert "without an offset is refused (422)" in text_
        assert "2000-01-01 to 2099-12-31" in text_


@pytest.mark.parametrize(("method", "url", "body"), [
    ("PUT", "/api/v1/calendar/overrides/0", {"working": False}),
    ("PUT", "/api/v1/calendar/overrides/1999-12-31", {"working": False}),
    ("PUT", "/api/v1/calendar/overrides/20260302", {"working": False}),
    ("GET", "/api/v1/dossiers?received_to=9999-12-31", None),
    ("GET", "/api/v1/dossiers?received_from=1700000000", None),
    ("GET", "/api/v1/dossiers?due_before=0", None),
    ("POST", "/api/v1/units", {"code": "P", "name": "P", "level": "province", "valid_from": 0}),
    ("POST", "/api/v1/keys", {"name": "k", "role": "admin", "expires_at": 4102444800}),
])
def test_numbers_and_out_of_range_days_are_not_dates(
    api: Api, method: str, url: str, body: Any
) -> None:
    # Pydantic alone reads 0 as 1970-01-01 and a number as a Unix timestamp.
    api.province()
    assert problem(api.client.request(method, url, json=body), 422)


UNIX = "1764576000"  # 2025-12-01T08:00:00+07:00 as a Unix time: in range, but not ISO 8601


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", f"/api/v1/dossiers?due_before={UNIX}", None),
    ("GET", f"/api/v1/calendar/due?unit={COMMUNE}&start={UNIX}&working_days=1", None),
    ("GET", f"/api/v1/dossiers?due_before={UNIX}.5", None),
    ("GET", "/api/v1/dossiers?due_before=2026-03-02", None),
    ("POST", "/api/v1/dossiers", receipt(received_at=UNIX)),
    ("POST", "/api/v1/dossiers", receipt(received_at=f"{UNIX}.0")),
    ("POST", "/api/v1/keys", {"name": "k", "role": "admin", "expires_at": UNIX}),
    ("GET", f"/api/v1/stats/on-time?unit={COMMUNE}&from={UNIX}&to=2026-12-31", None),
])
def test_numeric_strings_are_not_instants(
    api: Api, engine: Engine, method: str, url: str, body: Any
) -> None:
    api.province()
    assert problem(api.client.request(method, url, json=body), 422)
    assert dossiers(engine) == 0


def test_an_event_at_a_numeric_string_is_422(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    r = api.client.post(f"/api/v1/dossiers/{code}/events",
                        json={"id": "e-unix", "type": "processing_started", "at": UNIX})
    assert problem(r, 422)
    assert api.dossier(code)["status"] == "received"


def test_working_hours_are_wall_clock_strings(api: Api) -> None:
    def unit(sessions: list[list[Any]]) -> httpx.Response:
        r: httpx.Response = api.client.post("/api/v1/units", json={
            "code": "P", "name": "P", "level": "province", "working_hours": {"sessions": sessions}})
        return r

    assert problem(unit([[27000, 41400]]), 422)
    assert problem(unit([["7:30", "11:30"]]), 422)
    r = unit([["07:30", "11:30"], ["13:30", "17:00"]])
    assert r.json()["working_hours"]["sessions"][0] == ["07:30:00", "11:30:00"]


@pytest.mark.parametrize("body", [
    receipt(applicant={"name": "Nguyễn\x00"}),
    receipt(client_ref="ref\x00"),
    receipt(applicant={"name": "\ud800"}),
])
def test_text_no_database_can_store_is_422_on_every_engine(
    api: Api, engine: Engine, body: dict[str, Any]
) -> None:
    api.province()
    # json.dumps escapes to ASCII, so even a lone surrogate goes out as valid JSON.
    r = api.client.post("/api/v1/dossiers", content=json.dumps(body),
                        headers={"Content-Type": "application/json"})
    assert problem(r, 422)["code"] == "validation_failed"
    assert dossiers(engine) == 0


def test_nul_in_a_batch_item_or_event_dossier_code_is_422(api: Api, engine: Engine) -> None:
    api.province()
    r = api.client.post("/api/v1/events/batch", json={"items": [
        {"dossier": "X\x00", "id": "e", "type": "resolved", "at": "2026-03-02T08:00:00+07:00"}]})
    assert problem(r, 422)
    r = api.client.post("/api/v1/dossiers/batch", json={"items": [receipt(client_ref="\x00")]})
    assert problem(r, 422)
    assert dossiers(engine) == 0


@pytest.mark.parametrize("url", [
    "/api/v1/units/P%00", "/api/v1/dossiers/X%00", "/api/v1/dossiers?unit=%00",
    "/api/v1/audit?entity_id=a%00b",
])
def test_nul_in_the_url_is_422(api: Api, url: str) -> None:
    assert problem(api.client.get(url), 422)["code"] == "nul_character"


@pytest.mark.parametrize("url", [
    f"/api/v1/keys/{2**31}/revoke", f"/api/v1/keys/{-(10**30)}/revoke",
])
def test_key_ids_beyond_the_column_are_422(api: Api, url: str) -> None:
    assert problem(api.client.post(url), 422)


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# The listings that page, each with cursors forged within and beyond its columns' range.
@pytest.mark.parametrize("path", [
    "/api/v1/dossiers", "/api/v1/postal/returns", "/api/v1/units", "/api/v1/procedures",
    "/api/v1/audit",
])
@pytest.mark.parametrize("cursor", [
    b64(str(2**63)), b64(f"[{2**63}]"), b64(f"[{2**63}, 1]"), b64(f"{2**64}.{2**64}"),
    b64("-5"), b64("[-5, -5]"), b64("[1e400]"), "!!!", "khóa",
])
def test_forged_cursors_are_422_on_every_listing(api: Api, path: str, cursor: str) -> None:
    r = api.client.get(path, params={"cursor": cursor})
    assert problem(r, 422)["code"] == "invalid_cursor"


def test_audit_cursor_beyond_64_bits_is_422(api: Api) -> None:
    assert problem(api.client.get("/api/v1/audit", params={"cursor": 2**63}), 422)


# Every statistics read takes its period by the same bounded types as the rest of the API.
STATS = ["/api/v1/stats/on-time", "/api/v1/stats/ranking", "/api/v1/reports/ii06a"]


@pytest.mark.parametrize("path", STATS)
@pytest.mark.parametrize("params", [
    {"period": "9999"}, {"period": "1999-Q1"}, {"period": "0001-01"}, {"period": "2100-H2"},
    {"period": "10000"}, {"from": "0001-01-01", "to": "0001-12-31"},
    {"from": "2026-01-01", "to": "9999-12-31"}, {"from": "1999-12-31", "to": "2000-01-31"},
    {"from": "1764576000", "to": "2026-02-01"},
])
def test_stats_periods_outside_the_supported_years_are_422(
    api: Api, path: str, params: dict[str, str]
) -> None:
    api.province()
    assert problem(api.client.get(path, params={"unit": COMMUNE, **params}), 422)


@pytest.mark.parametrize("year", ["1999", "2100", "99999999999999999999"])
def test_calendar_years_outside_the_supported_ones_are_422(api: Api, year: str) -> None:
    assert problem(api.client.get(f"/api/v1/calendar/{year}"), 422)


def test_vietnamese_text_is_stored_in_nfc(api: Api) -> None:
    """The same name typed with combining marks or precomposed letters is one name."""
    decomposed = unicodedata.normalize("NFD", "Phường Hòa Bình")
    assert decomposed != "Phường Hòa Bình"
    api.province()
    unit = api.unit("P2", "province", name=decomposed)
    assert unit["name"] == "Phường Hòa Bình"
    r = api.client.post("/api/v1/dossiers", json=receipt(
        applicant={"name": unicodedata.normalize("NFD", "Trần Thị Bình")}))
    assert r.status_code == 201, r.text
    assert r.json()["applicant"]["name"] == "Trần Thị Bình"


def test_the_schema_states_period_day_and_cursor_bounds(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()["paths"]
    for path in STATS:
        params = {p["name"]: p["schema"] for p in spec[path]["get"]["parameters"]}
        period = next(s for s in params["period"]["anyOf"] if s.get("type") == "string")
        assert period["pattern"].startswith("^20") and "2099" in period["description"]
        for name in ("from", "to"):
            day = next(s for s in params[name]["anyOf"] if s.get("type") == "string")
            assert "2000-01-01 to 2099-12-31" in day["description"]
    for path in ("/api/v1/dossiers", "/api/v1/postal/returns", "/api/v1/units",
                 "/api/v1/procedures", "/api/v1/audit"):
        params = {p["name"]: p["schema"] for p in spec[path]["get"]["parameters"]}
        cursor = next(s for s in params["cursor"]["anyOf"] if s.get("type") == "string")
        assert cursor["maxLength"] == 256
    year = spec["/api/v1/calendar/{year}"]["get"]["parameters"][0]["schema"]
    assert (year["minimum"], year["maximum"]) == (2000, 2099)


def test_an_overlong_cursor_is_422(api: Api) -> None:
    assert problem(api.client.get("/api/v1/dossiers", params={"cursor": "A" * 1000}), 422)
