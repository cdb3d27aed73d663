"""The lifecycle rules, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.problems import Conflict, InvalidParam, Unprocessable
from app.dossiers import rules
from app.dossiers.rules import DossierState, Event
from app.worktime.rules import ProcessingTime, WorkingHours, build_calendar, working_time_between
from tests.factories import vn

CAL = build_calendar(WorkingHours(), range(2025, 2028), {})
NOW = vn("2026-11-20 10:00")
SKEW = timedelta(minutes=2)


def received(at: str = "2026-03-02 08:00", days: int = 5) -> DossierState:
    return rules.receive("U", vn(at), ProcessingTime(days=days), CAL)


def apply(state: DossierState, type_: str, at: str, **kw: object) -> DossierState:
    new, _ = rules.apply_event(state, Event(type=type_, at=vn(at), **kw), CAL, NOW, SKEW)  # type: ignore[arg-type]
    return new


def test_receipt_sets_appointment_in_working_days() -> None:
    assert received().due_at == vn("2026-03-06 17:00")


def test_receipt_over_tet_skips_the_holidays() -> None:
    assert received("2026-02-12 09:00", 3).due_at == vn("2026-02-24 09:00")


def test_hours_procedure() -> None:
    state = rules.receive("U", vn("2026-03-02 15:00"), ProcessingTime(hours=4), CAL)
    assert state.due_at == vn("2026-03-03 10:00")


def test_pause_moves_due_by_paused_working_time() -> None:
    state = apply(received(), "supplement_requested", "2026-03-03 10:00")
    assert state.status == "awaiting_supplement"
    state = apply(state, "supplement_received", "2026-03-05 10:00")
    assert state.status == "processing"
    assert state.due_at == vn("2026-03-10 17:00")
    assert state.paused_seconds == 16 * 3600


def test_pause_moves_the_rescheduled_appointment_too() -> None:
    state = apply(received(), "apology_issued", "2026-03-03 09:00",
                  new_due_at=vn("2026-03-09 17:00"))
    state = apply(state, "supplement_requested", "2026-03-03 10:00")
    state = apply(state, "supplement_received", "2026-03-05 10:00")
    assert state.rescheduled_due_at == vn("2026-03-11 17:00")


@pytest.mark.parametrize(
    ("resolved_at", "verdict"),
    [("2026-03-05 16:00", "early"), ("2026-03-06 08:30", "on_time"),
     ("2026-03-06 17:00", "on_time"), ("2026-03-06 17:01", "late"), ("2026-03-09 08:00", "late")],
)
def test_timeliness_against_due_at(resolved_at: str, verdict: str) -> None:
    state = apply(received(), "resolved", resolved_at)
    assert (state.status, state.timeliness, state.finished_at) == (
        "resolved", verdict, vn(resolved_at))


def test_apology_never_turns_late_into_on_time() -> None:
    state = apply(received(), "apology_issued", "2026-03-04 09:00",
                  new_due_at=vn("2026-03-12 17:00"))
    new, flags = rules.apply_event(state, Event(type="resolved", at=vn("2026-03-10 09:00")),
                                   CAL, NOW, SKEW)
    assert new.timeliness == "late"
    assert new.due_at == vn("2026-03-06 17:00")
    assert flags == {"late_against_rescheduled": False}


def test_second_apology_is_flagged_and_a_late_one_is_tardy() -> None:
    state = received()
    _, first = rules.apply_event(
        state, Event(type="apology_issued", at=vn("2026-03-05 09:00"),
                     new_due_at=vn("2026-03-10 17:00")), CAL, NOW, SKEW)
    assert first == {"tardy": False, "second": False}
    state = apply(state, "apology_issued", "2026-03-05 09:00", new_due_at=vn("2026-03-10 17:00"))
    new, second = rules.apply_event(
        state, Event(type="apology_issued", at=vn("2026-03-06 09:00"),
                     new_due_at=vn("2026-03-13 17:00")), CAL, NOW, SKEW)
    assert second == {"tardy": True, "second": True}
    assert (new.apology_count, new.apology_tardy) == (2, True)


def test_apology_must_move_the_appointment_later() -> None:
    with pytest.raises(Unprocessable) as err:
        apply(received(), "apology_issued", "2026-03-03 09:00", new_due_at=vn("2026-03-06 16:00"))
    assert err.value.code == "new_due_not_later"


def test_repeated_supplement_request_is_counted() -> None:
    state = apply(received(), "supplement_requested", "2026-03-03 10:00")
    state = apply(state, "supplement_received", "2026-03-03 14:00")
    _, flags = rules.apply_event(
        state, Event(type="supplement_requested", at=vn("2026-03-04 10:00")), CAL, NOW, SKEW)
    assert flags == {"repeated_supplement": True}


def test_a_second_supplement_request_moves_nothing() -> None:
    # The first pause (Tue 10:00 - Tue 14:00, 3 working hours) moves Fri 17:00 to Mon 11:00.
    state = apply(received(), "supplement_requested", "2026-03-03 10:00")
    state = apply(state, "supplement_received", "2026-03-03 14:00")
    assert state.due_at == vn("2026-03-09 11:00")
    # The second request awaits documents, but the clock runs on: two more working days
    # waited move nothing, and the dossier is overdue on Monday afternoon as it would be.
    state = apply(state, "supplement_requested", "2026-03-04 10:00")
    assert (state.status, state.paused_at, state.supplement_count) == (
        "awaiting_supplement", None, 2)
    assert rules.is_overdue(state, vn("2026-03-09 11:01"))
    state = apply(state, "supplement_received", "2026-03-06 10:00")
    assert (state.status, state.due_at, state.paused_seconds) == (
        "processing", vn("2026-03-09 11:00"), 3 * 3600)


def test_a_request_after_the_appointment_cures_nothing() -> None:
    state = received()  # due Fri 2026-03-06 17:00
    _, flags = rules.apply_event(
        state, Event(type="supplement_requested", at=vn("2026-03-09 09:00")), CAL, NOW, SKEW)
    assert flags == {"after_appointment": True}
    state = apply(state, "supplement_requested", "2026-03-09 09:00")
    assert state.paused_at is None and rules.is_overdue(state, vn("2026-03-09 09:00"))
    state = apply(state, "supplement_received", "2026-03-11 09:00")
    state = apply(state, "resolved", "2026-03-11 10:00")
    assert (state.due_at, state.timeliness) == (vn("2026-03-06 17:00"), "late")


def test_financial_obligation_pause_across_a_holiday_moves_the_appointment() -> None:
    # Received Mon 2026-04-20 08:00, 5 working days: due Fri 2026-04-24 17:00.
    state = received("2026-04-20 08:00")
    assert state.due_at == vn("2026-04-24 17:00")
    state = apply(state, "financial_obligation_requested", "2026-04-24 10:00")
    assert (state.status, state.paused_at) == ("awaiting_financial_obligation",
                                               vn("2026-04-24 10:00"))
    assert not rules.is_overdue(state, vn("2026-05-05 09:00"))
    # Paid Mon 2026-05-04 10:00. The clock stood still on 24/4 from 10:00 (6 h), on 28/4 and
    # 29/4 (16 h) and on 4/5 until 10:00 (2 h): not on Hùng Kings' day observed (Mon 27/4),
    # 30/4 and 1/5, nor the weekends.
    new, flags = rules.apply_event(state, Event(type="financial_obligation_fulfilled",
                                                at=vn("2026-05-04 10:00")), CAL, NOW, SKEW)
    assert flags == {"pause_ended": "financial_obligation", "paused_seconds": 24 * 3600}
    assert (new.status, new.paused_at) == ("processing", None)
    assert (new.obligation_paused_seconds, new.paused_seconds) == (24 * 3600, 0)
    # 24 working hours after the old appointment, the same holidays skipped: 28/4, 29/4, 4/5.
    assert new.due_at == vn("2026-05-04 17:00")


def test_financial_obligation_pause_is_kept_apart_from_supplements() -> None:
    state = apply(received(), "supplement_requested", "2026-03-03 10:00")
    state = apply(state, "supplement_received", "2026-03-03 15:00")
    state = apply(state, "financial_obligation_requested", "2026-03-04 08:00")
    state = apply(state, "financial_obligation_fulfilled", "2026-03-04 12:00")
    assert (state.paused_seconds, state.obligation_paused_seconds) == (4 * 3600, 4 * 3600)
    assert state.supplement_count == 1
    # A second obligation (a reassessed tax) pauses again: only supplements are limited to one.
    state = apply(state, "financial_obligation_requested", "2026-03-05 08:00")
    state = apply(state, "financial_obligation_fulfilled", "2026-03-05 09:00")
    assert state.obligation_paused_seconds == 5 * 3600
    assert state.due_at == vn("2026-03-10 09:00")  # 9 paused hours after Fri 6/3 17:00
    resolved = apply(state, "resolved", "2026-03-09 17:00")
    # Processing time leaves out both kinds of pause: 6 days of work minus 9 paused hours.
    assert resolved.processing_millidays == round(1000 * (6 * 8 - 4 - 5) / 8)


def test_financial_obligation_after_the_appointment_moves_nothing() -> None:
    state = received()
    new, flags = rules.apply_event(state, Event(type="financial_obligation_requested",
                                                at=vn("2026-03-09 09:00")), CAL, NOW, SKEW)
    assert flags == {"after_appointment": True}
    assert (new.status, new.paused_at) == ("awaiting_financial_obligation", None)
    assert rules.is_overdue(new, vn("2026-03-09 10:00"))
    done = apply(new, "financial_obligation_fulfilled", "2026-03-10 09:00")
    assert (done.due_at, done.obligation_paused_seconds) == (state.due_at, 0)


def test_withdrawal_while_waiting_for_payment_closes_that_pause() -> None:
    state = apply(received(), "financial_obligation_requested", "2026-03-03 10:00")
    new, flags = rules.apply_event(state, Event(type="withdrawn", at=vn("2026-03-03 11:00")),
                                   CAL, NOW, SKEW)
    assert flags == {"pause_ended": "financial_obligation", "paused_seconds": 3600}
    assert (new.status, new.paused_at, new.obligation_paused_seconds) == (
        "withdrawn", None, 3600)


def test_transfer_changes_the_deciding_unit() -> None:
    new, flags = rules.apply_event(
        received(), Event(type="transferred", at=vn("2026-03-02 09:00"), to_unit="V"),
        CAL, NOW, SKEW)
    assert (new.status, new.handling_unit, flags) == ("processing", "V", {"from_unit": "U"})


def test_transfer_to_the_same_unit_is_invalid() -> None:
    with pytest.raises(Unprocessable):
        apply(received(), "transferred", "2026-03-02 09:00", to_unit="U")


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "supplement_received"),
        ([], "stopped"),
        ([], "returned"),
        (["resolved"], "resolved"),
        (["resolved"], "withdrawn"),
        (["resolved"], "apology_issued"),
        (["resolved", "returned"], "returned"),
        (["refused"], "processing_started"),
        (["withdrawn"], "resolved"),
        (["processing_started", "stopped"], "resolved"),
        (["supplement_requested"], "resolved"),
        (["supplement_requested"], "supplement_requested"),
        (["processing_started"], "processing_started"),
    ],
)
def test_illegal_steps_are_refused(path: list[str], illegal: str) -> None:
    state = received()
    at = datetime(2026, 3, 3, 2, tzinfo=UTC)
    extras = {"method": "counter", "to_unit": "V", "new_due_at": vn("2026-03-20 17:00")}
    for i, type_ in enumerate(path):
        state, _ = rules.apply_event(
            state, Event(type=type_, at=at + timedelta(hours=i), **extras),  # type: ignore[arg-type]
            CAL, NOW, SKEW)
    with pytest.raises(Conflict) as err:
        rules.apply_event(state, Event(type=illegal, at=at + timedelta(days=1), **extras),  # type: ignore[arg-type]
                          CAL, NOW, SKEW)
    assert (err.value.code, err.value.detail) == (
        "illegal_transition",
        f"A '{illegal}' event is not allowed while the dossier is '{state.status}'.")


def test_event_before_the_last_one_is_refused() -> None:
    state = apply(received(), "processing_started", "2026-03-03 10:00")
    with pytest.raises(Conflict) as err:
        apply(state, "resolved", "2026-03-03 09:59")
    assert err.value.code == "event_out_of_order"
    # Said in Vietnamese time even when the last event came back from storage in UTC.
    stored = replace(state, last_event_at=state.last_event_at.astimezone(UTC))
    with pytest.raises(Conflict) as err:
        apply(stored, "resolved", "2026-03-03 09:59")
    assert err.value.detail == ("The event at 2026-03-03T09:59:00+07:00 is earlier than the "
                                "dossier's last event at 2026-03-03T10:00:00+07:00.")


def test_event_in_the_future_is_refused() -> None:
    with pytest.raises(Unprocessable):
        rules.apply_event(received(), Event(type="resolved", at=NOW + timedelta(minutes=3)),
                          CAL, NOW, SKEW)


def test_receipt_in_the_future_is_refused_but_clock_skew_is_tolerated() -> None:
    rules.check_receipt_time(NOW + timedelta(minutes=1), NOW, SKEW)
    rules.check_receipt_time(NOW + SKEW, NOW, SKEW)
    with pytest.raises(Unprocessable) as err:
        rules.check_receipt_time(NOW + SKEW + timedelta(microseconds=1), NOW, SKEW)
    assert (err.value.code, err.value.detail, err.value.invalid_params) == (
        "received_in_future", "received_at is in the future.",
        [InvalidParam("received_at", "in_future", "must not be in the future")])


def test_withdrawal_while_paused_closes_the_pause() -> None:
    state = apply(received(), "supplement_requested", "2026-03-03 10:00")
    state = apply(state, "withdrawn", "2026-03-04 10:00")
    assert (state.status, state.paused_at, state.finished_at) == (
        "withdrawn", None, vn("2026-03-04 10:00"))


def test_overdue_is_judged_against_due_at_and_not_while_paused() -> None:
    state = received()
    assert not rules.is_overdue(state, vn("2026-03-06 17:00"))
    assert rules.is_overdue(state, vn("2026-03-06 17:01"))
    assert not rules.is_overdue(replace(state, paused_at=vn("2026-03-05 10:00")),
                                vn("2026-03-09 10:00"))
    assert not rules.is_overdue(apply(state, "resolved", "2026-03-09 08:00"), vn("2026-03-10"))


def test_dossier_code_format() -> None:
    assert rules.dossier_code("000.00.20.H12", vn("2023-01-05 09:00").date(), 7) == (
        "000.00.20.H12-230105-0007")


# Hypothesis: any legal walk keeps the invariants.
STEPS = st.lists(st.sampled_from(rules.EVENT_TYPES), max_size=12)


@settings(max_examples=150, deadline=None)
@given(STEPS, st.lists(st.integers(min_value=0, max_value=3 * 24 * 60), min_size=12,
                       max_size=12))
def test_random_walks_keep_invariants(types: list[str], gaps: list[int]) -> None:
    state = received()
    receipt_due = state.due_at
    at = state.received_at
    for type_, gap in zip(types, gaps, strict=False):
        at = at + timedelta(minutes=gap)
        event = Event(type=type_, at=at, to_unit="V" if state.handling_unit == "U" else "U",  # type: ignore[arg-type]
                      new_due_at=at + timedelta(days=30), method="counter")
        try:
            new, _ = rules.apply_event(state, event, CAL, NOW + timedelta(days=400), SKEW)
        except (Conflict, Unprocessable):
            continue
        assert type_ in rules.TRANSITIONS[state.status]
        state = new
        # due_at is the receipt appointment moved only by completed pauses.
        paused = timedelta(seconds=state.paused_seconds + state.obligation_paused_seconds)
        if paused:
            assert state.due_at >= receipt_due
        else:
            assert state.due_at == receipt_due
        assert (state.timeliness is None) == (state.resolved_at is None)
        assert (state.finished_at is None) == (state.status in rules.OPEN)
        # Only the first supplement request, before the appointment, pauses; a later one does
        # not. A financial obligation pauses each time it is asked before the appointment.
        if state.paused_at is not None:
            assert state.status in rules.PAUSE_KINDS
            if state.status == "awaiting_supplement":
                assert state.supplement_count == 1
    if state.paused_seconds or state.obligation_paused_seconds:
        assert working_time_between(CAL, receipt_due, state.due_at) == timedelta(
            seconds=state.paused_seconds + state.obligation_paused_seconds)


def handed_to_post() -> DossierState:
    state = apply(received(), "resolved", "2026-03-05 10:00")
    return apply(state, "returned", "2026-03-05 11:00", method="postal", rating=5)


def test_a_delivery_keeps_the_return_and_a_failure_brings_the_result_back() -> None:
    delivered = apply(handed_to_post(), "delivered", "2026-03-06 09:00")
    assert (delivered.status, delivered.delivered_at, delivered.returned_at,
            delivered.return_method, delivered.rating) == (
        "returned", vn("2026-03-06 09:00"), vn("2026-03-05 11:00"), "postal", 5)
    failed = apply(handed_to_post(), "delivery_failed", "2026-03-06 09:00")
    assert (failed.status, failed.delivered_at, failed.returned_at, failed.return_method,
            failed.rating) == ("resolved", None, None, None, None)
    # Back at the counter, the result is returned again.
    again = apply(failed, "returned", "2026-03-06 10:00", method="counter")
    assert (again.status, again.return_method) == ("returned", "counter")


@pytest.mark.parametrize("type_", ["delivered", "delivery_failed"])
def test_delivery_is_reported_once_and_only_for_a_result_handed_to_the_post(type_: str) -> None:
    at_counter = apply(apply(received(), "resolved", "2026-03-05 10:00"), "returned",
                       "2026-03-05 11:00", method="counter")
    delivered = apply(handed_to_post(), "delivered", "2026-03-06 09:00")
    for state in (at_counter, delivered):
        with pytest.raises(Conflict) as err:
            apply(state, type_, "2026-03-07 09:00")
        assert (err.value.code, err.value.detail) == (
            "not_awaiting_delivery",
            "Delivery is reported only once, for a result handed to the post.")


def test_the_timeline_keeps_an_events_own_fields_with_its_reason_code() -> None:
    body = {"id": "e1", "type": "refused", "at": "2026-03-05T10:00:00+07:00",
            "delivery": {"address": "Số 1 Tràng Tiền"}, "reason": "không đủ điều kiện"}
    assert rules.event_details("refused", body) == {"reason": "không đủ điều kiện",
                                                    "reason_code": "other"}
    assert rules.event_details("refused", {**body, "reason_code": "ineligible"}) == {
        "reason": "không đủ điều kiện", "reason_code": "ineligible"}
    # An event type without reasons gets no reason code.
    assert rules.event_details("returned", {"id": "e2", "type": "returned", "method": "counter"}
                               ) == {"method": "counter"}


@pytest.mark.parametrize(("type_", "field"), [
    ("transferred", "to_unit"), ("returned", "method"), ("apology_issued", "new_due_at")])
def test_an_event_without_its_own_field_names_it(type_: str, field: str) -> None:
    state = apply(received(), "resolved", "2026-03-04 09:00") if type_ == "returned" \
        else received()
    with pytest.raises(Unprocessable) as err:
        apply(state, type_, "2026-03-05 09:00")
    assert (err.value.code, err.value.detail, err.value.invalid_params) == (
        "missing_field", f"'{field}' is required for this event type.",
        [InvalidParam(field, "missing", "required for this event type")])


def test_an_apology_must_move_the_appointment_strictly_later() -> None:
    with pytest.raises(Unprocessable) as err:
        apply(received(), "apology_issued", "2026-03-04 09:00",
              new_due_at=vn("2026-03-06 17:00"))
    assert (err.value.code, err.value.detail, err.value.invalid_params) == (
        "new_due_not_later", "The new appointment must be later than the current one.",
        [InvalidParam("new_due_at", "not_later", "must be after 2026-03-06T17:00:00+07:00")])


def test_the_trace_of_a_pause_shows_its_window_and_the_extension_apart() -> None:
    events = [Event(type="supplement_requested", at=vn("2026-03-03 10:00")),
              Event(type="supplement_received", at=vn("2026-03-05 10:00"))]
    state, trace = rules.explain("U", vn("2026-03-02 08:00"), ProcessingTime(days=5), CAL,
                                 events, NOW, SKEW)
    (pause,) = trace.pauses
    assert (pause.kind, pause.requested_at, pause.moved, pause.ended_at, pause.paused,
            pause.due_before, pause.due_after) == (
        "supplement", vn("2026-03-03 10:00"), True, vn("2026-03-05 10:00"),
        timedelta(hours=16), vn("2026-03-06 17:00"), vn("2026-03-10 17:00"))
    assert pause.due_after == state.due_at
    assert pause.window.counted == {
        vn("2026-03-03").date(): timedelta(hours=6), vn("2026-03-04").date(): timedelta(hours=8),
        vn("2026-03-05").date(): timedelta(hours=2)}
    assert pause.extension.counted == {vn("2026-03-09").date(): timedelta(hours=8),
                                       vn("2026-03-10").date(): timedelta(hours=8)}


def test_an_event_is_refused_past_the_skew_and_accepted_at_it_or_at_the_last_instant() -> None:
    state = apply(received(), "processing_started", "2026-03-03 10:00")
    same_instant, _ = rules.apply_event(state, Event(type="resolved", at=vn("2026-03-03 10:00")),
                                        CAL, NOW, SKEW)
    assert same_instant.status == "resolved"
    at_skew, _ = rules.apply_event(state, Event(type="resolved", at=NOW + SKEW), CAL, NOW, SKEW)
    assert at_skew.finished_at == NOW + SKEW
    with pytest.raises(Unprocessable) as err:
        rules.apply_event(state, Event(type="resolved", at=NOW + SKEW + timedelta(seconds=1)),
                          CAL, NOW, SKEW)
    assert (err.value.code, err.value.detail, err.value.invalid_params) == (
        "event_in_future", "The event time is in the future.",
        [InvalidParam("at", "in_future", "must not be in the future")])
    with pytest.raises(Unprocessable) as err:
        apply(received(), "transferred", "2026-03-02 09:00", to_unit="U")
    assert (err.value.code, err.value.detail, err.value.invalid_params) == (
        "same_unit", "The dossier is already handled by that unit.",
        [InvalidParam("to_unit", "same_unit", "already handling")])


@pytest.mark.parametrize("type_", ["supplement_requested", "financial_obligation_requested"])
def test_a_request_at_the_appointment_itself_still_pauses_the_clock(type_: str) -> None:
    state = apply(received(), type_, "2026-03-06 17:00")
    assert state.paused_at == vn("2026-03-06 17:00")


def test_a_result_with_no_working_time_counted_took_zero_days_and_late_is_after_the_new_date(
        ) -> None:
    saturday = rules.receive("U", vn("2026-03-07 09:00"), ProcessingTime(days=5), CAL)
    assert apply(saturday, "resolved", "2026-03-07 10:00").processing_millidays == 0
    state = apply(received(), "apology_issued", "2026-03-04 09:00",
                  new_due_at=vn("2026-03-10 17:00"))
    _, flags = rules.apply_event(state, Event(type="resolved", at=vn("2026-03-10 17:00")),
                                 CAL, NOW, SKEW)
    assert flags == {"late_against_rescheduled": False}


def test_the_trace_names_each_request_that_moved_nothing_and_each_apology() -> None:
    events = [Event(type="apology_issued", at=vn("2026-03-06 09:00"),
                    new_due_at=vn("2026-03-12 17:00")),
              Event(type="supplement_requested", at=vn("2026-03-06 10:00")),
              Event(type="supplement_received", at=vn("2026-03-06 11:00")),
              Event(type="supplement_requested", at=vn("2026-03-06 12:00")),
              Event(type="supplement_received", at=vn("2026-03-06 13:00")),
              Event(type="financial_obligation_requested", at=vn("2026-03-09 10:00")),
              Event(type="financial_obligation_fulfilled", at=vn("2026-03-09 11:00")),
              Event(type="apology_issued", at=vn("2026-03-09 12:00"),
                    new_due_at=vn("2026-03-13 17:00"))]
    _, trace = rules.explain("U", vn("2026-03-02 08:00"), ProcessingTime(days=5), CAL, events,
                             NOW, SKEW)
    first, repeated, late = trace.pauses
    assert (first.kind, first.requested_at, first.moved, first.rescheduled_before,
            first.rescheduled_after) == (
        "supplement", vn("2026-03-06 10:00"), True, vn("2026-03-12 17:00"),
        vn("2026-03-13 09:00"))  # the new date moves by the paused working hour too
    assert (repeated.kind, repeated.requested_at, repeated.moved,
            repeated.not_moved_because) == (
        "supplement", vn("2026-03-06 12:00"), False, "repeated_supplement")
    assert (late.kind, late.requested_at, late.moved, late.not_moved_because) == (
        "financial_obligation", vn("2026-03-09 10:00"), False, "after_appointment")
    assert trace.apologies == [
        rules.ApologyTrace(vn("2026-03-06 09:00"), vn("2026-03-12 17:00"), tardy=True),
        rules.ApologyTrace(vn("2026-03-09 12:00"), vn("2026-03-13 17:00"), tardy=True)]
