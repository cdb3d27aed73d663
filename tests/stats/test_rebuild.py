"""The aggregates can be checked against, and rebuilt from, the dossiers themselves."""

from __future__ import annotations

import random

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.stats import service
from app.stats.models import stat_day
from tests.factories import Api
from tests.stats import streams


def test_running_aggregates_equal_a_rebuild_and_drift_is_found(api: Api, engine: Engine) -> None:
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(21), 40))
    with Session(engine) as session:
        assert service.check(session) == []
        session.rollback()
    with engine.begin() as conn:
        conn.execute(update(stat_day).where(stat_day.c.unit == streams.PROVINCE)
                     .values(resolved_late=stat_day.c.resolved_late + 1))
    with Session(engine) as session:
        differences = service.check(session)
        session.rollback()
    assert differences and all("stat_day" in d for d in differences)
    with Session(engine) as session:
        assert service.rebuild(session) == 40
        session.commit()
    with Session(engine) as session:
        assert service.check(session) == []
