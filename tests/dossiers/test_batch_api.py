"""Batches: items checked in memory then written together, in an order that cannot deadlock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from sqlalchemy.engine import Engine

from app.dossiers.schemas import BatchOut
from tests.dossiers.test_idempotency_api import count
from tests.factories import COMMUNE, OTHER_COMMUNE, Api, iso


def receipt(unit: str, at: str, ref: str, **fields: Any) -> dict[str, Any]:
    """A receipt batch item."""
    return {"procedure": "1.000001", "receiving_unit": unit, "channel": "direct",
            "received_at": iso(at), "applicant": {"name": "Trần Thị Bình"},
            "client_ref": ref, **fields}


def post(api: Api, path: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = api.client.post(path, json={"items": items})
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def test_concurrent_batches_on_the_same_days_all_succeed_without_gaps(
    api: Api, engine: Engine
) -> None:
    api.province()
    keys = [(u, d) for u in (COMMUNE, OTHER_COMMUNE) for d in ("2026-03-02", "2026-03-03")]
    forward = [receipt(u, f"{d} 08:00", f"f-{i}") for i, (u, d) in enumerate(keys * 10)]
    backward = [receipt(u, f"{d} 09:00", f"b-{i}") for i, (u, d) in enumerate(keys[::-1] * 10)]
    barrier = Barrier(2)

    def send(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        barrier.wait()
        return post(api, "/api/v1/dossiers/batch", items)

    with ThreadPoolExecutor(2) as pool:
        results = [x for batch in pool.map(send, (forward, backward)) for x in batch]
    assert {x["status"] for x in results} == {201}
    codes = sorted(x["body"]["code"] for x in results)
    for unit, day in keys:
        prefix = f"{unit}-{day[2:].replace('-', '')}-"
        assert [c for c in codes if c.startswith(prefix)] == [
            f"{prefix}{n:04d}" for n in range(1, 21)]
    assert count(engine, "dossiers") == 80


def test_a_refused_item_takes_no_number_and_a_repeat_in_the_batch_replays(api: Api) -> None:
    api.province()
    results = post(api, "/api/v1/dossiers/batch", [
        receipt(COMMUNE, "2026-03-02 08:00", "r-1"),
        receipt(COMMUNE, "2026-03-02 08:30", "r-2", return_by_post=True),  # no address
        receipt(COMMUNE, "2026-03-02 09:00", "r-3"),
        receipt(COMMUNE, "2026-03-02 08:00", "r-1"),
        receipt(COMMUNE, "2026-03-02 10:00", "r-1"),
    ])
    assert [x["status"] for x in results] == [201, 422, 201, 201, 409]
    assert results[1]["body"]["code"] == "delivery_address_missing"
    assert [results[i]["body"]["code"] for i in (0, 2)] == [
        f"{COMMUNE}-260302-0001", f"{COMMUNE}-260302-0002"]
    assert results[3] == {**results[0], "index": 3, "replayed": True}
    assert results[4]["body"]["code"] == "idempotency_key_reused"


def test_a_refused_event_changes_nothing_and_later_items_see_earlier_ones(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    at = "2026-03-03T{}:00+07:00".format
    results = post(api, "/api/v1/events/batch", [
        {"dossier": code, "id": "e1", "type": "resolved", "at": at("09:00")},
        {"dossier": code, "id": "e2", "type": "returned", "method": "postal", "at": at("10:00")},
        {"dossier": code, "id": "e3", "type": "returned", "method": "counter", "at": at("11:00")},
        {"dossier": code, "id": "e4", "type": "resolved", "at": at("12:00")},
    ])
    assert [x["status"] for x in results] == [201, 422, 201, 409]
    assert results[1]["body"]["code"] == "waybill_missing"
    assert results[2]["body"]["dossier"]["status"] == "returned"
    dossier = api.dossier(code)
    assert [e["id"] for e in dossier["timeline"]] == [
        next(e["id"] for e in dossier["timeline"] if e["type"] == "received"), "e1", "e3"]
    assert dossier["return_method"] == "counter"


def test_batch_answers_follow_the_documented_schema(api: Api) -> None:
    """Batch answers are written as built, not through BatchOut: hold them to it here."""
    api.province()
    r = api.client.post("/api/v1/dossiers/batch", json={"items": [
        receipt(COMMUNE, "2026-03-02 08:00", "s-1"), {"procedure": "nope"},
        receipt(COMMUNE, "2026-03-02 08:00", "s-1")]})
    answer = BatchOut.model_validate(r.json())
    assert [(x.status, x.replayed) for x in answer.results] == [
        (201, False), (422, False), (201, True)]
    code = r.json()["results"][0]["body"]["code"]
    r = api.client.post("/api/v1/events/batch", json={"items": [
        {"dossier": code, "id": "e-1", "type": "processing_started",
         "at": iso("2026-03-02 09:00")},
        {"dossier": "missing", "id": "e-2", "type": "withdrawn", "at": iso("2026-03-02 09:00")},
        {"id": "e-3", "type": "withdrawn", "at": iso("2026-03-02 09:00")},
        {"dossier": "", "id": "e-4", "type": "withdrawn", "at": iso("2026-03-02 09:00")}]})
    answer = BatchOut.model_validate(r.json())
    assert [x.status for x in answer.results] == [201, 404, 422, 422]
    # A missing or empty code is the item's own 422 on `dossier`, not a 404 for code ''.
    assert [(p["name"], p["code"]) for x in r.json()["results"][2:]
            for p in x["body"]["invalid_params"]] == [("dossier", "missing"),
                                                      ("dossier", "string_too_short")]


def test_batch_items_are_documented_with_their_real_shape(api: Api) -> None:
    """An integrator reads an item's shape from the OpenAPI: a receipt item is the single
    receipt body, an event item is the single event body of its type plus `dossier`, told
    apart by `type`; and an item the document allows is one the endpoint takes."""
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    body = spec["paths"]["/api/v1/dossiers/batch"]["post"]["requestBody"]["content"]
    receipts = schemas[body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert receipts["properties"]["items"]["items"]["$ref"] == "#/components/schemas/DossierIn"
    body = spec["paths"]["/api/v1/events/batch"]["post"]["requestBody"]["content"]
    events = schemas[body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    item = events["properties"]["items"]["items"]
    single = spec["paths"]["/api/v1/dossiers/{code}/events"]["post"]["requestBody"]["content"]
    kinds = single["application/json"]["schema"]["discriminator"]["mapping"]
    assert set(item["discriminator"]["mapping"]) == set(kinds)
    for kind, ref in item["discriminator"]["mapping"].items():
        shape = schemas[ref.rsplit("/", 1)[-1]]
        event = schemas[kinds[kind].rsplit("/", 1)[-1]]
        assert shape["properties"].keys() - event["properties"].keys() == {"dossier"}
        assert set(shape["required"]) == {*event.get("required", []), "dossier"}
        assert shape["additionalProperties"] is False
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    example = events["properties"]["items"]["examples"][0][0] | {"dossier": code}
    [result] = post(api, "/api/v1/events/batch", [example])
    assert result["status"] == 201, result
