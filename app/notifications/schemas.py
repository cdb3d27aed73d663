"""Webhook and outbox bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, UrlConstraints

from app.core.bodies import Strict
from app.core.examples import DOSSIER_EXAMPLE, UNIT_EXAMPLE
from app.core.timefmt import LocalDatetime
from app.notifications.rules import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

EventType = Literal["postal.return_ready", "dossier.overdue", "dossier.due_soon",
                    "dossier.due_changed", "citizen.notice"]
EVENTS_DOC = ("postal.return_ready (a result waits for the post), dossier.overdue (an open "
              "dossier past its appointment), dossier.due_soon (due within 1 working day), "
              "dossier.due_changed (the appointment recomputed after a calendar change) or "
              "citizen.notice (a ready-to-send message to the applicant, docs/notices.md)")
URL_DOC = ("The endpoint (http or https) every event is POSTed to as signed JSON; redirects "
           "are not followed.")
URL_EXAMPLE = "https://hooks.example.vn/motcua/events"
NOTE_DOC = "A note for admins: whose endpoint it is and what for; null if none."
NOTE_EXAMPLE = "Bưu điện tỉnh Quảng Ninh: kết quả chờ chuyển phát"


class WebhookIn(Strict):
    """An integrator's endpoint to register for events (admin)."""

    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)] = Field(  # the column's length
        description=URL_DOC, examples=[URL_EXAMPLE])
    event_types: list[EventType] | None = Field(
        default=None, examples=[["postal.return_ready"]],
        description=f"Event types to receive, each {EVENTS_DOC}; when omitted, all but "
                    "citizen.notice, which carries the applicant's name and phone and goes "
                    "only to a webhook that names it (the province's notification gateway).")
    description: str | None = Field(default=None, max_length=255, description=NOTE_DOC,
                                    examples=[NOTE_EXAMPLE])


class WebhookOut(BaseModel):
    """A registered webhook as admins see it, without its secret."""

    id: int = Field(description="The webhook's id: to unregister it, and in the outbox.",
                    examples=[3])
    url: str = Field(description=URL_DOC, examples=[URL_EXAMPLE])
    event_types: list[str] | None = Field(description="The event types it receives; null: all.",
                                          examples=[["postal.return_ready"]])
    description: str | None = Field(description=NOTE_DOC, examples=[NOTE_EXAMPLE])
    created_at: LocalDatetime = Field(description="When it was registered.")


class NewWebhookOut(WebhookOut):
    """A webhook just registered: the signing secret is shown this once, to store on the
    integrator's side."""

    secret: str = Field(
        description="The signing secret, never shown again. Each delivery carries "
                    f"{TIMESTAMP_HEADER} (Unix seconds) and {SIGNATURE_HEADER}: sha256=<hex "
                    "HMAC-SHA256 with this secret over `<timestamp>.<body>`>; recompute it, "
                    "compare in constant time and refuse old timestamps. Deduplicate on "
                    f"{EVENT_ID_HEADER}: delivery is at least once.",
        examples=["ZdfuA79LFqdbot_QlAmkcrDQUWmuECoiuc5WtGPO5GI"])


class DeliveryOut(BaseModel):
    """One event's delivery to one webhook, as the admin sees it in the outbox."""

    id: int = Field(description="The delivery's id.", examples=[1287])
    webhook_id: int = Field(description="The webhook it goes to.", examples=[3])
    event_id: int = Field(description=f"The event's id, sent as {EVENT_ID_HEADER}: the same in "
                                      "every attempt and to every webhook.", examples=[5120])
    event_type: str = Field(description=f"The event's type: {EVENTS_DOC}.",
                            examples=["dossier.overdue"])
    dossier_code: str | None = Field(description="The dossier the event is about (mã hồ sơ); "
                                                  "null for an event about none.",
                                     examples=[DOSSIER_EXAMPLE])
    state: str = Field(description="pending (an attempt is due), delivered (the endpoint "
                                   "answered 2xx) or failed (gave up after "
                                   "WEBHOOK_MAX_ATTEMPTS attempts, 15 by default).",
                       examples=["pending"])
    attempts: int = Field(description="Attempts made so far.", examples=[2])
    next_attempt_at: LocalDatetime = Field(
        description="While pending, when the next attempt is due: the wait doubles after each "
                    "failure (30 s, 1 min, 2 min... by default, at most 6 h). Once delivered or "
                    "failed, when the last attempt's lease ended.")
    last_status: int | None = Field(description="The HTTP status of the last attempt; null "
                                                 "before any, or when none came (timeout, "
                                                 "connection refused).", examples=[503])
    last_error: str | None = Field(description="Why the last attempt failed; null before any "
                                               "and after a success.", examples=["HTTP 503"])
    delivered_at: LocalDatetime | None = Field(
        description="When the endpoint acknowledged it with a 2xx; null until then.")
    payload: dict[str, Any] = Field(
        description="The event's data, sent as the body's `data` beside its `id`, `type` and "
                    "`created_at`.",
        examples=[{"dossier_code": DOSSIER_EXAMPLE, "handling_unit": "000.00.02.H12",
                   "receiving_unit": UNIT_EXAMPLE, "due_at": "2026-03-06T17:00:00+07:00",
                   "rescheduled_due_at": None}])
