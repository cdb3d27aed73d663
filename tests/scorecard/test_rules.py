"""The scorecard's rules without a database: points, weights tables, totals, the forecast."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

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
