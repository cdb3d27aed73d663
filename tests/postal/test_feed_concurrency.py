"""The feed never skips a row that commits late: two writers, one still in flight."""

from __future__ import annotations

import threading
from datetime import timedelta

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.core.clock import utcnow
from app.core.db import Database
from app.dossiers import intake
from app.dossiers.intake import Caller
from app.dossiers.schemas import Resolved
from app.wiring import write_pipeline
from tests.factories import Api, vn
from tests.postal.test_postal_api import by_post, feed


def resolve(db: Database, code: str, at: str, hold: threading.Event | None = None,
            started: threading.Event | None = None) -> None:
    """Resolve a dossier in its own transaction; optionally stay in flight until `hold`."""
    with db.transaction() as session:
        [outcome] = intake.post_events(session, write_pipeline(timedelta(seconds=120)), [
            (Caller(ADMIN_BOOTSTRAP, utcnow()),
             intake.event_command(code, Resolved(id=f"r-{code}", type="resolved", at=vn(at))))])
        intake.settle(outcome)
        if started is not None and hold is not None:
            started.set()
            assert hold.wait(30)


def test_a_late_commit_is_never_skipped(api: Api, database_url: str) -> None:
    api.province()
    key = api.key("postal")
    # The two results fall in different months, so the writers share no statistics row (one
    # would otherwise wait on the other's row lock, and could not commit first).
    first, second = by_post(api), by_post(api, "2026-04-06 09:00")
    db = Database.from_urls(database_url)
    hold, started = threading.Event(), threading.Event()
    slow = threading.Thread(target=resolve, args=(db, first, "2026-03-05 10:00", hold, started))
    slow.start()
    try:
        assert started.wait(30)
        # The second writer starts after the first took its transaction id and commits first
        # (on SQLite it queues behind the first writer instead).
        fast = threading.Thread(target=resolve, args=(db, second, "2026-04-08 10:00"))
        fast.start()
        fast.join(5)
        if db.engine.dialect.name == "postgresql":
            assert not fast.is_alive()
        page = feed(api, key)
        # The committed second row must wait: handing it out now would move the cursor past
        # the first, which is still to commit.
        assert page["items"] == []
    finally:
        hold.set()
        slow.join(30)
    fast.join(30)
    rest = feed(api, key, page["next_cursor"])
    assert [i["dossier_code"] for i in page["items"] + rest["items"]] == [first, second]
    db.dispose()
