"""GET /dossiers/{code}/deadline: the deadline explained step by step, equal to due_at."""

from __future__ import annotations

from typing import Any

from tests.factories import COMMUNE, Api

HOUR = 3600


def explain(api: Api, code: str) -> dict[str, Any]:
    r = api.client.get(f"/api/v1/dossiers/{code}/deadline")
    assert r.status_code == 200, r.text
    return dict(r.json())


def skipped(walk: dict[str, Any]) -> dict[str, str]:
    return {d["date"]: d["reason"] for d in walk["skipped"]}


def test_a_financial_obligation_pause_across_the_holidays_explained(api: Api) -> None:
    api.province()
    # Received Saturday evening: the clock starts on Monday's opening.
    code = str(api.receive("2026-04-18 18:00")["code"])
    api.event(code, "financial_obligation_requested", "2026-04-24 10:00")
    api.event(code, "financial_obligation_fulfilled", "2026-05-04 10:00")
    x = explain(api, code)
    assert x["start_at"] == "2026-04-20T08:00:00+07:00"
    assert x["rule"] == {"procedure": "1.000001", "procedure_version": 1, "channel": "direct",
                         "kind": "working_days", "working_days": 5, "working_hours": None,
                         "calendar_days": None, "cutoff": None}
    assert x["receipt"]["working_seconds"] == 5 * 8 * HOUR
    assert [d["date"] for d in x["receipt"]["counted"]] == [
        "2026-04-20", "2026-04-21", "2026-04-22", "2026-04-23", "2026-04-24"]
    assert skipped(x["receipt"]) == {"2026-04-18": "weekend", "2026-04-19": "weekend"}
    assert x["receipt_due_at"] == "2026-04-24T17:00:00+07:00"
    (pause,) = x["pauses"]
    assert (pause["kind"], pause["moved"], pause["paused_working_seconds"]) == (
        "financial_obligation", True, 24 * HOUR)
    assert skipped(pause["pause"]) == {
        "2026-04-25": "weekend", "2026-04-26": "holiday", "2026-04-27": "holiday",
        "2026-04-30": "holiday", "2026-05-01": "holiday", "2026-05-02": "weekend",
        "2026-05-03": "weekend"}
    observed = next(d for d in pause["pause"]["skipped"] if d["date"] == "2026-04-27")
    assert observed["source"]["kind"] == "package"
    assert observed["source"]["name"] == "Hung Kings' Commemoration Day (observed)"
    assert (pause["due_before"], pause["due_after"]) == (
        "2026-04-24T17:00:00+07:00", "2026-05-04T17:00:00+07:00")
    assert [d["date"] for d in pause["moved_by"]["counted"]] == [
        "2026-04-28", "2026-04-29", "2026-05-04"]
    assert x["explained_due_at"] == x["due_at"] == "2026-05-04T17:00:00+07:00"
    assert x["matches_stored"] is True


def test_requests_that_move_nothing_say_why_and_overrides_name_their_author(api: Api) -> None:
    api.province()
    r = api.client.put("/api/v1/calendar/overrides/2026-03-04", params={"unit": COMMUNE},
                       json={"working": False, "note": "Bầu cử đại biểu"})
    assert r.status_code == 200, r.text
    code = str(api.receive("2026-03-02 08:00")["code"])  # 5 days, 4/3 off: due 9/3 17:00
    api.event(code, "supplement_requested", "2026-03-03 08:00", reason="Thiếu giấy tờ")
    api.event(code, "supplement_received", "2026-03-03 12:00")
    api.event(code, "supplement_requested", "2026-03-05 08:00", reason="Thiếu bản sao")
    api.event(code, "supplement_received", "2026-03-05 09:00")
    api.event(code, "apology_issued", "2026-03-05 10:00", reason="Chờ xác minh",
              new_due_at="2026-03-16T17:00:00+07:00")
    x = explain(api, code)
    override = next(d for d in x["receipt"]["skipped"] if d["date"] == "2026-03-04")
    assert override["reason"] == "unit_override"
    assert (override["source"]["scope"], override["source"]["reason"]) == (
        COMMUNE, "Bầu cử đại biểu")
    first, second = x["pauses"]
    assert (first["moved"], first["paused_working_seconds"], first["due_after"]) == (
        True, 4 * HOUR, "2026-03-10T12:00:00+07:00")
    assert (second["moved"], second["not_moved_because"], second["due_after"]) == (
        False, "repeated_supplement", None)
    assert x["apologies"] == [{"issued_at": "2026-03-05T10:00:00+07:00",
                               "new_due_at": "2026-03-16T17:00:00+07:00", "tardy": False}]
    assert x["explained_due_at"] == x["due_at"] == "2026-03-10T12:00:00+07:00"


def test_a_running_pause_shows_what_it_has_paused_so_far(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "financial_obligation_requested", "2026-03-03 08:00")
    (pause,) = explain(api, code)["pauses"]
    assert (pause["kind"], pause["ended_at"], pause["moved"]) == (
        "financial_obligation", None, False)
    assert pause["paused_working_seconds"] > 0


def test_an_unknown_dossier_is_404(api: Api) -> None:
    r = api.client.get("/api/v1/dossiers/NOPE-260302-0001/deadline")
    assert r.status_code == 404
    assert r.json()["code"] == "dossier_not_found"
