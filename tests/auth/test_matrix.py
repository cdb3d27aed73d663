"""Authorization matrix: every endpoint x every role x own unit / foreign unit.

The expected answer of every cell lives in MATRIX, and only there. Keys are scoped to
commune A (the admin key is national); "own" targets a unit or dossier of commune A, "foreign"
one of commune B, in another province. Catalogue and calendar reads are reference data, not
scoped: a reader sees every unit's. An endpoint without a unit to aim at has no foreign cell.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.core.deps import get_now
from app.main import create_app
from tests.conftest import ADMIN_KEY, empty_database
from tests.factories import AGENCY, COMMUNE, PROCEDURE, Api, iso, vn

COMMUNE_B = "000.00.20.H29"
PROVINCE_B = "000.00.00.H29"
NOW = vn("2026-03-20 10:00")
# Documentation, and "/" that only redirects to the dashboard (keyless: tests/core/test_docs.py).
SKIPPED_PATHS = {"/", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"}


class Outcome(Enum):
    """What a cell must answer."""

    ALLOW = "reaches the handler: neither 401 nor 403, and no 5xx"
    DENY_401 = "401 problem+json"
    DENY_403 = "403 problem+json"
    NOT_APPLICABLE = "no unit to aim at"


ALLOW, DENY_401, DENY_403, NA = (Outcome.ALLOW, Outcome.DENY_401, Outcome.DENY_403,
                                 Outcome.NOT_APPLICABLE)
ROLES = ("admin", "counter", "dashboard", "postal", "anonymous")
SCOPES = ("own", "foreign")
# (own, foreign) pairs, to keep the table readable.
EVERY = (ALLOW, ALLOW)        # own and foreign alike
OWN = (ALLOW, DENY_403)       # only within the key's subtree
NONE = (DENY_403, DENY_403)   # the role may not
NOKEY = (DENY_401, DENY_401)  # no key at all
U_ALLOW, U_403, U_401 = (ALLOW, NA), (DENY_403, NA), (DENY_401, NA)  # no unit to aim at

Row = tuple[tuple[Outcome, Outcome], ...]
ADMIN_ONLY: Row = (EVERY, NONE, NONE, NONE, NOKEY)
ADMIN_ONLY_UNSCOPED: Row = (U_ALLOW, U_403, U_403, U_403, U_401)
REFERENCE_READ: Row = (EVERY, EVERY, EVERY, NONE, NOKEY)
UNSCOPED_READ: Row = (U_ALLOW, U_ALLOW, U_ALLOW, U_403, U_401)
DOSSIER_READ: Row = (EVERY, OWN, OWN, NONE, NOKEY)
DOSSIER_WRITE: Row = (EVERY, OWN, NONE, NONE, NOKEY)
OVERSIGHT_READ: Row = (EVERY, NONE, OWN, NONE, NOKEY)
POSTAL_CALLBACK: Row = (EVERY, NONE, NONE, OWN, NOKEY)

#                                                   admin, counter, dashboard, postal, anonymous
MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/units"): ADMIN_ONLY,
    ("GET", "/api/v1/units"): REFERENCE_READ,
    ("GET", "/api/v1/units/{code}"): REFERENCE_READ,
    ("PATCH", "/api/v1/units/{code}"): ADMIN_ONLY,
    ("DELETE", "/api/v1/units/{code}"): ADMIN_ONLY,
    ("POST", "/api/v1/procedures"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/procedures"): UNSCOPED_READ,
    ("GET", "/api/v1/procedures/{code}"): UNSCOPED_READ,
    ("PATCH", "/api/v1/procedures/{code}"): ADMIN_ONLY_UNSCOPED,
    ("DELETE", "/api/v1/procedures/{code}"): ADMIN_ONLY_UNSCOPED,
    ("POST", "/api/v1/procedures/{code}/versions"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/procedures/{code}/versions"): UNSCOPED_READ,
    ("GET", "/api/v1/calendar/due"): REFERENCE_READ,
    ("GET", "/api/v1/calendar/days"): REFERENCE_READ,
    ("GET", "/api/v1/calendar/{year}"): REFERENCE_READ,
    ("PUT", "/api/v1/calendar/overrides/{day}"): ADMIN_ONLY,
    ("DELETE", "/api/v1/calendar/overrides/{day}"): ADMIN_ONLY,
    ("PUT", "/api/v1/calendar/national-overrides/{day}"): ADMIN_ONLY_UNSCOPED,
    ("DELETE", "/api/v1/calendar/national-overrides/{day}"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/dossiers/overdue"): DOSSIER_READ,
    ("GET", "/api/v1/dossiers/due-soon"): DOSSIER_READ,
    ("POST", "/api/v1/dossiers"): DOSSIER_WRITE,
    ("POST", "/api/v1/dossiers/batch"): DOSSIER_WRITE,
    ("GET", "/api/v1/dossiers"): DOSSIER_READ,
    ("GET", "/api/v1/dossiers/{code}"): DOSSIER_READ,
    ("GET", "/api/v1/dossiers/{code}/deadline"): DOSSIER_READ,
    ("POST", "/api/v1/dossiers/{code}/events"): DOSSIER_WRITE,
    ("POST", "/api/v1/events/batch"): DOSSIER_WRITE,
    # The forms print the applicant's personal data: counters and admins only.
    ("GET", "/api/v1/dossiers/{code}/documents/{kind}"): DOSSIER_WRITE,
    ("GET", "/api/v1/documents/register"): DOSSIER_WRITE,
    ("GET", "/api/v1/stats/on-time"): DOSSIER_READ,
    ("GET", "/api/v1/stats/ranking"): DOSSIER_READ,
    ("GET", "/api/v1/stats/officers"): OVERSIGHT_READ,
    ("GET", "/api/v1/reports/ii06a"): DOSSIER_READ,
    ("GET", "/api/v1/stats/scorecard"): DOSSIER_READ,
    ("GET", "/api/v1/stats/scorecard/at-risk"): DOSSIER_READ,
    ("POST", "/api/v1/submissions"): DOSSIER_WRITE,
    ("GET", "/api/v1/submissions"): DOSSIER_READ,
    ("GET", "/api/v1/submissions/{submission_id}"): DOSSIER_READ,
    ("POST", "/api/v1/submissions/{submission_id}/accept"): DOSSIER_WRITE,
    ("POST", "/api/v1/submissions/{submission_id}/not-accept"): DOSSIER_WRITE,
    ("GET", "/api/v1/stats/submissions"): DOSSIER_READ,
    ("POST", "/api/v1/keys"): ADMIN_ONLY,
    ("GET", "/api/v1/keys"): ADMIN_ONLY_UNSCOPED,
    ("POST", "/api/v1/keys/{key_id}/revoke"): ADMIN_ONLY,
    ("GET", "/api/v1/audit"): ADMIN_ONLY,
    ("GET", "/api/v1/postal/returns"): (U_ALLOW, U_403, U_403, U_ALLOW, U_401),
    ("POST", "/api/v1/postal/returns/{code}/handed_over"): POSTAL_CALLBACK,
    ("POST", "/api/v1/postal/returns/{code}/delivered"): POSTAL_CALLBACK,
    ("POST", "/api/v1/postal/returns/{code}/delivery_failed"): POSTAL_CALLBACK,
    ("POST", "/api/v1/webhooks"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/webhooks"): ADMIN_ONLY_UNSCOPED,
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/outbox"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/public/dossiers/{code}"): (EVERY,) * 5,
    ("POST", "/api/v1/sync/replay"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/sync/dead"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/api/v1/sync/reconciliation"): ADMIN_ONLY_UNSCOPED,
    ("GET", "/health/live"): (U_ALLOW,) * 5,
    ("GET", "/health/ready"): (U_ALLOW,) * 5,
    # The page holds no data: it calls the API with the key typed into its form.
    ("GET", "/dashboard"): (U_ALLOW,) * 5,
    # Open unless METRICS_TOKEN is set (tests/core/test_observability.py covers the token);
    # it names routes and counts, nothing of a unit's dossiers.
    ("GET", "/metrics"): (U_ALLOW,) * 5,
}


def app_endpoints() -> set[tuple[str, str]]:
    """Every (method, path template) the application serves, documentation aside."""
    return {(method, str(ctx.path)) for ctx in iter_route_contexts(create_app().routes)
            if isinstance(ctx.original_route, APIRoute) and ctx.path not in SKIPPED_PATHS
            for method in ctx.methods or ()}


def cells() -> Iterator[Any]:
    """One test parameter per applicable cell, with a readable id."""
    for (method, path), row in MATRIX.items():
        for role, pair in zip(ROLES, row, strict=True):
            for scope, expected in zip(SCOPES, pair, strict=True):
                if expected is not NA:
                    yield pytest.param(method, path, role, scope, expected,
                                       id=f"{method} {path} {role} {scope}")


CELLS = list(cells())


# --- the world the requests act on -----------------------------------------------------------

@dataclass
class Unit:
    """What one commune holds: its dossiers."""

    code: str
    plain: str = ""      # a received dossier
    resolved: str = ""   # resolved, its result to go by post


@dataclass
class World:
    """The seeded database, an admin client, and each role's key."""

    client: TestClient
    keys: dict[str, str]
    units: dict[str, Unit]
    fresh: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def admin(self) -> Api:
        """Helpers authenticated with the bootstrap admin key."""
        return Api(self.client)

    def next(self) -> int:
        """A number no other cell uses, for ids of things a write creates."""
        return next(self.fresh)


def _postal_dossier(api: Api, unit: str) -> str:
    code = str(api.receive("2026-03-02 08:00", receiving_unit=unit, return_by_post=True)["code"])
    api.event(code, "resolved", "2026-03-05 09:00", result_document="Giấy khai sinh")
    return code


@pytest.fixture(scope="module")
def world(database_url: str, engine: Engine) -> Iterator[World]:
    """One seeded database for the whole matrix."""
    empty_database(engine)
    settings = Settings(database_url=database_url, admin_api_key=ADMIN_KEY,
                        migrate_on_start=False, webhook_sender_enabled=False)
    app = create_app(settings)
    app.dependency_overrides[get_now] = lambda: NOW
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["X-API-Key"] = ADMIN_KEY
        api = Api(client)
        api.province()
        api.unit(PROVINCE_B, "province")
        api.unit(COMMUNE_B, "commune", PROVINCE_B)
        units = {"own": Unit(COMMUNE), "foreign": Unit(COMMUNE_B)}
        for u in units.values():
            u.plain = str(api.receive("2026-03-02 08:00", receiving_unit=u.code)["code"])
            u.resolved = _postal_dossier(api, u.code)
        keys = {"admin": api.key("admin"), "counter": api.key("counter", COMMUNE),
                "dashboard": api.key("dashboard", COMMUNE), "postal": api.key("postal", COMMUNE)}
        yield World(client, keys, units)
    empty_database(engine)


# --- one realistic request per endpoint ------------------------------------------------------

@dataclass
class Call:
    """A request to send: the path filled in, with its query and body."""

    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    batch: bool = False  # a batch answers 200 and puts each item's status in its result


Build = Callable[[World, Unit], Call]


def _new_unit(w: World, u: Unit) -> str:
    code = f"{u.code}.T{w.next()}"
    w.admin().unit(code, "agency", u.code)
    return code


def _new_procedure(w: World, _u: Unit) -> str:
    code = f"9.{w.next():06d}"
    w.admin().procedure(code)
    return code


def _new_key(w: World, u: Unit) -> int:
    r = w.client.post("/api/v1/keys", json={"name": "to revoke", "role": "counter",
                                            "unit": u.code})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _new_webhook(w: World, _u: Unit) -> int:
    r = w.client.post("/api/v1/webhooks", json={"url": "https://example.org/hook"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _submission(w: World, u: Unit) -> dict[str, Any]:
    return {**_receipt(w, u), "channel": "online", "submitted_at": iso("2026-03-19 09:00")}


def _new_submission(w: World, u: Unit) -> int:
    r = w.client.post("/api/v1/submissions", json=_submission(w, u))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _override_day(w: World) -> str:
    return f"2027-{1 + w.next() % 12:02d}-{1 + w.next() % 28:02d}"


def _set_override(w: World, u: Unit) -> str:
    day = _override_day(w)
    r = w.client.put(f"/api/v1/calendar/overrides/{day}", params={"unit": u.code},
                     json={"working": False, "note": "Nghỉ bù"})
    assert r.status_code == 200, r.text
    return day


def _receipt(w: World, u: Unit) -> dict[str, Any]:
    return {"procedure": PROCEDURE, "receiving_unit": u.code, "channel": "direct",
            "client_ref": f"matrix-{w.next()}",
            "applicant": {"name": "Lê Thị Cúc", "phone": "0901234567"}}


def _event(w: World) -> dict[str, Any]:
    return {"id": f"matrix-{w.next()}", "type": "processing_started",
            "at": iso("2026-03-03 09:00")}


PERIOD = {"period": "2026-03"}
REQUESTS: dict[tuple[str, str], Build] = {
    ("POST", "/api/v1/units"): lambda w, u: Call("/api/v1/units", json={
        "code": f"{u.code}.N{w.next()}", "name": "Phòng mới", "level": "agency",
        "parent": u.code}),
    ("GET", "/api/v1/units"): lambda w, u: Call("/api/v1/units", {"under": u.code}),
    ("GET", "/api/v1/units/{code}"): lambda w, u: Call(f"/api/v1/units/{u.code}"),
    ("PATCH", "/api/v1/units/{code}"): lambda w, u: Call(
        f"/api/v1/units/{_new_unit(w, u)}", json={"name": "Tên mới"}),
    ("DELETE", "/api/v1/units/{code}"): lambda w, u: Call(f"/api/v1/units/{_new_unit(w, u)}"),
    ("POST", "/api/v1/procedures"): lambda w, u: Call("/api/v1/procedures", json={
        "code": f"8.{w.next():06d}", "name": "Thủ tục mới", "field_code": "HT",
        "field_name": "Hộ tịch", "processing_time": {"working_days": 3}}),
    ("GET", "/api/v1/procedures"): lambda w, u: Call("/api/v1/procedures"),
    ("GET", "/api/v1/procedures/{code}"): lambda w, u: Call(f"/api/v1/procedures/{PROCEDURE}"),
    ("PATCH", "/api/v1/procedures/{code}"): lambda w, u: Call(
        f"/api/v1/procedures/{_new_procedure(w, u)}", json={"name": "Tên mới"}),
    ("DELETE", "/api/v1/procedures/{code}"): lambda w, u: Call(
        f"/api/v1/procedures/{_new_procedure(w, u)}"),
    ("POST", "/api/v1/procedures/{code}/versions"): lambda w, u: Call(
        f"/api/v1/procedures/{_new_procedure(w, u)}/versions", json={
            "effective_from": "2026-04-01", "processing_time": {"working_days": 2}}),
    ("GET", "/api/v1/procedures/{code}/versions"): lambda w, u: Call(
        f"/api/v1/procedures/{PROCEDURE}/versions"),
    ("GET", "/api/v1/calendar/due"): lambda w, u: Call("/api/v1/calendar/due", {
        "unit": u.code, "start": iso("2026-03-02 08:00"), "working_days": 5}),
    ("GET", "/api/v1/calendar/days"): lambda w, u: Call("/api/v1/calendar/days", {
        "unit": u.code, "from": "2026-03-01", "to": "2026-03-31"}),
    ("GET", "/api/v1/calendar/{year}"): lambda w, u: Call("/api/v1/calendar/2026",
                                                          {"unit": u.code}),
    ("PUT", "/api/v1/calendar/overrides/{day}"): lambda w, u: Call(
        f"/api/v1/calendar/overrides/{_override_day(w)}", {"unit": u.code},
        json={"working": False, "note": "Nghỉ bù"}),
    ("DELETE", "/api/v1/calendar/overrides/{day}"): lambda w, u: Call(
        f"/api/v1/calendar/overrides/{_set_override(w, u)}", {"unit": u.code}),
    ("PUT", "/api/v1/calendar/national-overrides/{day}"): lambda w, u: Call(
        f"/api/v1/calendar/national-overrides/{_override_day(w)}",
        json={"working": False, "note": "Nghỉ bù"}),
    ("DELETE", "/api/v1/calendar/national-overrides/{day}"): lambda w, u: Call(
        f"/api/v1/calendar/national-overrides/{_override_day(w)}"),
    ("GET", "/api/v1/dossiers/overdue"): lambda w, u: Call("/api/v1/dossiers/overdue",
                                                           {"unit": u.code}),
    ("GET", "/api/v1/dossiers/due-soon"): lambda w, u: Call("/api/v1/dossiers/due-soon",
                                                            {"unit": u.code}),
    ("POST", "/api/v1/dossiers"): lambda w, u: Call("/api/v1/dossiers", json=_receipt(w, u)),
    ("POST", "/api/v1/dossiers/batch"): lambda w, u: Call(
        "/api/v1/dossiers/batch", json={"items": [_receipt(w, u)]}, batch=True),
    ("GET", "/api/v1/dossiers"): lambda w, u: Call("/api/v1/dossiers", {"unit": u.code}),
    ("GET", "/api/v1/dossiers/{code}"): lambda w, u: Call(f"/api/v1/dossiers/{u.plain}"),
    ("GET", "/api/v1/dossiers/{code}/deadline"): lambda w, u: Call(
        f"/api/v1/dossiers/{u.plain}/deadline"),
    ("POST", "/api/v1/dossiers/{code}/events"): lambda w, u: Call(
        f"/api/v1/dossiers/{u.plain}/events", json=_event(w)),
    ("POST", "/api/v1/events/batch"): lambda w, u: Call(
        "/api/v1/events/batch", json={"items": [{**_event(w), "dossier": u.plain}]},
        batch=True),
    ("GET", "/api/v1/dossiers/{code}/documents/{kind}"): lambda w, u: Call(
        f"/api/v1/dossiers/{u.plain}/documents/receipt"),
    ("GET", "/api/v1/documents/register"): lambda w, u: Call("/api/v1/documents/register",
                                                             {"unit": u.code, **PERIOD}),
    ("GET", "/api/v1/stats/on-time"): lambda w, u: Call("/api/v1/stats/on-time",
                                                        {"unit": u.code, **PERIOD}),
    ("GET", "/api/v1/stats/ranking"): lambda w, u: Call("/api/v1/stats/ranking",
                                                        {"unit": u.code, **PERIOD}),
    ("GET", "/api/v1/stats/officers"): lambda w, u: Call("/api/v1/stats/officers",
                                                         {"unit": u.code, **PERIOD}),
    ("GET", "/api/v1/reports/ii06a"): lambda w, u: Call("/api/v1/reports/ii06a",
                                                        {"unit": u.code, **PERIOD}),
    ("GET", "/api/v1/stats/scorecard"): lambda w, u: Call("/api/v1/stats/scorecard",
                                                          {"unit": u.code, **PERIOD}),
    ("GET", "/api/v1/stats/scorecard/at-risk"): lambda w, u: Call(
        "/api/v1/stats/scorecard/at-risk", {"unit": u.code, **PERIOD}),
    ("POST", "/api/v1/submissions"): lambda w, u: Call("/api/v1/submissions",
                                                       json=_submission(w, u)),
    ("GET", "/api/v1/submissions"): lambda w, u: Call("/api/v1/submissions", {"unit": u.code}),
    ("GET", "/api/v1/submissions/{submission_id}"): lambda w, u: Call(
        f"/api/v1/submissions/{_new_submission(w, u)}"),
    ("POST", "/api/v1/submissions/{submission_id}/accept"): lambda w, u: Call(
        f"/api/v1/submissions/{_new_submission(w, u)}/accept",
        json={"at": iso("2026-03-19 10:00")}),
    ("POST", "/api/v1/submissions/{submission_id}/not-accept"): lambda w, u: Call(
        f"/api/v1/submissions/{_new_submission(w, u)}/not-accept",
        json={"at": iso("2026-03-19 10:00"), "reason_code": "incomplete",
              "reason": "Thiếu tờ khai"}),
    ("GET", "/api/v1/stats/submissions"): lambda w, u: Call("/api/v1/stats/submissions",
                                                            {"unit": u.code, **PERIOD}),
    ("POST", "/api/v1/keys"): lambda w, u: Call("/api/v1/keys", json={
        "name": f"key {w.next()}", "role": "dashboard", "unit": u.code}),
    ("GET", "/api/v1/keys"): lambda w, u: Call("/api/v1/keys"),
    ("POST", "/api/v1/keys/{key_id}/revoke"): lambda w, u: Call(
        f"/api/v1/keys/{_new_key(w, u)}/revoke"),
    ("GET", "/api/v1/audit"): lambda w, u: Call("/api/v1/audit", {
        "entity": "dossier", "entity_id": u.plain}),
    ("GET", "/api/v1/postal/returns"): lambda w, u: Call("/api/v1/postal/returns"),
    ("POST", "/api/v1/postal/returns/{code}/handed_over"): lambda w, u: Call(
        f"/api/v1/postal/returns/{u.resolved}/handed_over",
        json={"waybill": f"EB{w.next()}VN", "at": iso("2026-03-06 09:00")}),
    ("POST", "/api/v1/postal/returns/{code}/delivered"): lambda w, u: Call(
        f"/api/v1/postal/returns/{u.resolved}/delivered", json={"at": iso("2026-03-07 09:00")}),
    ("POST", "/api/v1/postal/returns/{code}/delivery_failed"): lambda w, u: Call(
        f"/api/v1/postal/returns/{u.resolved}/delivery_failed",
        json={"at": iso("2026-03-07 09:00"), "reason": "Vắng nhà"}),
    ("POST", "/api/v1/webhooks"): lambda w, u: Call("/api/v1/webhooks", json={
        "url": f"https://example.org/hook/{w.next()}"}),
    ("GET", "/api/v1/webhooks"): lambda w, u: Call("/api/v1/webhooks"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): lambda w, u: Call(
        f"/api/v1/webhooks/{_new_webhook(w, u)}"),
    ("GET", "/api/v1/outbox"): lambda w, u: Call("/api/v1/outbox"),
    # The second factor goes in a header: a query string would land in access logs.
    ("GET", "/api/v1/public/dossiers/{code}"): lambda w, u: Call(
        f"/api/v1/public/dossiers/{u.plain}", headers={"X-Phone-Last4": "5678"}),
    ("POST", "/api/v1/sync/replay"): lambda w, u: Call("/api/v1/sync/replay",
                                                       {"dossier": u.plain}),
    ("GET", "/api/v1/sync/dead"): lambda w, u: Call("/api/v1/sync/dead"),
    ("GET", "/api/v1/sync/reconciliation"): lambda w, u: Call("/api/v1/sync/reconciliation",
                                                              {"day": "2026-03-02"}),
    ("GET", "/health/live"): lambda w, u: Call("/health/live"),
    ("GET", "/health/ready"): lambda w, u: Call("/health/ready"),
    ("GET", "/dashboard"): lambda w, u: Call("/dashboard"),
    ("GET", "/metrics"): lambda w, u: Call("/metrics"),
}


# --- handing a dossier to another unit: the target's province decides ------------------------
# A write that makes another unit handle a dossier (handling_unit at receipt, a transfer) is
# allowed within the key's province and refused (403 outside_province) across it; a national
# key may hand anywhere. Target "same province" is the province's agency, "other province"
# commune B. Each write is one of the MATRIX's endpoints, aimed at a dossier of commune A.
HANDOFF_TARGETS = {"same province": AGENCY, "other province": COMMUNE_B}
HAND_OFF: Row = (EVERY, OWN, NONE, NONE, NOKEY)  # (same province, other province)
HANDOFFS: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/dossiers"): HAND_OFF,
    ("POST", "/api/v1/dossiers/batch"): HAND_OFF,
    ("POST", "/api/v1/dossiers/{code}/events"): HAND_OFF,
    ("POST", "/api/v1/events/batch"): HAND_OFF,
}


def _handing(w: World, to: str) -> dict[str, Any]:
    return {**_receipt(w, w.units["own"]), "handling_unit": to}


def _transfer(w: World, to: str) -> tuple[str, dict[str, Any]]:
    code = str(w.admin().receive("2026-03-02 08:00", receiving_unit=COMMUNE)["code"])
    return code, {"id": f"matrix-{w.next()}", "type": "transferred", "to_unit": to,
                  "at": iso("2026-03-03 09:00")}


def _transfer_call(w: World, to: str, batch: bool) -> Call:
    code, event = _transfer(w, to)
    if batch:
        return Call("/api/v1/events/batch", json={"items": [{**event, "dossier": code}]},
                    batch=True)
    return Call(f"/api/v1/dossiers/{code}/events", json=event)


HANDOFF_REQUESTS: dict[tuple[str, str], Callable[[World, str], Call]] = {
    ("POST", "/api/v1/dossiers"): lambda w, to: Call("/api/v1/dossiers", json=_handing(w, to)),
    ("POST", "/api/v1/dossiers/batch"): lambda w, to: Call(
        "/api/v1/dossiers/batch", json={"items": [_handing(w, to)]}, batch=True),
    ("POST", "/api/v1/dossiers/{code}/events"): lambda w, to: _transfer_call(w, to, False),
    ("POST", "/api/v1/events/batch"): lambda w, to: _transfer_call(w, to, True),
}


def handoff_cells() -> Iterator[Any]:
    """One test parameter per cell of HANDOFFS."""
    for (method, path), row in HANDOFFS.items():
        for role, pair in zip(ROLES, row, strict=True):
            for target, expected in zip(HANDOFF_TARGETS, pair, strict=True):
                yield pytest.param(method, path, role, target, expected,
                                   id=f"{method} {path} {role} {target}")


def test_every_handoff_write_is_a_matrix_endpoint() -> None:
    assert set(HANDOFFS) <= set(MATRIX) and set(HANDOFF_REQUESTS) == set(HANDOFFS)


@pytest.mark.parametrize(("method", "path", "role", "target", "expected"),
                         list(handoff_cells()))
def test_handoff_cell(world: World, method: str, path: str, role: str, target: str,
                      expected: Outcome) -> None:
    call = HANDOFF_REQUESTS[(method, path)](world, HANDOFF_TARGETS[target])
    assert_outcome(world, method, call, role, expected)


def test_the_matrix_names_every_endpoint_and_no_other() -> None:
    assert set(MATRIX) == app_endpoints()


def test_every_endpoint_has_a_request() -> None:
    assert set(REQUESTS) == set(MATRIX)


def test_matrix_size() -> None:
    """The figures the README quotes; update both together."""
    pairs = len(MATRIX) * len(ROLES)
    assert (len(MATRIX), len(ROLES), len(SCOPES), pairs * len(SCOPES), len(CELLS)) == (
        62, 5, 2, 620, 510)


def test_the_dashboard_files_need_no_key(world: World) -> None:
    """The page's static files are a mount, not a route: served to anyone, data-free."""
    r = world.client.get("/dashboard/static/app.js", headers={"X-API-Key": ""})
    assert r.status_code == 200


@pytest.mark.parametrize(("method", "path", "role", "scope", "expected"), CELLS)
def test_cell(world: World, method: str, path: str, role: str, scope: str,
              expected: Outcome) -> None:
    assert_outcome(world, method, REQUESTS[(method, path)](world, world.units[scope]), role,
                   expected)


def assert_outcome(world: World, method: str, call: Call, role: str, expected: Outcome) -> None:
    """Send the call with the role's key (none for anonymous) and check the expected answer."""
    request = world.client.build_request(method, call.url, params=call.params, json=call.json,
                                         headers=call.headers)
    if role == "anonymous":
        del request.headers["X-API-Key"]
    else:
        request.headers["X-API-Key"] = world.keys[role]
    r = world.client.send(request)
    status, body, problem_json = r.status_code, None, "problem+json" in r.headers.get(
        "content-type", "")
    if call.batch and status == 200:
        result = r.json()["results"][0]
        status, body, problem_json = result["status"], result["body"], True
    if expected is ALLOW:
        assert status not in (401, 403) and status < 500, r.text
        return
    assert status == (401 if expected is DENY_401 else 403), r.text
    assert problem_json, r.headers
    assert (body or r.json())["status"] == status


# Printable, but not ASCII: sent as UTF-8 bytes, read back by the server as Latin-1 text.
# The last one has the shape of a stored key, so it reaches the lookup and the hash.
ODD_KEYS = ["khóa-bí-mật".encode(), b"\xff\xfe", b"mc_" + "khóa".encode() * 2 + b"ab_" + b"x" * 40]


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_a_non_ascii_key_is_401_not_500(world: World, method: str, path: str) -> None:
    """Every endpoint that takes a key refuses a non-ASCII one as unknown; none fails."""
    call = REQUESTS[(method, path)](world, world.units["own"])
    needs_key = MATRIX[(method, path)][ROLES.index("anonymous")][0] is DENY_401
    for key in ODD_KEYS:
        headers = [(k.encode(), v.encode()) for k, v in call.headers.items()]
        request = world.client.build_request(method, call.url, params=call.params, json=call.json,
                                             headers=httpx.Headers([*headers, (b"X-API-Key", key)]))
        r = world.client.send(request)
        status = r.json()["results"][0]["status"] if call.batch and r.status_code == 200 \
            else r.status_code
        assert status == 401 if needs_key else status < 500, (key, r.text)
