"""The scorecard's rules without a database: points, weights tables, totals, the forecast."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.clock import VN_TZ
from app.scorecard import rules
from app.scorecard.rules import Measured, Version, Weight

D = Decimal


def weight(code: str = "2.1", points: int = 20, threshold: int | None = 100, group: int = 2,
           group_max: int = 20) -> Weight:
    return Weight(indicator=code, group_code=group, group_name=f"Nhóm {group}",
                  group_max_points=D(group_max), name=f"Chỉ tiêu {code}", max_points=D(points),
                  threshold=None if threshold is None else D(threshold),
                  measure="percent" if threshold is not None else "working_days",
                  source="QĐ 766/QĐ-TTg")


FIVE_GROUPS = [weight("1.4", 18, 100, 1, 18), weight("2.1", 20, 100, 2, 20),
               weight("2.2", 0, None, 2, 20), weight("3.3", 22, 50, 3, 22),
               weight("4.2", 22, 80, 4, 22), weight("5.4", 18, 90, 5, 18)]


def test_points_scale_the_rate_to_full_marks_below_the_threshold() -> None:
    assert rules.points(D(40), D(4), D(50)) == D("3.20")
    assert rules.points(D(50), D(4), D(50)) == D("4.00")
    assert rules.points(D(97), D(4), D(50)) == D("4.00")
    assert rules.points(None, D(4), D(50)) is None
    # from the unrounded rate: 2/3 of 80% gives 3.33 of 4
    assert rules.points(rules.percent(2, 3), D(4), D(80)) == D("3.33")


rates = st.decimals(min_value=0, max_value=100, places=4)
maxima = st.integers(min_value=0, max_value=30).map(D)
thresholds = st.integers(min_value=1, max_value=100).map(D)


@given(rates, rates, maxima, thresholds)
def test_points_never_fall_when_the_rate_rises(a: Decimal, b: Decimal, full: Decimal,
                                               threshold: Decimal) -> None:
    low, high = sorted((a, b))
    assert rules.points(low, full, threshold) <= rules.points(high, full, threshold)  # type: ignore[operator]


@given(rates, maxima, thresholds)
def test_points_stay_between_zero_and_full_marks(rate: Decimal, full: Decimal,
                                                 threshold: Decimal) -> None:
    got = rules.points(rate, full, threshold)
    assert got is not None and D(0) <= got <= full
    if rate >= threshold:
        assert got == full


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=500))
def test_one_more_dossier_on_time_costs_what_the_marginal_cost_says(n: int, d: int) -> None:
    n = min(n, d - 1)
    w = weight()
    cost = rules.marginal_cost(n, d, w)
    exact = w.max_points / d  # threshold 100: linear all the way
    assert abs(cost - exact) <= D("0.00005")


def test_the_seeded_shape_of_five_groups_is_a_valid_table() -> None:
    assert rules.weight_problems(FIVE_GROUPS) == []


def test_groups_over_100_points_are_refused() -> None:
    bigger = [*FIVE_GROUPS[:-1], weight("5.4", 20, 90, 5, 20)]
    assert ("group_max_points", "the groups add up to 102, not 100") in \
        rules.weight_problems(bigger)


def test_a_group_whose_indicators_do_not_add_up_is_refused() -> None:
    short = [replace(w, max_points=D(15)) if w.indicator == "2.1" else w for w in FIVE_GROUPS]
    assert rules.weight_problems(short) == [
        ("max_points", "group 2: indicators add up to 15, not the group's 20")]


def test_bad_thresholds_twice_listed_and_scored_informational_rows_are_refused() -> None:
    bad = [*FIVE_GROUPS, replace(FIVE_GROUPS[1])]
    assert ("indicator", "2.1 appears more than once") in rules.weight_problems(bad)
    zero = [replace(w, threshold=D(0)) if w.indicator == "3.3" else w for w in FIVE_GROUPS]
    assert ("threshold", "3.3: a percentage in (0, 100]") in rules.weight_problems(zero)
    scored = [replace(w, max_points=D(1)) if w.indicator == "2.2" else w for w in FIVE_GROUPS]
    assert ("max_points", "2.2: a working_days indicator is not scored") in \
        rules.weight_problems(scored)
    assert rules.weight_problems([]) == [("indicator", "a version needs at least one indicator")]


def test_the_version_in_force_is_the_latest_that_took_effect() -> None:
    v1 = Version(1, date(2022, 6, 23), tuple(FIVE_GROUPS))
    v2 = Version(2, date(2027, 1, 1), tuple(FIVE_GROUPS))
    assert rules.in_force([v1, v2], date(2022, 6, 22)) is None
    assert rules.in_force([v1, v2], date(2026, 12, 31)) == v1
    assert rules.in_force([v2, v1], date(2027, 1, 1)) == v2


def test_an_indicator_without_data_names_what_is_missing() -> None:
    scored = rules.score(weight("3.6", 6, 30, 3, 22), None)
    assert (scored.status, scored.points, scored.rate) == ("not_computable", None, None)
    assert scored.missing == rules.MISSING["3.6"]
    assert rules.score(weight(), Measured(0, 0)).status == "empty"


def test_totals_count_only_what_has_a_score() -> None:
    scored = [rules.score(weight(), Measured(9, 10, 8, 10)),
              rules.score(weight("3.6", 6, 30, 3, 22), None),
              rules.score(weight("3.3", 4, 50, 3, 22), Measured(1, 4, 1, 4))]
    t = rules.total(scored, D(100), open_period=True)
    assert (t.points, t.computable_max, t.forecast_points) == (D("20.00"), D(24), D("18.00"))


END = datetime(2026, 4, 1, tzinfo=VN_TZ)
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 5, 1)).map(
    lambda d: d.replace(tzinfo=VN_TZ))


@given(st.booleans(), st.booleans(), instants, st.integers(min_value=0, max_value=3))
def test_the_forecast_classifies_every_open_dossier(is_open: bool, paused: bool, due: datetime,
                                                    supplements: int) -> None:
    o = rules.outlook(status_open=is_open, paused=paused, due_at=due, supplements=supplements,
                      period_end=END)
    if not is_open:
        assert o == "finished"
    elif supplements > 1:
        assert o == "lost"
    else:
        assert o == ("overdue" if not paused and due < END else "within")
    assert rules.at_risk(o) == (o == "overdue")


def test_a_deadline_on_the_last_evening_of_the_period_is_overdue_at_its_end() -> None:
    last_evening = END - timedelta(hours=7)
    assert rules.outlook(status_open=True, paused=False, due_at=last_evening, supplements=1,
                         period_end=END) == "overdue"
    assert rules.outlook(status_open=True, paused=False, due_at=END, supplements=0,
                         period_end=END) == "within"
    assert rules.outlook(status_open=True, paused=True, due_at=last_evening, supplements=1,
                         period_end=END) == "within"


def as_row(w: Weight) -> dict[str, str]:
    """A weights table row as a spreadsheet gives it: text cells, padded as typed."""
    return {"indicator": f" {w.indicator} ", "group_code": str(w.group_code),
            "group_name": w.group_name, "group_max_points": str(w.group_max_points),
            "name": w.name, "max_points": str(w.max_points),
            "threshold": "" if w.threshold is None else str(w.threshold),
            "measure": w.measure, "source": w.source}


def test_a_weights_table_reads_into_the_weights_it_writes() -> None:
    rows = [as_row(w) for w in FIVE_GROUPS]
    rows[2].pop("threshold")  # an informational row may leave its threshold out
    rows[3]["threshold"] = "50.5"
    rows[4]["group_max_points"] = "22.00"
    weights, problems = rules.parse_weights(rows)
    assert problems == []
    assert weights == [replace(w, threshold=D("50.5")) if w.indicator == "3.3" else w
                       for w in FIVE_GROUPS]
    assert [w.measure for w in weights] == ["percent", "percent", "working_days", "percent",
                                            "percent", "percent"]


def test_a_weights_table_that_reads_but_does_not_add_up_says_so() -> None:
    rows = [as_row(w) for w in FIVE_GROUPS[:-1]]
    assert rules.parse_weights(rows)[1] == ["group_max_points: the groups add up to 82, not 100"]


@pytest.mark.parametrize(("cell", "text", "problem"), [
    ("measure", "points", "measure: percent or working_days"),
    ("measure", "", "measure: percent or working_days"),
    ("indicator", " ", "indicator: required"),
    ("group_name", "", "group_name: required"),
    ("name", "", "name: required"),
    ("source", "", "source: required"),
    ("indicator", "1.2.3.4.5", "indicator: too long"),
    ("group_name", "n" * 201, "group_name: too long"),
    ("name", "n" * 301, "name: too long"),
    ("source", "s" * 301, "source: too long"),
    ("group_code", "0", "group_code: a group number from 1 to 99"),
    ("group_code", "100", "group_code: a group number from 1 to 99"),
    ("group_code", "-1", "group_code: a group number from 1 to 99"),
    ("group_code", "2.0", "group_code: a group number from 1 to 99"),
    ("max_points", "many", "max_points: a number"),
    ("group_max_points", "", "group_max_points: a number"),
    ("threshold", "1e2x", "threshold: a number"),
    ("max_points", "20.005", "max_points: a number with at most two decimals, below 10,000"),
    ("max_points", "NaN", "max_points: a number with at most two decimals, below 10,000"),
    ("max_points", "Infinity", "max_points: a number with at most two decimals, below 10,000"),
    ("threshold", "10000", "threshold: a number with at most two decimals, below 10,000"),
    ("threshold", "-10000", "threshold: a number with at most two decimals, below 10,000"),
])
def test_each_bad_cell_is_named_with_its_row(cell: str, text: str, problem: str) -> None:
    rows = [as_row(w) for w in FIVE_GROUPS]
    rows[1][cell] = text
    weights, problems = rules.parse_weights(rows)
    assert problems == [f"row 3, {problem}"]
    assert [w.indicator for w in weights] == ["1.4", "2.2", "3.3", "4.2", "5.4"]


def test_the_longest_cells_and_the_edge_numbers_are_accepted() -> None:
    long = {"indicator": "1.2.3.45", "group_name": "g" * 200, "name": "n" * 300,
            "source": "s" * 300}
    rows = [{**as_row(w), **long} if w.indicator == "2.2" else as_row(w) for w in FIVE_GROUPS]
    rows[0] |= {"group_code": "1"}
    rows[5] |= {"group_code": "99", "group_max_points": "18.00", "threshold": "9999.99"}
    weights, problems = rules.parse_weights(rows)
    assert [(w.indicator, w.group_code) for w in weights][1:3] == [("2.1", 2), ("1.2.3.45", 2)]
    assert weights[5].group_code == 99 and weights[5].threshold == D("9999.99")
    # The table reads; only what it means is wrong (a threshold above 100), said once.
    assert problems == ["threshold: 5.4: a percentage in (0, 100]",
                        "group_max_points: group 2: one name and one maximum"]


def test_points_round_half_up_and_a_rate_below_one_percent_still_scores() -> None:
    # 2.345 points exactly: half up gives 2.35 where banker's rounding would give 2.34.
    assert rules.points(D("46.9"), D(5), D(100)) == D("2.35")
    assert rules.rounded(D("2.345")) == D("2.35")
    assert rules.rounded(D("0.00005"), rules.COST) == D("0.0001")
    assert rules.points(D("0.5"), D(20), D(100)) == D("0.10")
    assert rules.points(D(-5), D(20), D(100)) == D("0.00")


def test_the_marginal_cost_is_nothing_once_the_threshold_is_reached() -> None:
    assert rules.marginal_cost(1, 10, weight("3.3", 4, 50, 3, 22)) == D("0.8000")
    assert rules.marginal_cost(2, 4, weight("3.3", 4, 50, 3, 22)) == D(0)
    assert rules.marginal_cost(3, 4, weight("3.3", 4, 50, 3, 22)) == D(0)
    assert rules.marginal_cost(0, 0, weight()) == D(0)
    assert rules.marginal_cost(1, 4, weight("2.2", 0, None)) == D(0)


def test_an_indicator_is_scored_with_its_counts_rate_points_and_forecast() -> None:
    w = weight("3.3", 4, 50, 3, 22)
    assert rules.score(w, Measured(1, 3, 2, 3)) == rules.Scored(
        w, "computed", 1, 3, D("33.33"), D("2.67"), (),
        rules.Forecast(2, 3, D("66.67"), D("4.00")))
    # A closed period has no forecast; half a forecast is none either.
    assert rules.score(w, Measured(1, 3)).forecast is None
    assert rules.score(w, Measured(1, 3, 2, None)).forecast is None
    assert rules.score(w, Measured(1, 3, None, 3)).forecast is None
    assert rules.score(w, Measured(0, 0)) == rules.Scored(w, "empty", 0, 0, None, None, (), None)


def test_a_working_days_indicator_is_a_mean_without_points() -> None:
    w = weight("2.2", 0, None)
    assert rules.score(w, Measured(D("7.5"), 3, 9, 4)) == rules.Scored(
        w, "computed", D("7.5"), 3, D("2.50"), None, (), rules.Forecast(9, 4, D("2.25"), None))
    assert rules.score(w, Measured(0, 0, 0, 0)).forecast == rules.Forecast(0, 0, None, None)


def test_an_indicator_no_rule_computes_says_so_unless_told_what_it_lacks() -> None:
    w = weight("9.9", 0, None)
    assert rules.score(w, None) == rules.Scored(
        w, "not_computable", None, None, None, None, ("no rule computes it yet",), None)
    assert rules.score(w, None, rules.SYNC_OFF).missing == rules.SYNC_OFF


def test_a_closed_period_has_no_forecast_total_and_an_open_one_falls_back_to_points() -> None:
    scored = [rules.score(weight(), Measured(9, 10)),
              rules.score(weight("3.3", 4, 50, 3, 22), Measured(1, 4, 1, 0)),
              rules.score(weight("2.2", 0, None), Measured(0, 0))]
    assert rules.total(scored, D(100), open_period=False) == rules.Total(
        D("20.00"), D(24), D(100), None)
    # No forecast, or one with nothing to count: the points it has now stand for its end.
    assert rules.total(scored, D(100), open_period=True).forecast_points == D("20.00")
    # Nothing scored now and no forecast: nothing at the end either.
    nothing = [rules.score(weight(), Measured(0, 10))]
    assert rules.total(nothing, D(100), open_period=True).forecast_points == D("0.00")


def test_weights_that_break_each_rule_are_named_once_each() -> None:
    assert rules.weight_problems([weight("1.4", -1, 100, 1, 100)]) == [
        ("max_points", "1.4: must not be negative"),
        ("max_points", "group 1: indicators add up to -1, not the group's 100")]
    # A threshold below one percent is still a percentage.
    assert rules.weight_problems([replace(weight("1.4", 100, 100, 1, 100), threshold=None)]) == [
        ("threshold", "1.4: a percentage in (0, 100]")]
    assert rules.weight_problems([replace(weight("1.4", 100, 100, 1, 100),
                                          threshold=D("0.5"))]) == []
    # Each group with more than one name is named, even after the first.
    three_names = [replace(weight(f"1.{n}", 20, 100, 1, 60), group_name=f"Nhóm {n}")
                   for n in (1, 2, 3)]
    two_names = [replace(w, indicator=f"2.{n}", group_code=2, group_max_points=D(40))
                 for n, w in enumerate(three_names[:2], start=1)]
    assert rules.weight_problems([*three_names, *two_names]) == [
        ("group_max_points", "group 1: one name and one maximum"),
        ("group_max_points", "group 2: one name and one maximum")]
