"""Loading the demo province through the service layer: same rules, same aggregates, same
audit trail as the API, one transaction per batch of dossiers."""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.catalog import service as catalogue
from app.catalog.models import Unit
from app.catalog.schemas import (
    ProcedureIn,
    ProcessingTimeIn,
    UnitIn,
    UnitPatch,
)
from app.core.clock import VN_TZ
from app.core.db import Database
from app.core.problems import ProblemError
from app.demo import catalog, rules
from app.dossiers import intake
from app.dossiers.intake import Caller
from app.dossiers.models import Dossier
from app.dossiers.pipeline import Pipeline
from app.dossiers.schemas import EVENT_ADAPTER, DossierIn
from app.keys import service as keys
from app.keys.schemas import KeyIn
from app.wiring import write_pipeline

ADMIN = ADMIN_BOOTSTRAP
Progress = Callable[[int], None]  # called with the number of dossiers just written


class NotEmpty(Exception):
    """The database already holds units or dossiers; the demo never mixes with real data."""


@dataclass(frozen=True)
class Loaded:
    """What a run wrote, and the dashboard key it issued."""

    dossiers: int
    events: int
    seconds: float
    dashboard_key: str


def is_empty(session: Session) -> bool:
    """No units and no dossiers yet."""
    return not session.scalar(select(exists().where(Unit.code.is_not(None))
                                     | exists().where(Dossier.id.is_not(None))))


def load_catalogue(session: Session, now: datetime) -> str:
    """The province, its units and procedures; return a new dashboard key."""
    catalogue.create_unit(session, ADMIN, UnitIn(
        code=catalog.PROVINCE, name="Tỉnh Quảng Ninh", level="province",
        working_hours=catalog.WORKING_HOURS,
    ), now)
    for unit in (*catalog.AGENCIES, *catalog.COMMUNES):
        catalogue.create_unit(session, ADMIN, UnitIn(
            code=unit.code, name=unit.name, level=unit.level,
            parent=catalog.PROVINCE, valid_from=unit.valid_from, valid_to=unit.valid_to,
        ), now)
    for unit in catalog.AGENCIES:
        if unit.merged_into:
            catalogue.update_unit(session, ADMIN, unit.code,
                                  UnitPatch(merged_into=unit.merged_into), now)
    for p in catalog.PROCEDURES:
        catalogue.create_procedure(session, ADMIN, ProcedureIn(
            code=p.code, name=p.name, field_code=p.field, field_name=catalog.FIELDS[p.field],
            processing_time=ProcessingTimeIn(working_days=p.days, working_hours=p.hours),
            online=p.online, postal=p.postal,
        ), now)
    created = keys.create_key(session, ADMIN, KeyIn(
        name="Bảng điều khiển lãnh đạo tỉnh (demo)", role="dashboard", unit=catalog.PROVINCE,
    ), now)
    return created.key


def plans(n: int, seed: int, years: float | None, now: datetime
          ) -> Iterator[tuple[dict[str, object], list[dict[str, object]]]]:
    """The run's dossiers in receipt order, each planned from its own seeded generator; the
    history is `years` long, or by default as long as n dossiers make (rules.history_years)."""
    today = now.astimezone(VN_TZ).date()
    span = rules.history_years(n) if years is None else years
    first = today - timedelta(days=round(365.25 * span))
    province = rules.province(seed, first, today)
    slots = rules.receipt_times(random.Random(seed), n, first, now, province.cal)
    for index, (at, in_hours) in enumerate(slots):
        yield rules.plan(province, index, seed, at, in_hours, now)


def _exported(value: Any, naive: bool) -> Any:
    if isinstance(value, datetime):
        local = value.astimezone(VN_TZ)
        # As a Vietnamese export writes them: wall-clock time, no offset (every other row).
        return local.replace(tzinfo=None).isoformat() if naive else local.isoformat()
    if isinstance(value, dict):
        return {k: _exported(v, naive) for k, v in value.items()}
    if isinstance(value, list):
        return [_exported(v, naive) for v in value]
    return value


def history_rows(n: int, seed: int, years: float, now: datetime) -> Iterator[dict[str, Any]]:
    """n demo dossiers as another one-stop system would export them for the history import
    (docs/history-import.md): its own ids as client_ref, events without ids, JSON-ready."""
    for index, (receipt, events) in enumerate(plans(n, seed, years, now)):
        naive = index % 2 == 0
        yield {"client_ref": f"CU-{index:07d}", **_exported(receipt, naive),
               "events": [_exported({k: v for k, v in e.items() if k != "id"}, naive)
                          for e in events]}


def load(db: Database, *, n: int, seed: int, years: float | None, now: datetime,
         skew: timedelta,
         batch: int = 500, progress: Progress | None = None) -> Loaded:
    """Fill an empty database with the demo province and n dossiers over `years` to `now`."""
    started = clock.perf_counter()
    with db.transaction() as session:
        if not is_empty(session):
            raise NotEmpty("The database already holds units or dossiers; the demo data only "
                           "goes into an empty database.")
        key = load_catalogue(session, now)
    events = done = 0
    pipeline = write_pipeline(skew)
    stream = plans(n, seed, years, now)
    while done < n:
        chunk = list(_take(stream, batch))
        with db.transaction() as session:
            events += _post(session, pipeline, chunk, now)
        size = len(chunk)
        if size == 0:
            break
        done += size
        if progress:
            progress(size)
    return Loaded(done, events, clock.perf_counter() - started, key)


def _take(stream: Iterator[tuple[dict[str, object], list[dict[str, object]]]], k: int
          ) -> Iterator[tuple[dict[str, object], list[dict[str, object]]]]:
    for _ in range(k):
        item = next(stream, None)
        if item is None:
            return
        yield item


def _post(session: Session, pipeline: Pipeline,
          chunk: list[tuple[dict[str, object], list[dict[str, object]]]], now: datetime) -> int:
    """Receive a chunk of dossiers, then post all their events, through the pipeline the
    batch endpoints use (the same rules, aggregates and audit trail)."""
    caller = Caller(ADMIN, now)
    receipts = [(caller, intake.receipt_command(DossierIn.model_validate(receipt)))
                for receipt, _ in chunk]
    items = []
    for outcome, (_, timeline) in zip(intake.receive_many(session, pipeline, receipts),
                                      chunk, strict=True):
        if isinstance(outcome, ProblemError):
            raise outcome
        code = str(outcome.body["code"])
        items += [(caller, intake.event_command(code, EVENT_ADAPTER.validate_python(e)))
                  for e in timeline]
    for outcome in intake.post_events(session, pipeline, items):
        if isinstance(outcome, ProblemError):
            raise outcome
    return len(items)
