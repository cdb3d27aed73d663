"""Which procedure version is in force: worked examples and Hypothesis properties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.rules import check_valid, in_force, overlaps, valid_on
from app.core.problems import Unprocessable


@dataclass(frozen=True)
class V:
    version: int
    effective_from: date | None


HISTORY = [V(1, None), V(2, date(2026, 3, 9)), V(3, date(2026, 7, 1))]


def test_version_1_is_in_force_before_any_later_date() -> None:
    assert in_force(HISTORY, date(2020, 1, 1)).version == 1


def test_a_version_is_in_force_from_its_date_until_the_next() -> None:
    assert in_force(HISTORY, date(2026, 3, 8)).version == 1
    assert in_force(HISTORY, date(2026, 3, 9)).version == 2
    assert in_force(HISTORY, date(2026, 6, 30)).version == 2
    assert in_force(HISTORY, date(2026, 7, 1)).version == 3


def test_a_new_version_must_start_after_every_existing_one() -> None:
    assert overlaps(HISTORY, date(2026, 7, 1))
    assert overlaps(HISTORY, date(2026, 5, 1))
    assert not overlaps(HISTORY, date(2026, 7, 2))
    assert not overlaps([V(1, None)], date(2000, 1, 1))


@st.composite
def histories(draw: st.DrawFn) -> list[V]:
    gaps = draw(st.lists(st.integers(1, 400), max_size=6))
    day, found = date(2025, 1, 1), [V(1, None)]
    for n, gap in enumerate(gaps, start=2):
        day += timedelta(days=gap)
        found.append(V(n, day))
    return found


@given(histories(), st.dates(date(2024, 1, 1), date(2035, 1, 1)), st.integers(0, 500))
def test_in_force_never_goes_back_in_time(versions: list[V], day: date, later: int) -> None:
    chosen = in_force(versions, day)
    assert chosen.effective_from is None or chosen.effective_from <= day
    assert in_force(versions, day + timedelta(days=later)).version >= chosen.version


@given(histories())
def test_each_version_is_in_force_on_its_own_first_day(versions: list[V]) -> None:
    for v in versions[1:]:
        assert v.effective_from is not None
        assert in_force(versions, v.effective_from) == v
        assert overlaps(versions, v.effective_from)


@pytest.mark.parametrize(("valid_from", "valid_to", "day", "expected"), [
    (None, None, date(2026, 1, 1), True),
    (date(2025, 7, 1), None, date(2025, 7, 1), True),  # both bounds are inclusive
    (date(2025, 7, 1), None, date(2025, 6, 30), False),
    (None, date(2025, 6, 30), date(2025, 6, 30), True),
    (None, date(2025, 6, 30), date(2025, 7, 1), False),
    (date(2020, 1, 1), date(2025, 6, 30), date(2024, 5, 5), True),
])
def test_valid_on_a_day_inside_both_bounds(
        valid_from: date | None, valid_to: date | None, day: date, expected: bool) -> None:
    assert valid_on(valid_from, valid_to, day) is expected


def test_a_unit_outside_its_validity_is_refused_with_its_span() -> None:
    check_valid("U1", None, date(2025, 6, 30), date(2025, 6, 30), "receiving_unit")
    with pytest.raises(Unprocessable) as caught:
        check_valid("U1", None, date(2025, 6, 30), date(2025, 7, 1), "handling_unit")
    problem = caught.value
    assert problem.code == "unit_not_valid"
    assert problem.detail == ("Unit 'U1' does not exist on 2025-07-01: it is valid from "
                              "… to 2025-06-30.")
    assert [(p.name, p.code, p.reason) for p in problem.invalid_params] == [
        ("handling_unit", "unit_not_valid",
         "unit 'U1' is valid from … to 2025-06-30, not on 2025-07-01")]
    with pytest.raises(Unprocessable) as caught:
        check_valid("U2", date(2025, 7, 1), None, date(2025, 6, 1), "to_unit")
    assert caught.value.detail.endswith("valid from 2025-07-01 to ….")
