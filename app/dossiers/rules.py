"""The dossier lifecycle as pure functions: state in, event in, new state out.

No database, web framework or clock here: the caller passes the calendar and `now`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from app.catalog.rules import ProcedureStep
from app.core.clock import VN_TZ

# Re-exported: the lifecycle's callers name a receipt's day as the rules do.
from app.core.clock import local_day as local_day
from app.core.problems import Conflict, InvalidParam, Unprocessable
from app.worktime.rules import (
    ProcessingTime,
    Timeliness,
    Walk,
    WorkCalendar,
    add_working_time,
    apology_is_timely,
    extend_for_pause,
    timeliness,
    working_time_between,
)

Status = Literal[
    "received", "processing", "awaiting_supplement", "awaiting_financial_obligation",
    "resolved", "returned", "refused", "stopped", "withdrawn",
]
EventType = Literal[
    "processing_started", "transferred", "step_completed",
    "supplement_requested", "supplement_received",
    "financial_obligation_requested", "financial_obligation_fulfilled",
    "resolved", "refused", "stopped", "withdrawn", "apology_issued", "returned",
    "return_by_post_requested", "delivered", "delivery_failed",
]
EVENT_TYPES: tuple[EventType, ...] = (
    "processing_started", "transferred", "step_completed",
    "supplement_requested", "supplement_received",
    "financial_obligation_requested", "financial_obligation_fulfilled",
    "resolved", "refused", "stopped", "withdrawn", "apology_issued", "returned",
    "return_by_post_requested", "delivered", "delivery_failed",
)
# Reason codes (mã lý do) per event type that carries a reason, with their Vietnamese labels:
# what dashboards see and count, since a clerk's free-text reason may name people. "other"
# (lý do khác) is the code of a reason the list does not name, and of one given without a code.
REASON_OTHER = "other"
REASON_CODES: dict[str, dict[str, str]] = {
    "supplement_requested": {
        "missing_document": "Thiếu thành phần hồ sơ",
        "invalid_document": "Giấy tờ không hợp lệ",
        "incorrect_information": "Thông tin kê khai chưa chính xác",
        "expired_document": "Giấy tờ hết hiệu lực",
        REASON_OTHER: "Lý do khác",
    },
    "refused": {
        "not_competent": "Không thuộc thẩm quyền giải quyết",
        "ineligible": "Không đủ điều kiện theo quy định",
        "incomplete_after_supplement": "Không bổ sung, hoàn thiện hồ sơ theo yêu cầu",
        "forged_document": "Giấy tờ giả mạo",
        "duplicate": "Hồ sơ trùng lặp",
        REASON_OTHER: "Lý do khác",
    },
    "stopped": {
        "dispute": "Có tranh chấp, khiếu nại",
        "authority_request": "Theo yêu cầu của cơ quan có thẩm quyền",
        "supplement_overdue": "Quá hạn bổ sung hồ sơ",
        "applicant_unreachable": "Không liên hệ được với người nộp hồ sơ",
        REASON_OTHER: "Lý do khác",
    },
    "withdrawn": {
        "applicant_request": "Theo đề nghị của người nộp hồ sơ",
        "no_longer_needed": "Không còn nhu cầu giải quyết",
        "resubmitted": "Nộp lại hồ sơ mới",
        REASON_OTHER: "Lý do khác",
    },
    "apology_issued": {
        "workload": "Số lượng hồ sơ tăng đột biến",
        "inter_agency_delay": "Chậm phối hợp giữa các cơ quan",
        "verification_needed": "Cần xác minh, thẩm định thêm",
        "system_failure": "Sự cố hệ thống thông tin",
        "officer_error": "Lỗi của cán bộ, công chức",
        REASON_OTHER: "Lý do khác",
    },
    "delivery_failed": {
        "address_not_found": "Không tìm thấy địa chỉ",
        "recipient_absent": "Người nhận vắng mặt",
        "recipient_refused": "Người nhận từ chối nhận",
        REASON_OTHER: "Lý do khác",
    },
}
"""The fixed list of reason codes of each event type with a reason; every list ends in
"other"."""


def event_details(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What the timeline keeps of an event body: all but its id, type and instant (and the
    delivery address, which is personal data and lives on the postal return), with the reason
    code of an event that carries one ("other" when the body named none)."""
    details = {k: v for k, v in payload.items() if k not in ("id", "type", "at", "delivery")}
    if event_type in REASON_CODES:
        details.setdefault("reason_code", REASON_OTHER)
    return details


# An officer (cán bộ, công chức) as receipts and events name one: the staff id's and the
# display name's longest lengths (the body's limits and the dossier's columns).
OFFICER_ID_LENGTH = 64
OFFICER_NAME_LENGTH = 255

OPEN: frozenset[str] = frozenset({
    "received", "processing", "awaiting_supplement", "awaiting_financial_obligation"})
PauseKind = Literal["supplement", "financial_obligation"]
# The states in which the legal clock may stand still, and the kind of pause each one is: a
# supplement (yêu cầu bổ sung) or a financial obligation (nghĩa vụ tài chính), kept apart.
PAUSE_KINDS: dict[str, PauseKind] = {
    "awaiting_supplement": "supplement",
    "awaiting_financial_obligation": "financial_obligation",
}
ENDED_OTHERWISE: frozenset[str] = frozenset({"refused", "stopped", "withdrawn"})

# Which event each state admits, and the state it leads to ("=" keeps the state).
# The lifecycle: refusal happens at receipt or after appraisal; stopping only after
# processing has begun; withdrawal from any open state; apology is an overlay on open dossiers.
# By post (QĐ 45/2016): "returned" with method postal is the handover to the post; a failed
# delivery brings the result back to the counter ("resolved"), to be returned again.
TRANSITIONS: dict[str, dict[str, str]] = {
    "received": {
        "processing_started": "processing",
        "step_completed": "processing",  # the receive step handed on: processing has begun
        "transferred": "processing",
        "supplement_requested": "awaiting_supplement",
        "financial_obligation_requested": "awaiting_financial_obligation",
        "resolved": "resolved",
        "refused": "refused",
        "withdrawn": "withdrawn",
        "apology_issued": "=",
        "return_by_post_requested": "=",
    },
    "processing": {
        "transferred": "processing",
        "step_completed": "=",
        "supplement_requested": "awaiting_supplement",
        "financial_obligation_requested": "awaiting_financial_obligation",
        "resolved": "resolved",
        "refused": "refused",
        "stopped": "stopped",
        "withdrawn": "withdrawn",
        "apology_issued": "=",
        "return_by_post_requested": "=",
    },
    "awaiting_supplement": {
        "supplement_received": "processing",
        "refused": "refused",
        "stopped": "stopped",
        "withdrawn": "withdrawn",
        "apology_issued": "=",
        "return_by_post_requested": "=",
    },
    "awaiting_financial_obligation": {
        "financial_obligation_fulfilled": "processing",
        "refused": "refused",
        "stopped": "stopped",
        "withdrawn": "withdrawn",
        "apology_issued": "=",
        "return_by_post_requested": "=",
    },
    "resolved": {"returned": "returned", "return_by_post_requested": "="},
    "returned": {"delivered": "=", "delivery_failed": "resolved"},
}


@dataclass(frozen=True)
class DossierState:
    """Everything the lifecycle decides about a dossier."""

    status: Status
    handling_unit: str
    received_at: datetime
    due_at: datetime
    last_event_at: datetime
    rescheduled_due_at: datetime | None = None
    # When the clock stopped, for either kind of pause (the status tells which).
    paused_at: datetime | None = None
    # Working seconds the clock stood still, by kind: supplement pauses, and financial-obligation
    # pauses (the time the applicant took to pay), counted apart.
    paused_seconds: int = 0
    obligation_paused_seconds: int = 0
    supplement_count: int = 0
    apology_count: int = 0
    apology_tardy: bool = False
    resolved_at: datetime | None = None
    timeliness: str | None = None
    # Working days from receipt to result, pauses excluded, in thousandths (exact integers,
    # so statistics can add and subtract them without drift).
    processing_millidays: int | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    return_method: str | None = None
    rating: int | None = None
    delivered_at: datetime | None = None
    # Interconnected processing (liên thông): the position (from 0) of the step of the
    # procedure's internal process the dossier is at, since when, and that step's own deadline;
    # None for a procedure version without steps.
    current_step: int | None = None
    step_started_at: datetime | None = None
    step_due_at: datetime | None = None


@dataclass(frozen=True)
class Event:
    """A lifecycle event as the rules need it (payload fields already validated by shape)."""

    type: EventType
    at: datetime
    to_unit: str | None = None
    new_due_at: datetime | None = None
    method: str | None = None
    rating: int | None = None


NotMoved = Literal["repeated_supplement", "after_appointment"]


@dataclass(frozen=True)
class PauseTrace:
    """One pause of the clock as the rules applied it, and what it moved.

    A request that moved nothing (a second supplement request, or one after the appointment)
    has `moved` False and the reason; a pause still running has no `ended_at` yet.
    """

    kind: PauseKind
    requested_at: datetime
    moved: bool
    not_moved_because: NotMoved | None = None
    ended_at: datetime | None = None
    paused: timedelta = timedelta(0)
    window: Walk = field(default_factory=Walk)
    due_before: datetime | None = None
    due_after: datetime | None = None
    extension: Walk = field(default_factory=Walk)
    rescheduled_before: datetime | None = None
    rescheduled_after: datetime | None = None


@dataclass(frozen=True)
class ApologyTrace:
    """An apology letter and the new appointment it set."""

    issued_at: datetime
    new_due_at: datetime
    tardy: bool


@dataclass(frozen=True)
class StepRecord:
    """A step of the internal process as the dossier went through it: the unit that held the
    dossier then, when the step began, its own deadline and, once it ended, when and its
    result against that deadline (early / on time / late, as for the appointment)."""

    position: int
    name: str
    unit: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None = None
    result: Timeliness | None = None

    def as_flag(self) -> dict[str, Any]:
        """The record as an event's flags keep it (JSON, instants in Vietnamese time)."""
        def shown(t: datetime | None) -> str | None:
            return None if t is None else t.astimezone(VN_TZ).isoformat()
        return {"position": self.position, "name": self.name, "unit": self.unit,
                "started_at": shown(self.started_at), "due_at": shown(self.due_at),
                "ended_at": shown(self.ended_at), "result": self.result}


@dataclass
class Trace:
    """A dossier's deadline step by step, as `receive` and `apply_event` computed it when
    given this trace: the receipt's walk over the calendar, each pause, each apology, and each
    step of the internal process by position (the running one as it stands)."""

    receipt: Walk = field(default_factory=Walk)
    receipt_due: datetime | None = None
    pauses: list[PauseTrace] = field(default_factory=list)
    apologies: list[ApologyTrace] = field(default_factory=list)
    steps: dict[int, StepRecord] = field(default_factory=dict)


def dossier_code(unit_code: str, received_local_day: date, sequence: int) -> str:
    """Circular art. 19 code: <unit code>-<YYMMDD>-<NNNN>."""
    return f"{unit_code}-{received_local_day:%y%m%d}-{sequence:04d}"


def check_receipt_time(received_at: datetime, now: datetime, skew: timedelta) -> None:
    """A receipt may be in the past (imports, offline counters) but not in the future."""
    check_not_future(received_at, now, skew, "received_at", "received_in_future")


def check_not_future(at: datetime, now: datetime, skew: timedelta, field: str, code: str
                     ) -> None:
    """422 `code` when the instant in `field` lies beyond now and the clients' clock skew."""
    if at > now + skew:
        raise Unprocessable(
            f"{field} is in the future.", code=code,
            invalid_params=[InvalidParam(field, "in_future", "must not be in the future")],
        )


def receive(
    handling_unit: str, received_at: datetime, time: ProcessingTime, cal: WorkCalendar,
    trace: Trace | None = None, steps: Sequence[ProcedureStep] = (),
) -> DossierState:
    """The state of a freshly received dossier, with its appointment (and, when the procedure
    has steps, at the first one with its own deadline)."""
    due = time.due(cal, received_at, trace.receipt if trace is not None else None)
    if trace is not None:
        trace.receipt_due = due
    state = DossierState(
        status="received", handling_unit=handling_unit, received_at=received_at,
        due_at=due, last_event_at=received_at,
    )
    if steps:
        state = replace(state, current_step=0, step_started_at=received_at,
                        step_due_at=_step_due(steps, 0, received_at, due, cal))
        _trace_running(trace, state, steps)
    return state


def _step_due(steps: Sequence[ProcedureStep], position: int, start: datetime, due_at: datetime,
              cal: WorkCalendar) -> datetime:
    """A step's own deadline: its allotment of working time from its start; the last step,
    the return of the result (trả kết quả), is due by the appointment."""
    if position == len(steps) - 1:
        return due_at
    return add_working_time(cal, start, steps[position].allotment(cal.hours.day_length))


def _trace_running(trace: Trace | None, state: DossierState,
                   steps: Sequence[ProcedureStep]) -> None:
    """Note the step the dossier is at, as it stands (a pause may have moved its deadline)."""
    pos = state.current_step
    if (trace is None or pos is None or state.status not in OPEN or pos >= len(steps)
            or state.step_started_at is None or state.step_due_at is None):
        return
    trace.steps[pos] = StepRecord(pos, steps[pos].name, state.handling_unit,
                                  state.step_started_at, state.step_due_at)


def _handoff(new: DossierState, old: DossierState, event: Event,
             steps: Sequence[ProcedureStep], cal: WorkCalendar
             ) -> tuple[DossierState, list[StepRecord]]:
    """The step records an event ends or begins: a transfer ends the current step and begins
    the next; a result ends the current step and the return step with it, judged by whether
    the result was ready by the appointment (never by when the applicant collects it); a
    refusal, stop or withdrawal ends the current step."""
    pos, started, due = old.current_step, old.step_started_at, old.step_due_at
    if pos is None or started is None or due is None or pos >= len(steps):
        return new, []
    last = len(steps) - 1
    if pos == last:
        if event.type in STEP_STARTS:
            return new, []  # at the return step: no step left to hand on to
        due = new.due_at  # the return step: the appointment, as pauses moved it
    ending = StepRecord(pos, steps[pos].name, old.handling_unit, started, due, event.at,
                        timeliness(event.at, due, cal.tz))
    if event.type in STEP_STARTS:
        following = pos + 1
        next_due = _step_due(steps, following, event.at, new.due_at, cal)
        begun = StepRecord(following, steps[following].name, new.handling_unit, event.at,
                           next_due)
        return replace(new, current_step=following, step_started_at=event.at,
                       step_due_at=next_due), [ending, begun]
    if event.type == "resolved" and pos < last:
        ready = StepRecord(last, steps[last].name, new.handling_unit, event.at, new.due_at,
                           event.at, timeliness(event.at, new.due_at, cal.tz))
        return replace(new, current_step=last, step_started_at=event.at,
                       step_due_at=new.due_at), [ending, ready]
    return new, [ending]


def _check_step_completed(state: DossierState, steps: Sequence[ProcedureStep]) -> None:
    """A step may be completed within the unit only if there is a processing step after it:
    the last one before the return ends with the result, and a version without steps has
    none to complete."""
    if state.current_step is None or not steps:
        raise Conflict("This dossier's procedure version has no internal steps to complete; "
                       "post transferred, or resolved.", code="no_internal_steps")
    if state.current_step >= len(steps) - 2:
        raise Conflict(f"Step {state.current_step + 1} ({steps[state.current_step].name}) is "
                       "the last before the return: it ends with the result (post resolved).",
                       code="last_step_ends_with_result")


def apply_event(
    state: DossierState, event: Event, cal: WorkCalendar, now: datetime, skew: timedelta,
    trace: Trace | None = None, steps: Sequence[ProcedureStep] = (),
) -> tuple[DossierState, dict[str, Any]]:
    """Apply one event; return the new state and the flags the event earned (`trace`, when
    given, records how the deadline moved). `steps` is the internal process of the procedure
    version the dossier was received under: its handoffs record each step's deadline and
    result in the flags (`steps`).

    Raises Conflict when the event does not fit the state or goes back in time, and
    Unprocessable when its own fields are wrong. Nothing is changed in either case.
    """
    if event.at > now + skew:
        raise Unprocessable(
            "The event time is in the future.", code="event_in_future",
            invalid_params=[InvalidParam("at", "in_future", "must not be in the future")],
        )
    if event.at < state.last_event_at:
        raise Conflict(
            # In Vietnamese time, as every answer is: the stored instant reads back in UTC.
            f"The event at {event.at.astimezone(VN_TZ).isoformat()} is earlier than the "
            f"dossier's last event at {state.last_event_at.astimezone(VN_TZ).isoformat()}.",
            code="event_out_of_order",
        )
    target = TRANSITIONS.get(state.status, {}).get(event.type)
    if target is None:
        raise Conflict(
            f"A '{event.type}' event is not allowed while the dossier is '{state.status}'.",
            code="illegal_transition",
        )
    status: Status = state.status if target == "=" else target  # type: ignore[assignment]
    new = replace(state, status=status, last_event_at=event.at)
    flags: dict[str, Any] = {}

    if state.paused_at is not None and status != state.status:
        kind = PAUSE_KINDS.get(state.status, "supplement")
        new, paused = _end_pause(new, kind, state.paused_at, event.at, cal, trace)
        flags |= {"pause_ended": kind, "paused_seconds": paused}

    match event.type:
        case "transferred":
            if not event.to_unit:
                raise _missing("to_unit")
            if event.to_unit == state.handling_unit:
                raise Unprocessable(
                    "The dossier is already handled by that unit.", code="same_unit",
                    invalid_params=[InvalidParam("to_unit", "same_unit", "already handling")],
                )
            flags["from_unit"] = state.handling_unit
            new = replace(new, handling_unit=event.to_unit)
        case "supplement_requested":
            # Guidance is given once (Nghị định 61/2018): only the first request, made while
            # the appointment still runs, pauses the clock. A later one, or one after the
            # appointment has passed, still awaits the documents (the status says so) but the
            # clock keeps running: it moves nothing and cures nothing.
            count = state.supplement_count + 1
            new = replace(new, supplement_count=count)
            if count > 1:
                # QĐ 766 scores more than one supplement request per dossier as a fault.
                flags["repeated_supplement"] = True
            elif event.at > state.due_at:
                flags["after_appointment"] = True
            else:
                new = replace(new, paused_at=event.at)
            _trace_request(trace, "supplement", event.at, flags)
        case "financial_obligation_requested":
            # The time the applicant takes to pay is not counted, each time it is asked; but
            # once the appointment has passed, no pause can make the dossier timely again.
            if event.at > state.due_at:
                flags["after_appointment"] = True
            else:
                new = replace(new, paused_at=event.at)
            _trace_request(trace, "financial_obligation", event.at, flags)
        case "resolved":
            verdict = timeliness(event.at, state.due_at, cal.tz)
            worked = working_time_between(cal, state.received_at, event.at) - timedelta(
                seconds=new.paused_seconds + new.obligation_paused_seconds)
            millidays = max(0, round(1000 * worked / cal.hours.day_length))
            new = replace(new, resolved_at=event.at, timeliness=verdict, finished_at=event.at,
                          processing_millidays=millidays)
            if state.rescheduled_due_at is not None:
                flags["late_against_rescheduled"] = event.at > state.rescheduled_due_at
        case "step_completed":
            _check_step_completed(state, steps)
        case "refused" | "stopped" | "withdrawn":
            new = replace(new, finished_at=event.at)
        case "apology_issued":
            new, apology_flags = _apology(new, state, event, cal)
            flags |= apology_flags
            if trace is not None and new.rescheduled_due_at is not None:
                trace.apologies.append(ApologyTrace(event.at, new.rescheduled_due_at,
                                                    bool(apology_flags["tardy"])))
        case "returned":
            if event.method not in ("counter", "postal"):
                raise _missing("method")
            new = replace(new, returned_at=event.at, return_method=event.method,
                          rating=event.rating)
        case "delivered" | "delivery_failed":
            new = _delivery(new, state, event)
    if event.type in STEP_HANDOFFS:
        new, records = _handoff(new, state, event, steps, cal)
        if records:
            flags["steps"] = [r.as_flag() for r in records]
            begun = records[-1]
            expected = steps[begun.position].unit
            if event.type == "transferred" and expected not in (None, begun.unit):
                # Handed to a unit the internal process does not name for the step: taken
                # (units merge, processes lag behind), but shown, for the inspector.
                flags["step_unit_expected"] = expected
        if trace is not None:
            trace.steps.update((r.position, r) for r in records)
    _trace_running(trace, new, steps)
    return new, flags


# The events that end the step a dossier is at (a transfer also begins the next one): their
# flags record the steps they ended or began.
STEP_HANDOFFS = ("transferred", "step_completed", "resolved", "refused", "stopped", "withdrawn")
# The events that hand the dossier on to the next step of the internal process.
STEP_STARTS = ("transferred", "step_completed")


def _delivery(new: DossierState, old: DossierState, event: Event) -> DossierState:
    """The post's outcome: delivered keeps the return; a failure sends the result back."""
    if old.return_method != "postal" or old.delivered_at is not None:
        raise Conflict(
            "Delivery is reported only once, for a result handed to the post.",
            code="not_awaiting_delivery",
        )
    if event.type == "delivered":
        return replace(new, delivered_at=event.at)
    # Undelivered: the result is back at the counter, to be returned again (QĐ 45/2016).
    return replace(new, returned_at=None, return_method=None, rating=None)


def _trace_request(trace: Trace | None, kind: PauseKind, at: datetime,
                   flags: dict[str, Any]) -> None:
    """Note a request that moved nothing; one that pauses is noted when its pause ends."""
    if trace is None:
        return
    reason: NotMoved | None = (
        "repeated_supplement" if flags.get("repeated_supplement")
        else "after_appointment" if flags.get("after_appointment") else None)
    if reason is not None:
        trace.pauses.append(PauseTrace(kind, at, moved=False, not_moved_because=reason))


def _end_pause(
    state: DossierState, kind: PauseKind, paused_at: datetime, end: datetime, cal: WorkCalendar,
    trace: Trace | None = None,
) -> tuple[DossierState, int]:
    """Close a pause: the appointments move by the paused working time, which is added to the
    pause kind's own total; returns the new state and the paused working seconds."""
    window, extension = (Walk(), Walk()) if trace is not None else (None, None)
    paused = int(working_time_between(cal, paused_at, end, window).total_seconds())
    rescheduled = state.rescheduled_due_at
    supplement = paused if kind == "supplement" else 0
    new = replace(
        state,
        paused_at=None,
        paused_seconds=state.paused_seconds + supplement,
        obligation_paused_seconds=state.obligation_paused_seconds + paused - supplement,
        # The window was traced above; the extension is the appointment's own walk.
        due_at=extend_for_pause(cal, state.due_at, paused_at, end, None, extension),
        rescheduled_due_at=(
            extend_for_pause(cal, rescheduled, paused_at, end) if rescheduled else None
        ),
        # The step at hand stood still too: its own deadline moves as the appointment does.
        step_due_at=(extend_for_pause(cal, state.step_due_at, paused_at, end)
                     if state.step_due_at else None),
    )
    if trace is not None and window is not None and extension is not None:
        trace.pauses.append(PauseTrace(
            kind, paused_at, moved=True, ended_at=end, paused=timedelta(seconds=paused),
            window=window, due_before=state.due_at, due_after=new.due_at,
            extension=extension, rescheduled_before=rescheduled,
            rescheduled_after=new.rescheduled_due_at))
    return new, paused


def _apology(
    new: DossierState, old: DossierState, event: Event, cal: WorkCalendar
) -> tuple[DossierState, dict[str, Any]]:
    """Record an apology; it never touches due_at, so it never turns late into on time."""
    if event.new_due_at is None:
        raise _missing("new_due_at")
    current = old.rescheduled_due_at or old.due_at
    if event.new_due_at <= current:
        raise Unprocessable(
            "The new appointment must be later than the current one.",
            code="new_due_not_later",
            invalid_params=[InvalidParam("new_due_at", "not_later",
                                         f"must be after {current.isoformat()}")],
        )
    tardy = not apology_is_timely(cal, event.at, old.due_at)
    flags: dict[str, Any] = {"tardy": tardy, "second": old.apology_count >= 1}
    return replace(
        new,
        rescheduled_due_at=event.new_due_at,
        apology_count=old.apology_count + 1,
        apology_tardy=old.apology_tardy or tardy,
    ), flags


def _missing(field: str) -> Unprocessable:
    return Unprocessable(
        f"'{field}' is required for this event type.", code="missing_field",
        invalid_params=[InvalidParam(field, "missing", "required for this event type")],
    )


class Appointment(Protocol):
    """What overdue is judged on: a DossierState, or a stored dossier row."""

    @property
    def status(self) -> str: ...
    @property
    def paused_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime: ...


def is_overdue(state: Appointment, now: datetime) -> bool:
    """Open, not paused, and past its appointment (judged against due_at, never the apology)."""
    return state.status in OPEN and state.paused_at is None and now > state.due_at


def explain(
    handling_unit: str, received_at: datetime, time: ProcessingTime, cal: WorkCalendar,
    events: list[Event], now: datetime, skew: timedelta, steps: Sequence[ProcedureStep] = (),
) -> tuple[DossierState, Trace]:
    """Replay a dossier's timeline through `receive` and `apply_event` with a trace: the state
    they give (its due_at is the deadline explained) and how each step moved it."""
    trace = Trace()
    state = receive(handling_unit, received_at, time, cal, trace, steps)
    for event in events:
        state, _ = apply_event(state, event, cal, now, skew, trace, steps)
    return state, trace


def recompute(
    state: DossierState, handling_unit: str, time: ProcessingTime, cal: WorkCalendar,
    events: list[Event], now: datetime, skew: timedelta, steps: Sequence[ProcedureStep] = (),
) -> DossierState | None:
    """An open dossier's state after its calendar changed: its timeline replayed on `cal`, the
    same computation as a dossier received and processed on that calendar from the start.

    None when nothing changes, the dossier is closed (a closed dossier keeps its deadline), or
    the timeline no longer replays on the new calendar (an apology's new appointment that is
    not later than the moved one): then the dossier keeps what it has.
    """
    if state.status not in OPEN:
        return None
    try:
        new, _ = explain(handling_unit, state.received_at, time, cal, events, now, skew, steps)
    except (Conflict, Unprocessable):
        return None
    return None if new == state else new


# ---- the lookup code printed on the receipt slip --------------------------------------------

# Crockford's base32 without I, L, O and U: nothing to misread on a printed slip.
SECRET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 (an alphabet)
SECRET_LENGTH = 10  # 50 bits: out of reach of guessing, however many clients guess

def new_lookup_secret() -> str:
    """A dossier's lookup code (mã tra cứu), printed on its receipt slip: 10 random symbols."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def show_secret(secret: str) -> str:
    """The lookup code as printed, in two groups of five: `7K2QX-M9D4R`."""
    return f"{secret[:5]}-{secret[5:]}"
