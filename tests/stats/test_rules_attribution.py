"""Attribution by day without a database: each day counts for the unit holding the dossier at
its end, so a transfer changes no cell of a day before it."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.clock import VN_TZ
from app.stats import rules
from app.stats.rules import Cell, Contribution, EventFact, Facts
from tests.factories import vn

PATHS = {"A": "/P/A/", "B": "/P/B/", "C": "/Q/C/", "P": "/P/"}
START = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)


def facts(handling: str = "A", events: tuple[EventFact, ...] = (), **kw: object) -> Facts:
    base: dict[str, object] = dict(
        procedure="X", handling_unit=handling, channel="direct", status="processing",
        received_at=vn("2026-03-02 08:00"), due_at=vn("2026-04-20 17:00"), paused_at=None,
        finished_at=None, timeliness=None, processing_millidays=None, returned_at=None,
        return_method=None, rating=None, events=events)
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]


def transfer(at: str, from_unit: str) -> EventFact:
    return EventFact("transferred", vn(at), {"from_unit": from_unit})


def view(c: Contribution, unit: str, by: str) -> dict[Cell, int]:
    """The cells a query by handling or receiving unit reads at a unit."""
    roles = ("h", "b") if by == "handling" else ("r", "b")
    out: Counter[Cell] = Counter()
    for (role, u), cells in c.rows.items():
        if u == unit and role in roles:
            out.update(cells)
    return {k: v for k, v in out.items() if v}


def running(cells: dict[Cell, int], measure: str, through: date) -> int:
    return sum(v for (d, m), v in cells.items() if m == measure and d <= through)


def flows(cells: dict[Cell, int], measure: str, start: date, end: date) -> int:
    return sum(v for (d, m), v in cells.items() if m == measure and start <= d <= end)


# B holds the dossier from 10 March to 6 April, then A again; it is resolved on 15 April.
THERE_AND_BACK = facts(
    status="resolved", finished_at=vn("2026-04-15 10:00"), timeliness="early",
    processing_millidays=20000,
    events=(transfer("2026-03-10 09:00", "A"), transfer("2026-04-06 09:00", "B")))


def test_holders_by_day() -> None:
    assert rules.holders(THERE_AND_BACK) == (
        (date(2026, 3, 2), "A"), (date(2026, 3, 10), "B"), (date(2026, 4, 6), "A"))
    # a transfer on the receipt day makes the receipt the new holder's; two transfers on one
    # day count as the last, and there and back on one day is no change at all
    same_day = facts("B", (transfer("2026-03-02 10:00", "A"),))
    assert rules.holders(same_day) == ((date(2026, 3, 2), "B"),)
    back = facts("A", (transfer("2026-03-05 10:00", "A"), transfer("2026-03-05 11:00", "B")))
    assert rules.holders(back) == ((date(2026, 3, 2), "A"),)


def test_a_closed_month_keeps_its_pending_dossier_at_the_unit_that_held_it() -> None:
    c = rules.contribution(THERE_AND_BACK, PATHS["A"], PATHS)
    a, b = view(c, "A", "handling"), view(c, "B", "handling")
    march_end, april_end = date(2026, 3, 31), date(2026, 4, 30)
    assert (running(a, "opened", march_end), running(b, "opened", march_end)) == (0, 1)
    assert flows(a, "transferred_out", date(2026, 3, 1), march_end) == 1
    assert flows(b, "transferred_in", date(2026, 3, 1), march_end) == 1
    assert flows(a, "received_direct", date(2026, 3, 1), march_end) == 1
    assert flows(b, "received_direct", date(2026, 3, 1), march_end) == 0
    # April: B carried it over and handed it back, A took it in and resolved it
    assert flows(b, "transferred_out", date(2026, 4, 1), april_end) == 1
    assert flows(a, "transferred_in", date(2026, 4, 1), april_end) == 1
    assert flows(a, "resolved_early", date(2026, 4, 1), april_end) == 1
    assert flows(b, "resolved_early", date(2026, 4, 1), april_end) == 0
    assert running(a, "opened", april_end) == running(b, "opened", april_end) == 0
    # the province above both sees no transfer at all, and by receiving nothing moved
    assert view(c, "P", "handling") == rules.cells(THERE_AND_BACK)
    assert view(c, "A", "receiving") == rules.cells(THERE_AND_BACK)


def test_overdue_is_split_at_the_transfer_day() -> None:
    late = facts(due_at=vn("2026-03-06 17:00"), events=(transfer("2026-03-12 09:00", "A"),),
                 handling="C")
    c = rules.contribution(late, PATHS["A"], PATHS)
    a, cc = view(c, "A", "handling"), view(c, "C", "handling")
    assert a[(date(2026, 3, 6), "overdue_start")] == 1
    assert a[(date(2026, 3, 12), "overdue_stop")] == 1
    assert cc[(date(2026, 3, 12), "overdue_start")] == 1
    # two provinces: each keeps its days, the receiving side is untouched
    assert view(c, "Q", "handling") == cc
    assert view(c, "P", "receiving") == rules.cells(late)


def test_stints_of_a_unit_set() -> None:
    timeline = rules.holders(THERE_AND_BACK)
    assert rules.stints(timeline, {"B"}.__contains__) == [(date(2026, 3, 10), date(2026, 4, 6))]
    assert rules.stints(timeline, {"A"}.__contains__) == [
        (date(2026, 3, 2), date(2026, 3, 10)), (date(2026, 4, 6), None)]
    assert rules.stints(timeline, {"C"}.__contains__) == []


# ---- properties ------------------------------------------------------------------------------


@st.composite
def dossiers(draw: st.DrawFn) -> Facts:
    """A dossier with transfers among P, its units A and B, and C of another province Q,
    maybe finished."""
    hours = draw(st.lists(st.integers(1, 400), max_size=6))
    at = START
    holder = draw(st.sampled_from("ABCP"))
    events = [EventFact("processing_started", at + timedelta(hours=1), {})]
    for h in hours:
        at += timedelta(hours=h)
        kind = draw(st.sampled_from(["transferred", "transferred", "supplement_requested",
                                     "apology_issued"]))
        if kind == "transferred":
            to = draw(st.sampled_from([u for u in "ABCP" if u != holder]))
            events.append(EventFact(kind, at, {"from_unit": holder}))
            holder = to
        else:
            events.append(EventFact(kind, at, {"tardy": draw(st.booleans()), "second": False}))
    end = draw(st.sampled_from(["open", "resolved", "withdrawn"]))
    finished = at + timedelta(hours=draw(st.integers(0, 300))) if end != "open" else None
    due = START + timedelta(days=draw(st.integers(0, 40)), hours=9)
    timeliness = (("early" if finished <= due else "late") if end == "resolved" and finished
                  else None)
    return facts(holder, tuple(events), status="processing" if end == "open" else end,
                 finished_at=finished, due_at=due, timeliness=timeliness,
                 processing_millidays=1000 if timeliness else None)


def untransferred(f: Facts) -> Facts:
    """The same dossier had it stayed with one unit: every transfer from the unit itself."""
    return replace(f, events=tuple(
        EventFact(e.type, e.at, {"from_unit": f.handling_unit}) if e.type == "transferred"
        else e for e in f.events))


DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(0, 80, 3)]


@settings(max_examples=300, deadline=None)
@given(dossiers(), st.sampled_from("ABC"))
def test_all_units_together_see_the_untransferred_dossier(f: Facts, receiving: str) -> None:
    c = rules.contribution(f, PATHS[receiving], PATHS)
    alone = rules.cells(untransferred(f))
    assert rules.cells(f) == alone
    assert view(c, receiving, "receiving") == alone
    # the two provinces' handling views add up to the whole dossier, day by day
    both = Counter(view(c, "P", "handling"))
    both.update(view(c, "Q", "handling"))
    for d in DAYS:
        assert running(dict(both), "opened", d) == running(alone, "opened", d)
        for m in ("received_direct", "resolved_early", "resolved_late", "withdrawn",
                  "supplements", "apologies"):
            assert flows(dict(both), m, DAYS[0], d) == flows(alone, m, DAYS[0], d)
    if {h for _, h in rules.holders(f)} <= {"A", "B", "P"}:
        assert view(c, "P", "handling") == alone


@settings(max_examples=300, deadline=None)
@given(dossiers(), st.sampled_from("ABC"))
def test_a_transfer_changes_no_cell_before_its_day(f: Facts, receiving: str) -> None:
    transfers = [i for i, e in enumerate(f.events) if e.type == "transferred"]
    if not transfers:
        return
    last = transfers[-1]
    e = f.events[last]
    # the same dossier before that transfer: still at the unit it left
    before = replace(f, handling_unit=str(e.flags["from_unit"]), events=(
        *f.events[:last], EventFact("supplement_received", e.at, {}), *f.events[last + 1:]))
    day = rules.local_day(e.at)
    now = rules.contribution(f, PATHS[receiving], PATHS)
    then = rules.contribution(before, PATHS[receiving], PATHS)
    for unit in ("A", "B", "C", "P", "Q"):
        for by in ("handling", "receiving"):
            assert ({k: v for k, v in view(now, unit, by).items() if k[0] < day}
                    == {k: v for k, v in view(then, unit, by).items() if k[0] < day})


@settings(max_examples=300, deadline=None)
@given(dossiers(), st.sampled_from("ABC"), st.sampled_from(DAYS), st.integers(0, 40))
def test_each_unit_balances_every_period(f: Facts, receiving: str, start: date,
                                         length: int) -> None:
    """carried over + new + transferred in = ended + transferred out + pending, everywhere."""
    end = start + timedelta(days=length)
    c = rules.contribution(f, PATHS[receiving], PATHS)
    for unit in ("A", "B", "C", "P", "Q"):
        cells = view(c, unit, "handling")
        came = (running(cells, "opened", start - timedelta(days=1))
                + flows(cells, "received_direct", start, end)
                + flows(cells, "transferred_in", start, end))
        went = sum(flows(cells, m, start, end) for m in (
            "resolved_early", "resolved_late", "withdrawn", "transferred_out"))
        assert came == went + running(cells, "opened", end)
        # pending at a day's end is at exactly the unit that held it then
        for d in DAYS:
            open_then = f.finished_at is None or rules.local_day(f.finished_at) > d
            held = [u for first, u in rules.holders(f) if first <= d][-1:]
            inside = bool(held) and unit in rules.ancestors(PATHS[held[0]])
            assert running(cells, "opened", d) == int(
                open_then and d >= rules.local_day(f.received_at) and inside)


CHILDREN = {"P": ("A", "B"), "Q": ("C",), "A": (), "B": (), "C": ()}


@settings(max_examples=300, deadline=None)
@given(dossiers(), st.sampled_from("ABC"))
def test_a_units_own_days_are_its_rows_minus_its_childrens_plus_its_correction(
        f: Facts, receiving: str) -> None:
    c = rules.contribution(f, PATHS[receiving], PATHS)
    for unit, children in CHILDREN.items():
        own = Counter(view(c, unit, "handling"))
        for child in children:
            own.subtract(view(c, child, "handling"))
        own.update(c.rows.get(("c", unit), {}))
        assert {k: v for k, v in own.items() if v} == rules.cells(f, {unit}.__contains__)
    if len({h for _, h in rules.holders(f)}) == 1:
        assert not any(role == "c" for role, _ in c.rows)


@pytest.mark.parametrize(("province", "district"), [("P", "D"), ("XP", "XD")])
def test_own_days_balance_in_a_deeper_tree_whose_ancestors_have_no_path_given(
        province: str, district: str) -> None:
    # Only the holders' paths are given (as the service passes them): the district and the
    # province above the two communes are known from those paths alone, whatever letters
    # their codes begin with.
    paths = {"C1": f"/{province}/{district}/C1/", "C2": f"/{province}/{district}/C2/"}
    children = {province: (district,), district: ("C1", "C2"), "C1": (), "C2": ()}
    f = facts("C2", events=(transfer("2026-03-10 09:00", "C1"),))
    c = rules.contribution(f, paths["C1"], paths)
    for unit, kids in children.items():
        own = Counter(view(c, unit, "handling"))
        for child in kids:
            own.subtract(view(c, child, "handling"))
        own.update(c.rows.get(("c", unit), {}))
        assert {k: v for k, v in own.items() if v} == rules.cells(f, {unit}.__contains__)


def test_a_unit_back_in_charge_after_the_appointment_counts_the_overdue_days_from_its_return(
        ) -> None:
    # A holds until 10 March, B until 6 April, then A again; due 20 March, still open.
    f = facts(due_at=vn("2026-03-20 17:00"),
              events=(transfer("2026-03-10 09:00", "A"), transfer("2026-04-06 09:00", "B")))
    a = rules.cells(f, {"A"}.__contains__)
    assert {k: v for k, v in a.items() if k[1].startswith("overdue")} == {
        (date(2026, 4, 6), "overdue_start"): 1}
    b = rules.cells(f, {"B"}.__contains__)
    assert {k: v for k, v in b.items() if k[1].startswith("overdue")} == {
        (date(2026, 3, 20), "overdue_start"): 1, (date(2026, 4, 6), "overdue_stop"): 1}
