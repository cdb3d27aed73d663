"""The outbox writer: an event and its pending deliveries, written in the business transaction.

Every change that webhooks hear of goes through `enqueue` (the postal projection, the
deadline scan); the sender delivers what it wrote. It reads only the webhooks, never another
capability's use cases, so a projection may call it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.notifications.models import OutboxEvent, Webhook, WebhookDelivery
from app.notifications.rules import hears


def enqueue(
    session: Session, type_: str, dedupe_key: str, dossier_code: str | None,
    payload: dict[str, Any], now: datetime, due_at: datetime | None = None,
) -> bool:
    """Write an event and one pending delivery per interested webhook; False if already there."""
    if session.scalar(select(OutboxEvent.id).where(OutboxEvent.dedupe_key == dedupe_key)):
        return False
    try:
        with session.begin_nested():
            event = OutboxEvent(type=type_, dedupe_key=dedupe_key, dossier_code=dossier_code,
                                due_at=due_at, payload=payload, created_at=now)
            session.add(event)
            session.flush()
    except IntegrityError:
        return False  # another process wrote the same condition first
    for hook in session.scalars(select(Webhook).order_by(Webhook.id)):
        if hears(hook.event_types, type_):
            session.add(WebhookDelivery(event_id=event.id, webhook_id=hook.id, state="pending",
                                        attempts=0, next_attempt_at=now))
    session.flush()
    return True
