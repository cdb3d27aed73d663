"""A calendar override moves the deadlines of open dossiers it touches, in the same
transaction; closed dossiers keep theirs, and the figures stay equal to `stats check`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.notifications.models import OutboxEvent
from app.stats import service as stats
from tests.factories import COMMUNE, OTHER_COMMUNE, Api


def override(api: Api, day: str, working: bool, unit: str | None = COMMUNE) -> dict[str, Any]:
    path = (f"/api/v1/calendar/overrides/{day}" if unit
            else f"/api/v1/calendar/national-overrides/{day}")
    r = api.client.put(path, params={"unit": unit} if unit else {},
                       json={"working": working, "note": "Nghỉ bù bầu cử"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def aggregates_agree(engine: Engine) -> None:
    with Session(engine) as session:
        assert stats.check(session) == []


def test_an_override_moves_open_deadlines_and_leaves_closed_ones(api: Api,
                                                                 engine: Engine) -> None:
    api.province()
    open_ = str(api.receive("2026-03-02 08:00")["code"])  # due Fri 6/3 17:00
    closed = str(api.receive("2026-03-02 08:00")["code"])
    api.event(closed, "resolved", "2026-03-06 16:00")
    elsewhere = str(api.receive("2026-03-02 08:00", receiving_unit=OTHER_COMMUNE)["code"])
    before = api.dossier(open_)["due_at"]
    assert override(api, "2026-03-04", working=False)["recomputed"] == 1
    moved = api.dossier(open_)
    assert (before, moved["due_at"]) == ("2026-03-06T17:00:00+07:00",
                                         "2026-03-09T17:00:00+07:00")
    entry = moved["timeline"][-1]
    assert entry["type"] == "due_changed"
    assert entry["details"]["old_due_at"] == before
    assert entry["details"]["new_due_at"] == moved["due_at"]
    assert entry["details"]["override"] == {"scope": COMMUNE, "date": "2026-03-04",
                                            "action": "set", "working": False,
                                            "note": "Nghỉ bù bầu cử"}
    # the closed dossier keeps its deadline and its verdict; another unit's is not touched
    assert api.dossier(closed)["due_at"] == before
    assert api.dossier(closed)["timeliness"] == "on_time"
    assert api.dossier(elsewhere)["due_at"] == before
    kept = api.client.get(f"/api/v1/dossiers/{closed}/deadline").json()
    assert (kept["due_at"], kept["explained_due_at"], kept["matches_stored"]) == (
        before, moved["due_at"], False)
    assert "closed" in kept["note"]
    # a dossier received after the change gets the same deadline from the start
    assert api.receive("2026-03-02 08:00")["due_at"] == moved["due_at"]
    with Session(engine) as session:
        sent = session.scalars(select(OutboxEvent).where(
            OutboxEvent.type == "dossier.due_changed")).all()
        assert [(e.dossier_code, e.payload["new_due_at"]) for e in sent] == [
            (open_, moved["due_at"])]
    aggregates_agree(engine)
    # the explanation names the override and still equals the stored deadline
    x = api.client.get(f"/api/v1/dossiers/{open_}/deadline").json()
    assert x["matches_stored"] is True
    assert {d["date"]: d["reason"] for d in x["receipt"]["skipped"]}["2026-03-04"] == (
        "unit_override")
    # removing the override moves it back
    r = api.client.delete("/api/v1/calendar/overrides/2026-03-04", params={"unit": COMMUNE})
    assert r.status_code == 204
    back = api.dossier(open_)
    assert back["due_at"] == before
    assert [e["type"] for e in back["timeline"]][-2:] == ["due_changed", "due_changed"]
    aggregates_agree(engine)


def test_a_swapped_working_day_brings_a_deadline_and_its_overdue_figure_forward(
        api: Api, engine: Engine) -> None:
    api.province()
    code = str(api.receive("2026-03-06 08:00")["code"])  # 5 days: due Thu 12/3 17:00
    period = {"unit": COMMUNE, "from": "2026-03-01", "to": "2026-03-11"}

    def pending() -> object:
        return api.client.get("/api/v1/stats/on-time", params=period).json()["pending"]

    assert pending() == {"total": 1, "within_deadline": 1, "overdue": 0}
    assert override(api, "2026-03-07", working=True, unit=None)["recomputed"] == 1
    assert api.dossier(code)["due_at"] == "2026-03-11T17:00:00+07:00"
    # due on 11/3 now: at the end of 11/3 it is overdue
    assert pending() == {"total": 1, "within_deadline": 0, "overdue": 1}
    aggregates_agree(engine)


def test_an_override_that_changes_nothing_writes_nothing(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    # a Sunday declared off changes no deadline: it was never a working day
    assert override(api, "2026-03-08", working=False)["recomputed"] == 0
    assert [e["type"] for e in api.dossier(code)["timeline"]] == ["received"]
