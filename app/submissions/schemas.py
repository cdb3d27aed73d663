"""Online submission bodies (hồ sơ nộp trực tuyến chờ kiểm tra, tiếp nhận)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.core.bodies import Strict
from app.core.cursor import CURSOR_EXAMPLE, NEXT_CURSOR
from app.core.examples import DOSSIER_EXAMPLE, PROCEDURE_EXAMPLE, UNIT_EXAMPLE
from app.core.timefmt import INSTANT_RULES, Instant, LocalDatetime
from app.dossiers.schemas import ApplicantOut, DossierOut, ReceiptFields, Text
from app.submissions.rules import NotAcceptedReason

SUBMISSION_ID = "The submission's id, as given when it was filed."
STATUS_DOC = ("waiting (chờ kiểm tra), accepted (đã tiếp nhận: a dossier now) or not_accepted "
              "(không tiếp nhận, with its reason; never a dossier).")
REASON_CODE_DOC = ("Why it was not accepted: incomplete, wrong_procedure, not_competent, "
                   "invalid_documents or other.")
REASON_TEXT_DOC = "The officer's own words to the applicant (admin and counter keys only)."
CLIENT_REF_DOC = ("The portal's own id of the filing; a retry with it is idempotent (per "
                  "receiving unit).")
CLIENT_REF_EXAMPLE = "dvc-2026-000123456"


class SubmissionIn(ReceiptFields):
    """A dossier filed online, to be checked by an officer before it is received: the receipt
    body (as POST /dossiers takes it) without its receipt time, which is the acceptance's."""

    channel: Literal["online"] = Field(
        default="online", description="Always online (trực tuyến); omitted, it is online.",
        examples=["online"])
    submitted_at: Instant | None = Field(
        default=None, description="When the applicant filed it (nộp trực tuyến); defaults to "
        "now, future times are refused. The check's deadline counts from it. " + INSTANT_RULES,
        examples=["2026-03-02T16:40:00+07:00"])


class AcceptIn(Strict):
    """The officer accepts the submission (tiếp nhận): it is received as a dossier."""

    at: Instant = Field(description="When it was accepted: the dossier's receipt instant, "
                                    "from which its legal time counts. " + INSTANT_RULES,
                        examples=["2026-03-03T09:00:00+07:00"])


class NotAcceptIn(Strict):
    """The officer does not accept the submission (không tiếp nhận): never a dossier."""

    at: Instant = Field(description="When it was decided. " + INSTANT_RULES,
                        examples=["2026-03-03T09:00:00+07:00"])
    reason_code: NotAcceptedReason = Field(description=REASON_CODE_DOC, examples=["incomplete"])
    reason: Text = Field(description=REASON_TEXT_DOC,
                         examples=["Thiếu bản sao giấy chứng sinh; đề nghị bổ sung và nộp lại"])


class SubmissionOut(BaseModel):
    """An online submission and its check."""

    id: int = Field(description=SUBMISSION_ID, examples=[42])
    status: str = Field(description=STATUS_DOC, examples=["waiting"])
    procedure: str = Field(description="Procedure code (mã thủ tục hành chính).",
                           examples=[PROCEDURE_EXAMPLE])
    receiving_unit: str = Field(description="Code of the unit that checks and receives it.",
                                examples=[UNIT_EXAMPLE])
    client_ref: str | None = Field(description=CLIENT_REF_DOC, examples=[CLIENT_REF_EXAMPLE])
    submitted_at: LocalDatetime = Field(description="When it was filed (Vietnamese time).")
    check_due_at: LocalDatetime = Field(
        description="The check's deadline: the configured working hours (default 8) after "
                    "the submission, on the receiving unit's calendar.")
    overdue: bool = Field(description="Still waiting with the check's deadline passed.",
                          examples=[False])
    decided_at: LocalDatetime | None = Field(description="When it was accepted or not; null "
                                                         "while waiting.")
    checked_late: bool | None = Field(description="Decided after the check's deadline; null "
                                                   "while waiting.", examples=[False])
    dossier_code: str | None = Field(description="Once accepted: the dossier's code (mã hồ "
                                                 "sơ).", examples=[DOSSIER_EXAMPLE])
    reason_code: str | None = Field(description=REASON_CODE_DOC, examples=[None])
    reason_label: str | None = Field(description="The reason code's label, in Vietnamese.",
                                     examples=["Hồ sơ chưa đầy đủ thành phần theo quy định"])
    reason: str | None = Field(description=REASON_TEXT_DOC, examples=[None])
    documents: list[str] = Field(description="Documents filed (thành phần hồ sơ).",
                                 examples=[["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]])
    applicant: ApplicantOut | None = Field(
        default=None, description="Personal data: only for admin and counter keys.")


class SubmissionPage(BaseModel):
    """A page of the check queue, soonest check deadline first."""

    items: list[SubmissionOut] = Field(description="The submissions of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR, examples=[CURSOR_EXAMPLE])


class AcceptedOut(BaseModel):
    """The answer to an acceptance: the dossier received and the submission after it."""

    dossier: DossierOut = Field(description="The dossier, received at the acceptance.")
    submission: SubmissionOut = Field(description="The submission, now accepted.")


class SubmissionFigures(BaseModel):
    """The online pre-receipt figures of a unit's subtree for a period, from the submissions
    themselves (not accepted ones are in no received total of the dossier statistics)."""

    unit: str = Field(description="The unit; its subtree is counted.", examples=[UNIT_EXAMPLE])
    from_: Annotated[date, Field(alias="from", description="First day (Vietnamese time).",
                                 examples=["2026-03-01"])]
    to: Annotated[date, Field(description="Last day (Vietnamese time).",
                              examples=["2026-03-31"])]
    submitted: int = Field(description="Filed online in the period.", examples=[60])
    accepted: int = Field(description="Accepted in the period (received as dossiers then).",
                          examples=[52])
    not_accepted: int = Field(description="Not accepted in the period.", examples=[5])
    waiting: int = Field(description="Filed by the period's end and not yet decided then.",
                         examples=[3])
    checked_late: int = Field(description="Decided in the period after the check's deadline.",
                              examples=[2])
