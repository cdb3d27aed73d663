"""The deadline scanner writes each condition once and reaches every dossier, however many wait."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select

from app.core.db import Database
from app.core.migrate import alembic_config
from app.notifications.models import OutboxEvent
from app.notifications.service import OVERDUE, scan_deadlines
from tests.conftest import Clock
from tests.factories import Api, app_on, vn
from tests.notifications.test_webhooks import db_of

NOW = vn("2026-03-20 09:00")
BEFORE = "b476cb2d48d5"


def scan(db: Database, now: datetime, limit: int) -> int:
    with db.transaction() as session:
        return scan_deadlines(session, now, limit)


def overdue_events(db: Database) -> list[tuple[str | None, datetime | None]]:
    with db.transaction("fresh") as session:
        return [(code, due) for code, due in session.execute(
            select(OutboxEvent.dossier_code, OutboxEvent.due_at)
            .where(OutboxEvent.type == OVERDUE).order_by(OutboxEvent.id))]


def test_each_pass_moves_on_to_dossiers_not_yet_notified(api: Api) -> None:
    api.province()
    codes = [api.receive(f"2026-03-0{day} 08:00")["code"] for day in range(2, 7)]
    db = db_of(api)
    # Five overdue dossiers, two per pass: the oldest two must not block the other three.
    assert [scan(db, NOW, 2) for _ in range(4)] == [2, 2, 1, 0]
    assert [code for code, _ in overdue_events(db)] == codes


def test_a_moved_appointment_is_notified_at_its_new_time(api: Api, clock: Clock) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])  # due Fri 6 Mar 17:00
    db = db_of(api)
    api.event(code, "supplement_requested", "2026-03-06 10:00", reason="Thiếu giấy tờ")
    assert scan(db, vn("2026-03-10 09:00"), 10) == 0  # paused: not overdue
    clock.now = vn("2026-03-16 09:00")
    api.event(code, "supplement_received", "2026-03-16 08:00")
    due = api.dossier(code)["due_at"]
    assert scan(db, NOW, 10) == 1
    assert overdue_events(db) == [(code, datetime.fromisoformat(due))]


def test_a_request_after_the_appointment_keeps_the_overdue_condition(
    api: Api, clock: Clock
) -> None:
    # A request made once the appointment has passed moves nothing (the rule changed: it used
    # to pause the clock and move the appointment), so there is no new condition to notify.
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])  # due Fri 6 Mar 17:00
    db = db_of(api)
    assert scan(db, vn("2026-03-09 09:00"), 10) == 1
    api.event(code, "supplement_requested", "2026-03-09 10:00", reason="Thiếu giấy tờ")
    clock.now = vn("2026-03-16 09:00")
    api.event(code, "supplement_received", "2026-03-16 08:00")
    assert scan(db, NOW, 10) == 0
    assert overdue_events(db) == [(code, vn("2026-03-06 17:00"))]


def test_upgrade_gives_existing_deadline_events_their_appointment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        code = str(api.receive("2026-03-02 08:00")["code"])
        due = datetime.fromisoformat(api.dossier(code)["due_at"])
        db = db_of(api)
        scan(db, NOW, 10)
    command.downgrade(alembic_config(url), BEFORE)
    command.upgrade(alembic_config(url), "head")
    db = Database.from_urls(url)
    assert overdue_events(db) == [(code, due)]
    db.dispose()
    create_engine(url).dispose()
