"""Import a province's past dossiers from another one-stop system (CSV, XLSX or JSONL).

Each row is one dossier: its receipt and its events (see app/history/rules.py and
docs/history-import.md). Rows are read into the API's own bodies and written, a group at a
time, through the set-wise receipt and event writes the batch endpoints use, so the rules,
the figures and the audit trail are the same as for dossiers posted live. A row lands whole or
not at all: a refused row (row number, field, reason) changes nothing and its group commits
without it. The receipts' client_ref and the events' ids make a second run of the same file
change nothing; a checkpoint after each committed group lets a run stopped halfway, even by a
kill, continue where it stopped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time as timer
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.auth.models import ApiKey
from app.auth.rules import Principal
from app.catalog.importer import read_rows
from app.core.clock import utcnow
from app.core.db import Database
from app.core.problems import ProblemError
from app.dossiers import intake
from app.dossiers.intake import Caller, Outcome
from app.dossiers.models import Dossier
from app.dossiers.schemas import EVENT_ADAPTER, DossierIn, EventIn
from app.history import rules
from app.history.rules import Refusal, Row, RowError
from app.keys import service as keys
from app.keys.schemas import KeyIn
from app.wiring import write_pipeline

FORMATS = (".csv", ".xlsx", ".jsonl")
GROUP = 1_000


# --- The write path: the one place this module calls the dossiers' intake. ----------------

class Written(NamedTuple):
    """One item's outcome: the dossier's code and whether it replayed, or the problem."""

    code: str | None
    replayed: bool
    problem: ProblemError | None


class BatchWrites:
    """The receipts and events writes of `POST /api/v1/dossiers/batch` and
    `POST /api/v1/events/batch`, called as those endpoints call them (same rules, figures,
    audit and idempotency), in the caller's transaction; past events send no citizen
    notice."""

    def receive(self, session: Session, who: Principal, now: datetime, skew: timedelta,
                bodies: list[DossierIn]) -> list[Written]:
        """Receive dossiers; each answers with its code, or its problem."""
        caller = Caller(who, now)
        return [_written(o, lambda body: body["code"]) for o in intake.receive_many(
            session, write_pipeline(skew, notify=False),
            [(caller, intake.receipt_command(b)) for b in bodies])]

    def post(self, session: Session, who: Principal, now: datetime, skew: timedelta,
             events: list[tuple[str, EventIn]]) -> list[Written]:
        """Apply (dossier code, event) pairs in order; each answers, or gives its problem."""
        caller = Caller(who, now)
        return [_written(o, lambda body: body["dossier"]["code"]) for o in intake.post_events(
            session, write_pipeline(skew, notify=False),
            [(caller, intake.event_command(c, e)) for c, e in events])]


def _written(outcome: Outcome, code: Callable[[dict[str, Any]], Any]) -> Written:
    if isinstance(outcome, ProblemError):
        return Written(None, False, outcome)
    return Written(str(code(outcome.body)), outcome.replayed, None)


BATCH_WRITES = BatchWrites()


# --- Reading the file. ---------------------------------------------------------------------

def read(path: Path) -> Iterator[tuple[int, Row | RowError]]:
    """(row number, row as a JSON object, or why it cannot be one) for each non-empty row.

    CSV and XLSX rows are numbered as a spreadsheet shows them (the header is row 1), JSONL
    rows by their line.
    """
    suffix = _format(path)
    if suffix != ".jsonl":
        for number, cells in read_rows(path):
            try:
                yield number, rules.unflatten(cells)
            except RowError as exc:
                yield number, exc
        return
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                yield number, RowError([("row", f"not valid JSON: {exc}")])


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: expected a .csv, .xlsx or .jsonl file")
    return suffix


def count_rows(path: Path) -> int:
    """How many rows `read` will yield, for the progress bar (cheaper than reading them)."""
    suffix = _format(path)
    if suffix == ".jsonl":
        with path.open(encoding="utf-8-sig") as f:
            return sum(1 for line in f if line.strip())
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            return max(0, sum(1 for cells in csv.reader(f) if any(c.strip() for c in cells)) - 1)
    return sum(1 for _ in read_rows(path))  # a file that is no workbook: ValueError


def file_digest(path: Path) -> str:
    """SHA-256 of the file: a checkpoint belongs to one file's exact bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Parsed:
    """A row read into the API's bodies: the receipt, and its events in the order they
    happened, each with its place in the row (1-based)."""

    number: int
    receipt: DossierIn
    events: list[tuple[int, EventIn]]


def parse(number: int, row: Row | RowError) -> Parsed | list[Refusal]:
    """Validate a row as the batch endpoints validate their items; every field that fails."""
    if isinstance(row, RowError):
        return [Refusal(number, f, r) for f, r in row.problems]
    try:
        receipt, events = rules.split(row)
    except RowError as exc:
        return [Refusal(number, f, r) for f, r in exc.problems]
    refusals: list[Refusal] = []
    body: DossierIn | None = None
    try:
        body = DossierIn.model_validate(receipt)
    except ValidationError as exc:
        refusals += [Refusal(number, _loc(e["loc"]) or "row", e["msg"]) for e in exc.errors()]
    parsed: list[tuple[int, EventIn]] = []
    for position, event in enumerate(events, start=1):
        try:
            parsed.append((position, EVENT_ADAPTER.validate_python(event)))
        except ValidationError as exc:
            refusals += [Refusal(number, _event_field(position, event, e["loc"]), e["msg"])
                         for e in exc.errors()]
    if refusals or body is None:
        return refusals
    return Parsed(number, body, rules.in_order(parsed, lambda e: e.at))


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(map(str, loc))


def _event_field(position: int, event: Row, loc: tuple[int | str, ...]) -> str:
    # A discriminated union reports the event's type first ("resolved.at"): the row's
    # reader knows the event by its place, so that is dropped; no loc at all is the type.
    if loc and loc[0] == event.get("type"):
        loc = loc[1:]
    return f"events.{position}.{_loc(loc) or 'type'}"


# --- Writing a group. ----------------------------------------------------------------------

class _Refused(Exception):
    """Rows of a group the write path refused: the group's transaction is rolled back."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(f"{len(refusals)} refusals")
        self.refusals = refusals


def _problem(number: int, prefix: str, exc: ProblemError) -> list[Refusal]:
    if exc.invalid_params:
        return [Refusal(number, f"{prefix}{p.name}", p.reason) for p in exc.invalid_params]
    return [Refusal(number, prefix.rstrip(".") or "row", exc.detail)]


def _write(session: Session, writes: BatchWrites, who: Principal, now: datetime,
           skew: timedelta, group: list[Parsed]) -> tuple[dict[int, rules.Outcome], int]:
    """Write a group's receipts, then all their events; raises _Refused on any refusal."""
    refusals: list[Refusal] = []
    items: list[tuple[str, EventIn]] = []
    owners: list[tuple[Parsed, int]] = []
    receipts: dict[int, Written] = {}
    for p, written in zip(group, writes.receive(session, who, now, skew,
                                                [p.receipt for p in group]), strict=True):
        if written.problem is not None:
            refusals += _problem(p.number, "", written.problem)
            continue
        assert written.code is not None  # an answer always has its code
        receipts[p.number] = written
        items += [(written.code, event) for _, event in p.events]
        owners += [(p, position) for position, _ in p.events]
    replayed: dict[int, list[bool]] = {number: [] for number in receipts}
    if items:
        for (p, position), written in zip(owners, writes.post(session, who, now, skew, items),
                                          strict=True):
            if written.problem is not None:
                refusals += _problem(p.number, f"events.{position}.", written.problem)
            else:
                replayed[p.number].append(written.replayed)
    if refusals:
        raise _Refused(refusals)
    outcomes = {number: rules.outcome(w.replayed, replayed[number])
                for number, w in receipts.items()}
    return outcomes, len(items)


def apply_group(db: Database, writes: BatchWrites, who: Principal, skew: timedelta,
                group: list[Parsed], clock: Callable[[], datetime]
                ) -> tuple[dict[int, rules.Outcome], list[Refusal], int]:
    """Write a group in one transaction, each row whole or not at all: when the write path
    refuses rows, the transaction is rolled back and the group written again without them.
    Returns each landed row's outcome, the refusals and the number of events written."""
    refusals: list[Refusal] = []
    pending = group
    while pending:
        try:
            with db.transaction() as session:
                outcomes, events = _write(session, writes, who, clock(), skew, pending)
            return outcomes, refusals, events
        except _Refused as exc:
            refusals += exc.refusals
            refused = {r.row for r in exc.refusals}
            pending = [p for p in pending if p.number not in refused]
    return {}, refusals, 0


# --- The operator, the checkpoint and the run. ---------------------------------------------

def operator(db: Database, path: Path, digest: str, now: datetime) -> Principal:
    """The key the import acts through, so the audit trail and the timelines name it.

    One national admin key per file (by name and digest), created revoked: it can never
    authenticate a request, it only says "this import" in every audit entry and event row it
    writes, and `keys list` shows it. A second run of the same file reuses it.
    """
    name = f"history import {path.name[:200]} sha256:{digest[:12]}"
    with db.transaction() as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.name == name))
        if key_id is None:
            created = keys.create_key(session, ADMIN_BOOTSTRAP, KeyIn(name=name, role="admin"),
                                      now)
            keys.revoke_key(session, ADMIN_BOOTSTRAP, created.id, now)
            key_id = created.id
    return Principal(key_id=key_id, role="admin", unit_code=None, unit_path=None)


@dataclass
class State:
    """Where an interrupted import stands: the file, the database, the last committed row."""

    file_sha256: str
    database: str
    row: int = 0
    # A dossier of the last committed group, to tell that this database holds that group.
    last: tuple[str, str] | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules.OUTCOMES, 0))
    events: int = 0


def checkpoint_path(path: Path) -> Path:
    """Where an import of `path` keeps its checkpoint by default: beside the file."""
    return path.with_name(path.name + ".checkpoint")


def load_state(checkpoint: Path) -> State | None:
    """The checkpoint's state, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(checkpoint.read_text())
        last = data.get("last")
        return State(data["file_sha256"], data["database"], int(data["row"]),
                     (str(last[0]), str(last[1])) if last else None,
                     {k: int(data["counts"].get(k, 0)) for k in rules.OUTCOMES},
                     int(data.get("events", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_state(checkpoint: Path, state: State) -> None:
    """Write the checkpoint whole or not at all (a kill mid-write leaves the previous one)."""
    tmp = checkpoint.with_name(checkpoint.name + ".tmp")
    tmp.write_text(json.dumps({
        "file_sha256": state.file_sha256, "database": state.database, "row": state.row,
        "last": list(state.last) if state.last else None, "counts": state.counts,
        "events": state.events}))
    os.replace(tmp, checkpoint)


def _holds(db: Database, last: tuple[str, str]) -> bool:
    with db.transaction("fresh") as session:
        return session.scalar(select(Dossier.id).where(
            Dossier.receiving_unit == last[0], Dossier.client_ref == last[1])) is not None


@dataclass
class Report:
    """What an import did: counts over the whole file, this run's refusals, the timing."""

    counts: dict[str, int]
    refusals: list[Refusal]
    events: int
    resumed_after: int | None
    seconds: float
    rows: int  # rows this run wrote or refused (after the resume point)

    @property
    def refused(self) -> int:
        """Refused rows in the whole file (earlier runs of an interrupted import included)."""
        return self.counts["refused"]


def run(db: Database, path: Path, *, skew: timedelta, checkpoint: Path | None = None,
        group_size: int = GROUP, writes: BatchWrites = BATCH_WRITES,
        clock: Callable[[], datetime] = utcnow,
        progress: Callable[[int], None] = lambda _: None,
        refused: Callable[[list[Refusal]], None] = lambda _: None,
        notice: Callable[[str], None] = lambda _: None) -> Report:
    """Import the file a group of rows per transaction, resuming after the checkpoint's row.

    `progress` is called with the rows done (skipped ones first, on a resume), `refused` with
    each group's refusals as they are found, `notice` with what the reader should know (a
    resume, a checkpoint that does not fit). The checkpoint is removed when the file is done.
    """
    started = timer.perf_counter()
    checkpoint = checkpoint or checkpoint_path(path)
    digest = file_digest(path)
    database = make_url(str(db.engine.url)).render_as_string(hide_password=True)
    state = State(digest, database)
    earlier = load_state(checkpoint)
    if earlier is not None:
        if earlier.file_sha256 != digest or earlier.database != database:
            notice(f"{checkpoint.name} is for another file or database; starting from the "
                   "first row (rows already imported change nothing)")
        elif earlier.last is not None and not _holds(db, earlier.last):
            notice(f"{checkpoint.name}: this database does not hold the rows it says were "
                   "imported; starting from the first row")
        else:
            state = earlier
            notice(f"resuming after row {state.row} ({checkpoint.name})")
    resumed_after = state.row or None
    who = operator(db, path, digest, clock())
    skipped = 0
    refusals: list[Refusal] = []
    done = 0

    def fresh() -> Iterator[tuple[int, Row | RowError]]:
        nonlocal skipped
        for number, row in read(path):
            if number <= state.row:
                skipped += 1
                continue
            if skipped:
                progress(skipped)
                skipped = 0
            yield number, row

    for chunk in rules.groups(fresh(), group_size):
        group: list[Parsed] = []
        found: list[Refusal] = []
        for number, row in chunk:
            parsed = parse(number, row)
            if isinstance(parsed, Parsed):
                group.append(parsed)
            else:
                found += parsed
        outcomes, write_refusals, events = apply_group(db, writes, who, skew, group, clock)
        found = sorted([*found, *write_refusals], key=lambda r: r.row)
        for what in outcomes.values():
            state.counts[what] += 1
        state.counts["refused"] += len({r.row for r in found})
        state.events += events
        state.row = chunk[-1][0]
        landed = [p for p in group if p.number in outcomes]
        if landed:
            state.last = (landed[-1].receipt.receiving_unit, landed[-1].receipt.client_ref or "")
        # Reported before the checkpoint moves past them: a kill in between reports them twice
        # (the group replays), never not at all.
        refused(found)
        refusals += found
        save_state(checkpoint, state)
        done += len(chunk)
        progress(len(chunk))
    if skipped:  # the checkpoint was at the file's last row
        progress(skipped)
    checkpoint.unlink(missing_ok=True)
    return Report(state.counts, refusals, state.events, resumed_after,
                  timer.perf_counter() - started, done)
