"""The outbox: events written in the business transaction, fanned out to webhooks."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.rules import Principal
from app.calendar.service import calendar_for
from app.catalog.models import Unit
from app.catalog.service import covered_unit
from app.core.problems import NotFound
from app.dossiers import rules as dossier_rules
from app.dossiers.models import Dossier
from app.notifications import rules
from app.notifications.models import OutboxEvent, Webhook, WebhookDelivery
from app.notifications.outbox import enqueue
from app.notifications.schemas import DeliveryOut, NewWebhookOut, WebhookIn, WebhookOut
from app.worktime.rules import WorkCalendar

OVERDUE = "dossier.overdue"
DUE_SOON = "dossier.due_soon"
# How far ahead, in calendar days, a due date can lie and still be within N working days:
# Tết with its weekends is the longest run of days off (about ten days).
_CALENDAR_DAYS_PER_WORKING_DAY = 3
_LONGEST_BREAK_DAYS = 14


def _webhook_out(hook: Webhook) -> WebhookOut:
    return WebhookOut(id=hook.id, url=hook.url, event_types=hook.event_types,
                      description=hook.description, created_at=hook.created_at)


def _audited(hook: Webhook) -> dict[str, Any]:
    # The secret stays out: the trail is readable by every admin.
    return {"url": hook.url, "event_types": hook.event_types, "description": hook.description}


def create_webhook(session: Session, who: Principal, body: WebhookIn, now: datetime
                   ) -> NewWebhookOut:
    """Register an endpoint with a fresh signing secret."""
    hook = Webhook(url=str(body.url), secret=secrets.token_urlsafe(32),
                   event_types=list(body.event_types) if body.event_types else None,
                   description=body.description, created_at=now)
    session.add(hook)
    session.flush()
    record(session, who, now, "create", "webhook", str(hook.id), None, _audited(hook))
    return NewWebhookOut(**_webhook_out(hook).model_dump(), secret=hook.secret)


def list_webhooks(session: Session) -> list[WebhookOut]:
    """Every registered webhook, without secrets."""
    return [_webhook_out(h) for h in session.scalars(select(Webhook).order_by(Webhook.id))]


def delete_webhook(session: Session, who: Principal, webhook_id: int, now: datetime) -> None:
    """Unregister an endpoint; its pending deliveries go with it."""
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"No webhook {webhook_id}.", code="webhook_not_found")
    session.delete(hook)
    session.flush()
    record(session, who, now, "delete", "webhook", str(webhook_id), _audited(hook), None)


def list_deliveries(session: Session, state: str | None, limit: int) -> list[DeliveryOut]:
    """Deliveries, newest first, optionally in one state."""
    query = (select(WebhookDelivery, OutboxEvent).join(OutboxEvent)
             .order_by(WebhookDelivery.id.desc()).limit(limit))
    if state:
        query = query.where(WebhookDelivery.state == state)
    return [
        DeliveryOut(id=d.id, webhook_id=d.webhook_id, event_id=e.id, event_type=e.type,
                    dossier_code=e.dossier_code, state=d.state, attempts=d.attempts,
                    next_attempt_at=d.next_attempt_at, last_status=d.last_status,
                    last_error=d.last_error, delivered_at=d.delivered_at, payload=e.payload)
        for d, e in session.execute(query)
    ]


def deadline_queue(
    session: Session, who: Principal, unit: str | None, wanted: rules.Deadline,
    within_working_days: int, now: datetime, limit: int, unnotified: str | None = None,
) -> list[Dossier]:
    """Open dossiers overdue, or due within N working days, soonest due first.

    Scoped by the deciding (handling) unit, which issues the apology, and the key's subtree.
    With `unnotified` (an outbox event type), only dossiers whose current appointment has no
    such event yet.
    """
    horizon = now + timedelta(days=_LONGEST_BREAK_DAYS
                              + _CALENDAR_DAYS_PER_WORKING_DAY * within_working_days)
    query = (select(Dossier, Unit).join(Unit, Unit.code == Dossier.receiving_unit)
             .where(Dossier.status.in_(dossier_rules.OPEN), Dossier.paused_at.is_(None))
             .order_by(Dossier.due_at, Dossier.id))
    query = query.where(Dossier.due_at < now) if wanted == "overdue" else query.where(
        Dossier.due_at >= now, Dossier.due_at <= horizon)
    if unnotified is not None:
        query = query.where(~exists().where(
            OutboxEvent.dossier_code == Dossier.code, OutboxEvent.type == unnotified,
            OutboxEvent.due_at == Dossier.due_at))
    base = None if unit is None else covered_unit(session, who, unit).path
    for path in [p for p in (who.unit_path, base) if p]:
        codes = select(Unit.code).where(Unit.path.startswith(path, autoescape=True))
        query = query.where(Dossier.handling_unit.in_(codes))
    calendars: dict[str, WorkCalendar] = {}
    found: list[Dossier] = []
    for dossier, receiving in session.execute(query):
        if wanted == "due_soon":
            # The appointment runs on the receiving counter's calendar (as in dossiers).
            cal = calendars.get(receiving.code) or calendar_for(session, receiving, now)
            calendars[receiving.code] = cal
            verdict = rules.deadline(True, False, dossier.due_at, now, cal, within_working_days)
            if verdict != "due_soon":
                continue
        found.append(dossier)
        if len(found) == limit:
            break
    return found


SCANNER = Principal(key_id=None, role="admin", unit_code=None, unit_path=None)


def scan_deadlines(session: Session, now: datetime, limit: int = 1000) -> int:
    """Write one outbox event per dossier and condition (idempotent); returns how many."""
    written = 0
    conditions: tuple[tuple[str, rules.Deadline], ...] = (
        (OVERDUE, "overdue"), (DUE_SOON, "due_soon"))
    for type_, wanted in conditions:
        # Only dossiers not yet notified for their current appointment: each pass moves on to
        # new ones instead of re-reading the same `limit` oldest ones.
        for d in deadline_queue(session, SCANNER, None, wanted, 1, now, limit, type_):
            # Keyed by the appointment: a pause moves it, and the new one is a new condition.
            key = f"{type_}:{d.code}:{d.due_at.isoformat()}"
            payload = {"dossier_code": d.code, "handling_unit": d.handling_unit,
                       "receiving_unit": d.receiving_unit, "due_at": d.due_at.isoformat(),
                       "rescheduled_due_at": d.rescheduled_due_at.isoformat()
                       if d.rescheduled_due_at else None}
            written += enqueue(session, type_, key, d.code, payload, now, d.due_at)
    return written


@dataclass(frozen=True)
class Attempt:
    """A claimed delivery: everything the sender needs outside the transaction."""

    delivery_id: int
    event_id: int
    url: str
    secret: str
    body: bytes
    attempts: int


def claim_due(session: Session, now: datetime, lease: timedelta, limit: int) -> list[Attempt]:
    """Take due deliveries for one attempt each; the lease hides them from other senders."""
    rows = session.execute(
        select(WebhookDelivery, OutboxEvent, Webhook)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        # Several app processes may send: each skips the rows another has locked.
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).all()
    claimed = []
    for delivery, event, hook in rows:
        delivery.attempts += 1
        delivery.next_attempt_at = now + lease
        body = json.dumps({"id": event.id, "type": event.type,
                           "created_at": event.created_at.isoformat(), "data": event.payload},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        claimed.append(Attempt(delivery.id, event.id, hook.url, hook.secret, body,
                               delivery.attempts))
    session.flush()
    return claimed


def record_attempt(
    session: Session, attempt: Attempt, status: int | None, error: str | None, now: datetime,
    base: timedelta, cap: timedelta, max_attempts: int,
) -> None:
    """Store an attempt's outcome: delivered on 2xx, else retry later or give up."""
    delivery = session.get(WebhookDelivery, attempt.delivery_id)
    if delivery is None:
        return  # the webhook was deleted meanwhile
    delivery.last_status, delivery.last_error = status, error[:500] if error else None
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at = "delivered", now
    elif attempt.attempts >= max_attempts:
        delivery.state = "failed"
    else:
        delivery.next_attempt_at = now + rules.retry_delay(attempt.attempts, base, cap)
    session.flush()


def backlog(session: Session, now: datetime) -> tuple[int, float | None]:
    """Pending webhook deliveries and the age in seconds of the oldest one's event."""
    count, oldest = session.execute(
        select(func.count(), func.min(OutboxEvent.created_at))
        .select_from(WebhookDelivery)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.state == "pending")
    ).one()
    return count, (now - oldest).total_seconds() if oldest is not None else None
