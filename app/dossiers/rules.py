"""The dossier lifecycle as pure functions: state in, event in, new state out.

No database, web framework or clock here: the caller passes the calendar and `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any, Literal, Protocol

from app.calendar.rules import (
    WorkCalendar,
    add_calendar_days,
    add_working_time,
    apology_is_timely,
    extend_for_pause,
    same_day_due,
    timeliness,
    working_time_between,
)
from app.core.clock import VN_TZ
from app.core.problems import Conflict, InvalidParam, Unprocessable

Status = Literal[
    "received", "processing", "awaiting_supplement", "resolved", "returned",
    "refused", "stopped", "withdrawn",
]
EventType = Literal[
    "processing_started", "transferred", "supplement_requested", "supplement_received",
    "resolved", "refused", "stopped", "withdrawn", "apology_issued", "returned",
    "return_by_post_requested", "delivered", "delivery_failed",
]
EVENT_TYPES: tuple[EventType, ...] = (
    "processing_started", "transferred", "supplement_requested", "supplement_received",
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


OPEN: frozenset[str] = frozenset({"received", "processing", "awaiting_supplement"})
ENDED_OTHERWISE: frozenset[str] = frozenset({"refused", "stopped", "withdrawn"})

# Which event each state admits, and the state it leads to ("=" keeps the state).
# The lifecycle: refusal happens at receipt or after appraisal; stopping only after
# processing has begun; withdrawal from any open state; apology is an overlay on open dossiers.
# By post (QĐ 45/2016): "returned" with method postal is the handover to the post; a failed
# delivery brings the result back to the counter ("resolved"), to be returned again.
TRANSITIONS: dict[str, dict[str, str]] = {
    "received": {
        "processing_started": "processing",
        "transferred": "processing",
        "supplement_requested": "awaiting_supplement",
        "resolved": "resolved",
        "refused": "refused",
        "withdrawn": "withdrawn",
        "apology_issued": "=",
        "return_by_post_requested": "=",
    },
    "processing": {
        "transferred": "processing",
        "supplement_requested": "awaiting_supplement",
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
    paused_at: datetime | None = None
    paused_seconds: int = 0
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


@dataclass(frozen=True)
class Event:
    """A lifecycle event as the rules need it (payload fields already validated by shape)."""

    type: EventType
    at: datetime
    to_unit: str | None = None
    new_due_at: datetime | None = None
    method: str | None = None
    rating: int | None = None


TimeKind = Literal["working_days", "working_hours", "calendar_days", "same_day"]
TIME_KINDS: tuple[TimeKind, ...] = ("working_days", "working_hours", "calendar_days", "same_day")
# Same-day procedures (certification, chứng thực) take dossiers until 15:00 unless set otherwise.
DEFAULT_CUTOFF = dt_time(15)


@dataclass(frozen=True)
class ProcessingTime:
    """Legal processing time: exactly one kind set (same_day is set by its cut-off)."""

    days: int | None = None
    hours: int | None = None
    calendar_days: int | None = None
    cutoff: dt_time | None = None

    def __post_init__(self) -> None:
        given = (self.days, self.hours, self.calendar_days, self.cutoff)
        if sum(v is not None for v in given) != 1:
            raise ValueError("exactly one kind of processing time must be set")

    @property
    def kind(self) -> TimeKind:
        """Which of the four kinds this is."""
        if self.days is not None:
            return "working_days"
        if self.hours is not None:
            return "working_hours"
        if self.calendar_days is not None:
            return "calendar_days"
        return "same_day"

    def amount(self, cal: WorkCalendar) -> timedelta:
        """The working time it stands for on this calendar (working days or hours only)."""
        if self.days is not None:
            return self.days * cal.hours.day_length
        if self.hours is not None:
            return timedelta(hours=self.hours)
        raise ValueError(f"a {self.kind} processing time is not an amount of working time")

    def due(self, cal: WorkCalendar, received_at: datetime) -> datetime:
        """The appointment for a dossier received at `received_at`."""
        if self.calendar_days is not None:
            return add_calendar_days(cal, received_at, self.calendar_days)
        if self.cutoff is not None:
            return same_day_due(cal, received_at, self.cutoff)
        return add_working_time(cal, received_at, self.amount(cal))


def dossier_code(unit_code: str, received_local_day: date, sequence: int) -> str:
    """Circular art. 19 code: <unit code>-<YYMMDD>-<NNNN>."""
    return f"{unit_code}-{received_local_day:%y%m%d}-{sequence:04d}"


def local_day(at: datetime) -> date:
    """The Vietnamese calendar day of an instant."""
    return at.astimezone(VN_TZ).date()


def check_receipt_time(received_at: datetime, now: datetime, skew: timedelta) -> None:
    """A receipt may be in the past (imports, offline counters) but not in the future."""
    if received_at > now + skew:
        raise Unprocessable(
            "received_at is in the future.",
            code="received_in_future",
            invalid_params=[InvalidParam("received_at", "in_future", "must not be in the future")],
        )


def receive(
    handling_unit: str, received_at: datetime, time: ProcessingTime, cal: WorkCalendar
) -> DossierState:
    """The state of a freshly received dossier, with its appointment."""
    due = time.due(cal, received_at)
    return DossierState(
        status="received", handling_unit=handling_unit, received_at=received_at,
        due_at=due, last_event_at=received_at,
    )


def apply_event(
    state: DossierState, event: Event, cal: WorkCalendar, now: datetime, skew: timedelta
) -> tuple[DossierState, dict[str, Any]]:
    """Apply one event; return the new state and the flags the event earned.

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

    if state.paused_at is not None and status != "awaiting_supplement":
        new = _end_pause(new, state.paused_at, event.at, cal)

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
        case "resolved":
            verdict = timeliness(event.at, state.due_at, cal.tz)
            worked = working_time_between(cal, state.received_at, event.at) - timedelta(
                seconds=new.paused_seconds)
            millidays = max(0, round(1000 * worked / cal.hours.day_length))
            new = replace(new, resolved_at=event.at, timeliness=verdict, finished_at=event.at,
                          processing_millidays=millidays)
            if state.rescheduled_due_at is not None:
                flags["late_against_rescheduled"] = event.at > state.rescheduled_due_at
        case "refused" | "stopped" | "withdrawn":
            new = replace(new, finished_at=event.at)
        case "apology_issued":
            new, flags = _apology(new, state, event, cal)
        case "returned":
            if event.method not in ("counter", "postal"):
                raise _missing("method")
            new = replace(new, returned_at=event.at, return_method=event.method,
                          rating=event.rating)
        case "delivered" | "delivery_failed":
            new = _delivery(new, state, event)
    return new, flags


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


def _end_pause(
    state: DossierState, paused_at: datetime, end: datetime, cal: WorkCalendar
) -> DossierState:
    """Close a supplement pause: the appointments move by the paused working time."""
    paused = working_time_between(cal, paused_at, end)
    rescheduled = state.rescheduled_due_at
    return replace(
        state,
        paused_at=None,
        paused_seconds=state.paused_seconds + int(paused.total_seconds()),
        due_at=extend_for_pause(cal, state.due_at, paused_at, end),
        rescheduled_due_at=(
            extend_for_pause(cal, rescheduled, paused_at, end) if rescheduled else None
        ),
    )


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
