"""A unit receives and takes over dossiers only within its validity period."""

from __future__ import annotations

from datetime import date

import pytest

from app.catalog import rules
from app.core.problems import Unprocessable
from tests.factories import COMMUNE, PROVINCE, Api

ABOLISHED = "000.00.30.H12"
OPENED = "000.00.31.H12"


def setup(api: Api) -> None:
    api.province()
    api.unit(ABOLISHED, "commune", PROVINCE, valid_to="2025-06-30")
    api.unit(OPENED, "commune", PROVINCE, valid_from="2026-03-03")


@pytest.mark.parametrize(("day", "valid"), [
    (date(2025, 6, 30), False), (date(2025, 7, 1), True), (date(2026, 3, 2), True),
    (date(2026, 3, 3), False)])
def test_valid_on_includes_both_bounds(day: date, valid: bool) -> None:
    assert rules.valid_on(date(2025, 7, 1), date(2026, 3, 2), day) is valid
    assert rules.valid_on(None, None, day)


def test_check_valid_names_the_field() -> None:
    with pytest.raises(Unprocessable) as exc:
        rules.check_valid("X", None, date(2025, 6, 30), date(2025, 7, 1), "to_unit")
    assert exc.value.code == "unit_not_valid"
    assert [p.name for p in exc.value.invalid_params] == ["to_unit"]


def dossier_count(api: Api) -> int:
    return len(api.client.get("/api/v1/dossiers").json()["items"])


@pytest.mark.parametrize(("unit", "at"), [(ABOLISHED, "2026-03-02 08:00"),
                                          (OPENED, "2026-03-02 08:00")])
def test_a_receipt_outside_the_validity_period_is_refused(api: Api, unit: str, at: str) -> None:
    setup(api)
    r = api.receive_raw(at, receiving_unit=unit)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "unit_not_valid"
    assert r.json()["invalid_params"][0]["name"] == "receiving_unit"
    assert dossier_count(api) == 0


def test_a_receipt_handled_by_an_abolished_unit_is_refused(api: Api) -> None:
    setup(api)
    r = api.receive_raw("2026-03-02 08:00", handling_unit=ABOLISHED)
    assert r.status_code == 422
    assert r.json()["invalid_params"][0]["name"] == "handling_unit"


def test_a_receipt_within_the_validity_period_is_accepted(api: Api) -> None:
    setup(api)
    assert api.receive("2025-06-30 16:00", receiving_unit=ABOLISHED)["handling_unit"] == ABOLISHED
    assert api.receive("2026-03-03 08:00", receiving_unit=OPENED)["handling_unit"] == OPENED


def test_a_transfer_to_an_abolished_unit_is_refused_and_changes_nothing(api: Api) -> None:
    setup(api)
    code = str(api.receive("2026-03-02 08:00")["code"])
    before = api.dossier(code)
    stats = api.client.get("/api/v1/stats/on-time", params={"unit": PROVINCE, "period": "2026"})
    r = api.event_raw(code, "transferred", "2026-03-02 09:00", to_unit=ABOLISHED)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "unit_not_valid"
    assert api.dossier(code) == before
    assert api.client.get("/api/v1/stats/on-time",
                          params={"unit": PROVINCE, "period": "2026"}).json() == stats.json()
    assert api.event(code, "transferred", "2026-03-03 09:00", to_unit=OPENED)[
        "handling_unit"] == OPENED
    assert api.dossier(code)["receiving_unit"] == COMMUNE
