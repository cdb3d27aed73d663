"""Create and update validate alike: one table of bad values, each sent to both.

Every resource with a create and an update is listed; a bad value the create refuses must be
refused by the update too (and change nothing), and the other way round.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import COMMUNE, PROCEDURE, PROVINCE, Api

# resource -> (create path, a valid create body, update path)
RESOURCES: dict[str, tuple[str, dict[str, Any], str]] = {
    "unit": ("/api/v1/units", {"code": "X1", "name": "Xã mới", "level": "commune",
                               "parent": PROVINCE}, f"/api/v1/units/{COMMUNE}"),
    "procedure": ("/api/v1/procedures", {"code": "7.000001", "name": "Thủ tục",
                                         "field_code": "HT", "field_name": "Hộ tịch",
                                         "processing_time": {"working_days": 3}},
                  f"/api/v1/procedures/{PROCEDURE}"),
}
# (resource, field, bad value): refused by create and update alike.
BAD: list[tuple[str, str, Any]] = [
    ("unit", "name", ""), ("unit", "name", "n" * 256), ("unit", "name", 5),
    ("unit", "parent", "p" * 41), ("unit", "merged_into", "m" * 41),
    ("unit", "valid_from", 0), ("unit", "valid_from", "2026/01/01"), ("unit", "level", "xã"),
    ("unit", "working_hours", {"sessions": [["07:30", "25:00"]]}),
    ("procedure", "name", ""), ("procedure", "name", "n" * 501),
    ("procedure", "field_code", "HT tịch"), ("procedure", "field_code", "-HT"),
    ("procedure", "field_code", "c" * 41), ("procedure", "field_name", ""),
    ("procedure", "processing_time", {"working_days": 0}),
    ("procedure", "processing_time", {"working_days": 1, "working_hours": 8}),
    ("procedure", "online", 0), ("procedure", "postal", "yes"),
    ("procedure", "unknown_field", 1),
]


def test_every_resource_has_bad_values() -> None:
    assert {r for r, _, _ in BAD} == set(RESOURCES)


@pytest.mark.parametrize(("resource", "field", "value"), BAD,
                         ids=[f"{r}.{f}={v!r:.20}" for r, f, v in BAD])
def test_create_and_update_refuse_alike(api: Api, resource: str, field: str, value: Any) -> None:
    api.province()
    create, body, update = RESOURCES[resource]
    before = api.client.get(update).json()
    created = api.client.post(create, json={**body, field: value})
    patched = api.client.patch(update, json={field: value})
    assert (created.status_code, patched.status_code) == (422, 422), (created.text, patched.text)
    assert api.client.get(update).json() == before
