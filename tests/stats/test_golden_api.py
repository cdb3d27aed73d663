"""The golden data set (tests/stats/golden.py) posted through the API gives its hand-made
figures, unit by unit and period by period."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PROCEDURE, Api
from tests.stats.golden import DOSSIERS, EXPECTED


@pytest.fixture
def golden(api: Api) -> Api:
    api.province()
    for name, unit, channel, received_at, events in DOSSIERS:
        code = str(api.receive(received_at, receiving_unit=unit, channel=channel,
                               procedure=PROCEDURE)["code"])
        for i, (type_, at, extra) in enumerate(events):
            api.event(code, type_, at, id_=f"{name}-{i}", **extra)
    return api


def pick(body: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {block: {k: body[block][k] for k in fields} if isinstance(fields, dict)
            else body[block] for block, fields in expected.items()}


@pytest.mark.parametrize(("unit", "period"), list(EXPECTED))
def test_golden_figures(golden: Api, unit: str, period: str) -> None:
    r = golden.client.get("/api/v1/stats/on-time", params={"unit": unit, "period": period})
    assert r.status_code == 200, r.text
    expected = EXPECTED[(unit, period)]
    assert pick(r.json(), expected) == expected
