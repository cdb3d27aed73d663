"""Random but legal-looking dossier event streams, posted through the API's batch endpoints."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from app.core.clock import VN_TZ
from tests.factories import Api

PROVINCE, C1, C2, AGENCY = "P", "P.C1", "P.C2", "P.AG"
OLD_PROVINCE, OLD_COMMUNE = "OLD", "OLD.C"
PROCEDURES = {"P5": (5, None, "HT"), "P2": (2, None, "HT"), "P15": (15, None, "DD"),
              "H4": (None, 4, "CT")}
FIELDS = {"HT": "Hộ tịch", "DD": "Đất đai", "CT": "Chứng thực"}
TREE = {PROVINCE: {PROVINCE, C1, C2, AGENCY}, C1: {C1}, C2: {C2}, AGENCY: {AGENCY},
        OLD_PROVINCE: {OLD_PROVINCE, OLD_COMMUNE}, OLD_COMMUNE: {OLD_COMMUNE}}

NEXT: dict[str, list[str | None]] = {
    "received": ["processing_started", "transferred", "supplement_requested", "resolved",
                 "refused", "withdrawn", "apology_issued", "financial_obligation_requested"],
    "processing": ["transferred", "supplement_requested", "resolved", "resolved", "resolved",
                   "refused", "stopped", "withdrawn", "apology_issued",
                   "financial_obligation_requested"],
    "awaiting_supplement": ["supplement_received", "supplement_received", "withdrawn",
                            "stopped", "apology_issued"],
    "awaiting_financial_obligation": ["financial_obligation_fulfilled",
                                      "financial_obligation_fulfilled", "withdrawn", "refused",
                                      "apology_issued"],
    "resolved": ["returned", "returned", None],
}
AFTER: dict[str, str | None] = {"processing_started": "processing", "transferred": "processing",
         "supplement_requested": "awaiting_supplement", "supplement_received": "processing",
         "financial_obligation_requested": "awaiting_financial_obligation",
         "financial_obligation_fulfilled": "processing",
         "resolved": "resolved", "returned": None, "refused": None, "stopped": None,
         "withdrawn": None}


def catalogue(api: Api) -> None:
    """Two provinces, one of them merged into the other in the 2025 reform."""
    api.unit(PROVINCE, "province")
    for code, level in ((C1, "commune"), (C2, "commune"), (AGENCY, "agency")):
        api.unit(code, level, PROVINCE)
    api.unit(OLD_PROVINCE, "province", valid_to="2025-06-30")
    api.unit(OLD_COMMUNE, "commune", OLD_PROVINCE, valid_to="2025-06-30")
    r = api.client.patch(f"/api/v1/units/{OLD_PROVINCE}", json={"merged_into": PROVINCE})
    assert r.status_code == 200
    for code, (days, hours, field) in PROCEDURES.items():
        api.procedure(code, days=days, hours=hours, field=(field, FIELDS[field]))


def plan(
    rng: random.Random, n: int, until: datetime | None = None
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """n dossiers: each a receipt body and the events to post after it, in time order; with
    `until`, only what has happened by then."""
    out = []
    for i in range(n):
        unit = rng.choice([C1, C1, C2, AGENCY, OLD_COMMUNE])
        # The old commune exists until 30 June 2025 (it receives nothing later); its dossiers
        # carry over into its successor's figures.
        first, span = ((datetime(2025, 3, 3, 7, tzinfo=VN_TZ), 118) if unit == OLD_COMMUNE
                       else (datetime(2025, 11, 3, 7, tzinfo=VN_TZ), 240))
        start = first + timedelta(
            days=rng.randint(0, span), hours=rng.randint(0, 11), minutes=rng.choice([0, 30]))
        receipt = {"client_ref": f"r{i}", "procedure": rng.choice(list(PROCEDURES)),
                   "receiving_unit": unit, "channel": rng.choice(["direct", "online", "postal"]),
                   "received_at": start.isoformat(), "applicant": {"name": f"Công dân {i}"}}
        events: list[dict[str, Any]] = []
        status: str | None = "received"
        at, handler = start, unit
        while status is not None and len(events) < 7:
            # a dossier handed on is often handed back, across a month's end or not
            back = status == "processing" and handler != unit and rng.random() < 0.3
            choice = "transferred" if back else rng.choice(NEXT[status])
            if choice is None:
                break
            at += timedelta(hours=rng.choice([1, 3, 20, 26, 50, 75, 140, 200]))
            event: dict[str, Any] = {"id": f"e{i}-{len(events)}", "type": choice,
                                     "at": at.isoformat()}
            if choice == "transferred":
                handler = unit if back else rng.choice(
                    [u for u in (C1, C2, AGENCY) if u != handler])
                event["to_unit"] = handler
            elif choice in ("supplement_requested", "refused", "stopped", "apology_issued"):
                event["reason"] = "Lý do"
            if choice == "apology_issued":
                event["new_due_at"] = (at + timedelta(days=rng.randint(3, 40))).isoformat()
            if choice == "returned":
                event["method"] = rng.choice(["counter", "postal"])
                if rng.random() < 0.7:
                    event["rating"] = rng.randint(1, 5)
            if until is not None and at > until:
                break
            events.append(event)
            status = AFTER.get(choice, status)
        if until is None or start <= until:
            out.append((receipt, events))
    return out


def post(api: Api, dossiers: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    """Post receipts, then the events round by round; refusals are fine, 5xx never."""
    r = api.client.post("/api/v1/dossiers/batch", json={"items": [d for d, _ in dossiers]})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert all(x["status"] == 201 for x in results), results
    codes = [x["body"]["code"] for x in results]
    rounds = max(len(events) for _, events in dossiers)
    for i in range(rounds):
        items = [{"dossier": code, **events[i]}
                 for code, (_, events) in zip(codes, dossiers, strict=True) if i < len(events)]
        r = api.client.post("/api/v1/events/batch", json={"items": items})
        assert r.status_code == 200, r.text
        assert all(x["status"] < 500 for x in r.json()["results"])


def fetch_all(api: Api) -> list[dict[str, Any]]:
    """Every dossier with its timeline, as the API shows it."""
    out, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/v1/dossiers", params=params).json()
        out += [api.dossier(d["code"]) for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return out
