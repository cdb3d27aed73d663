"""The write pipeline: one way for a group of receipts or events into the database.

Batch endpoints, the group-commit writer and postal reports all come here. Per group it
1. reads the dossiers' state (locked on PostgreSQL, in id order, so concurrent groups queue
   instead of deadlocking), the stored answers of repeated ids, and the catalogue and
   calendars it needs;
2. decides every command in memory (app/dossiers/decisions.py): a later command sees the
   state after the earlier ones, a refused one changes nothing;
3. writes the dossiers and their timeline entries, each table with one statement;
4. hands the changes to the projections (statistics, postal returns and their outbox events,
   the audit trail), which each read what they need, derive their rows purely and store them
   with one write.
The caller's transaction commits (one per request, or one per group of the writer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.calendar.service import calendar_for
from app.catalog.models import Procedure, ProcedureVersion, Unit
from app.catalog.schemas import ProcessingTimeIn, rule_steps
from app.core.problems import NotFound, ProblemError
from app.dossiers import rules
from app.dossiers.decisions import (
    RECEIPT,
    STATE_FIELDS,
    Answer,
    Caller,
    Command,
    DossierChange,
    Outcome,
    PostEvent,
    ProcedureFacts,
    Receive,
    Record,
    UnitFacts,
    VersionFacts,
    decide_event,
    decide_receipt,
    ensure_covers,
    numbered,
    receiving_unit,
    replay,
)
from app.dossiers.models import DOSSIER_COLUMNS, Dossier, DossierEvent, DossierSequence
from app.dossiers.records import officer_columns, record_of, unit_facts
from app.dossiers.schemas import TimelineEvent
from app.dossiers.views import view
from app.worktime.rules import WorkCalendar

P = TypeVar("P")
R = TypeVar("R")


class Projection(Protocol[P, R]):
    """A table set kept in step with dossier changes: read, derive (pure), store once."""

    def prepare(self, session: Session, changes: Sequence[DossierChange]) -> P:
        """Read what `project` needs, before this group's rows are written."""
        ...

    def project(self, changes: Sequence[DossierChange], prepared: P) -> R:
        """The rows the changes call for; no I/O."""
        ...

    def write(self, session: Session, rows: R) -> None:
        """Store the rows, one statement per table."""
        ...


class PostalReturns(Protocol):
    """Which of these dossiers have a postal return on file (its rows are app/postal's)."""

    def __call__(self, session: Session, dossier_ids: Collection[int]) -> set[int]: ...


class Pipeline:
    """Applies groups of commands: the set-wise write path of every receipt and event."""

    def __init__(self, projections: Sequence[Projection[Any, Any]],
                 postal_returns: PostalReturns, skew: timedelta) -> None:
        self.projections = tuple(projections)
        self.postal_returns = postal_returns
        self.skew = skew

    # ---- entry points ---------------------------------------------------------------------

    def apply(self, session: Session, items: Sequence[tuple[Caller, Command]]) -> list[Outcome]:
        """Receipts and events together: receipts first, each outcome in its item's place."""
        receipts = [(i, (c, cmd)) for i, (c, cmd) in enumerate(items) if isinstance(cmd, Receive)]
        events = [(i, (c, cmd)) for i, (c, cmd) in enumerate(items)
                  if isinstance(cmd, PostEvent)]
        outcomes: list[Outcome | None] = [None] * len(items)
        if receipts:
            for (i, _), o in zip(receipts, self.receive(session, [x for _, x in receipts]),
                                 strict=True):
                outcomes[i] = o
        if events:
            for (i, _), o in zip(events, self.post(session, [x for _, x in events]),
                                 strict=True):
                outcomes[i] = o
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(items)  # every item has its outcome
        return done

    def receive(self, session: Session, items: Sequence[tuple[Caller, Receive]]
                ) -> list[Outcome]:
        """Receive dossiers: each decided in memory, then all stored with a few statements.

        A refused item gets its problem and takes no number, so the day's sequence stays
        gapless; a client_ref already stored (or repeated in this group) answers as it did.
        """
        units, unit_rows = _units(session, {c for _, r in items
                                            for c in (r.receiving_unit, r.handling_unit) if c})
        procedures = _procedures(session, {r.procedure for _, r in items})
        refs = {r.client_ref for _, r in items if r.client_ref is not None}
        seen = _receipts_by_ref(session, refs) if refs else {}

        def calendars(code: str, start: datetime, end: datetime) -> WorkCalendar:
            return calendar_for(session, unit_rows[code], start, end)

        outcomes: list[Outcome | None] = [None] * len(items)
        accepted: list[tuple[int, Caller, DossierChange]] = []
        # Items repeating a client_ref of an earlier item in this group: answered after it.
        repeats: list[tuple[int, int, str]] = []
        first_of: dict[tuple[str, str], int] = {}
        for index, (caller, cmd) in enumerate(items):
            try:
                receiving_unit(cmd, caller.who, units)
                if cmd.client_ref is not None:
                    ref = (cmd.receiving_unit, cmd.client_ref)
                    if ref in seen:
                        outcomes[index] = replay(caller.who, cmd.client_ref, seen[ref],
                                                 cmd.fingerprint)
                        continue
                    if ref in first_of:
                        repeats.append((index, first_of[ref], cmd.fingerprint))
                        continue
                change = decide_receipt(cmd, caller, self.skew, units, procedures, calendars)
            except ProblemError as exc:
                outcomes[index] = exc
                continue
            if cmd.client_ref is not None:
                first_of[(cmd.receiving_unit, cmd.client_ref)] = index
            accepted.append((index, caller, change))
        for index, outcome in self._write_receipts(session, accepted):
            outcomes[index] = outcome
        for index, first, fingerprint in repeats:
            # A retry inside the same group answers as the first item did.
            earlier, (caller, cmd) = outcomes[first], items[index]
            first_cmd = items[first][1]
            outcomes[index] = (replay(caller.who, cmd.client_ref or "",
                                      (first_cmd.fingerprint, earlier.body), fingerprint)
                               if isinstance(earlier, Answer) else earlier)
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(items)  # every item has its outcome
        return done

    def post(self, session: Session, items: Sequence[tuple[Caller, PostEvent]]
             ) -> list[Outcome]:
        """Apply events in order, or replay ids already seen.

        An item that fails changes nothing; a later item sees the state after the earlier
        ones; then everything is written in a few statements.
        """
        rows = list(session.scalars(
            select(Dossier).where(Dossier.code.in_({cmd.dossier for _, cmd in items}))
            .order_by(Dossier.id).with_for_update()))
        postal = self.postal_returns(session, [d.id for d in rows])
        current = {d.code: record_of(d, d.id in postal) for d in rows}
        units, unit_rows = _units(session, {c for d in rows
                                            for c in (d.receiving_unit, d.handling_unit)}
                                  | {cmd.to_unit for _, cmd in items if cmd.to_unit})
        procedures = _procedures(session, {d.procedure_code for d in rows})
        seen = _events_by_id(session, {(current[cmd.dossier].id, cmd.id) for _, cmd in items
                                       if cmd.dossier in current})
        changes: list[DossierChange] = []
        outcomes: list[Outcome] = []
        for caller, cmd in items:
            try:
                record = current.get(cmd.dossier)
                if record is None:
                    raise NotFound(f"No dossier with code '{cmd.dossier}'.",
                                   code="dossier_not_found")
                ensure_covers(caller.who, units[record.receiving_unit],
                              units[record.state.handling_unit])
                earlier = seen.get((record.id, cmd.id))
                if earlier is not None:
                    outcomes.append(replay(caller.who, cmd.id, earlier, cmd.fingerprint))
                    continue
                # The appointment is the receiving counter's promise: its calendar keeps time.
                calendar = calendar_for(session, unit_rows[record.receiving_unit],
                                        record.state.received_at, max(cmd.at, caller.now))
                change = decide_event(cmd, record, caller, self.skew, units,
                                      procedures[record.procedure], calendar)
            except ProblemError as exc:
                outcomes.append(exc)
                continue
            answer = event_answer(change, caller)
            current[cmd.dossier] = change.after
            seen[(record.id, cmd.id)] = (cmd.fingerprint, answer.body)
            changes.append(change)
            outcomes.append(answer)
        if changes:
            prepared = self._prepare(session, changes)
            latest = {c.after.id: c.after for c in changes}
            session.execute(update(Dossier), [
                {"id": r.id, "updated_at": r.updated_at, **officer_columns(r.officers),
                 **{f: getattr(r.state, f) for f in STATE_FIELDS}} for r in latest.values()])
            session.execute(insert(DossierEvent), [
                _event_row(c, seen[(c.after.id, c.event.id)][1]) for c in changes
                if c.event is not None])
            self._project(session, changes, prepared)
        return outcomes

    # ---- storing --------------------------------------------------------------------------

    def _write_receipts(self, session: Session, accepted: list[tuple[int, Caller, DossierChange]]
                        ) -> list[tuple[int, Outcome]]:
        """Number and store decided receipts; a concurrent retry's client_ref answers as it
        did."""
        if not accepted:
            return []
        try:
            with session.begin_nested():
                return self._store_receipts(session, accepted)
        except IntegrityError:
            # A concurrent request stored one of these client_refs first. The savepoint undid
            # everything (numbers included); store item by item, and replay the ones that lost.
            if len(accepted) > 1:
                return [out for a in accepted for out in self._write_receipts(session, [a])]
            index, caller, change = accepted[0]
            cmd = change.command
            assert isinstance(cmd, Receive) and cmd.client_ref is not None
            earlier = _receipts_by_ref(session, {cmd.client_ref}).get(
                (cmd.receiving_unit, cmd.client_ref))
            if earlier is None:
                raise
            return [(index, replay(caller.who, cmd.client_ref, earlier, cmd.fingerprint))]

    def _store_receipts(self, session: Session,
                        accepted: list[tuple[int, Caller, DossierChange]]
                        ) -> list[tuple[int, Outcome]]:
        counts: dict[tuple[str, date], int] = defaultdict(int)
        for _, _, c in accepted:
            counts[(c.after.receiving_unit, rules.local_day(c.after.state.received_at))] += 1
        taken = _allocate(session, counts)
        codes = []
        for _, _, c in accepted:
            key = (c.after.receiving_unit, rules.local_day(c.after.state.received_at))
            seq, taken[key] = taken[key], taken[key] + 1
            codes.append(rules.dossier_code(key[0], key[1], seq))
        # One bulk INSERT .. RETURNING, matched back by the (unique) code: asking for the rows'
        # order instead makes SQLAlchemy send one statement per row on SQLite.
        ids = dict(session.execute(
            insert(Dossier).returning(Dossier.code, Dossier.id),
            [_dossier_row(c.after, code) for (_, _, c), code in zip(accepted, codes,
                                                                       strict=True)]).all())
        changes = [numbered(c, ids[code], code)
                   for (_, _, c), code in zip(accepted, codes, strict=True)]
        prepared = self._prepare(session, changes)
        out: list[tuple[int, Outcome]] = []
        events = []
        for (index, caller, _), change in zip(accepted, changes, strict=True):
            body = view(change.after, caller.who, caller.now).model_dump(mode="json")
            events.append(_event_row(change, body))
            out.append((index, Answer(body, replayed=False)))
        session.execute(insert(DossierEvent), events)
        self._project(session, changes, prepared)
        return out

    def _prepare(self, session: Session, changes: Sequence[DossierChange]) -> list[Any]:
        return [p.prepare(session, changes) for p in self.projections]

    def _project(self, session: Session, changes: Sequence[DossierChange],
                 prepared: list[Any]) -> None:
        for projection, ready in zip(self.projections, prepared, strict=True):
            projection.write(session, projection.project(changes, ready))


# ---- answers and rows, from plain data ---------------------------------------------------


def event_answer(change: DossierChange, caller: Caller) -> Answer:
    """The answer to an accepted event: the step as recorded and the dossier after it."""
    step = change.event
    assert step is not None  # a write always adds a step
    return Answer({
        "event": TimelineEvent(id=step.id, type=step.type, at=step.at,
                               recorded_at=step.recorded_at, details=dict(step.details),
                               flags=dict(change.flags)).model_dump(mode="json"),
        "dossier": view(change.after, caller.who, caller.now).model_dump(mode="json"),
    }, replayed=False)


def _dossier_row(r: Record, code: str) -> dict[str, Any]:
    a, s = r.applicant, r.state
    row = {
        "code": code, "province_code": r.province_code, "procedure_code": r.procedure,
        "procedure_version": r.procedure_version, "receiving_unit": r.receiving_unit,
        "channel": r.channel, "client_ref": r.client_ref, "applicant_kind": a.kind,
        "applicant_name": a.name, "applicant_id_number": a.id_number,
        "applicant_phone": a.phone, "applicant_address": a.address,
        "updated_at": r.updated_at, **officer_columns(r.officers),
        **{f: getattr(s, f) for f in STATE_FIELDS},
    }
    assert set(row) == set(DOSSIER_COLUMNS)  # every column written, nothing else
    return row


def _event_row(c: DossierChange, response: dict[str, Any]) -> dict[str, Any]:
    step, cmd = c.event, c.command
    assert step is not None and cmd is not None and c.by is not None
    return {"dossier_id": c.after.id, "province_code": c.after.province_code,
            "client_id": step.id, "type": step.type, "at": step.at,
            "recorded_at": step.recorded_at, "key_id": c.by.key_id,
            "payload": dict(step.details), "flags": dict(c.flags),
            "request_hash": cmd.fingerprint, "response": response}


# ---- reads -------------------------------------------------------------------------------


def _units(session: Session, codes: Iterable[str]) -> tuple[dict[str, UnitFacts],
                                                            dict[str, Unit]]:
    rows = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(set(codes))))}
    return {code: unit_facts(u) for code, u in rows.items()}, rows


def _procedures(session: Session, codes: set[str]) -> dict[str, ProcedureFacts]:
    """The procedures with every version: a receipt takes the one in force, an event the
    steps of the dossier's own."""
    found = list(session.scalars(select(Procedure).where(Procedure.code.in_(codes))))
    by_code: dict[str, list[VersionFacts]] = defaultdict(list)
    for v in session.scalars(select(ProcedureVersion).where(
            ProcedureVersion.procedure_code.in_([p.code for p in found]))):
        online = v.online_processing_time
        by_code[v.procedure_code].append(VersionFacts(
            v.version, v.effective_from,
            ProcessingTimeIn.model_validate(v.processing_time).to_rules(),
            None if online is None else ProcessingTimeIn.model_validate(online).to_rules(),
            rule_steps(v.steps)))
    return {p.code: ProcedureFacts(p.code, p.online, p.postal, tuple(by_code[p.code]))
            for p in found}


def _receipts_by_ref(
    session: Session, refs: set[str]
) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """Stored receipts with these client_refs: (unit, ref) -> (request hash, answer)."""
    return {(unit, ref): (request_hash, response)
            for unit, ref, request_hash, response in session.execute(
                select(Dossier.receiving_unit, Dossier.client_ref, DossierEvent.request_hash,
                       DossierEvent.response)
                .join(Dossier).where(Dossier.client_ref.in_(refs), DossierEvent.type == RECEIPT)
            ) if ref is not None}


def _events_by_id(session: Session, pairs: set[tuple[int, str]]
                  ) -> dict[tuple[int, str], tuple[str, dict[str, Any]]]:
    """Stored events with these (dossier, id) pairs: (dossier, id) -> (hash, answer).

    One probe of the unique index per pair; `dossier_id IN (..) AND client_id IN (..)` probed
    it for every combination, a million probes for a batch of a thousand.
    """
    if not pairs:
        return {}
    return {(dossier_id, client_id): (request_hash, response)
            for dossier_id, client_id, request_hash, response in session.execute(
                select(DossierEvent.dossier_id, DossierEvent.client_id,
                       DossierEvent.request_hash, DossierEvent.response)
                .where(tuple_(DossierEvent.dossier_id, DossierEvent.client_id).in_(
                    sorted(pairs))))}


def _allocate(session: Session, counts: dict[tuple[str, date], int]) -> dict[tuple[str, date], int]:
    """Take n numbers of each (unit, local day) at once; returns the first number of each run.

    One statement for all keys. Its rows are in sorted key order, which is the order the
    database takes the row locks in, so two concurrent batches queue on the sequence rows
    instead of deadlocking; the row lock serialises receipts of the same day.
    """
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = insert_(DossierSequence).values(
        [{"unit_code": unit, "day": day, "last": counts[(unit, day)]}
         for unit, day in sorted(counts)])
    taken = rows.on_conflict_do_update(
        index_elements=["unit_code", "day"],
        set_={"last": DossierSequence.last + rows.excluded.last},
    ).returning(DossierSequence.unit_code, DossierSequence.day, DossierSequence.last)
    return {(unit, day): int(last) - counts[(unit, day)] + 1
            for unit, day, last in session.execute(taken)}
