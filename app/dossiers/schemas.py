"""Dossier and event bodies (hồ sơ, sự kiện)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, TypeAdapter, model_validator

from app.core.bodies import Strict
from app.core.timefmt import INSTANT_RULES, Instant, LocalDatetime
from app.postal.schemas import DeliveryFailureReason, DeliveryIn

Channel = Literal["direct", "online", "postal"]
ClientId = Annotated[str, Field(min_length=1, max_length=100)]
UnitCode = Annotated[str, Field(min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]
# Reason codes, one fixed list per event type (app.dossiers.rules.REASON_CODES has the labels;
# a test keeps the two equal). Omitted, the code is "other".
SupplementReason = Literal["missing_document", "invalid_document", "incorrect_information",
                           "expired_document", "other"]
RefusalReason = Literal["not_competent", "ineligible", "incomplete_after_supplement",
                        "forged_document", "duplicate", "other"]
StopReason = Literal["dispute", "authority_request", "supplement_overdue",
                     "applicant_unreachable", "other"]
WithdrawalReason = Literal["applicant_request", "no_longer_needed", "resubmitted", "other"]
ApologyReason = Literal["workload", "inter_agency_delay", "verification_needed",
                        "system_failure", "officer_error", "other"]
REASON_CODE_DOC = ("Reason code (mã lý do) from this event's fixed list, shown to every key "
                   "(dashboards see it instead of the free-text reason); omitted: other.")


class ApplicantIn(Strict):
    """The applicant (người nộp hồ sơ): personal data, shown only to counter and admin keys."""

    kind: Literal["person", "organisation"] = "person"
    name: str = Field(min_length=1, max_length=255)
    id_number: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9\-]+$")
    phone: str | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 .\-]{6,20}$")
    address: str | None = Field(default=None, max_length=500)


class DossierIn(Strict):
    """A dossier received at a counter, online or by post (tiếp nhận hồ sơ)."""

    procedure: UnitCode
    receiving_unit: UnitCode
    handling_unit: UnitCode | None = None
    channel: Channel
    received_at: Instant | None = Field(
        default=None,
        description="Receipt instant with its offset; defaults to now. Past times are allowed "
        "(imports, offline counters); future times are refused. For postal receipts: the "
        "signed handover between post and unit. " + INSTANT_RULES,
    )
    applicant: ApplicantIn
    client_ref: ClientId | None = Field(
        default=None, description="The counter software's own id; a retry with it is idempotent."
    )
    documents: list[Text] = Field(default=[], max_length=50,
                                  description="Documents received (thành phần hồ sơ).")
    waybill: str | None = Field(default=None, min_length=1, max_length=64,
                                description="For postal receipts: the inbound waybill.")
    return_by_post: StrictBool = Field(default=False, description="Return the result by post.")
    delivery: DeliveryIn | None = Field(
        default=None, description="Where to post the result; defaults to the applicant.")

    @model_validator(mode="after")
    def _postal_fields_fit(self) -> DossierIn:
        if self.waybill is not None and self.channel != "postal":
            raise ValueError("waybill is only for dossiers received by post")
        if self.delivery is not None and not self.return_by_post:
            raise ValueError("delivery needs return_by_post")
        return self


FREE_TEXT_FIELDS = frozenset({"note", "reason"})
"""Event fields clerks type freely (they may hold names and phone numbers): shown to admin and
counter keys only, never to dashboards."""


class _EventBase(Strict):
    id: ClientId = Field(description="The client's own event id; a retry with it is idempotent.")
    at: Instant
    note: str | None = Field(default=None, max_length=1000)


class ProcessingStarted(_EventBase):
    """Processing began (chuyển xử lý)."""

    type: Literal["processing_started"]


class Transferred(_EventBase):
    """Handed to another unit (liên thông); that unit now decides."""

    type: Literal["transferred"]
    to_unit: UnitCode


class SupplementRequested(_EventBase):
    """Supplement request (yêu cầu bổ sung, hoàn thiện hồ sơ): the clock pauses."""

    type: Literal["supplement_requested"]
    reason: Text
    reason_code: SupplementReason = Field(default="other", description=REASON_CODE_DOC)
    documents: list[Text] = Field(default=[], max_length=50)


class SupplementReceived(_EventBase):
    """The applicant supplied the documents: the clock resumes."""

    type: Literal["supplement_received"]


class Resolved(_EventBase):
    """A result exists (đã có kết quả); timeliness is judged against due_at."""

    type: Literal["resolved"]
    result_document: str | None = Field(default=None, max_length=500,
                                        description="The result issued, e.g. for the post.")


class Refused(_EventBase):
    """Refused at receipt or after appraisal (từ chối)."""

    type: Literal["refused"]
    reason: Text
    reason_code: RefusalReason = Field(default="other", description=REASON_CODE_DOC)


class Stopped(_EventBase):
    """Processing stopped (dừng xử lý)."""

    type: Literal["stopped"]
    reason: Text
    reason_code: StopReason = Field(default="other", description=REASON_CODE_DOC)


class Withdrawn(_EventBase):
    """Withdrawn by the applicant (rút hồ sơ)."""

    type: Literal["withdrawn"]
    reason: str | None = Field(default=None, max_length=1000)
    reason_code: WithdrawalReason = Field(default="other", description=REASON_CODE_DOC)


class ApologyIssued(_EventBase):
    """Apology letter with a new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

    type: Literal["apology_issued"]
    reason: Text
    reason_code: ApologyReason = Field(default="other", description=REASON_CODE_DOC)
    new_due_at: Instant


class Returned(_EventBase):
    """Result returned at the counter or handed to the post (trả kết quả)."""

    type: Literal["returned"]
    method: Literal["counter", "postal"]
    rating: int | None = Field(default=None, ge=1, le=5)
    waybill: str | None = Field(default=None, max_length=64)


class ReturnByPostRequested(_EventBase):
    """The applicant asks for the result by post (QĐ 45/2016); replaces an earlier address."""

    type: Literal["return_by_post_requested"]
    delivery: DeliveryIn = DeliveryIn()


class Delivered(_EventBase):
    """The post delivered the result."""

    type: Literal["delivered"]


class DeliveryFailed(_EventBase):
    """The post could not deliver: the result goes back to the counter."""

    type: Literal["delivery_failed"]
    reason: Text
    reason_code: DeliveryFailureReason = Field(default="other", description=REASON_CODE_DOC)


EventIn = Annotated[
    ProcessingStarted | Transferred | SupplementRequested | SupplementReceived | Resolved
    | Refused | Stopped | Withdrawn | ApologyIssued | Returned | ReturnByPostRequested
    | Delivered | DeliveryFailed,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[EventIn] = TypeAdapter(EventIn)


class EventTarget(BaseModel):
    """What a batch event item adds to an event: the code of the dossier it is for."""

    dossier: str = Field(min_length=1, max_length=64, description="Dossier code (mã hồ sơ)")


class BatchIn(Strict):
    """Items validated one by one, so one bad item does not sink the others."""

    items: list[dict[str, Any]] = Field(min_length=1)


class ApplicantOut(BaseModel):
    """The applicant as counter and admin keys see it."""

    kind: str
    name: str
    id_number: str | None
    phone: str | None
    address: str | None


class TimelineEvent(BaseModel):
    """One step of the timeline."""

    id: str
    type: str
    at: LocalDatetime
    recorded_at: LocalDatetime
    details: dict[str, Any]
    flags: dict[str, Any]


class DossierOut(BaseModel):
    """A dossier's current state; `timeline` only on the single-dossier view."""

    code: str
    status: str
    procedure: str
    # The procedure version whose rules set the appointment at receipt.
    procedure_version: int
    receiving_unit: str
    handling_unit: str
    channel: str
    client_ref: str | None
    received_at: LocalDatetime
    due_at: LocalDatetime = Field(description="Appointment (ngày hẹn trả), moved only by pauses.")
    rescheduled_due_at: LocalDatetime | None = Field(description="New appointment from an apology.")
    timeliness: Literal["early", "on_time", "late"] | None
    overdue: bool = Field(description="Open, not paused, and past due_at now (quá hạn).")
    paused: bool
    supplement_count: int
    apology_count: int
    resolved_at: LocalDatetime | None
    processing_working_days: float | None = Field(
        description="Working days from receipt to result, supplement pauses excluded")
    finished_at: LocalDatetime | None
    returned_at: LocalDatetime | None
    return_method: str | None
    rating: int | None
    applicant: ApplicantOut | None = None
    timeline: list[TimelineEvent] | None = None


class DossierPage(BaseModel):
    """A page of dossiers, newest first."""

    items: list[DossierOut]
    next_cursor: str | None


class EventOut(BaseModel):
    """The answer to an event: the event as recorded and the dossier after it."""

    event: TimelineEvent
    dossier: DossierOut


class BatchResult(BaseModel):
    """One item's outcome: its status and either the answer or a problem document."""

    index: int
    status: int
    replayed: bool
    body: dict[str, Any]


class BatchOut(BaseModel):
    """Per-item results, in the order of the request."""

    results: list[BatchResult]
