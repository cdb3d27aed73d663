"""The worked example of docs/figures.md, built dossier by dossier through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.factories import COMMUNE, PROCEDURE, PROVINCE, Api, vn


def batch(api: Api, path: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i in range(0, len(items), 1000):
        r = api.client.post(path, json={"items": items[i:i + 1000]})
        results = r.json()["results"]
        assert all(x["status"] == 201 for x in results), results[:3]
        out += results
    return out


def test_worked_example(api: Api) -> None:
    api.province()
    base = {"procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
            "applicant": {"name": "Lê Văn Cường"}}
    # 200 carried over: received 31 Mar (due 7 Apr 09:00), still open on 1 Apr.
    carried = [{**base, "received_at": vn("2026-03-31 09:00").isoformat()} for _ in range(200)]
    # 1,000 new in Q2: 900 received in April-May and resolved early, 100 received on 29 June.
    new = [{**base, "received_at": (vn("2026-04-01 08:00") + timedelta(days=i % 55)).isoformat()}
           for i in range(900)]
    new += [{**base, "received_at": vn("2026-06-29 08:00").isoformat()} for _ in range(100)]
    codes = [r["body"]["code"] for r in batch(api, "/api/v1/dossiers/batch", carried + new)]
    events: list[dict[str, Any]] = []
    for i, code in enumerate(codes[:170]):
        # 60 on time, 90 late, 20 withdrawn; the other 30 stay pending, overdue by June's end.
        type_, at = (("resolved", "2026-04-07 08:30") if i < 60
                     else ("resolved", "2026-04-08 09:00") if i < 150
                     else ("withdrawn", "2026-04-02 10:00"))
        events.append({"dossier": code, "id": f"x{i}", "type": type_,
                       "at": vn(at).isoformat()})
    for i, code in enumerate(codes[200:1100]):
        received = vn("2026-04-01 08:00") + timedelta(days=i % 55)
        events.append({"dossier": code, "id": f"y{i}", "type": "resolved",
                       "at": (received + timedelta(minutes=30)).isoformat()})
    batch(api, "/api/v1/events/batch", events)

    r = api.client.get("/api/v1/stats/on-time", params={"unit": PROVINCE, "period": "2026-Q2"})
    body = r.json()
    assert body["received"] == {"total": 1200, "carried_over": 200, "new": 1000,
                                "transferred_in": 0, "online": 0, "direct": 1000, "postal": 0}
    assert body["resolved"] == {"total": 1050, "early": 900, "on_time": 60, "late": 90}
    assert body["ended_otherwise"] == {"refused": 0, "withdrawn": 20, "stopped": 0}
    assert body["pending"] == {"total": 130, "within_deadline": 100, "overdue": 30}
    rates = body["rates"]
    assert (rates["on_time"], rates["late"], rates["resolved"], rates["pending"],
            rates["national_progress"]) == (91.43, 8.57, 87.5, 10.83, 90.0)
