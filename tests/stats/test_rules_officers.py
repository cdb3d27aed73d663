"""The officers' figures without a database: each act counts for the officer named for it, on
its local day, and the shares and the mean rating round as the reports print them."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.stats import rules
from app.stats.rules import OfficerAct, OfficerRow
from tests.factories import vn

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def act(officer: str, at: str, name: str | None = None) -> OfficerAct:
    return OfficerAct(officer, name or f"Cán bộ {officer}", vn(at))


def by_id(rows: list[OfficerRow], start: date = Q1[0], end: date = Q1[1]
          ) -> dict[str, dict[str, Any]]:
    return {f["officer"]["id"]: f for f in rules.officer_figures(rows, start, end)}


def test_each_act_counts_for_its_own_officer() -> None:
    rows = [
        OfficerRow(received=act("a", "2026-03-02 08:00"), resolved=act("b", "2026-03-04 10:00"),
                   timeliness="early", returned=act("a", "2026-03-05 09:00"), rating=5),
        OfficerRow(received=act("a", "2026-03-02 09:00"), resolved=act("b", "2026-03-09 10:00"),
                   timeliness="late", returned=act("b", "2026-03-10 09:00"), rating=3),
        OfficerRow(received=act("b", "2026-03-03 08:00"), resolved=act("b", "2026-03-06 10:00"),
                   timeliness="on_time", returned=act("a", "2026-03-06 15:00"), rating=4),
        OfficerRow(received=act("a", "2026-03-03 09:00")),
    ]
    assert rules.officer_figures(rows, *Q1) == [
        {"officer": {"id": "a", "name": "Cán bộ a"}, "received": 3,
         "resolved": {"total": 0, "early": 0, "on_time": 0, "late": 0},
         "ratings": {"rated": 2, "satisfied": 2, "average": 4.5},
         "rates": {"on_time": None, "satisfaction": 100.0}},
        {"officer": {"id": "b", "name": "Cán bộ b"}, "received": 1,
         "resolved": {"total": 3, "early": 1, "on_time": 1, "late": 1},
         "ratings": {"rated": 1, "satisfied": 0, "average": 3.0},
         "rates": {"on_time": 66.67, "satisfaction": 0.0}},
    ]


def test_acts_outside_the_period_by_local_day_are_not_counted() -> None:
    rows = [
        # 23:30 on the period's last day (16:30 UTC) is in it; 00:10 the next day is not.
        OfficerRow(received=act("a", "2026-03-31 23:30"), resolved=act("a", "2026-04-01 00:10"),
                   timeliness="early"),
        OfficerRow(received=act("a", "2025-12-31 23:59"), returned=act("a", "2026-01-01 00:00"),
                   rating=2),
        OfficerRow(received=act("b", "2025-12-30 08:00"), resolved=act("b", "2026-04-02 08:00"),
                   timeliness="late", returned=act("b", "2026-04-03 08:00"), rating=5),
    ]
    figures = by_id(rows)
    assert set(figures) == {"a"}  # b did nothing in the period
    assert figures["a"]["received"] == 1
    assert figures["a"]["resolved"] == {"total": 0, "early": 0, "on_time": 0, "late": 0}
    assert figures["a"]["ratings"] == {"rated": 1, "satisfied": 0, "average": 2.0}


def test_a_return_without_a_rating_and_an_act_without_an_officer_count_nothing() -> None:
    rows = [OfficerRow(returned=act("a", "2026-03-05 09:00")),
            OfficerRow(resolved=None, timeliness="early", returned=None, rating=5)]
    assert rules.officer_figures(rows, *Q1) == []


def test_the_officer_is_shown_by_the_name_of_their_latest_act() -> None:
    rows = [OfficerRow(received=act("a", "2026-03-09 08:00", "Nguyễn Thị Lan")),
            OfficerRow(received=act("a", "2026-03-02 08:00", "Nguyễn Lan"),
                       resolved=act("a", "2026-03-04 08:00", "Nguyễn Lan"), timeliness="early")]
    assert by_id(rows)["a"]["officer"] == {"id": "a", "name": "Nguyễn Thị Lan"}


def test_the_mean_rating_and_the_shares_round_half_up() -> None:
    ratings = [5, 5, 4]  # 14 / 3 = 4.666..
    rows = [OfficerRow(returned=act("a", f"2026-03-0{i + 2} 09:00"), rating=r)
            for i, r in enumerate(ratings)]
    assert by_id(rows)["a"]["ratings"] == {"rated": 3, "satisfied": 3, "average": 4.67}
    assert rules.average(9, 8) == 1.13  # 1.125
    assert rules.average(0, 0) is None
    resolved = [OfficerRow(resolved=act("a", "2026-03-02 09:00"), timeliness=t)
                for t in ("early", "late", "late")]
    assert by_id(resolved)["a"]["rates"]["on_time"] == 33.33
