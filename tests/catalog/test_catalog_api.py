"""Units and procedures: CRUD by code, the tree, mergers."""

from __future__ import annotations

from tests.factories import AGENCY, COMMUNE, PROCEDURE, PROVINCE, Api


def test_unit_tree_and_listing(api: Api) -> None:
    api.province()
    u = api.client.get(f"/api/v1/units/{COMMUNE}").json()
    assert (u["parent"], u["province"], u["level"]) == (PROVINCE, PROVINCE, "commune")
    children = api.client.get("/api/v1/units", params={"parent": PROVINCE}).json()["items"]
    assert sorted(c["code"] for c in children) == sorted([AGENCY, COMMUNE, "000.00.21.H12"])
    subtree = api.client.get("/api/v1/units", params={"under": PROVINCE}).json()["items"]
    assert len(subtree) == 4
    page = api.client.get("/api/v1/units", params={"limit": 2}).json()
    rest = api.client.get("/api/v1/units", params={"cursor": page["next_cursor"]}).json()
    assert len(page["items"]) + len(rest["items"]) == 4


def test_moving_a_unit_moves_its_subtree(api: Api) -> None:
    api.unit("P1", "province")
    api.unit("P2", "province")
    api.unit("D1", "district", "P1")
    api.unit("C1", "commune", "D1")
    r = api.client.patch("/api/v1/units/D1", json={"parent": "P2"})
    assert r.status_code == 200
    assert api.client.get("/api/v1/units/C1").json()["province"] == "P2"
    under = api.client.get("/api/v1/units", params={"under": "P2"}).json()["items"]
    assert {u["code"] for u in under} == {"P2", "D1", "C1"}
    cycle = api.client.patch("/api/v1/units/P2", json={"parent": "C1"})
    assert (cycle.status_code, cycle.json()["code"]) == (422, "unit_cycle")


def test_unit_codes_with_like_wildcards_do_not_leak_subtrees(api: Api) -> None:
    api.unit("A_1", "province")
    api.unit("AB1", "province")
    api.unit("X", "commune", "AB1")
    under = api.client.get("/api/v1/units", params={"under": "A_1"}).json()["items"]
    assert [u["code"] for u in under] == ["A_1"]


def test_merger_is_recorded_and_cycles_refused(api: Api) -> None:
    api.unit("OLD", "province", valid_to="2025-06-30")
    api.unit("NEW", "province", valid_from="2025-07-01")
    r = api.client.patch("/api/v1/units/OLD", json={"merged_into": "NEW"})
    assert r.json()["merged_into"] == "NEW"
    r = api.client.patch("/api/v1/units/NEW", json={"merged_into": "OLD"})
    assert (r.status_code, r.json()["code"]) == (422, "merge_cycle")


def test_unit_errors(api: Api) -> None:
    api.province()
    dup = api.client.post("/api/v1/units", json={"code": PROVINCE, "name": "x",
                                                 "level": "province"})
    assert (dup.status_code, dup.json()["code"]) == (409, "unit_exists")
    orphan = api.client.post("/api/v1/units", json={"code": "Z", "name": "x", "level": "commune",
                                                    "parent": "NOPE"})
    assert (orphan.status_code, orphan.json()["invalid_params"][0]["name"]) == (422, "parent")
    bad_level = api.client.post("/api/v1/units", json={"code": "Z", "name": "x", "level": "city"})
    assert bad_level.status_code == 422
    in_use = api.client.delete(f"/api/v1/units/{PROVINCE}")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "unit_in_use")
    assert api.client.get("/api/v1/units/NOPE").status_code == 404
    assert api.client.delete(f"/api/v1/units/{AGENCY}").status_code == 204


def test_working_hours_are_validated_and_inherited(api: Api) -> None:
    hours = {"sessions": [["07:30", "11:30"], ["13:30", "17:00"]]}
    api.unit("P", "province", working_hours=hours)
    api.unit("C", "commune", "P")
    api.procedure(days=1)
    d = api.receive("2026-03-02 07:30", receiving_unit="C")
    assert d["due_at"] == "2026-03-02T17:00:00+07:00"
    bad = {"sessions": [["13:00", "12:00"]]}
    r = api.client.post("/api/v1/units", json={"code": "Q", "name": "Q", "level": "commune",
                                               "working_hours": bad})
    assert r.status_code == 422


def test_session_bounds_with_seconds_are_kept_not_cut_to_minutes(api: Api) -> None:
    # Found by the fuzzing: 00:00:30-00:00:45 was stored as 00:00-00:00 and the answer failed.
    hours = {"sessions": [["00:00:30", "00:00:45"], ["13:30", "17:00"]], "weekdays": [1]}
    r = api.client.post("/api/v1/units", json={"code": "S", "name": "S", "level": "province",
                                               "working_hours": hours})
    assert r.status_code == 201, r.text
    assert r.json()["working_hours"]["sessions"] == [["00:00:30", "00:00:45"],
                                                     ["13:30:00", "17:00:00"]]
    assert api.client.get("/api/v1/units/S").json()["working_hours"] == r.json()[
        "working_hours"]


def test_procedure_crud(api: Api) -> None:
    p = api.procedure(days=15, field=("DD", "Đất đai"))
    assert p["processing_time"] == {"working_days": 15, "working_hours": None,
                                   "calendar_days": None, "same_day": None}
    both = api.client.post("/api/v1/procedures", json={
        "code": "X", "name": "x", "field_code": "F", "field_name": "f",
        "processing_time": {"working_days": 1, "working_hours": 2}})
    assert both.status_code == 422
    r = api.client.patch(f"/api/v1/procedures/{PROCEDURE}",
                         json={"processing_time": {"working_hours": 4}})
    assert r.json()["processing_time"] == {"working_days": None, "working_hours": 4,
                                           "calendar_days": None, "same_day": None}
    listed = api.client.get("/api/v1/procedures", params={"field": "DD"}).json()["items"]
    assert [x["code"] for x in listed] == [PROCEDURE]
    assert api.client.delete(f"/api/v1/procedures/{PROCEDURE}").status_code == 204
    assert api.client.get(f"/api/v1/procedures/{PROCEDURE}").status_code == 404


def test_procedure_in_use_cannot_be_deleted(api: Api) -> None:
    api.province()
    api.receive("2026-03-02 08:00")
    r = api.client.delete(f"/api/v1/procedures/{PROCEDURE}")
    assert (r.status_code, r.json()["code"]) == (409, "procedure_in_use")


def test_catalogue_changes_are_audited_with_old_and_new(api: Api) -> None:
    api.province()
    api.client.patch(f"/api/v1/units/{COMMUNE}", json={"name": "Phường Hoàn Kiếm"})
    entry = api.client.get("/api/v1/audit", params={"entity": "unit",
                                                    "entity_id": COMMUNE}).json()["items"][0]
    assert entry["action"] == "update"
    assert entry["old"]["name"] == f"Đơn vị {COMMUNE}"
    assert entry["new"]["name"] == "Phường Hoàn Kiếm"
