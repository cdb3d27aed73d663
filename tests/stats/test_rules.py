"""Statistics rules without a database: cells, deltas, periods, rates."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.problems import Unprocessable
from app.stats import rules
from app.stats.rules import EventFact, Facts, Sums
from tests.factories import vn


def facts(**kw: object) -> Facts:
    base: dict[str, object] = dict(
        procedure="P", handling_unit="C", channel="online", status="received",
        received_at=vn("2026-03-02 08:00"),
        due_at=vn("2026-03-06 17:00"), paused_at=None, finished_at=None, timeliness=None,
        processing_millidays=None, returned_at=None, return_method=None, rating=None, events=())
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]


def test_open_dossier_is_pending_and_overdue_from_its_due_day() -> None:
    c = rules.cells(facts())
    assert c == {(date(2026, 3, 2), "received_online"): 1, (date(2026, 3, 2), "opened"): 1,
                 (date(2026, 3, 6), "overdue_start"): 1}


def test_resolved_before_due_day_never_overdue() -> None:
    c = rules.cells(facts(status="resolved", finished_at=vn("2026-03-05 10:00"),
                          timeliness="early", processing_millidays=3250))
    assert c[(date(2026, 3, 5), "opened")] == -1
    assert c[(date(2026, 3, 5), "resolved_early")] == 1
    assert c[(date(2026, 3, 5), "p:13")] == 1
    assert not any(m.startswith("overdue") for _, m in c)


def test_paused_dossier_stops_being_overdue_on_its_pause_day() -> None:
    c = rules.cells(facts(status="awaiting_supplement", paused_at=vn("2026-03-09 10:00")))
    assert c[(date(2026, 3, 6), "overdue_start")] == 1
    assert c[(date(2026, 3, 9), "overdue_stop")] == 1


def test_a_dossier_waiting_for_payment_is_paused_like_a_supplement_and_counted_apart() -> None:
    request = EventFact("financial_obligation_requested", vn("2026-03-05 10:00"), {})
    c = rules.cells(facts(status="awaiting_financial_obligation",
                          paused_at=vn("2026-03-05 10:00"), events=(request,)))
    assert c[(date(2026, 3, 5), "financial_obligations")] == 1
    assert not any(m.startswith("overdue") or m == "supplements" for _, m in c)


def test_a_refusal_after_a_financial_obligation_request_is_after_appraisal() -> None:
    request = EventFact("financial_obligation_requested", vn("2026-03-03 10:00"), {})
    c = rules.cells(facts(status="refused", finished_at=vn("2026-03-04 10:00"),
                          events=(request,)))
    assert c[(date(2026, 3, 4), "refused")] == 1
    assert (date(2026, 3, 4), "refused_at_receipt") not in c


def test_late_with_a_timely_apology() -> None:
    apology = EventFact("apology_issued", vn("2026-03-04 09:00"), {"tardy": False, "second": False})
    c = rules.cells(facts(status="resolved", finished_at=vn("2026-03-10 10:00"),
                          timeliness="late", processing_millidays=6250, events=(apology,)))
    assert c[(date(2026, 3, 10), "late_apology")] == 1
    assert c[(date(2026, 3, 10), "late_apology_timely")] == 1
    assert c[(date(2026, 3, 6), "overdue_apology_start")] == 1
    assert c[(date(2026, 3, 10), "overdue_apology_stop")] == 1
    assert c[(date(2026, 3, 4), "apologies")] == 1


def test_rows_share_common_ancestors() -> None:
    same = rules.contribution(facts(), "/P/C/", {"C": "/P/C/"})
    assert set(same.rows) == {("b", "P"), ("b", "C")}
    apart = rules.contribution(facts(handling_unit="A"), "/P/C/", {"A": "/P/A/"})
    assert set(apart.rows) == {("b", "P"), ("h", "A"), ("r", "C")}
    assert apart.rows[("h", "A")] == apart.rows[("r", "C")] == rules.cells(facts())


def test_delta_of_a_tree_change_moves_the_cells() -> None:
    f = facts()
    old = rules.contribution(f, "/P/C/", {"C": "/P/C/"})
    new = rules.contribution(f, "/Q/C/", {"C": "/Q/C/"})
    d = rules.delta(old, new)
    day = date(2026, 3, 2)
    assert d[("b", "Q", "P", day)]["opened"] == 1
    assert d[("b", "P", "*", day)]["opened"] == -1
    assert ("b", "C", "P", day) not in d


def test_delta_of_nothing_is_empty() -> None:
    c = rules.contribution(facts(), "/P/C/", {"C": "/P/C/"})
    assert rules.delta(c, c) == {}


@pytest.mark.parametrize(("period", "expected"), [
    ("2018", (date(2018, 1, 1), date(2018, 12, 31))),
    ("2018-Q3", (date(2018, 7, 1), date(2018, 9, 30))),
    ("2018-H1", (date(2018, 1, 1), date(2018, 6, 30))),
    ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
])
def test_periods(period: str, expected: tuple[date, date]) -> None:
    assert rules.parse_period(period) == expected


@pytest.mark.parametrize("period", ["2018-Q5", "2018-13", "18", "2018-H3", "2018-W01"])
def test_bad_periods(period: str) -> None:
    with pytest.raises(Unprocessable):
        rules.parse_period(period)


def test_groups_are_clipped_to_the_range() -> None:
    assert rules.groups(date(2026, 2, 10), date(2026, 4, 5), "month") == [
        ("2026-02", date(2026, 2, 10), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026-04", date(2026, 4, 1), date(2026, 4, 5))]
    assert [g[0] for g in rules.groups(date(2025, 12, 1), date(2026, 7, 1), "quarter")] == [
        "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]


@pytest.mark.parametrize(("a", "b", "pct"), [
    (960, 1050, 91.43), (90, 1050, 8.57), (1, 8, 12.5), (1, 3, 33.33), (2, 3, 66.67),
    (91925, 100000, 91.93), (0, 5, 0.0), (1, 0, None)])
def test_rates_round_half_up(a: int, b: int, pct: float | None) -> None:
    assert rules.rate(a, b) == pct


@given(st.integers(-10**9, 10**9), st.integers(-10**9, 10**9).filter(bool))
def test_rate_is_the_decimal_percentage_rounded_half_up(a: int, b: int) -> None:
    # The integer shortcut must print what the reports' definition prints, half cases included.
    exact = (Decimal(a) * 100 / Decimal(b)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert rules.rate(a, b) == float(exact)
    assert rules.rate(1, 800) == 0.13 and rules.rate(1, 400) == 0.25


def test_p90_nearest_rank() -> None:
    assert rules.p90({}) is None
    assert rules.p90(Counter({4: 9, 40: 1})) == 1.0
    assert rules.p90(Counter({4: 8, 40: 2})) == 10.0


def test_p90_of_damaged_buckets_leaves_out_what_cannot_be_counted() -> None:
    assert rules.p90({4: 8, 40: 2, 12: -3}) == 10.0
    assert rules.p90({4: -1}) is None


def test_impossible_names_every_negative_measure() -> None:
    sound = Sums(flows={"received_direct": 2, "resolved_late": 0}, before={"opened": 1},
                 through_end={"opened": 0}, through_judged={}, histogram={4: 1})
    assert rules.impossible(sound) == []
    damaged = Sums(flows={"received_direct": 2, "resolved_late": -1}, before={"opened": 1},
                   through_end={"opened": -2}, through_judged={}, histogram={4: -1})
    assert rules.impossible(damaged) == ["flows:resolved_late", "through_end:opened",
                                         "histogram:4"]


def test_worked_example_figures() -> None:
    s = Sums(flows={"received_direct": 1000, "resolved_early": 900, "resolved_on_time": 60,
                    "resolved_late": 90, "withdrawn": 20},
             before={"opened": 200}, through_end={"opened": 130, "overdue_stop": 0},
             through_judged={"overdue_start": 30}, histogram={})
    f = rules.figures(s)
    assert f["received"]["total"] == 1200
    assert f["pending"] == {"total": 130, "within_deadline": 100, "overdue": 30}
    assert f["rates"]["on_time"] == 91.43
    # QĐ 766 2.1: (960 ended by the appointment + 20 withdrawn before it + 100 within) / 1200
    s = Sums(flows={**s.flows, "ended_by_appointment": 980}, before=s.before,
             through_end=s.through_end, through_judged=s.through_judged, histogram={})
    assert rules.figures(s)["rates"]["national_progress"] == 90.0


def sums_of(dossiers: list[Facts], start: date, end: date) -> Sums:
    """The sums the service would fetch for [start, end], judged at its end, from cells."""
    flows: Counter[str] = Counter()
    before: Counter[str] = Counter()
    through: Counter[str] = Counter()
    for d in dossiers:
        for (day, measure), v in rules.cells(d).items():
            if measure in rules.RUNNING:
                before[measure] += v if day < start else 0
                through[measure] += v if day <= end else 0
            elif start <= day <= end:
                flows[measure] += v
    return Sums(flows=flows, before=before, through_end=through, through_judged=through,
                histogram={})


def supplement(at: str) -> EventFact:
    return EventFact("supplement_requested", vn(at), {})


def test_progress_counts_every_end_by_the_appointment() -> None:
    # Two resolved on time, one withdrawn before its appointment, one pending within: 100%.
    resolved = facts(status="resolved", finished_at=vn("2026-03-06 10:00"),
                     timeliness="on_time", processing_millidays=4000)
    withdrawn = facts(status="withdrawn", finished_at=vn("2026-03-04 10:00"))
    pending = facts(due_at=vn("2026-04-06 17:00"))
    f = rules.figures(sums_of([resolved, resolved, withdrawn, pending],
                              date(2026, 3, 1), date(2026, 3, 31)))
    assert f["rates"]["national_progress"] == 100.0
    assert f["rates"]["on_time"] == 100.0


def test_progress_leaves_out_ends_after_the_appointment() -> None:
    stopped_late = facts(status="stopped", finished_at=vn("2026-03-09 10:00"))
    withdrawn = facts(status="withdrawn", finished_at=vn("2026-03-04 10:00"))
    late = facts(status="resolved", finished_at=vn("2026-03-09 10:00"), timeliness="late",
                 processing_millidays=6000)
    f = rules.figures(sums_of([stopped_late, withdrawn, late], date(2026, 3, 1),
                              date(2026, 3, 31)))
    assert f["rates"]["national_progress"] == 33.33


def test_progress_never_counts_a_second_supplement_request() -> None:
    twice = (supplement("2026-03-03 09:00"), supplement("2026-03-04 09:00"))
    resolved = facts(status="resolved", finished_at=vn("2026-03-06 10:00"),
                     timeliness="on_time", processing_millidays=4000, events=twice)
    pending = facts(due_at=vn("2026-04-06 17:00"), events=twice)
    once = facts(due_at=vn("2026-04-06 17:00"), events=twice[:1])
    march = sums_of([resolved, pending, once], date(2026, 3, 1), date(2026, 3, 31))
    f = rules.figures(march)
    assert f["pending"]["within_deadline"] == 2
    assert f["rates"]["national_progress"] == 33.33
    # At the end of 3 March the pending one had one request only: it counted then.
    assert rules.figures(sums_of([pending], date(2026, 3, 1), date(2026, 3, 3)))[
        "rates"]["national_progress"] == 100.0


def test_progress_of_an_overdue_dossier_with_two_requests_is_not_subtracted_twice() -> None:
    twice = (supplement("2026-03-03 09:00"), supplement("2026-03-04 09:00"))
    overdue = facts(events=twice)  # due 6 March, open: overdue at the end of March
    within = facts(due_at=vn("2026-04-06 17:00"))
    f = rules.figures(sums_of([overdue, within], date(2026, 3, 1), date(2026, 3, 31)))
    assert f["pending"] == {"total": 2, "within_deadline": 1, "overdue": 1}
    assert f["rates"]["national_progress"] == 50.0


def test_prefix_split_uses_whole_months_where_it_can() -> None:
    assert rules.prefix_split(date(2026, 3, 31)) == (date(2026, 4, 1), None)
    assert rules.prefix_split(date(2026, 3, 15)) == (date(2026, 3, 1), date(2026, 3, 1))
    assert rules.prefix_split(date(2026, 2, 28)) == (date(2026, 3, 1), None)


def test_range_split_into_months_and_leftover_days() -> None:
    assert rules.range_split(date(2026, 1, 1), date(2026, 3, 31)) == (
        [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)], [])
    assert rules.range_split(date(2026, 1, 10), date(2026, 3, 5)) == (
        [date(2026, 2, 1)], [(date(2026, 1, 10), date(2026, 1, 31)),
                             (date(2026, 3, 1), date(2026, 3, 5))])
    assert rules.range_split(date(2026, 2, 3), date(2026, 2, 9)) == (
        [], [(date(2026, 2, 3), date(2026, 2, 9))])


def test_refusal_at_receipt_contributes_only_its_own_cell() -> None:
    refused = facts(status="refused", finished_at=vn("2026-03-03 10:00"),
                    events=(EventFact("apology_issued", vn("2026-03-02 10:00"), {}),))
    assert rules.refused_at_receipt(refused)
    assert rules.cells(refused) == {(date(2026, 3, 3), "refused_at_receipt"): 1}


@pytest.mark.parametrize("step", ["processing_started", "transferred", "supplement_requested"])
def test_refusal_after_a_processing_step_is_a_received_dossier_ended_otherwise(step: str) -> None:
    refused = facts(status="refused", finished_at=vn("2026-03-03 10:00"),
                    events=(EventFact(step, vn("2026-03-02 10:00"), {}),))
    assert not rules.refused_at_receipt(refused)
    c = rules.cells(refused)
    assert c[(date(2026, 3, 2), "received_online")] == 1
    assert c[(date(2026, 3, 3), "refused")] == 1
    assert (date(2026, 3, 3), "refused_at_receipt") not in c
    # refused before its appointment (6 March): it ended by the appointment
    assert c[(date(2026, 3, 3), "ended_by_appointment")] == 1


def apology(at: str, tardy: bool, second: bool = False) -> EventFact:
    return EventFact("apology_issued", vn(at), {"tardy": tardy, "second": second})


def test_a_late_dossier_whose_first_apology_was_tardy_is_covered_but_not_in_time() -> None:
    c = rules.cells(facts(status="resolved", finished_at=vn("2026-03-12 10:00"),
                          timeliness="late", processing_millidays=7600,
                          events=(apology("2026-03-09 09:00", True),
                                  apology("2026-03-10 09:00", False, second=True))))
    assert c == {
        (date(2026, 3, 2), "received_online"): 1, (date(2026, 3, 2), "opened"): 1,
        (date(2026, 3, 6), "overdue_start"): 1,
        (date(2026, 3, 9), "apologies"): 1, (date(2026, 3, 9), "apologies_tardy"): 1,
        (date(2026, 3, 9), "overdue_apology_start"): 1,
        (date(2026, 3, 10), "apologies"): 1, (date(2026, 3, 10), "apologies_second"): 1,
        (date(2026, 3, 12), "opened"): -1, (date(2026, 3, 12), "resolved_late"): 1,
        (date(2026, 3, 12), "processing_millidays"): 7600,
        (date(2026, 3, 12), "p:31"): 1,  # 7.6 working days: the 31st quarter day
        (date(2026, 3, 12), "late_apology"): 1,
        (date(2026, 3, 12), "overdue_stop"): 1, (date(2026, 3, 12), "overdue_apology_stop"): 1,
    }


def test_a_timely_apology_covers_the_overdue_days_in_time_until_the_end() -> None:
    c = rules.cells(facts(status="withdrawn", finished_at=vn("2026-03-12 10:00"),
                          events=(apology("2026-03-05 09:00", False),)))
    assert {k: v for k, v in c.items() if "apology" in k[1]} == {
        (date(2026, 3, 6), "overdue_apology_start"): 1,
        (date(2026, 3, 12), "overdue_apology_stop"): 1,
        (date(2026, 3, 6), "overdue_apology_timely_start"): 1,
        (date(2026, 3, 12), "overdue_apology_timely_stop"): 1}
    # An apology stored without its tardiness counts as in time.
    bare = EventFact("apology_issued", vn("2026-03-05 09:00"), {})
    assert rules.cells(facts(events=(bare,)))[
        (date(2026, 3, 6), "overdue_apology_timely_start")] == 1


def test_an_early_result_with_an_apology_and_no_working_time_counted() -> None:
    c = rules.cells(facts(status="resolved", finished_at=vn("2026-03-05 10:00"),
                          timeliness="early", processing_millidays=0,
                          events=(apology("2026-03-04 09:00", False),)))
    assert c == {
        (date(2026, 3, 2), "received_online"): 1, (date(2026, 3, 2), "opened"): 1,
        (date(2026, 3, 4), "apologies"): 1,
        (date(2026, 3, 5), "opened"): -1, (date(2026, 3, 5), "resolved_early"): 1,
        (date(2026, 3, 5), "p:0"): 1, (date(2026, 3, 5), "ended_by_appointment"): 1,
    }


def test_an_end_at_the_appointment_itself_is_by_the_appointment() -> None:
    c = rules.cells(facts(status="withdrawn", finished_at=vn("2026-03-06 17:00")))
    assert c[(date(2026, 3, 6), "ended_by_appointment")] == 1
    late = rules.cells(facts(status="withdrawn", finished_at=vn("2026-03-06 17:01")))
    assert (date(2026, 3, 6), "ended_by_appointment") not in late


def test_a_pause_on_the_due_day_means_never_overdue_and_requests_on_one_day_add_up() -> None:
    c = rules.cells(facts(status="awaiting_supplement", paused_at=vn("2026-03-06 10:00"),
                          events=(supplement("2026-03-06 10:00"),)))
    assert c == {(date(2026, 3, 2), "received_online"): 1, (date(2026, 3, 2), "opened"): 1,
                 (date(2026, 3, 6), "supplements"): 1}
    twice = rules.cells(facts(events=(supplement("2026-03-04 09:00"),
                                      supplement("2026-03-04 15:00"))))
    assert twice[(date(2026, 3, 4), "supplements")] == 2
    assert twice[(date(2026, 3, 4), "multi_supplement")] == 1


def test_a_transfer_stored_without_its_origin_is_from_the_current_unit() -> None:
    f = facts(handling_unit="B", events=(EventFact("transferred", vn("2026-03-04 09:00"), {}),))
    assert rules.holders(f) == ((date(2026, 3, 2), "B"),)


@pytest.mark.parametrize(("method", "rating", "returned"), [
    ("postal", 4, {"returned_postal": 1, "rated": 1, "satisfied": 1}),
    ("counter", 3, {"returned_counter": 1, "rated": 1}),
    ("counter", None, {"returned_counter": 1}),
    (None, None, {}),  # no method on file: no return to count
])
def test_a_return_counts_on_its_day_with_its_rating(method: str | None, rating: int | None,
                                                    returned: dict[str, int]) -> None:
    c = rules.cells(facts(status="returned" if method else "resolved",
                          finished_at=vn("2026-03-05 10:00"), timeliness="early",
                          processing_millidays=3000, returned_at=vn("2026-03-09 09:00"),
                          return_method=method, rating=rating))
    assert {m: v for (d, m), v in c.items() if d == date(2026, 3, 9)} == returned
