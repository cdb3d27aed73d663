"""Dossier and event bodies (hồ sơ, sự kiện)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, Field, StrictBool, TypeAdapter, create_model, model_validator

from app.calendar.schemas import DaySource
from app.core.bodies import DocumentedAs, Strict
from app.core.cursor import CURSOR_EXAMPLE, NEXT_CURSOR
from app.core.examples import DOSSIER_EXAMPLE, PROCEDURE_EXAMPLE, UNIT_EXAMPLE
from app.core.timefmt import INSTANT_RULES, ClockTime, Instant, LocalDatetime
from app.dossiers.rules import OFFICER_ID_LENGTH, OFFICER_NAME_LENGTH

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
EVENT_TYPE_DOC = "The event's type; it says which other fields the event takes."
REASON_DOC = "Why, in the clerk's words (admin and counter keys only)."
REASON_CODE_DOC = ("Reason code (mã lý do) from this event's fixed list, shown to every key "
                   "(dashboards see it instead of the free-text reason); omitted: other.")


OFFICER_ID = "Opaque staff id (mã cán bộ) of the officer in the unit's own staff system."
OFFICER_NAME = "The officer's display name (họ tên cán bộ, công chức)."


class OfficerIn(Strict):
    """The officer (cán bộ, công chức) who did it: a staff id and a display name, never
    the applicant's data. Counted in the officers' figures (GET /stats/officers)."""

    id: str = Field(min_length=1, max_length=OFFICER_ID_LENGTH, pattern=r"^[A-Za-z0-9._:-]+$",
                    description=OFFICER_ID, examples=["cb-h12-0042"])
    name: str = Field(min_length=1, max_length=OFFICER_NAME_LENGTH, description=OFFICER_NAME,
                      examples=["Trần Văn Minh"])


RECEIVING_OFFICER_DOC = ("The officer who received it (cán bộ tiếp nhận); optional. Part of "
                         "the request: a retry must name the same officer.")
EVENT_OFFICER_DOC = ("The officer who did it; optional. For `resolved` the officer who "
                     "resolved it (cán bộ giải quyết), for `returned` the one who handed the "
                     "result over, whom the rating judges. Part of the request: a retry must "
                     "name the same officer.")


# The reason codes of a failed delivery (the labels are in app.dossiers.rules.REASON_CODES).
DeliveryFailureReason = Literal["address_not_found", "recipient_absent", "recipient_refused",
                                "other"]


class DeliveryIn(Strict):
    """Where the post delivers the result; omitted fields default to the applicant's."""

    name: str | None = Field(default=None, min_length=1, max_length=255,
                             description="The recipient's name.", examples=["Nguyễn Văn An"])
    address: str | None = Field(default=None, min_length=1, max_length=500,
                                description="The postal address.",
                                examples=["Số 12 đường Lê Thánh Tông, phường Hạ Long, Quảng Ninh"])
    phone: str | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 .\-]{6,20}$",
                              description="The phone the postman calls.",
                              examples=["0912 345 678"])
    cod_amount: int = Field(default=0, ge=0, le=1_000_000_000, examples=[50000],
                            description="Fee in VND the post collects on delivery (thu hộ).")


APPLICANT_KIND = "A person (cá nhân) or an organisation (tổ chức)."
APPLICANT_NAME = "Full name, or the organisation's name."
APPLICANT_ID = "Citizen id (số định danh cá nhân, CCCD) or the organisation's tax code."
APPLICANT_PHONE = "Contact phone; its last 4 digits open the public lookup."
APPLICANT_ADDRESS = "Contact address."


class ApplicantIn(Strict):
    """The applicant (người nộp hồ sơ): personal data, shown only to counter and admin keys."""

    kind: Literal["person", "organisation"] = Field(
        default="person", description=APPLICANT_KIND, examples=["person"])
    name: str = Field(min_length=1, max_length=255, description=APPLICANT_NAME,
                      examples=["Nguyễn Thị Hoa"])
    id_number: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9\-]+$",
                                  description=APPLICANT_ID, examples=["022190001234"])
    phone: str | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 .\-]{6,20}$",
                              description=APPLICANT_PHONE, examples=["0912 345 678"])
    address: str | None = Field(default=None, max_length=500, description=APPLICANT_ADDRESS,
                                examples=["Tổ 3, khu 5, phường Hạ Long, Quảng Ninh"])


class ReceiptFields(Strict):
    """What a receipt holds whatever its channel: the procedure, the units, the applicant and
    the documents (thành phần hồ sơ)."""

    procedure: UnitCode = Field(description="Procedure code (mã thủ tục hành chính).",
                                examples=[PROCEDURE_EXAMPLE])
    receiving_unit: UnitCode = Field(description="Code of the unit receiving it (the counter's "
                                                 "unit); it opens the dossier code.",
                                     examples=[UNIT_EXAMPLE])
    handling_unit: UnitCode | None = Field(
        default=None, description="Code of the unit deciding it; defaults to the procedure's "
                                  "handler or the receiving unit.", examples=["000.00.02.H12"])
    applicant: ApplicantIn
    client_ref: ClientId | None = Field(
        default=None, description="The counter software's own id; a retry with it is idempotent.",
        examples=["quay-03-20260302-0015"])
    documents: list[Text] = Field(default=[], max_length=50,
                                  description="Documents received (thành phần hồ sơ).",
                                  examples=[["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]])
    return_by_post: StrictBool = Field(default=False, description="Return the result by post.",
                                       examples=[False])
    delivery: DeliveryIn | None = Field(
        default=None, description="Where to post the result; defaults to the applicant.")

    @model_validator(mode="after")
    def _delivery_needs_return_by_post(self) -> ReceiptFields:
        if self.delivery is not None and not self.return_by_post:
            raise ValueError("delivery needs return_by_post")
        return self


class DossierIn(ReceiptFields):
    """A dossier received at a counter, online or by post (tiếp nhận hồ sơ)."""

    channel: Channel = Field(description="direct (trực tiếp, at the counter), online (trực "
                                         "tuyến) or postal (bưu chính).", examples=["direct"])
    received_at: Instant | None = Field(
        default=None,
        description="Receipt instant with its offset; defaults to now. Past times are allowed "
        "(imports, offline counters); future times are refused. For postal receipts: the "
        "signed handover between post and unit. " + INSTANT_RULES,
        examples=["2026-03-02T08:15:00+07:00"],
    )
    waybill: str | None = Field(default=None, min_length=1, max_length=64,
                                description="For postal receipts: the inbound waybill.",
                                examples=["EB123456789VN"])
    officer: OfficerIn | None = Field(default=None, description=RECEIVING_OFFICER_DOC)

    @model_validator(mode="after")
    def _waybill_only_by_post(self) -> DossierIn:
        if self.waybill is not None and self.channel != "postal":
            raise ValueError("waybill is only for dossiers received by post")
        return self


FREE_TEXT_FIELDS = frozenset({"note", "reason"})
"""Event fields clerks type freely (they may hold names and phone numbers): shown to admin and
counter keys only, never to dashboards."""


class _EventBase(Strict):
    id: ClientId = Field(description="The client's own event id; a retry with it is idempotent.",
                         examples=["quay-03-ev-000421"])
    at: Instant
    note: str | None = Field(default=None, max_length=1000, examples=["Đã gọi điện báo công dân"],
                             description="The clerk's free-text note (admin and counter keys "
                                         "only).")
    officer: OfficerIn | None = Field(default=None, description=EVENT_OFFICER_DOC)


class ProcessingStarted(_EventBase):
    """Processing began (chuyển xử lý)."""

    type: Literal["processing_started"] = Field(
        description=EVENT_TYPE_DOC, examples=["processing_started"])


class Transferred(_EventBase):
    """Handed to another unit (liên thông); that unit now decides."""

    type: Literal["transferred"] = Field(description=EVENT_TYPE_DOC, examples=["transferred"])
    to_unit: UnitCode = Field(description="Code of the unit it is handed to.",
                              examples=["000.00.02.H12"])


class StepCompleted(_EventBase):
    """A step of the procedure's internal process is done within the unit and the next one
    begins (chuyển bước xử lý), e.g. appraisal handed to the leader for signature; its own
    deadline starts then. Only for a procedure version with steps, and not for the last step
    before the return, which ends with the result."""

    type: Literal["step_completed"] = Field(description=EVENT_TYPE_DOC,
                                            examples=["step_completed"])


class SupplementRequested(_EventBase):
    """Supplement request (yêu cầu bổ sung, hoàn thiện hồ sơ): the clock pauses."""

    type: Literal["supplement_requested"] = Field(
        description=EVENT_TYPE_DOC, examples=["supplement_requested"])
    reason: Text = Field(description=REASON_DOC, examples=["Thiếu bản sao giấy chứng sinh"])
    reason_code: SupplementReason = Field(default="other", description=REASON_CODE_DOC,
                                          examples=["missing_document"])
    documents: list[Text] = Field(default=[], max_length=50,
                                  description="The documents to supply.",
                                  examples=[["Bản sao giấy chứng sinh"]])


class SupplementReceived(_EventBase):
    """The applicant supplied the documents: the clock resumes."""

    type: Literal["supplement_received"] = Field(
        description=EVENT_TYPE_DOC, examples=["supplement_received"])


class FinancialObligationRequested(_EventBase):
    """The applicant is asked to pay financial obligations (nghĩa vụ tài chính, e.g. land-use
    fees and taxes): the clock pauses until they are fulfilled, apart from supplement pauses."""

    type: Literal["financial_obligation_requested"] = Field(
        description=EVENT_TYPE_DOC, examples=["financial_obligation_requested"])
    reason: Text | None = Field(default=None, description="What is to be paid, e.g. the notice",
                                examples=["Thông báo nộp lệ phí trước bạ số 123/TB-CCT"])


class FinancialObligationFulfilled(_EventBase):
    """The applicant fulfilled the financial obligations: the clock resumes."""

    type: Literal["financial_obligation_fulfilled"] = Field(
        description=EVENT_TYPE_DOC, examples=["financial_obligation_fulfilled"])


class Resolved(_EventBase):
    """A result exists (đã có kết quả); timeliness is judged against due_at."""

    type: Literal["resolved"] = Field(description=EVENT_TYPE_DOC, examples=["resolved"])
    result_document: str | None = Field(default=None, max_length=500,
                                        description="The result issued, e.g. for the post.",
                                        examples=["Giấy khai sinh số 45/2026"])


class Refused(_EventBase):
    """Refused at receipt or after appraisal (từ chối)."""

    type: Literal["refused"] = Field(description=EVENT_TYPE_DOC, examples=["refused"])
    reason: Text = Field(description=REASON_DOC, examples=["Không thuộc thẩm quyền giải quyết"])
    reason_code: RefusalReason = Field(default="other", description=REASON_CODE_DOC,
                                       examples=["not_competent"])


class Stopped(_EventBase):
    """Processing stopped (dừng xử lý)."""

    type: Literal["stopped"] = Field(description=EVENT_TYPE_DOC, examples=["stopped"])
    reason: Text = Field(description=REASON_DOC, examples=["Có tranh chấp về quyền sử dụng đất"])
    reason_code: StopReason = Field(default="other", description=REASON_CODE_DOC,
                                    examples=["dispute"])


class Withdrawn(_EventBase):
    """Withdrawn by the applicant (rút hồ sơ)."""

    type: Literal["withdrawn"] = Field(description=EVENT_TYPE_DOC, examples=["withdrawn"])
    reason: str | None = Field(default=None, max_length=1000, description=REASON_DOC,
                               examples=["Công dân xin rút để bổ sung giấy tờ"])
    reason_code: WithdrawalReason = Field(default="other", description=REASON_CODE_DOC,
                                          examples=["applicant_request"])


class ApologyIssued(_EventBase):
    """Apology letter with a new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

    type: Literal["apology_issued"] = Field(description=EVENT_TYPE_DOC, examples=["apology_issued"])
    reason: Text = Field(description=REASON_DOC, examples=["Cần xác minh thêm với UBND xã"])
    reason_code: ApologyReason = Field(default="other", description=REASON_CODE_DOC,
                                       examples=["verification_needed"])
    new_due_at: Instant = Field(description="The new appointment (hẹn lại) promised in the "
                                            "letter, with its offset. " + INSTANT_RULES,
                                examples=["2026-03-12T17:00:00+07:00"])


class Returned(_EventBase):
    """Result returned at the counter or handed to the post (trả kết quả)."""

    type: Literal["returned"] = Field(description=EVENT_TYPE_DOC, examples=["returned"])
    method: Literal["counter", "postal"] = Field(
        description="Handed over at the counter (tại quầy) or to the post (qua bưu chính).",
        examples=["counter"])
    rating: int | None = Field(default=None, ge=1, le=5, examples=[5],
                               description="The applicant's satisfaction, 1-5 (4 and 5 count as "
                                           "satisfied).")
    waybill: str | None = Field(default=None, max_length=64, examples=["EB987654321VN"],
                                description="For a postal return: the outbound waybill.")


class ReturnByPostRequested(_EventBase):
    """The applicant asks for the result by post (QĐ 45/2016); replaces an earlier address."""

    type: Literal["return_by_post_requested"] = Field(
        description=EVENT_TYPE_DOC, examples=["return_by_post_requested"])
    delivery: DeliveryIn = Field(default=DeliveryIn(),
                                 description="Where to post the result; defaults to the "
                                             "applicant.")


class Delivered(_EventBase):
    """The post delivered the result."""

    type: Literal["delivered"] = Field(description=EVENT_TYPE_DOC, examples=["delivered"])


class DeliveryFailed(_EventBase):
    """The post could not deliver: the result goes back to the counter."""

    type: Literal["delivery_failed"] = Field(
        description=EVENT_TYPE_DOC, examples=["delivery_failed"])
    reason: Text = Field(description=REASON_DOC, examples=["Không liên lạc được người nhận"])
    reason_code: DeliveryFailureReason = Field(default="other", description=REASON_CODE_DOC,
                                               examples=["recipient_absent"])


EventIn = Annotated[
    ProcessingStarted | Transferred | StepCompleted | SupplementRequested | SupplementReceived
    | FinancialObligationRequested | FinancialObligationFulfilled | Resolved
    | Refused | Stopped | Withdrawn | ApologyIssued | Returned | ReturnByPostRequested
    | Delivered | DeliveryFailed,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[EventIn] = TypeAdapter(EventIn)


class EventTarget(BaseModel):
    """What a batch event item adds to an event: the code of the dossier it is for."""

    dossier: str = Field(min_length=1, max_length=64, description="Dossier code (mã hồ sơ)",
                         examples=[DOSSIER_EXAMPLE])


def _batch_item(event: type[BaseModel]) -> type[BaseModel]:
    """The batch item of one event type: the event's own fields and its `dossier`."""
    summary = (event.__doc__ or "").strip()
    return create_model(f"{event.__name__}Item", __base__=(event, EventTarget),
                        __module__=__name__,
                        __doc__=f"{summary} As a batch item, with the dossier it is for.")


# The documented shape of an event batch item; the endpoint validates each item by itself.
EVENT_ITEM: Any = Annotated[
    Union[tuple(_batch_item(event) for event in get_args(get_args(EventIn)[0]))],  # noqa: UP007
    Field(discriminator="type"),
]
RECEIPT_ITEM = Annotated[DossierIn, Field(description="A dossier, as POST /dossiers takes it.")]
BATCH_ITEMS_DOC = ("The items, each validated by itself, so one bad item gets its own error and "
                   "the others go on; at most BATCH_MAX_ITEMS.")


class ReceiptBatchIn(Strict):
    """Dossiers to receive in one request (offline counters, imports)."""

    items: list[Annotated[dict[str, Any], DocumentedAs(RECEIPT_ITEM)]] = Field(
        min_length=1, description=BATCH_ITEMS_DOC)


class EventBatchIn(Strict):
    """Events to post in one request; each item names the dossier it is for."""

    items: list[Annotated[dict[str, Any], DocumentedAs(EVENT_ITEM)]] = Field(
        min_length=1,
        description=f"{BATCH_ITEMS_DOC} Each is the body POST /dossiers/{{code}}/events takes, "
                    "plus `dossier`.",
        examples=[[{"dossier": DOSSIER_EXAMPLE, "id": "quay-03-ev-000422",
                    "type": "processing_started", "at": "2026-03-02T09:00:00+07:00"}]])


class ApplicantOut(BaseModel):
    """The applicant as counter and admin keys see it."""

    kind: str = Field(description=APPLICANT_KIND, examples=["person"])
    name: str = Field(description=APPLICANT_NAME, examples=["Nguyễn Thị Hoa"])
    id_number: str | None = Field(description=APPLICANT_ID, examples=["022190001234"])
    phone: str | None = Field(description=APPLICANT_PHONE, examples=["0912 345 678"])
    address: str | None = Field(description=APPLICANT_ADDRESS,
                                examples=["Tổ 3, khu 5, phường Hạ Long, Quảng Ninh"])


class TimelineEvent(BaseModel):
    """One step of the timeline."""

    id: str = Field(description="The client's own event id.", examples=["quay-03-ev-000421"])
    type: str = Field(description="The event type (e.g. received, processing_started, "
                                  "transferred, resolved, returned).",
                      examples=["supplement_requested"])
    at: LocalDatetime = Field(description="When it happened (Vietnamese time).")
    recorded_at: LocalDatetime = Field(description="When the service recorded it.")
    details: dict[str, Any] = Field(
        description="The event's own fields (reason, documents, to_unit, ...); free text only "
                    "for admin and counter keys.",
        examples=[{"reason_code": "missing_document", "documents": ["Bản sao giấy chứng sinh"]}])
    flags: dict[str, Any] = Field(
        description="What the service judged of it, e.g. a repeated supplement request or a "
                    "tardy apology.", examples=[{"repeated_supplement": False}])


class CurrentStep(BaseModel):
    """The step of the procedure's internal process (liên thông) the dossier is at."""

    position: int = Field(description="The step's place in the process, from 0 (the names "
                                      "are the procedure version's `steps`).", examples=[1])
    started_at: LocalDatetime = Field(description="When the step began (receipt or handoff).")
    due_at: LocalDatetime = Field(description="The step's own deadline: its allotment of "
                                              "working time from its start, moved by pauses; "
                                              "the return step's is the appointment.")


class DossierOut(BaseModel):
    """A dossier's current state; `timeline` only on the single-dossier view."""

    code: str = Field(
        examples=[DOSSIER_EXAMPLE],
        description="Dossier code (mã hồ sơ): <unit code>-<YYMMDD>-<NNNN>.")
    status: str = Field(
        examples=["processing"],
        description="received, processing, awaiting_supplement, awaiting_financial_obligation, "
                    "resolved, returned, refused, stopped or withdrawn.")
    procedure: str = Field(
        examples=[PROCEDURE_EXAMPLE], description="Procedure code (mã thủ tục hành chính).")
    procedure_version: int = Field(examples=[2],
        description="The procedure version whose rules set the appointment at receipt.")
    receiving_unit: str = Field(
        examples=[UNIT_EXAMPLE], description="Code of the unit that received the dossier.")
    handling_unit: str = Field(
        examples=["000.00.02.H12"], description="Code of the unit deciding it now (liên thông "
                               "transfers change it).")
    channel: str = Field(
        examples=["direct"], description="direct (trực tiếp), online (trực tuyến) or postal "
                         "(bưu chính).")
    client_ref: str | None = Field(
        examples=["quay-03-20260302-0015"],
        description="The counter software's own id, if it sent one.")
    received_at: LocalDatetime = Field(description="Receipt instant (Vietnamese time).")
    due_at: LocalDatetime = Field(
        description="Appointment (ngày hẹn trả): set at receipt, moved by the pauses (the first "
                    "supplement request, every financial-obligation request) and by a change of "
                    "the working calendar while the dossier is open, never by an apology "
                    "(docs/deadlines.md).")
    rescheduled_due_at: LocalDatetime | None = Field(description="New appointment from an apology.")
    timeliness: Literal["early", "on_time", "late"] | None = Field(examples=["on_time"],
        description="Once resolved: trước hạn / đúng hạn / quá hạn against due_at.")
    overdue: bool = Field(
        examples=[False], description="Open, not paused, and past due_at now (quá hạn).")
    paused: bool = Field(
        examples=[False], description="The legal clock stands still now (either kind of pause: "
                         "a supplement request or financial obligations).")
    pause_kind: Literal["supplement", "financial_obligation"] | None = Field(
        examples=["supplement"],
        description="Which pause stops the clock now: a supplement request (chờ bổ sung) or "
                    "financial obligations (chờ thực hiện nghĩa vụ tài chính); null if none")
    supplement_paused_seconds: int = Field(examples=[14400],
        description="Working seconds of completed supplement pauses")
    financial_obligation_paused_seconds: int = Field(examples=[0],
        description="Working seconds of completed financial-obligation pauses")
    supplement_count: int = Field(
        examples=[1], description="Supplement requests made, the first included.")
    apology_count: int = Field(examples=[0], description="Apology letters issued.")
    resolved_at: LocalDatetime | None = Field(description="When the result was ready.")
    processing_working_days: float | None = Field(examples=[2.5],
        description="Working days from receipt to result, pauses of both kinds excluded")
    finished_at: LocalDatetime | None = Field(
        description="When processing ended: resolved, refused, stopped or withdrawn.")
    returned_at: LocalDatetime | None = Field(
        description="When the result was handed over at the counter or to the post.")
    return_method: str | None = Field(
        examples=["counter"], description="counter or postal, once returned.")
    rating: int | None = Field(examples=[5], description="The applicant's rating at return, 1-5.")
    step: CurrentStep | None = Field(
        default=None, description="The step of the internal process it is at (or ended at); "
                                  "null for a procedure version without steps.")
    applicant: ApplicantOut | None = Field(
        default=None, description="Personal data: only for admin and counter keys.")
    timeline: list[TimelineEvent] | None = Field(
        default=None, description="Every event in time order; only on the single-dossier view.")


class DossierPage(BaseModel):
    """A page of dossiers, newest first."""

    items: list[DossierOut] = Field(description="The dossiers of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR, examples=[CURSOR_EXAMPLE])


class EventOut(BaseModel):
    """The answer to an event: the event as recorded and the dossier after it."""

    event: TimelineEvent = Field(description="The event as recorded.")
    dossier: DossierOut = Field(description="The dossier after it.")


class BatchResult(BaseModel):
    """One item's outcome: its status and either the answer or a problem document."""

    index: int = Field(description="The item's place in the request, from 0.", examples=[0])
    status: int = Field(description="The HTTP status the item alone would have had.",
                        examples=[201])
    replayed: bool = Field(description="True when a retry: the first answer is given again.",
                           examples=[False])
    body: dict[str, Any] = Field(
        description="The answer (a dossier, or an event with its dossier) or a problem "
                    "document.", examples=[{"code": DOSSIER_EXAMPLE, "status": "received"}])


class BatchOut(BaseModel):
    """Per-item results, in the order of the request."""

    results: list[BatchResult] = Field(description="One per item, in the request's order.")


class CountedDay(BaseModel):
    """Working time counted on one day."""

    date: Annotated[date, Field(description="The day (Vietnamese time).", examples=["2026-03-03"])]
    working_seconds: int = Field(description="Working seconds counted on it.",
                                 examples=[27000])


class SkippedDay(BaseModel):
    """A day passed over because no session is held on it, and why."""

    date: Annotated[date, Field(description="The day (Vietnamese time).", examples=["2026-03-07"])]
    reason: Literal["weekend", "holiday", "national_override", "unit_override"] = Field(
        examples=["weekend"],
        description="weekend: not one of the unit's working weekdays; holiday: a day off in the "
                    "holidays package's national data; national_override / unit_override: a "
                    "day off set in this service (its author and reason in `source`)")
    source: DaySource = Field(description="Where the day's status comes from.")


class CalendarWalk(BaseModel):
    """One count over the working calendar: where it began, what it counted, what it skipped."""

    start: LocalDatetime | None = Field(
        description="Where the count began: after the opening rule (a time outside working "
                    "hours starts at the next opening)")
    working_seconds: int = Field(description="All the working time counted",
                                 examples=[135000])
    counted: list[CountedDay] = Field(description="The days with working time counted.")
    skipped: list[SkippedDay] = Field(description="The days passed over.")


class DeadlineRule(BaseModel):
    """The processing time that set the appointment, from the procedure version in force at
    receipt (for an online dossier, the version's online time if it has one)."""

    procedure: str = Field(description="Procedure code (mã thủ tục).",
                           examples=[PROCEDURE_EXAMPLE])
    procedure_version: int = Field(description="The version in force at receipt.", examples=[2])
    channel: str = Field(description="The dossier's channel (direct, online or postal).",
                         examples=["online"])
    kind: Literal["working_days", "working_hours", "calendar_days", "same_day"] = Field(
        description="How the processing time (thời hạn giải quyết) is counted.",
        examples=["working_days"])
    working_days: int | None = Field(description="For working_days: how many.", examples=[5])
    working_hours: int | None = Field(description="For working_hours: how many.", examples=[None])
    calendar_days: int | None = Field(description="For calendar_days: how many (days off "
                                                  "included).", examples=[None])
    cutoff: ClockTime | None = Field(description="For same_day: the cut-off")


class DeadlinePause(BaseModel):
    """One pause request and what it moved."""

    kind: Literal["supplement", "financial_obligation"] = Field(
        description="A supplement request (yêu cầu bổ sung) or financial obligations (nghĩa vụ "
                    "tài chính).", examples=["supplement"])
    requested_at: LocalDatetime = Field(description="When the pause was requested.")
    moved: bool = Field(description="False for a request that moved nothing", examples=[True])
    not_moved_because: Literal["repeated_supplement", "after_appointment"] | None = Field(
        description="repeated_supplement: guidance is given once, only the first supplement "
                    "request pauses; after_appointment: the appointment had already passed",
        examples=[None])
    ended_at: LocalDatetime | None = Field(description="null while the pause still runs")
    paused_working_seconds: int = Field(description="The working time the pause lasted, in "
                                                    "seconds.", examples=[54000])
    pause: CalendarWalk | None = Field(
        description="The pause's own working time, day by day, and its days off")
    due_before: LocalDatetime | None = Field(description="The appointment before the pause.")
    due_after: LocalDatetime | None = Field(description="The appointment after it.")
    moved_by: CalendarWalk | None = Field(
        description="The count that moved the appointment by the paused working time")
    rescheduled_before: LocalDatetime | None = Field(
        description="An apology's new appointment before the pause; null without one.")
    rescheduled_after: LocalDatetime | None = Field(description="And after it.")


class DeadlineApology(BaseModel):
    """An apology letter and its new appointment (never a change of due_at)."""

    issued_at: LocalDatetime = Field(description="When the letter was issued.")
    new_due_at: LocalDatetime = Field(description="The new appointment it promised.")
    tardy: bool = Field(description="Issued less than 1 working day before the appointment "
                                    "(muộn).", examples=[False])


class DeadlineStep(BaseModel):
    """A step of the procedure's internal process (liên thông) as the dossier went through it,
    with its own deadline in working time from its start; the last step, the return of the
    result, is due by the appointment and judged by whether the result was ready by then."""

    position: int = Field(description="The step's place in the process, from 0.", examples=[1])
    name: str = Field(description="The step's name.", examples=["Thẩm định hồ sơ"])
    unit: str = Field(description="The unit that held the dossier during the step.",
                      examples=["000.00.01.H12"])
    started_at: LocalDatetime = Field(description="When the step began (receipt or handoff).")
    due_at: LocalDatetime = Field(description="The step's own deadline: its allotment of "
                                              "working time from its start, moved by pauses.")
    ended_at: LocalDatetime | None = Field(description="When the dossier left the step; null "
                                                       "while it is at it.")
    result: Literal["early", "on_time", "late"] | None = Field(
        description="Against the step's own deadline: trước hạn / đúng hạn / quá hạn; null "
                    "while it runs.", examples=["on_time"])


class DeadlineOut(BaseModel):
    """Why a dossier is due when it is: the rule, the count at receipt, each pause, and the
    deadline of each step of the internal process."""

    code: str = Field(description="Dossier code (mã hồ sơ).", examples=[DOSSIER_EXAMPLE])
    received_at: LocalDatetime = Field(description="Receipt instant (Vietnamese time).")
    start_at: LocalDatetime = Field(description="The clock's start after the opening rule")
    rule: DeadlineRule = Field(description="The processing time that set the appointment.")
    receipt: CalendarWalk = Field(description="The count that set the appointment at receipt")
    receipt_due_at: LocalDatetime = Field(description="The appointment given at receipt")
    pauses: list[DeadlinePause] = Field(description="Each pause request, in time order.")
    apologies: list[DeadlineApology] = Field(description="Each apology letter, in time order.")
    explained_due_at: LocalDatetime | None = Field(
        description="The appointment the steps above give; null if the timeline could not be "
                    "replayed (see `note`)")
    due_at: LocalDatetime = Field(description="The stored appointment (ngày hẹn trả)")
    matches_stored: bool = Field(
        description="True when the explanation gives the stored due_at. False when the "
                    "calendar was changed after the dossier closed (closed dossiers keep their "
                    "deadline) or the timeline cannot be replayed", examples=[True])
    rescheduled_due_at: LocalDatetime | None = Field(
        description="The apology's new appointment, moved by later pauses")
    steps: list[DeadlineStep] = Field(
        description="The steps reached so far, in order, each with its own deadline; [] when "
                    "the procedure version has no steps")
    note: str | None = Field(default=None, description="Why the explanation falls short, "
                             "when it does.", examples=[None])
