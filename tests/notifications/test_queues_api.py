"""The counters' deadline queues: overdue and due within N working days."""

from __future__ import annotations

from app.notifications.rules import deadline
from app.worktime.rules import WorkCalendar, WorkingHours, build_calendar
from tests.conftest import Clock
from tests.factories import AGENCY, COMMUNE, Api, vn


def codes(api: Api, path: str, **params: object) -> list[str]:
    r = api.client.get(f"/api/v1/dossiers/{path}", params=params)
    assert r.status_code == 200, r.text
    return [d["code"] for d in r.json()]


def test_queues_list_the_right_dossiers(api: Api, clock: Clock) -> None:
    api.province()
    late = api.receive("2026-02-23 08:00")["code"]        # due Fri 27 Feb 17:00
    soon = api.receive("2026-03-02 08:00")["code"]        # due Fri 6 Mar 17:00
    later = api.receive("2026-03-04 08:00")["code"]       # due Wed 11 Mar 17:00
    paused = api.receive("2026-02-23 09:00")["code"]
    api.event(paused, "supplement_requested", "2026-02-24 09:00", reason="Thiếu giấy tờ")
    done = api.receive("2026-02-23 10:00")["code"]
    api.event(done, "resolved", "2026-02-26 10:00")
    clock.now = vn("2026-03-06 09:00")
    assert codes(api, "overdue") == [late]
    assert codes(api, "due-soon") == [soon]
    assert codes(api, "due-soon", within_working_days=4) == [soon, later]
    assert codes(api, "overdue", unit=AGENCY) == []
    assert codes(api, "overdue", unit=COMMUNE) == [late]
    assert api.client.get("/api/v1/dossiers/due-soon",
                          params={"within_working_days": 0}).status_code == 422


def test_deadline_rule() -> None:
    cal: WorkCalendar = build_calendar(WorkingHours(), range(2025, 2028), {})
    due = vn("2026-03-06 17:00")
    assert deadline(True, False, due, vn("2026-03-06 17:01"), cal, 1) == "overdue"
    assert deadline(True, False, due, vn("2026-03-06 08:00"), cal, 1) == "due_soon"
    assert deadline(True, False, due, vn("2026-03-04 08:00"), cal, 1) is None
    assert deadline(True, True, due, vn("2026-03-07 08:00"), cal, 1) is None
    assert deadline(False, False, due, vn("2026-03-07 08:00"), cal, 1) is None
