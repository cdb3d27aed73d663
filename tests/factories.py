"""Test data built through the public API, so every test exercises the real rules."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from app.core.clock import VN_TZ
from app.core.config import Settings
from app.core.migrate import alembic_config
from app.main import create_app

PROVINCE = "000.00.00.H12"
COMMUNE = "000.00.20.H12"
OTHER_COMMUNE = "000.00.21.H12"
AGENCY = "000.00.01.H12"
PROCEDURE = "1.000001"
HOURS_PROCEDURE = "1.000002"
_ids = itertools.count(1)


def vn(text: str) -> datetime:
    """A local Vietnamese time, e.g. vn('2026-03-02 08:00')."""
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def iso(at: datetime | str) -> str:
    """An ISO instant; strings are read as local Vietnamese time."""
    return (vn(at) if isinstance(at, str) else at).isoformat()


class Api:
    """Helpers over a TestClient authenticated as admin."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def unit(self, code: str, level: str = "commune", parent: str | None = None,
             **extra: Any) -> dict[str, Any]:
        """Create a unit and return it."""
        body = {"code": code, "name": f"Đơn vị {code}", "level": level, "parent": parent, **extra}
        r = self.client.post("/api/v1/units", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def procedure(self, code: str = PROCEDURE, days: int | None = 5, hours: int | None = None,
                  field: tuple[str, str] = ("HT", "Hộ tịch"), **extra: Any) -> dict[str, Any]:
        """Create a procedure and return it."""
        time = {"working_days": days} if hours is None else {"working_hours": hours}
        body = {"code": code, "name": f"Thủ tục {code}", "field_code": field[0],
                "field_name": field[1], "processing_time": time, **extra}
        r = self.client.post("/api/v1/procedures", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def province(self) -> None:
        """A province with an agency and two communes, and a 5-day procedure."""
        self.unit(PROVINCE, "province")
        self.unit(AGENCY, "agency", PROVINCE)
        self.unit(COMMUNE, "commune", PROVINCE)
        self.unit(OTHER_COMMUNE, "commune", PROVINCE)
        self.procedure()

    def key(self, role: str, unit: str | None = None) -> str:
        """Create an API key and return its secret."""
        r = self.client.post("/api/v1/keys", json={"name": f"{role} key", "role": role,
                                                   "unit": unit})
        assert r.status_code == 201, r.text
        return str(r.json()["key"])

    def receive_raw(self, at: datetime | str | None = None, *, key: str | None = None,
                    **fields: Any) -> httpx.Response:
        """POST a receipt, returning the raw response."""
        body: dict[str, Any] = {
            "procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
            "applicant": {"kind": "person", "name": "Nguyễn Văn An",
                          "id_number": "001090012345", "phone": "0912345678",
                          "address": "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội"},
        }
        if at is not None:
            body["received_at"] = iso(at)
        body.update(fields)
        headers = {"X-API-Key": key} if key else {}
        response: httpx.Response = self.client.post("/api/v1/dossiers", json=body,
                                                    headers=headers)
        return response

    def receive(self, at: datetime | str | None = None, **fields: Any) -> dict[str, Any]:
        """Receive a dossier and return it."""
        r = self.receive_raw(at, **fields)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def event_raw(self, code: str, type_: str, at: datetime | str, *, id_: str | None = None,
                  key: str | None = None, **fields: Any) -> httpx.Response:
        """POST an event, returning the raw response."""
        body = {"id": id_ or f"auto-{next(_ids)}", "type": type_, "at": iso(at), **fields}
        headers = {"X-API-Key": key} if key else {}
        response: httpx.Response = self.client.post(f"/api/v1/dossiers/{code}/events", json=body,
                                                    headers=headers)
        return response

    def event(self, code: str, type_: str, at: datetime | str, **fields: Any) -> dict[str, Any]:
        """Post an event that must be accepted; return the dossier after it."""
        r = self.event_raw(code, type_, at, **fields)
        assert r.status_code == 201, r.text
        return dict(r.json()["dossier"])

    def dossier(self, code: str) -> dict[str, Any]:
        """GET one dossier."""
        r = self.client.get(f"/api/v1/dossiers/{code}")
        assert r.status_code == 200, r.text
        return dict(r.json())


@contextmanager
def app_on(url: str) -> Iterator[Api]:
    """An app on a database of its own, migrated at start (for upgrade tests); admin key."""
    app = create_app(Settings(database_url=url, admin_api_key="k", migrate_on_start=True,
                              webhook_sender_enabled=False))
    with TestClient(app, headers={"X-API-Key": "k"}) as client:
        yield Api(client)


def revision_before(revision: str) -> str:
    """The migration a given one follows: the head a migration test upgrades from."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    before = script.get_revision(revision).down_revision
    assert isinstance(before, str), f"{revision} follows no single revision"
    return before
