"""The aggregates can be checked against, and rebuilt from, the dossiers themselves."""

from __future__ import annotations

import logging
import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.observability import REGISTRY, check_failed
from app.main import create_app
from app.stats import service
from app.stats.models import stat_day, stat_histogram, stat_histogram_month, stat_month
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


def anomalies() -> float:
    return REGISTRY.get_sample_value("motcua_aggregates_anomalies_total") or 0.0


def test_damaged_aggregates_answer_200_and_are_logged_and_counted(
        api: Api, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(5), 10))
    # A province with more resolved than it ever received, and a negative histogram bucket:
    # what a lost update leaves behind.
    with engine.begin() as conn:
        for table in (stat_day, stat_month):
            conn.execute(update(table).where(table.c.unit == streams.PROVINCE)
                         .values(opened=table.c.opened - 50))
        for table in (stat_histogram, stat_histogram_month):
            conn.execute(update(table).where(table.c.unit == streams.PROVINCE)
                         .values(count=table.c.count - 50))
    before = anomalies()
    assert api.client.get("/health/ready").json() == {"status": "ready"}
    with caplog.at_level(logging.ERROR, logger="app.stats"):
        for params in ({"unit": streams.PROVINCE, "period": "2026"},
                       {"unit": streams.PROVINCE, "period": "2026", "group_by": "unit"},
                       {"unit": streams.PROVINCE, "period": "2026", "group_by": "field"}):
            r = api.client.get("/api/v1/stats/on-time", params=params)
            assert r.status_code == 200, r.text
        r = api.client.get("/api/v1/stats/ranking", params={"unit": streams.PROVINCE,
                                                            "level": "commune",
                                                            "period": "2026"})
        assert r.status_code == 200, r.text
    assert anomalies() > before
    assert any("inconsistent" in r.getMessage() and streams.PROVINCE in r.getMessage()
               for r in caplog.records)
    # Readiness stays up (the service still answers) and names the check that failed.
    ready = api.client.get("/health/ready")
    assert ready.status_code == 200
    failed = ready.json()["last_failed_check"]
    assert streams.PROVINCE in failed["detail"] and "stats check" in failed["detail"]
    assert failed["at"].endswith("+07:00")


def test_a_new_app_reports_only_its_own_failed_checks(settings: Settings) -> None:
    check_failed("an earlier app's failure")
    with TestClient(create_app(settings)) as c:
        assert c.get("/health/ready").json() == {"status": "ready"}


def test_a_field_no_procedure_belongs_to_gives_zeros_not_an_error(api: Api) -> None:
    # An empty procedure list once reached PostgreSQL as `procedure IN ()`, a syntax error.
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(3), 5))
    for group_by in (None, "quarter", "procedure"):
        params = {"unit": streams.PROVINCE, "period": "2026", "field": "NO-SUCH-FIELD",
                  **({"group_by": group_by} if group_by else {})}
        r = api.client.get("/api/v1/stats/on-time", params=params)
        assert r.status_code == 200, r.text
    r = api.client.get("/api/v1/stats/on-time", params={
        "unit": streams.PROVINCE, "period": "2026", "field": "NO-SUCH-FIELD"})
    assert r.json()["received"]["total"] == 0
