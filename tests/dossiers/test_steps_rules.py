"""The steps of interconnected processing as pure rules: each step's deadline from its start and
allotment, its result at the handoff, and the invariant that steps handed on in time stay
within the appointment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.rules import LegalTime, ProcedureStep, check_steps
from app.core.problems import Conflict, Unprocessable
from app.dossiers.rules import Event, apply_event, receive
from app.worktime.rules import ProcessingTime, WorkCalendar, WorkingHours, add_working_time
from tests.factories import vn

CAL = WorkCalendar(WorkingHours(), frozenset(), frozenset())
SKEW = timedelta(0)
NOW = vn("2027-01-01 00:00")
FIVE_DAYS = ProcessingTime(days=5)
CHAIN = (ProcedureStep("Tiếp nhận", "working_days", 50, unit="A"),
         ProcedureStep("Thẩm định", "working_days", 300, unit="B"),
         ProcedureStep("Trả kết quả", "working_days", 150, role="Một cửa"))


def test_a_late_step_is_late_against_its_own_allotment_not_the_appointment() -> None:
    state = receive("A", vn("2026-03-02 08:00"), FIVE_DAYS, CAL, steps=CHAIN)
    state, flags = apply_event(state, Event("transferred", vn("2026-03-02 10:00"), to_unit="B"),
                               CAL, NOW, SKEW, steps=CHAIN)
    assert [s["result"] for s in flags["steps"]] == ["on_time", None]
    state, flags = apply_event(state, Event("resolved", vn("2026-03-05 15:00")), CAL, NOW, SKEW,
                               steps=CHAIN)
    assert [(s["name"], s["unit"], s["result"]) for s in flags["steps"]] == [
        ("Thẩm định", "B", "late"), ("Trả kết quả", "B", "early")]
    assert state.timeliness == "early"


def test_a_transfer_to_another_unit_than_the_step_names_is_taken_and_flagged() -> None:
    state = receive("A", vn("2026-03-02 08:00"), FIVE_DAYS, CAL, steps=CHAIN)
    _, flags = apply_event(state, Event("transferred", vn("2026-03-02 10:00"), to_unit="C"),
                           CAL, NOW, SKEW, steps=CHAIN)
    assert flags["steps"][-1]["unit"] == "C"
    assert flags["step_unit_expected"] == "B"
    _, as_named = apply_event(state, Event("transferred", vn("2026-03-02 10:00"), to_unit="B"),
                              CAL, NOW, SKEW, steps=CHAIN)
    assert "step_unit_expected" not in as_named


def test_the_return_step_is_judged_by_the_appointment() -> None:
    state = receive("A", vn("2026-03-02 08:00"), FIVE_DAYS, CAL, steps=CHAIN)
    state, _ = apply_event(state, Event("transferred", vn("2026-03-02 10:00"), to_unit="B"),
                           CAL, NOW, SKEW, steps=CHAIN)
    state, flags = apply_event(state, Event("resolved", vn("2026-03-06 17:00")), CAL, NOW, SKEW,
                               steps=CHAIN)
    assert flags["steps"][-1]["due_at"] == "2026-03-06T17:00:00+07:00"
    assert flags["steps"][-1]["result"] == "on_time"


IN_ONE_UNIT = (ProcedureStep("Tiếp nhận", "working_days", 50, role="Một cửa"),
               ProcedureStep("Thẩm định", "working_days", 200, role="Công chức tư pháp"),
               ProcedureStep("Phê duyệt", "working_days", 100, role="Chủ tịch UBND"),
               ProcedureStep("Trả kết quả", "working_days", 150, role="Một cửa"))


def test_a_step_completed_in_the_unit_begins_the_next_with_its_own_deadline() -> None:
    state = receive("A", vn("2026-03-02 08:00"), FIVE_DAYS, CAL, steps=IN_ONE_UNIT)
    state, flags = apply_event(state, Event("step_completed", vn("2026-03-02 11:00")),
                               CAL, NOW, SKEW, steps=IN_ONE_UNIT)
    assert [(s["name"], s["unit"], s["due_at"], s["result"]) for s in flags["steps"]] == [
        ("Tiếp nhận", "A", "2026-03-02T12:00:00+07:00", "on_time"),
        # Two working days from Monday 11:00: Wednesday 11:00.
        ("Thẩm định", "A", "2026-03-04T11:00:00+07:00", None)]
    assert (state.status, state.current_step) == ("processing", 1)
    state, flags = apply_event(state, Event("step_completed", vn("2026-03-04 16:00")),
                               CAL, NOW, SKEW, steps=IN_ONE_UNIT)
    assert [(s["name"], s["result"]) for s in flags["steps"]] == [("Thẩm định", "late"),
                                                                  ("Phê duyệt", None)]
    assert state.step_due_at == vn("2026-03-05 16:00")


def test_the_last_step_before_the_return_ends_with_the_result_not_a_step_completed() -> None:
    state = receive("A", vn("2026-03-02 08:00"), FIVE_DAYS, CAL, steps=IN_ONE_UNIT)
    for at in ("2026-03-02 11:00", "2026-03-03 09:00"):
        state, _ = apply_event(state, Event("step_completed", vn(at)), CAL, NOW, SKEW,
                               steps=IN_ONE_UNIT)
    with pytest.raises(Conflict) as refused:
        apply_event(state, Event("step_completed", vn("2026-03-04 09:00")), CAL, NOW, SKEW,
                    steps=IN_ONE_UNIT)
    assert refused.value.code == "last_step_ends_with_result"
    plain = receive("A", vn("2026-03-02 08:00"), FIVE_DAYS, CAL)
    with pytest.raises(Conflict) as none:
        apply_event(plain, Event("step_completed", vn("2026-03-02 10:00")), CAL, NOW, SKEW)
    assert none.value.code == "no_internal_steps"


def test_check_steps_refuses_more_than_the_legal_time() -> None:
    with pytest.raises(Unprocessable) as refused:
        check_steps(CHAIN, [LegalTime("processing_time", "working_days", 4)])
    assert refused.value.code == "step_allotments_exceed_legal_time"
    check_steps(CHAIN, [LegalTime("processing_time", "working_days", 5)])


def test_check_steps_refuses_a_kind_or_a_time_that_cannot_be_divided() -> None:
    with pytest.raises(Unprocessable) as mismatch:
        check_steps(CHAIN, [LegalTime("processing_time", "working_hours", 40)])
    assert mismatch.value.code == "step_allotment_kind_mismatch"
    with pytest.raises(Unprocessable) as undivided:
        check_steps(CHAIN, [LegalTime("processing_time", "calendar_days", None)])
    assert undivided.value.code == "steps_need_working_time"


@settings(max_examples=200, deadline=None)
@given(allotments=st.lists(st.integers(1, 400), min_size=1, max_size=6),
       spare=st.integers(0, 300), start_minutes=st.integers(0, 7 * 24 * 60),
       earliness=st.lists(st.floats(0, 1), min_size=6, max_size=6))
def test_steps_handed_on_in_time_never_pass_the_appointment(
        allotments: list[int], spare: int, start_minutes: int, earliness: list[float]) -> None:
    """Allotments adding up to at most the legal time, each step handed on by its own deadline,
    no pause: no step's deadline is after the appointment."""
    total = sum(allotments) + spare
    days = -(-total // 100)  # the legal time: whole working days holding every allotment
    steps = tuple(ProcedureStep(f"B{i}", "working_days", a, unit=f"U{i}")
                  for i, a in enumerate(allotments))
    at = vn("2026-03-02 00:00") + timedelta(minutes=start_minutes)
    state = receive("U0", at, ProcessingTime(days=days), CAL, steps=steps)
    for i in range(len(steps) - 1):
        assert state.step_due_at is not None and state.step_due_at <= state.due_at
        # Hand on somewhere between the step's start and its deadline.
        begun = max(state.step_started_at or at, state.last_event_at)
        span = state.step_due_at - begun
        handoff = begun + span * earliness[i]
        state, flags = apply_event(state, Event("transferred", handoff, to_unit=f"U{i + 1}"),
                                   CAL, NOW, SKEW, steps=steps)
        assert flags["steps"][0]["result"] in ("early", "on_time")
    assert state.step_due_at is not None and state.step_due_at <= state.due_at
    assert state.step_due_at <= add_working_time(CAL, at, days * CAL.hours.day_length)
