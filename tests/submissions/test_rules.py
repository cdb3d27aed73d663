"""The pre-receipt rules: the check's deadline on the working calendar, the decisions, the
reason codes and the about-to-miss selection."""

from __future__ import annotations

from datetime import date, timedelta
from typing import get_args

import pytest

from app.core.problems import Conflict, Unprocessable
from app.submissions import rules
from app.submissions.schemas import NotAcceptIn
from app.worktime.rules import WorkCalendar, WorkingHours, build_calendar
from tests.factories import vn

CAL: WorkCalendar = build_calendar(WorkingHours(), range(2025, 2028), {})
SKEW = timedelta(minutes=2)


def test_the_check_runs_eight_working_hours_across_the_weekend() -> None:
    # Friday 15:00: two hours on Friday, four on Monday morning, two after lunch.
    assert rules.check_due(CAL, vn("2026-03-06 15:00"), 8) == vn("2026-03-09 15:00")
    # Filed on Friday evening: the count starts at Monday's opening.
    assert rules.check_due(CAL, vn("2026-03-06 20:00"), 8) == vn("2026-03-09 17:00")
    assert rules.check_due(CAL, vn("2026-03-09 08:00"), 8) == vn("2026-03-09 17:00")


def test_the_check_skips_holidays_and_days_set_off() -> None:
    # 30 April and 1 May are national holidays, then the weekend.
    assert rules.check_due(CAL, vn("2026-04-29 13:00"), 8) == vn("2026-05-04 12:00")
    off = build_calendar(WorkingHours(), range(2025, 2028), {date(2026, 3, 9): False})
    assert rules.check_due(off, vn("2026-03-06 15:00"), 8) == vn("2026-03-10 15:00")


def test_a_waiting_submission_is_decided_once() -> None:
    submitted, at, now = vn("2026-03-06 15:00"), vn("2026-03-09 09:00"), vn("2026-03-09 10:00")
    assert rules.decide("waiting", "accepted", at, submitted, now, SKEW) == "accepted"
    assert rules.decide("waiting", "not_accepted", at, submitted, now, SKEW) == "not_accepted"
    for status in ("accepted", "not_accepted"):
        for decision in get_args(rules.Decision):
            with pytest.raises(Conflict) as refused:
                rules.decide(status, decision, at, submitted, now, SKEW)
            assert refused.value.code == "submission_decided"


def test_a_decision_lies_between_the_submission_and_now() -> None:
    submitted, now = vn("2026-03-06 15:00"), vn("2026-03-09 10:00")
    with pytest.raises(Unprocessable) as early:
        rules.decide("waiting", "accepted", vn("2026-03-06 14:59"), submitted, now, SKEW)
    assert early.value.code == "decided_before_submission"
    with pytest.raises(Unprocessable) as future:
        rules.decide("waiting", "accepted", now + SKEW + timedelta(seconds=1), submitted, now,
                     SKEW)
    assert future.value.code == "decided_in_future"
    assert rules.decide("waiting", "accepted", now + SKEW, submitted, now, SKEW) == "accepted"


def test_late_and_overdue() -> None:
    due = vn("2026-03-09 15:00")
    assert not rules.checked_late(due, due)
    assert rules.checked_late(due + timedelta(seconds=1), due)
    assert not rules.overdue("waiting", due, due)
    assert rules.overdue("waiting", due, due + timedelta(seconds=1))
    assert not rules.overdue("accepted", due, due + timedelta(days=1))


def test_about_to_miss_counts_working_hours_to_the_deadline() -> None:
    due = vn("2026-03-09 09:00")  # Monday
    friday = vn("2026-03-06 16:00")  # one hour on Friday, one on Monday
    assert rules.about_to_miss("waiting", due, friday, CAL, 2)
    assert not rules.about_to_miss("waiting", due, friday, CAL, 1)
    assert rules.about_to_miss("waiting", due, due, CAL, 1)
    assert not rules.about_to_miss("waiting", due, due + timedelta(minutes=1), CAL, 8)  # overdue
    assert not rules.about_to_miss("accepted", due, friday, CAL, 8)


def test_every_reason_code_has_its_label() -> None:
    codes = get_args(NotAcceptIn.model_fields["reason_code"].annotation)
    assert set(rules.REASON_LABELS) == set(codes) == set(get_args(rules.NotAcceptedReason))
    assert rules.label("incomplete") == "Hồ sơ chưa đầy đủ thành phần theo quy định"
    assert rules.label(None) is None
