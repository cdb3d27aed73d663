"""The statistics rules that turn summed aggregates into figures: periods, groups, signed sums,
the figures block and which units are listed. Exact answers, so a changed sign, key or bound
in app/stats/rules.py fails here without a database."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.problems import Unprocessable
from app.stats import rules
from app.stats.rules import Contribution, Sums

EMPTY = Sums(flows={}, before={}, through_end={}, through_judged={}, histogram={})

# Every measure a distinct value, so reading one in place of another changes the answer.
SAMPLE = Sums(
    flows={"received_direct": 11, "received_online": 13, "received_postal": 17,
           "resolved_early": 19, "resolved_on_time": 23, "resolved_late": 29,
           "refused": 2, "withdrawn": 3, "stopped": 5, "refused_at_receipt": 7,
           "ended_by_appointment": 31, "returned_counter": 37, "returned_postal": 41,
           "late_apology": 8, "late_apology_timely": 6, "processing_millidays": 200_000,
           "rated": 12, "satisfied": 9, "supplements": 14, "multi_supplement": 4,
           "financial_obligations": 15, "apologies": 16, "apologies_tardy": 3,
           "apologies_second": 1, "transferred_in": 43, "transferred_out": 47},
    before={"opened": 101},
    through_end={"opened": 53, "overdue_stop": 5, "multi_open_start": 9, "multi_open_stop": 4,
                 "multi_overdue_stop": 1, "overdue_apology_stop": 2,
                 "overdue_apology_timely_stop": 1},
    through_judged={"overdue_start": 20, "multi_overdue_start": 3, "overdue_apology_start": 12,
                    "overdue_apology_timely_start": 7},
    histogram={4: 3, 12: 5, 20: 2},
)


def test_figures_of_nothing_are_zeros_and_no_rates() -> None:
    assert rules.figures(EMPTY) == {
        "received": {"total": 0, "carried_over": 0, "new": 0, "transferred_in": 0, "online": 0,
                     "direct": 0, "postal": 0},
        "resolved": {"total": 0, "early": 0, "on_time": 0, "late": 0},
        "ended_otherwise": {"refused": 0, "withdrawn": 0, "stopped": 0},
        "refused_at_receipt": 0,
        "transferred_out": 0,
        "pending": {"total": 0, "within_deadline": 0, "overdue": 0},
        "rates": {k: None for k in ("on_time", "late", "resolved", "pending",
                                    "national_progress", "online", "postal_return",
                                    "apology_coverage", "apology_timely", "satisfaction")},
        "processing_working_days": {"mean": None, "p90": None},
        "supplements": {"requested": 0, "dossiers_with_more_than_one": 0},
        "financial_obligations": {"requested": 0},
        "apologies": {"issued": 0, "tardy": 0, "second": 0},
    }


def test_figures_read_every_measure_from_its_own_place() -> None:
    # new 11+13+17 = 41, total 101+41+43 transferred in = 185, kept 185-47 transferred out =
    # 138 (the denominator of the resolved and pending shares and of progress),
    # resolved 19+23+29 = 71, pending 53,
    # overdue 20-5 = 15 (judged starts minus stops by the end), within 38;
    # progress = ended by the appointment 31 + within 38 - pending with 2+ requests still
    # within (9-4 open, of them 3-1 overdue) = 31 + 38 - 3 = 66;
    # late 29 + overdue 15 = 44, covered 8 + (12-2) = 18, timely 6 + (7-1) = 12;
    # p90 of 10 times: rank 9 falls in bucket 20 (quarter days) = 5 working days.
    assert rules.figures(SAMPLE) == {
        "received": {"total": 185, "carried_over": 101, "new": 41, "transferred_in": 43,
                     "online": 13, "direct": 11, "postal": 17},
        "resolved": {"total": 71, "early": 19, "on_time": 23, "late": 29},
        "ended_otherwise": {"refused": 2, "withdrawn": 3, "stopped": 5},
        "refused_at_receipt": 7,
        "transferred_out": 47,
        "pending": {"total": 53, "within_deadline": 38, "overdue": 15},
        "rates": {"on_time": 59.15, "late": 40.85, "resolved": 51.45, "pending": 38.41,
                  "national_progress": 47.83, "online": 31.71, "postal_return": 52.56,
                  "apology_coverage": 40.91, "apology_timely": 27.27, "satisfaction": 75.0},
        "processing_working_days": {"mean": 2.82, "p90": 5.0},
        "supplements": {"requested": 14, "dossiers_with_more_than_one": 4},
        "financial_obligations": {"requested": 15},
        "apologies": {"issued": 16, "tardy": 3, "second": 1},
    }


def test_national_progress_is_over_everything_received_by_the_period() -> None:
    # Denominator: carried over 101 + received 11 + 13 + 17 (transfers move no dossier into
    # the indicator); numerator as in the figures above.
    assert rules.national_progress(SAMPLE) == (66, 142)
    assert rules.national_progress(EMPTY) == (0, 0)
    ended = Sums(flows={"received_online": 2, "ended_by_appointment": 1}, before={},
                 through_end={}, through_judged={}, histogram={})
    assert rules.national_progress(ended) == (1, 2)


def test_a_measure_never_recorded_counts_as_zero_beside_its_denominator() -> None:
    s = Sums(flows={"received_direct": 4, "resolved_late": 4, "returned_counter": 4,
                    "rated": 4}, before={}, through_end={}, through_judged={}, histogram={})
    out = rules.figures(s)
    assert {k: out["rates"][k] for k in ("online", "postal_return", "satisfaction",
                                         "apology_coverage", "apology_timely")} == {
        "online": 0.0, "postal_return": 0.0, "satisfaction": 0.0, "apology_coverage": 0.0,
        "apology_timely": 0.0}
    assert out["processing_working_days"]["mean"] == 0.0


def test_local_day_is_the_day_in_vietnam() -> None:
    assert rules.local_day(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert rules.local_day(datetime(2026, 3, 1, 16, 59, tzinfo=UTC)) == date(2026, 3, 1)


def test_combine_is_a_signed_sum_part_by_part_and_drops_empty_buckets() -> None:
    subtree = Sums(flows={"resolved_late": 7, "refused": 1}, before={"opened": 5},
                   through_end={"opened": 4}, through_judged={"overdue_start": 3},
                   histogram={4: 2, 8: 1})
    child = Sums(flows={"resolved_late": 2}, before={"opened": 1}, through_end={"opened": 3},
                 through_judged={"overdue_start": 1}, histogram={4: 2})
    own = rules.combine([(1, subtree), (-1, child)])
    assert own == Sums(flows={"resolved_late": 5, "refused": 1}, before={"opened": 4},
                       through_end={"opened": 1}, through_judged={"overdue_start": 2},
                       histogram={8: 1})
    assert rules.combine([]) == EMPTY
    assert rules.combine([(2, child)]).flows == {"resolved_late": 4}


def test_subtract_takes_every_child_away_measure_by_measure() -> None:
    assert rules.subtract({"a": 10, "b": 4}, [{"a": 3}, {"a": 2, "c": 1}]) == {
        "a": 5, "b": 4, "c": -1}
    assert rules.subtract({"a": 1}, []) == {"a": 1}


@pytest.mark.parametrize(("period", "expected"), [
    ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
    ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
    ("2026-Q2", (date(2026, 4, 1), date(2026, 6, 30))),
    ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
    ("2026-H1", (date(2026, 1, 1), date(2026, 6, 30))),
    ("2026-H2", (date(2026, 7, 1), date(2026, 12, 31))),
    ("2026-01", (date(2026, 1, 1), date(2026, 1, 31))),
    ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
    ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
    ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
])
def test_every_period_form_gives_its_inclusive_days(
        period: str, expected: tuple[date, date]) -> None:
    assert rules.parse_period(period) == expected


@pytest.mark.parametrize(("period", "reason"), [
    ("2026-00", "month must be 01-12"),
    ("2026-13", "month must be 01-12"),
    ("2026-Q5", "use YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM"),
    ("2026-1", "use YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM"),
    ("26", "use YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM"),
])
def test_a_bad_period_names_the_parameter_and_why(period: str, reason: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        rules.parse_period(period)
    problem = caught.value
    assert problem.code == "invalid_period"
    assert problem.detail == f"Invalid period: {reason}."
    assert [(p.name, p.code, p.reason) for p in problem.invalid_params] == [
        ("period", "invalid", reason)]


def test_resolve_period_by_name_or_by_range() -> None:
    assert rules.resolve_period("2026-Q3", None, None) == (date(2026, 7, 1), date(2026, 9, 30))
    assert rules.resolve_period(None, date(2026, 5, 5), date(2026, 5, 5)) == (
        date(2026, 5, 5), date(2026, 5, 5))
    longest = date(2000, 1, 1), date.fromordinal(date(2000, 1, 1).toordinal() + 366 * 20)
    assert rules.resolve_period(None, *longest) == longest


@pytest.mark.parametrize(("period", "start", "end", "name", "reason"), [
    ("2026", date(2026, 1, 1), None, "period", "give either period or from/to, not both"),
    ("2026", None, date(2026, 1, 1), "period", "give either period or from/to, not both"),
    (None, date(2026, 1, 1), None, "from", "give period, or both from and to"),
    (None, None, date(2026, 1, 1), "from", "give period, or both from and to"),
    (None, date(2026, 1, 2), date(2026, 1, 1), "to", "must not be before from"),
    (None, date(2000, 1, 1), date(2020, 1, 22), "to", "at most 20 years"),
])
def test_resolve_period_refuses_what_cannot_be_a_range(
        period: str | None, start: date | None, end: date | None, name: str,
        reason: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        rules.resolve_period(period, start, end)
    assert [(p.name, p.reason) for p in caught.value.invalid_params] == [(name, reason)]


def test_groups_by_month_quarter_and_year_cover_the_range_clipped() -> None:
    start, end = date(2025, 11, 15), date(2026, 4, 10)
    assert rules.groups(start, end, "month") == [
        ("2025-11", date(2025, 11, 15), date(2025, 11, 30)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026-04", date(2026, 4, 1), date(2026, 4, 10)),
    ]
    assert rules.groups(start, end, "quarter") == [
        ("2025-Q4", date(2025, 11, 15), date(2025, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", date(2026, 4, 1), date(2026, 4, 10)),
    ]
    assert rules.groups(start, end, "year") == [
        ("2025", date(2025, 11, 15), date(2025, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 4, 10)),
    ]
    assert rules.groups(date(2026, 3, 3), date(2026, 3, 3), "quarter") == [
        ("2026-Q1", date(2026, 3, 3), date(2026, 3, 3))]


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(0, 800),
       st.sampled_from(["month", "quarter", "year"]))
def test_groups_tile_the_range_without_gaps(start: date, days: int, by: str) -> None:
    end = date.fromordinal(min(start.toordinal() + days, date(2099, 12, 31).toordinal()))
    out = rules.groups(start, end, by)  # type: ignore[arg-type]
    assert out[0][1] == start and out[-1][2] == end
    for (_, _, last), (_, first, _) in itertools.pairwise(out):
        assert first.toordinal() == last.toordinal() + 1
    assert len({key for key, _, _ in out}) == len(out)


def test_range_split_ending_on_the_first_keeps_that_day() -> None:
    assert rules.range_split(date(2026, 1, 15), date(2026, 3, 1)) == (
        [date(2026, 2, 1)], [(date(2026, 1, 15), date(2026, 1, 31)),
                             (date(2026, 3, 1), date(2026, 3, 1))])
    assert rules.range_split(date(2026, 1, 1), date(2026, 12, 31)) == (
        [date(2026, m, 1) for m in range(1, 13)], [])
    assert rules.range_split(date(2026, 1, 31), date(2026, 1, 31)) == (
        [], [(date(2026, 1, 31), date(2026, 1, 31))])


def test_prefix_split_at_a_month_end_and_inside_a_month() -> None:
    assert rules.prefix_split(date(2026, 2, 28)) == (date(2026, 3, 1), None)
    assert rules.prefix_split(date(2026, 12, 31)) == (date(2027, 1, 1), None)
    assert rules.prefix_split(date(2026, 3, 1)) == (date(2026, 3, 1), date(2026, 3, 1))
    assert rules.month_start(date(2026, 3, 17)) == date(2026, 3, 1)


def test_impossible_names_the_part_and_measure_of_each_negative() -> None:
    damaged = Sums(flows={"a": -1, "b": 0}, before={"c": -2}, through_end={"d": 1},
                   through_judged={"e": -1}, histogram={4: -1, 8: 0})
    assert rules.impossible(damaged) == ["flows:a", "before:c", "through_judged:e",
                                         "histogram:4"]
    assert rules.impossible(SAMPLE) == []


def test_p90_by_nearest_rank() -> None:
    assert rules.p90({}) is None
    assert rules.p90({8: 1}) == 2.0
    assert rules.p90({4: 9, 40: 1}) == 1.0  # rank 9 of 10 is still in the first bucket
    assert rules.p90({4: 8, 40: 2}) == 10.0
    assert rules.p90({4: 5, 8: 4, 12: 1}) == 2.0  # the ranks add up bucket by bucket
    assert rules.p90({4: 0, 8: -3}) is None


@pytest.mark.parametrize(("valid_from", "valid_to", "sums", "expected"), [
    (None, None, EMPTY, True),
    (date(2025, 7, 1), None, EMPTY, True),  # founded before the period ends
    (date(2026, 2, 1), None, EMPTY, False),  # founded after it
    (date(2026, 1, 31), None, EMPTY, True),  # founded on its last day
    (None, date(2025, 6, 30), EMPTY, False),  # abolished before it began
    (None, date(2026, 1, 1), EMPTY, True),  # abolished on its first day
    (None, date(2025, 6, 30), Sums({"received_direct": 1}, {}, {}, {}, {}), True),
    (None, date(2025, 6, 30), Sums({}, {"opened": 1}, {}, {}, {}), True),
    (None, date(2025, 6, 30), Sums({}, {}, {"opened": 1}, {}, {}), True),
    (None, date(2025, 6, 30), Sums({"x": 0}, {"opened": 0}, {"opened": 0}, {}, {}), False),
])
def test_listed_when_it_has_dossiers_or_existed_in_the_period(
        valid_from: date | None, valid_to: date | None, sums: Sums, expected: bool) -> None:
    assert rules.listed(valid_from, valid_to, date(2026, 1, 1), date(2026, 1, 31),
                        sums) is expected


def test_merged_chain_follows_mergers_of_mergers_outside_the_subtree() -> None:
    merged = {
        "A": ("S", "/P/A/"), "B": ("A", "/P/B/"),  # B merged into A, A into S
        "C": ("S", "/P/S/C/"),  # already inside S's subtree
        "D": ("X", "/P/D/"),  # merged elsewhere
    }
    assert rules.merged_chain("S", "/P/S/", merged) == ["A", "B"]
    assert rules.merged_chain("X", "/P/X/", merged) == ["D"]
    assert rules.merged_chain("B", "/P/B/", merged) == []


def test_delta_writes_each_unit_role_under_its_procedure_and_all() -> None:
    day = date(2026, 3, 2)
    cells = {(day, "opened"): 1}
    old = Contribution("X", {("b", "P"): cells, ("h", "A"): cells})
    more = {(day, "opened"): 1, (day, "refused"): 3}
    new = Contribution("X", {("b", "P"): more, ("h", "B"): more})
    assert rules.delta(old, new) == {
        ("b", "P", "X", day): {"refused": 3}, ("b", "P", "*", day): {"refused": 3},
        ("h", "A", "X", day): {"opened": -1}, ("h", "A", "*", day): {"opened": -1},
        ("h", "B", "X", day): {"opened": 1, "refused": 3},
        ("h", "B", "*", day): {"opened": 1, "refused": 3},
    }
    assert rules.delta(None, old) == {
        ("b", "P", "X", day): {"opened": 1}, ("b", "P", "*", day): {"opened": 1},
        ("h", "A", "X", day): {"opened": 1}, ("h", "A", "*", day): {"opened": 1}}
    assert rules.delta(old, None)[("h", "A", "X", day)] == {"opened": -1}
