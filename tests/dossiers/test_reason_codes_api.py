"""Reason codes (mã lý do): a fixed list per event type, seen by every key, free text not."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from app.core.migrate import alembic_config
from app.dossiers import schemas
from app.dossiers.rules import REASON_CODES, REASON_OTHER
from tests.factories import COMMUNE, Api, app_on, iso, revision_before

CLERK_TEXT = "Gọi chị Hoa 0912345678 ở số 5 ngõ 7"
# Each event type with a reason, and the fields it needs besides the reason.
WITH_REASON: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "supplement_requested": (schemas.SupplementRequested, {}),
    "refused": (schemas.Refused, {}),
    "stopped": (schemas.Stopped, {}),
    "withdrawn": (schemas.Withdrawn, {}),
    "apology_issued": (schemas.ApologyIssued, {"new_due_at": iso("2026-03-20 09:00")}),
    "delivery_failed": (schemas.DeliveryFailed, {}),
}


def test_the_lists_are_the_schemas_and_each_ends_in_other() -> None:
    assert set(WITH_REASON) == set(REASON_CODES)
    for type_, (model, _) in WITH_REASON.items():
        allowed = typing.get_args(model.model_fields["reason_code"].annotation)
        assert list(allowed) == list(REASON_CODES[type_]), type_
        assert allowed[-1] == REASON_OTHER and REASON_CODES[type_][REASON_OTHER] == "Lý do khác"
    assert all(label for codes in REASON_CODES.values() for label in codes.values())


@pytest.mark.parametrize("type_", ["supplement_requested", "refused", "stopped", "withdrawn",
                                   "apology_issued"])
def test_a_code_outside_the_list_is_422_naming_the_allowed_ones(api: Api, type_: str) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    before = api.dossier(code)
    extra = WITH_REASON[type_][1]
    r = api.event_raw(code, type_, "2026-03-02 10:00", reason="x", reason_code="rainy_day",
                      **extra)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    message = r.text
    for allowed in REASON_CODES[type_]:
        assert f"'{allowed}'" in message, (type_, allowed)
    assert api.dossier(code) == before


def test_every_key_sees_the_code_and_only_admin_and_counter_the_text(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "supplement_requested", "2026-03-02 10:00", reason=CLERK_TEXT,
              reason_code="missing_document", note=CLERK_TEXT)
    api.event(code, "supplement_received", "2026-03-03 10:00")
    api.event(code, "apology_issued", "2026-03-04 10:00", reason=CLERK_TEXT,
              new_due_at=iso("2026-03-20 09:00"))  # no code given: "other"
    for role, unit, free_text in (("admin", None, True), ("counter", COMMUNE, True),
                                  ("dashboard", COMMUNE, False)):
        r = api.client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": api.key(role, unit)})
        assert r.status_code == 200, r.text
        by_type = {e["type"]: e["details"] for e in r.json()["timeline"]}
        assert by_type["supplement_requested"]["reason_code"] == "missing_document", role
        assert by_type["apology_issued"]["reason_code"] == "other", role
        assert "reason_code" not in by_type["supplement_received"], role
        assert ("reason" in by_type["apology_issued"]) is free_text, role
        assert (CLERK_TEXT in r.text) is free_text, role


def test_an_event_answer_carries_the_code(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    r = api.event_raw(code, "refused", "2026-03-02 10:00", reason="Không đủ điều kiện",
                      reason_code="ineligible")
    assert r.status_code == 201, r.text
    assert r.json()["event"]["details"]["reason_code"] == "ineligible"


def test_upgrade_from_the_previous_head_gives_old_reasons_the_code_other(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        code = str(api.receive("2026-03-02 08:00")["code"])
        api.event(code, "processing_started", "2026-03-02 09:00", note="n")
        api.event(code, "supplement_requested", "2026-03-02 10:00", reason=CLERK_TEXT,
                  reason_code="invalid_document")
    command.downgrade(alembic_config(url), revision_before("50de0c73d452"))
    engine = create_engine(url)

    def payloads() -> dict[str, dict[str, Any]]:
        with engine.connect() as conn:
            return {str(t): json.loads(p) for t, p in conn.execute(
                text("SELECT type, payload FROM dossier_events"))}

    downgraded = payloads()
    assert downgraded["supplement_requested"] == {"reason": CLERK_TEXT}
    command.upgrade(alembic_config(url), "head")
    upgraded = payloads()
    engine.dispose()
    assert upgraded["supplement_requested"] == {"reason": CLERK_TEXT, "reason_code": "other"}
    assert "reason_code" not in upgraded["processing_started"]
    assert upgraded["received"] == downgraded["received"]
    with app_on(url) as api:
        timeline = api.dossier(code)["timeline"]
        assert timeline[-1]["details"]["reason_code"] == "other"


def test_the_docs_list_every_code_with_its_label() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "reason-codes.md").read_text()
    for type_, codes in REASON_CODES.items():
        heading = f": `{type_}`\n"
        assert heading in doc, type_
        section = doc.split(heading, 1)[1].split("###", 1)[0]
        for code, label in codes.items():
            assert f"| `{code}` | {label} |" in section, (type_, code)
