"""Postal return bodies (bưu chính công ích, QĐ 45/2016/QĐ-TTg)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.core.bodies import Strict
from app.core.timefmt import Instant, LocalDatetime
from app.dossiers.schemas import DeliveryFailureReason

Waybill = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-]+$",
                description="The post's tracking number (số hiệu bưu gửi).")


class HandedOverIn(Strict):
    """The post took the result (bàn giao cho bưu chính), with its waybill."""

    waybill: str = Waybill
    at: Instant


class DeliveredIn(Strict):
    """The post delivered the result to the recipient (phát thành công)."""

    at: Instant


class DeliveryFailedIn(Strict):
    """The post could not deliver (phát không thành công); the result goes back to the counter."""

    at: Instant
    reason: str = Field(min_length=1, max_length=1000)
    reason_code: DeliveryFailureReason = Field(
        default="other", description="Reason code (mã lý do) from the fixed list, shown to "
        "every key (dashboards see it instead of the free-text reason); omitted: other.")


class Recipient(BaseModel):
    """Who receives the parcel (người nhận)."""

    name: str
    address: str
    phone: str | None


class UnitRef(BaseModel):
    """A unit by code and name."""

    code: str
    name: str


class PostalReturnOut(BaseModel):
    """One result waiting for the post: what the operator needs to collect and deliver it."""

    dossier_code: str
    unit: UnitRef = Field(description="The one-stop counter that hands the result over.")
    procedure: str
    recipient: Recipient
    document: str = Field(description="The result to deliver (kết quả giải quyết).")
    cod_amount: int = Field(description="Fee in VND to collect on delivery; 0 when none.")
    ready_at: LocalDatetime


class PostalFeedPage(BaseModel):
    """A page of the feed; poll again with next_cursor for what became ready since."""

    items: list[PostalReturnOut]
    next_cursor: str | None = Field(
        description="Position after this page; absent only when the page is empty and no "
        "cursor was given.")
