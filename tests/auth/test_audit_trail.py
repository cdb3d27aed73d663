"""The audit trail: every change leaves who, when, old and new; admins read it; nobody edits it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.main import create_app
from tests.conftest import Clock
from tests.factories import COMMUNE, PROCEDURE, Api, iso, vn

NOW = vn("2026-03-20 10:00")


class Actor:
    """Keys with known ids, so an entry can be traced back to the key that made it."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.ids: dict[str, int] = {}
        self.secrets: dict[str, str] = {}
        for role, unit in (("admin", None), ("counter", COMMUNE)):
            r = api.client.post("/api/v1/keys", json={"name": role, "role": role, "unit": unit})
            assert r.status_code == 201, r.text
            self.ids[role], self.secrets[role] = r.json()["id"], r.json()["key"]

    def send(self, role: str, method: str, url: str, **kwargs: Any) -> Any:
        """A request made with the role's key; returns the JSON answer, if any."""
        r = self.api.client.request(method, url, headers={"X-API-Key": self.secrets[role]},
                                    **kwargs)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None


# (role of the key, entity, entity id, action, part of the old value, part of the new value)
Audited = tuple[str, str, str, str, dict[str, Any] | None, dict[str, Any] | None]
Change = Callable[[Actor], Audited]


def _receipt(a: Actor) -> Audited:
    body = a.send("counter", "POST", "/api/v1/dossiers", json={
        "procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
        "received_at": iso("2026-03-02 08:00"), "applicant": {"name": "Phạm Văn Dũng"}})
    return ("counter", "dossier", body["code"], "receive", None,
            {"status": "received", "procedure": PROCEDURE, "channel": "direct"})


def _event(a: Actor) -> Audited:
    code = _receipt(a)[2]
    a.send("counter", "POST", f"/api/v1/dossiers/{code}/events", json={
        "id": "e1", "type": "processing_started", "at": iso("2026-03-03 09:00")})
    return "counter", "dossier", code, "processing_started", {"status": "received"}, {
        "status": "processing"}


def _unit_created(a: Actor) -> Audited:
    a.send("admin", "POST", "/api/v1/units", json={"code": "U1", "name": "Phòng A",
                                                   "level": "agency", "parent": COMMUNE})
    return "admin", "unit", "U1", "create", None, {"name": "Phòng A"}


def _unit_updated(a: Actor) -> Audited:
    _unit_created(a)
    a.send("admin", "PATCH", "/api/v1/units/U1", json={"name": "Phòng B"})
    return "admin", "unit", "U1", "update", {"name": "Phòng A"}, {"name": "Phòng B"}


def _unit_deleted(a: Actor) -> Audited:
    _unit_created(a)
    a.send("admin", "DELETE", "/api/v1/units/U1")
    return "admin", "unit", "U1", "delete", {"name": "Phòng A"}, None


def _procedure_created(a: Actor) -> Audited:
    a.send("admin", "POST", "/api/v1/procedures", json={
        "code": "2.000001", "name": "Chứng thực", "field_code": "CT", "field_name": "Chứng thực",
        "processing_time": {"working_days": 1}})
    return "admin", "procedure", "2.000001", "create", None, {"name": "Chứng thực"}


def _procedure_updated(a: Actor) -> Audited:
    _procedure_created(a)
    a.send("admin", "PATCH", "/api/v1/procedures/2.000001", json={"name": "Chứng thực bản sao"})
    return ("admin", "procedure", "2.000001", "update", {"name": "Chứng thực"},
            {"name": "Chứng thực bản sao"})


def _procedure_deleted(a: Actor) -> Audited:
    _procedure_created(a)
    a.send("admin", "DELETE", "/api/v1/procedures/2.000001")
    return "admin", "procedure", "2.000001", "delete", {"name": "Chứng thực"}, None


def _override_set(a: Actor) -> Audited:
    a.send("admin", "PUT", "/api/v1/calendar/overrides/2026-04-25", params={"unit": COMMUNE},
           json={"working": True, "note": "Làm bù"})
    return ("admin", "calendar_override", f"{COMMUNE}:2026-04-25", "set", None,
            {"working": True, "note": "Làm bù"})


def _override_deleted(a: Actor) -> Audited:
    _override_set(a)
    a.send("admin", "DELETE", "/api/v1/calendar/overrides/2026-04-25", params={"unit": COMMUNE})
    return ("admin", "calendar_override", f"{COMMUNE}:2026-04-25", "delete",
            {"working": True, "note": "Làm bù"}, None)


def _key_created(a: Actor) -> Audited:
    key = a.send("admin", "POST", "/api/v1/keys", json={"name": "Bảng điều khiển",
                                                        "role": "dashboard", "unit": COMMUNE})
    return ("admin", "api_key", str(key["id"]), "create", None,
            {"name": "Bảng điều khiển", "role": "dashboard", "unit": COMMUNE})


def _key_revoked(a: Actor) -> Audited:
    key_id = _key_created(a)[2]
    a.send("admin", "POST", f"/api/v1/keys/{key_id}/revoke")
    return "admin", "api_key", key_id, "revoke", {"revoked_at": None}, {
        "revoked_at": NOW.isoformat()}


def _webhook_registered(a: Actor) -> Audited:
    hook = a.send("admin", "POST", "/api/v1/webhooks", json={
        "url": "https://example.org/hook", "event_types": ["dossier.overdue"]})
    return ("admin", "webhook", str(hook["id"]), "create", None,
            {"url": "https://example.org/hook", "event_types": ["dossier.overdue"]})


def _webhook_deleted(a: Actor) -> Audited:
    hook_id = _webhook_registered(a)[2]
    a.send("admin", "DELETE", f"/api/v1/webhooks/{hook_id}")
    return ("admin", "webhook", hook_id, "delete",
            {"url": "https://example.org/hook", "event_types": ["dossier.overdue"]}, None)


CHANGES: list[Change] = [
    _receipt, _event, _unit_created, _unit_updated, _unit_deleted, _procedure_created,
    _procedure_updated, _procedure_deleted, _override_set, _override_deleted, _key_created,
    _key_revoked, _webhook_registered, _webhook_deleted,
]


def _contains(whole: dict[str, Any] | None, part: dict[str, Any] | None) -> bool:
    if part is None:
        return whole is None
    return whole is not None and all(whole.get(k) == v for k, v in part.items())


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_every_change_is_audited_with_who_when_old_and_new(
    api: Api, clock: Clock, change: Change
) -> None:
    api.province()
    clock.now = NOW
    actor = Actor(api)
    role, entity, entity_id, action, old, new = change(actor)
    trail = api.client.get("/api/v1/audit", params={"entity": entity, "entity_id": entity_id})
    latest = trail.json()["items"][0]
    assert (latest["action"], latest["key_id"], latest["role"]) == (
        action, actor.ids[role], role)
    assert datetime.fromisoformat(latest["at"]) == NOW
    assert _contains(latest["old"], old), latest
    assert _contains(latest["new"], new), latest


def test_a_dossier_history_is_for_admins_only(api: Api, clock: Clock) -> None:
    api.province()
    clock.now = NOW
    actor = Actor(api)
    code = _event(actor)[2]
    history = {"entity": "dossier", "entity_id": code}
    trail = api.client.get("/api/v1/audit", params=history).json()["items"]
    assert [e["action"] for e in trail] == ["processing_started", "receive"]
    for role in ("counter", "dashboard", "postal"):
        r = api.client.get("/api/v1/audit", params=history,
                           headers={"X-API-Key": api.key(role, COMMUNE)})
        assert r.status_code == 403, r.text


def test_no_endpoint_changes_the_trail() -> None:
    routes = [ctx for ctx in iter_route_contexts(create_app().routes)
              if isinstance(ctx.original_route, APIRoute)
              and str(ctx.path).startswith("/api/v1/audit")]
    assert routes
    assert {m for ctx in routes for m in ctx.methods or ()} == {"GET"}


def test_the_trail_holds_no_personal_data(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00", return_by_post=True, delivery={
        "name": "Trần Thị Bình", "address": "Số 5 Lý Thái Tổ", "phone": "0987654321"})["code"])
    api.event(code, "return_by_post_requested", "2026-03-03 09:00", delivery={
        "name": "Hoàng Văn Em", "address": "Số 9 Hàng Bài", "phone": "0977000111"})
    text = api.client.get("/api/v1/audit", params={"entity_id": code}).text
    for value in ("Nguyễn Văn An", "001090012345", "0912345678", "Tràng Tiền", "Trần Thị Bình",
                  "Lý Thái Tổ", "0987654321", "Hoàng Văn Em", "Hàng Bài", "0977000111"):
        assert value not in text
