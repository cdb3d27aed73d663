"""Webhook and outbox bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, UrlConstraints

from app.core.bodies import Strict
from app.core.timefmt import LocalDatetime

EventType = Literal["postal.return_ready", "dossier.overdue", "dossier.due_soon",
                    "dossier.due_changed", "citizen.notice"]


class WebhookIn(Strict):
    """An integrator's endpoint to register."""

    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)]  # the column's length
    event_types: list[EventType] | None = Field(
        default=None, examples=[["citizen.notice"]],
        description="Event types to receive; when omitted, all but `citizen.notice`, which "
                    "carries the applicant's name and phone and goes only to a webhook that "
                    "names it (the province's notification gateway).")
    description: str | None = Field(default=None, max_length=255)


class WebhookOut(BaseModel):
    """A registered webhook, without its secret."""

    id: int
    url: str
    event_types: list[str] | None
    description: str | None
    created_at: LocalDatetime


class NewWebhookOut(WebhookOut):
    """A webhook just registered: the signing secret is shown this once."""

    secret: str


class DeliveryOut(BaseModel):
    """One event's delivery to one webhook, as the admin sees it."""

    id: int
    webhook_id: int
    event_id: int
    event_type: str
    dossier_code: str | None
    state: str = Field(description="pending, delivered or failed (gave up)")
    attempts: int
    next_attempt_at: LocalDatetime
    last_status: int | None
    last_error: str | None
    delivered_at: LocalDatetime | None
    payload: dict[str, Any]
