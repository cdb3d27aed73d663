"""Dossier use cases: receive, apply events, read. Services flush; the request commits."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.service import entry, jsonable, record_many
from app.auth.rules import Principal
from app.auth.service import Credential, admit, look_up
from app.calendar.service import calendar_for
from app.catalog import rules as catalog_rules
from app.catalog.models import Procedure, ProcedureVersion, Unit
from app.catalog.schemas import ProcessingTimeIn
from app.catalog.service import covered_unit, unknown_unit
from app.core.clock import VN_TZ
from app.core.cursor import BY_ID, decode_cursor, encode_cursor
from app.core.group_commit import Handler
from app.core.problems import (
    Conflict,
    Forbidden,
    InvalidParam,
    NotFound,
    ProblemError,
    Unprocessable,
    validation_problem,
)
from app.dossiers import rules
from app.dossiers.models import DOSSIER_COLUMNS, Dossier, DossierEvent, DossierSequence
from app.dossiers.schemas import (
    FREE_TEXT_FIELDS,
    ApplicantOut,
    DossierIn,
    DossierOut,
    EventIn,
    TimelineEvent,
    Transferred,
)
from app.postal import service as postal
from app.postal.models import PostalReturn
from app.stats import service as stats
from app.stats.rules import Contribution, EventFact

STATE_FIELDS = tuple(f.name for f in fields(rules.DossierState))
RECEIPT = "received"
EVENT = "event"


class Caller(NamedTuple):
    """Who sent an item, and the request's notion of now: items of one transaction may come
    from several requests (see app/core/group_commit.py)."""

    who: Principal
    now: datetime


class Answer:
    """A write's answer: the body, and whether it replays an earlier identical request."""

    __slots__ = ("body", "replayed")

    def __init__(self, body: dict[str, Any], replayed: bool) -> None:
        self.body = body
        self.replayed = replayed


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable hash of a request body, to spot an id reused for a different request."""
    canonical = json.dumps(jsonable(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def state_of(d: Dossier) -> rules.DossierState:
    """The rule-level state stored on a dossier row."""
    return rules.DossierState(**{name: getattr(d, name) for name in STATE_FIELDS})


def _state_fields(state: rules.DossierState) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every datetime, a measurable cost per event;
    # the fields are immutable values, so a shallow read is the same.
    return {name: getattr(state, name) for name in STATE_FIELDS}


def _store_state(d: Dossier, state: rules.DossierState, now: datetime) -> None:
    for name, value in _state_fields(state).items():
        setattr(d, name, value)
    d.updated_at = now


def _hold(d: Dossier, fields: dict[str, Any], now: datetime) -> None:
    """Set fields of a loaded row without the unit of work: _write_states writes all the
    changed rows with one executemany instead of a flush per shape of change."""
    for name, value in fields.items():
        set_committed_value(d, name, value)
    set_committed_value(d, "updated_at", now)


def _write_states(session: Session, dossiers: list[Dossier]) -> None:
    session.execute(update(Dossier), [
        {"id": d.id, "updated_at": d.updated_at, **{f: getattr(d, f) for f in STATE_FIELDS}}
        for d in dossiers
    ])


def _ensure_covers(who: Principal, *units: Unit) -> None:
    if not any(who.covers(u.path) for u in units):
        raise Forbidden("This key's unit does not cover this dossier.", code="outside_unit_scope")


def _ensure_hands_to(who: Principal, unit: Unit, field: str) -> None:
    if not who.may_hand_to(unit.path):
        raise Forbidden(f"This key may hand dossiers only to units of its own province; "
                        f"'{unit.code}' is in another.", code="outside_province",
                        invalid_params=[InvalidParam(field, "outside_province",
                                                     "a unit of another province")])


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


Outcome = Answer | ProblemError


def _replay(who: Principal, client_id: str, earlier: tuple[str, dict[str, Any]],
            request_hash: str) -> Outcome:
    if earlier[0] != request_hash:
        return Conflict(
            f"The id '{client_id}' was already used for a different request.",
            code="idempotency_key_reused",
        )
    return Answer(_as_seen_by(who, earlier[1]), replayed=True)


def _as_seen_by(who: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """A stored answer as this caller may see it: the first caller may have seen more.

    The post retrying a report that an admin made first must not get the applicant.
    """
    if who.sees_personal_data:
        return body
    if isinstance(body.get("dossier"), dict):
        return {**body, "dossier": {**body["dossier"], "applicant": None}}
    return {**body, "applicant": None}


def settle(outcome: object) -> Answer:
    """An item's answer, or its problem raised."""
    if isinstance(outcome, ProblemError):
        raise outcome
    assert isinstance(outcome, Answer)
    return outcome


class Presented(NamedTuple):
    """A caller whose stored key the writer still has to look up, and the request's now."""

    credential: Credential
    now: datetime


def caller_of(who: Principal | Credential, now: datetime) -> Caller | Presented:
    """What a request hands to the writer about its caller."""
    return Caller(who, now) if isinstance(who, Principal) else Presented(who, now)


def group_handlers(skew: timedelta) -> dict[str, Handler]:
    """The writes a request hands to the group-commit writer: items of several requests are
    received, or applied, together (see app/core/group_commit.py)."""
    return {RECEIPT: _admitted(lambda session, items: receive_many(session, items, skew)),
            EVENT: _admitted(lambda session, items: post_events(session, items, skew))}


def _admitted(apply: Handler) -> Handler:
    """Look up the keys the requests left to the writer, in its transaction (once per key and
    group), answer 401/403 as `authenticate` and `require` would, and apply the rest."""

    def run(session: Session, items: list[Any]) -> list[Any]:
        known: dict[Credential, Principal] = {}
        outcomes: list[Any] = [None] * len(items)
        admitted: list[tuple[int, tuple[Any, ...]]] = []
        for index, (caller, *rest) in enumerate(items):
            if isinstance(caller, Presented):
                credential = caller.credential
                try:
                    who = known.get(credential) or admit(
                        look_up(session, credential.secret, caller.now), credential.roles)
                except ProblemError as exc:
                    outcomes[index] = exc
                    continue
                known[credential] = who
                caller = Caller(who, caller.now)
            admitted.append((index, (caller, *rest)))
        if admitted:
            results = apply(session, [item for _, item in admitted])
            for (index, _), outcome in zip(admitted, results, strict=True):
                outcomes[index] = outcome
        return outcomes

    return run


def receive(
    session: Session, who: Principal, body: DossierIn, now: datetime, skew: timedelta
) -> Answer:
    """Receive a dossier: number it, set its appointment, open its timeline."""
    return settle(receive_many(session, [(Caller(who, now), body)], skew)[0])


class _Receipt:
    """A receipt that passed every check, on its way to the database."""

    __slots__ = ("body", "caller", "dossier", "handling", "index", "procedure", "receiving",
                 "request_hash", "state", "version")

    def __init__(self, index: int, caller: Caller, body: DossierIn, request_hash: str,
                 receiving: Unit, handling: Unit, procedure: Procedure, version: int,
                 state: rules.DossierState) -> None:
        self.index, self.caller, self.body, self.request_hash = index, caller, body, request_hash
        self.receiving, self.handling, self.procedure = receiving, handling, procedure
        self.version = version
        self.state = state
        self.dossier: Dossier | None = None


def receive_many(
    session: Session, items: list[tuple[Caller, DossierIn]], skew: timedelta
) -> list[Outcome]:
    """Receive dossiers: each checked in memory first, then all written with a few statements.

    A refused item gets its problem and takes no number, so the day's sequence stays gapless.
    """
    bodies = [body for _, body in items]
    units = _units(session, {c for b in bodies for c in (b.receiving_unit, b.handling_unit) if c})
    procedures = {p.code: p for p in session.scalars(
        select(Procedure).where(Procedure.code.in_({b.procedure for b in bodies})))}
    versions: dict[str, list[ProcedureVersion]] = defaultdict(list)
    for v in session.scalars(select(ProcedureVersion).where(
            ProcedureVersion.procedure_code.in_(procedures))):
        versions[v.procedure_code].append(v)
    refs = {b.client_ref for b in bodies if b.client_ref is not None}
    seen = _receipts_by_ref(session, refs) if refs else {}
    outcomes: list[Outcome | None] = [None] * len(bodies)
    accepted: list[_Receipt] = []
    # Items repeating a client_ref of an earlier item in this request: answered after it.
    repeats: list[tuple[int, _Receipt, str]] = []
    first_of: dict[tuple[str, str], _Receipt] = {}
    for index, (caller, body) in enumerate(items):
        who = caller.who
        request_hash = fingerprint(body.model_dump(exclude_unset=True))
        try:
            receiving = _known(units, body.receiving_unit, "receiving_unit")
            _ensure_covers(who, receiving)
            ref = (body.receiving_unit, body.client_ref or "")
            if body.client_ref is not None:
                if ref in seen:
                    outcomes[index] = _replay(who, body.client_ref, seen[ref], request_hash)
                    continue
                if ref in first_of:
                    repeats.append((index, first_of[ref], request_hash))
                    continue
            accepted.append(_check_receipt(
                session, index, caller, body, request_hash, receiving, units, procedures,
                versions, skew))
            if body.client_ref is not None:
                first_of[ref] = accepted[-1]
        except ProblemError as exc:
            outcomes[index] = exc
    for outcome_index, outcome in _write_receipts(session, accepted, units):
        outcomes[outcome_index] = outcome
    for index, first, request_hash in repeats:
        # A retry inside the same request answers as the first item did.
        earlier = outcomes[first.index]
        outcomes[index] = (_replay(items[index][0].who, bodies[index].client_ref or "",
                                   (first.request_hash, earlier.body), request_hash)
                           if isinstance(earlier, Answer) else earlier)
    done = [o for o in outcomes if o is not None]
    assert len(done) == len(bodies)  # every item has its outcome
    return done


def _check_receipt(
    session: Session, index: int, caller: Caller, body: DossierIn, request_hash: str,
    receiving: Unit, units: dict[str, Unit], procedures: dict[str, Procedure],
    versions: dict[str, list[ProcedureVersion]], skew: timedelta,
) -> _Receipt:
    now = caller.now
    handling = _known(units, body.handling_unit or body.receiving_unit, "handling_unit")
    _ensure_hands_to(caller.who, handling, "handling_unit")
    procedure = procedures.get(body.procedure)
    if procedure is None:
        detail = f"No procedure with code '{body.procedure}'."
        raise Unprocessable(
            detail, code="unknown_procedure",
            invalid_params=[InvalidParam("procedure", "unknown_procedure", detail)],
        )
    if body.channel == "online" and not procedure.online:
        raise Unprocessable(
            f"Procedure '{procedure.code}' cannot be filed online.", code="channel_not_offered",
            invalid_params=[InvalidParam("channel", "not_offered", "not offered online")],
        )
    received_at = body.received_at or now
    rules.check_receipt_time(received_at, now, skew)
    for unit, field in ((receiving, "receiving_unit"), (handling, "handling_unit")):
        _check_valid(unit, field, received_at)
    postal.check_receipt(procedure, body)
    # The rules in force on the day of receipt stay the dossier's, whatever comes later.
    version = catalog_rules.in_force(versions[procedure.code], rules.local_day(received_at))
    state = rules.receive(
        handling.code, received_at,
        ProcessingTimeIn.model_validate(version.time_for(body.channel)).to_rules(),
        calendar_for(session, receiving, received_at),
    )
    return _Receipt(index, caller, body, request_hash, receiving, handling, procedure,
                    version.version, state)


def _write_receipts(
    session: Session, accepted: list[_Receipt], units: dict[str, Unit]
) -> list[tuple[int, Outcome]]:
    """Number and store accepted receipts; a concurrent retry's client_ref answers as it did."""
    if not accepted:
        return []
    try:
        with session.begin_nested():
            return _store_receipts(session, accepted, units)
    except IntegrityError:
        # A concurrent request stored one of these client_refs first. The savepoint undid
        # everything (numbers included); store item by item, and replay the ones that lost.
        if len(accepted) > 1:
            return [out for r in accepted for out in _write_receipts(session, [r], units)]
        r = accepted[0]
        earlier = _receipts_by_ref(session, {r.body.client_ref or ""}).get(
            (r.body.receiving_unit, r.body.client_ref or ""))
        if earlier is None:
            raise
        return [(r.index, _replay(r.caller.who, r.body.client_ref or "", earlier,
                                  r.request_hash))]


def _store_receipts(
    session: Session, accepted: list[_Receipt], units: dict[str, Unit]
) -> list[tuple[int, Outcome]]:
    counts: dict[tuple[str, date], int] = defaultdict(int)
    for r in accepted:
        counts[(r.receiving.code, rules.local_day(r.state.received_at))] += 1
    taken = _allocate(session, counts)
    for r in accepted:
        key = (r.receiving.code, rules.local_day(r.state.received_at))
        seq, taken[key] = taken[key], taken[key] + 1
        body = r.body
        r.dossier = Dossier(
            code=rules.dossier_code(r.receiving.code, key[1], seq),
            province_code=r.receiving.province_code, procedure_code=r.procedure.code,
            procedure_version=r.version, receiving_unit=r.receiving.code, channel=body.channel,
            client_ref=body.client_ref,
            applicant_kind=body.applicant.kind, applicant_name=body.applicant.name,
            applicant_id_number=body.applicant.id_number,
            applicant_phone=body.applicant.phone, applicant_address=body.applicant.address,
        )
        _store_state(r.dossier, r.state, r.caller.now)
    # One bulk INSERT .. RETURNING id, in the order of the rows: the objects stay out of the
    # session (nothing tracks them), they only carry the new rows to the answers below.
    ids = session.scalars(
        insert(Dossier).returning(Dossier.id, sort_by_parameter_order=True),
        [{name: getattr(r.dossier, name) for name in DOSSIER_COLUMNS} for r in accepted
         if r.dossier is not None])
    for r, id_ in zip(accepted, ids, strict=True):
        assert r.dossier is not None  # set above
        r.dossier.id = id_
    events: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    moves: list[tuple[None, Contribution]] = []
    out: list[tuple[int, Outcome]] = []
    paths = {code: u.path for code, u in units.items()}
    for r in accepted:
        d, body, (who, now) = r.dossier, r.body, r.caller
        assert d is not None  # set above
        response = dossier_out(d, who, now).model_dump(mode="json")
        events.append({
            "dossier_id": d.id, "province_code": d.province_code,
            "client_id": body.client_ref or RECEIPT, "type": RECEIPT, "at": d.received_at,
            "recorded_at": now, "key_id": who.key_id,
            "payload": {"channel": body.channel, "procedure": r.procedure.code,
                        "receiving_unit": r.receiving.code, "handling_unit": r.handling.code,
                        "documents": body.documents, "waybill": body.waybill},
            "flags": {}, "request_hash": r.request_hash, "response": response,
        })
        moves.append((None, stats.contribution_at(d, [], paths)))
        postal.on_receipt(session, d, body)
        audit.append(entry(who, now, "receive", "dossier", d.code, None,
                           {"status": d.status, "due_at": d.due_at.isoformat(),
                            "procedure": r.procedure.code, "channel": body.channel}))
        out.append((r.index, Answer(response, replayed=False)))
    session.execute(insert(DossierEvent), events)
    stats.apply_all(session, moves)
    record_many(session, audit)
    return out


def _units(session: Session, codes: set[str]) -> dict[str, Unit]:
    return {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}


def _known(units: dict[str, Unit], code: str, field: str) -> Unit:
    unit = units.get(code)
    if unit is None:
        raise unknown_unit(code, field)
    return unit


def _check_valid(unit: Unit, field: str, at: datetime) -> None:
    catalog_rules.check_valid(unit.code, unit.valid_from, unit.valid_to,
                              at.astimezone(VN_TZ).date(), field)


def _units_of(session: Session, d: Dossier) -> tuple[Unit, Unit]:
    receiving = session.get(Unit, d.receiving_unit)
    handling = session.get(Unit, d.handling_unit)
    assert receiving is not None and handling is not None  # foreign keys guarantee both
    return receiving, handling


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


def post_event(
    session: Session, who: Principal, code: str, event: EventIn, now: datetime,
    skew: timedelta,
) -> Answer:
    """Apply one event to a dossier, or replay the answer to an id already seen."""
    return settle(post_events(session, [(Caller(who, now), code, event)], skew)[0])


class _Touched:
    """A dossier an event batch changes: its counted events and its figures before."""

    __slots__ = ("before", "counted", "dossier")

    def __init__(self, dossier: Dossier, counted: list[EventFact],
                 before: Contribution) -> None:
        self.dossier, self.counted, self.before = dossier, counted, before


def post_events(
    session: Session, items: list[tuple[Caller, str, EventIn]], skew: timedelta
) -> list[Outcome]:
    """Apply events (dossier code, event) in order, or replay ids already seen.

    The dossiers are loaded and locked at once, in id order (so concurrent batches queue
    instead of deadlocking); the rules run in memory, an item that fails changes nothing, a
    later item sees the state after the earlier ones; then all is written in a few statements.
    """
    dossiers = {d.code: d for d in session.scalars(
        select(Dossier).where(Dossier.code.in_({code for _, code, _ in items}))
        .order_by(Dossier.id).with_for_update())}
    units = _units(session, {c for d in dossiers.values()
                             for c in (d.receiving_unit, d.handling_unit)}
                   | {e.to_unit for _, _, e in items if isinstance(e, Transferred)})
    ids = [d.id for d in dossiers.values()]
    seen = {(dossier_id, client_id): (request_hash, response)
            for dossier_id, client_id, request_hash, response in session.execute(
                select(DossierEvent.dossier_id, DossierEvent.client_id,
                       DossierEvent.request_hash, DossierEvent.response)
                .where(DossierEvent.dossier_id.in_(ids),
                       DossierEvent.client_id.in_({e.id for _, _, e in items})))}
    counted = stats.stat_events_of(session, ids)
    returns = postal.returns_of(session, list({
        dossiers[code].id for _, code, e in items
        if code in dossiers and postal.concerns(e)}))
    paths = {code: u.path for code, u in units.items()}
    touched: dict[int, _Touched] = {}
    rows: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    for caller, code, event in items:
        try:
            dossier = dossiers.get(code)
            if dossier is None:
                raise NotFound(f"No dossier with code '{code}'.", code="dossier_not_found")
            payload = event.model_dump(exclude_unset=True)
            _ensure_covers(caller.who, units[dossier.receiving_unit],
                           units[dossier.handling_unit])
            request_hash = fingerprint(payload)
            earlier = seen.get((dossier.id, event.id))
            if earlier is not None:
                outcomes.append(_replay(caller.who, event.id, earlier, request_hash))
                continue
            if isinstance(event, Transferred):
                _ensure_hands_to(caller.who, _known(units, event.to_unit, "to_unit"), "to_unit")
                _check_valid(_known(units, event.to_unit, "to_unit"), "to_unit", event.at)
            t = touched.get(dossier.id)
            if t is None:
                events = counted.get(dossier.id, [])
                t = _Touched(dossier, events, stats.contribution_at(dossier, events, paths))
            answer, row, entry_ = _apply(session, caller, t, event, payload, request_hash,
                                         units[dossier.receiving_unit], returns, skew)
        except ProblemError as exc:
            outcomes.append(exc)
            continue
        touched[dossier.id] = t
        seen[(dossier.id, event.id)] = (request_hash, answer.body)
        rows.append(row)
        audit.append(entry_)
        outcomes.append(answer)
    if rows:
        _write_states(session, [t.dossier for t in touched.values()])
        session.execute(insert(DossierEvent), rows)
        stats.apply_all(session, [(t.before, stats.contribution_at(t.dossier, t.counted, paths))
                                  for t in touched.values()])
        record_many(session, audit)
    return outcomes


def _apply(
    session: Session, caller: Caller, t: _Touched, event: EventIn, payload: dict[str, Any],
    request_hash: str, receiving: Unit, returns: dict[int, PostalReturn], skew: timedelta,
) -> tuple[Answer, dict[str, Any], dict[str, Any]]:
    """One event on a loaded dossier, in memory; on a refusal the dossier is as it was."""
    dossier, (who, now) = t.dossier, caller
    old, updated_at = state_of(dossier), dossier.updated_at
    new, flags = rules.apply_event(
        old,
        rules.Event(
            type=event.type, at=event.at,
            to_unit=getattr(event, "to_unit", None),
            new_due_at=getattr(event, "new_due_at", None),
            method=getattr(event, "method", None),
            rating=getattr(event, "rating", None),
        ),
        # The appointment is the receiving counter's promise, so its calendar keeps the clock.
        calendar_for(session, receiving, dossier.received_at, max(event.at, now)),
        now, skew,
    )
    before, after = _state_fields(old), _state_fields(new)
    changed = [name for name in STATE_FIELDS if before[name] != after[name]]
    _hold(dossier, {name: after[name] for name in changed}, now)
    if postal.concerns(event):
        try:
            sent = postal.after_event(session, dossier, event, now, returns.get(dossier.id))
        except ProblemError:
            _hold(dossier, {name: before[name] for name in changed}, updated_at)
            raise
        if sent is not None:
            returns[dossier.id] = sent
    if event.type in stats.STAT_EVENTS:
        t.counted = [*t.counted, EventFact(event.type, event.at, flags)]
    details = jsonable(rules.event_details(event.type, payload))
    response = {
        "event": TimelineEvent(id=event.id, type=event.type, at=event.at, recorded_at=now,
                               details=details, flags=flags).model_dump(mode="json"),
        "dossier": dossier_out(dossier, who, now).model_dump(mode="json"),
    }
    row = {"dossier_id": dossier.id, "province_code": dossier.province_code,
           "client_id": event.id, "type": event.type,
           "at": event.at, "recorded_at": now, "key_id": who.key_id, "payload": details,
           "flags": flags, "request_hash": request_hash, "response": response}
    # Only the fields the event changed, so the audit trail shows old and new side by side.
    audit = entry(who, now, event.type, "dossier", dossier.code,
                  {name: jsonable(before[name]) for name in changed},
                  {name: jsonable(after[name]) for name in changed})
    return Answer(response, replayed=False), row, audit


def _timeline_event(e: DossierEvent, who: Principal) -> TimelineEvent:
    details = e.payload if who.sees_personal_data else {
        k: v for k, v in e.payload.items() if k not in FREE_TEXT_FIELDS}
    return TimelineEvent(id=e.client_id, type=e.type, at=e.at, recorded_at=e.recorded_at,
                         details=details, flags=e.flags)


def dossier_out(
    d: Dossier, who: Principal, now: datetime, events: list[DossierEvent] | None = None
) -> DossierOut:
    """The API view of a dossier; applicant details only for roles that need them."""
    applicant = None
    if who.sees_personal_data:
        applicant = ApplicantOut(kind=d.applicant_kind, name=d.applicant_name,
                                 id_number=d.applicant_id_number, phone=d.applicant_phone,
                                 address=d.applicant_address)
    return DossierOut(
        code=d.code, status=d.status, procedure=d.procedure_code,
        procedure_version=d.procedure_version, receiving_unit=d.receiving_unit,
        handling_unit=d.handling_unit, channel=d.channel,
        client_ref=d.client_ref, received_at=d.received_at, due_at=d.due_at,
        rescheduled_due_at=d.rescheduled_due_at,
        timeliness=d.timeliness,
        overdue=rules.is_overdue(d, now), paused=d.paused_at is not None,
        supplement_count=d.supplement_count, apology_count=d.apology_count,
        resolved_at=d.resolved_at,
        processing_working_days=(None if d.processing_millidays is None
                                 else d.processing_millidays / 1000),
        finished_at=d.finished_at, returned_at=d.returned_at,
        return_method=d.return_method, rating=d.rating, applicant=applicant,
        timeline=None if events is None else [_timeline_event(e, who) for e in events],
    )


def covered_dossier(session: Session, who: Principal, code: str) -> Dossier:
    """The dossier with this code, 404 if none, 403 if the key's unit does not cover it."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound(f"No dossier with code '{code}'.", code="dossier_not_found")
    _ensure_covers(who, *_units_of(session, dossier))
    return dossier


def get_dossier(session: Session, who: Principal, code: str, now: datetime) -> DossierOut:
    """One dossier with its timeline."""
    dossier = covered_dossier(session, who, code)
    events = list(session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ))
    return dossier_out(dossier, who, now, events)


def receipt_appointment(session: Session, code: str) -> datetime | None:
    """The appointment given at receipt, as answered then (before any pause moved it)."""
    answer = session.scalar(
        select(DossierEvent.response).join(Dossier)
        .where(Dossier.code == code, DossierEvent.type == RECEIPT))
    due = answer.get("due_at") if isinstance(answer, dict) else None
    return datetime.fromisoformat(due) if isinstance(due, str) else None


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), VN_TZ)


def list_dossiers(
    session: Session, who: Principal, now: datetime, *,
    unit: str | None, include_descendants: bool, status: list[str] | None,
    channel: str | None, received_from: date | None, received_to: date | None,
    due_before: datetime | None, overdue: bool | None, cursor: str | None, limit: int,
) -> tuple[list[DossierOut], str | None]:
    """Dossiers newest first, filtered, restricted to the key's subtree."""
    query = select(Dossier).order_by(Dossier.id.desc()).limit(limit)
    scopes = [p for p in (who.unit_path,) if p]
    if unit is not None:
        # A unit outside the key's subtree is refused, not answered with an empty page.
        base = covered_unit(session, who, unit)
        if include_descendants:
            scopes.append(base.path)
        else:
            query = query.where((Dossier.handling_unit == unit) | (Dossier.receiving_unit == unit))
    for path in scopes:
        codes = select(Unit.code).where(Unit.path.startswith(path, autoescape=True))
        query = query.where(Dossier.handling_unit.in_(codes) | Dossier.receiving_unit.in_(codes))
    if status:
        query = query.where(Dossier.status.in_(status))
    if channel:
        query = query.where(Dossier.channel == channel)
    if received_from:
        query = query.where(Dossier.received_at >= _day_start(received_from))
    if received_to:
        query = query.where(Dossier.received_at < _day_start(received_to + timedelta(days=1)))
    if due_before:
        query = query.where(Dossier.due_at < due_before)
    if overdue is not None:
        late = (Dossier.status.in_(rules.OPEN) & Dossier.paused_at.is_(None)
                & (Dossier.due_at < now))
        query = query.where(late if overdue else ~late)
    if cursor:
        query = query.where(Dossier.id < decode_cursor(cursor, BY_ID)[0])
    rows = list(session.scalars(query))
    nxt = encode_cursor(rows[-1].id) if len(rows) == limit else None
    return [dossier_out(d, who, now) for d in rows], nxt


T = TypeVar("T")


def run_batch(
    items: list[dict[str, Any]], instance: str, parse: Callable[[dict[str, Any]], T],
    apply: Callable[[list[T]], list[Outcome]],
) -> list[dict[str, Any]]:
    """Validate every item, apply the valid ones together, and report each item's outcome."""
    parsed: list[T | ValidationError] = []
    for item in items:
        try:
            parsed.append(parse(item))
        except ValidationError as exc:
            parsed.append(exc)
    applied = iter(apply([p for p in parsed if not isinstance(p, ValidationError)]))
    results: list[dict[str, Any]] = []
    for index, p in enumerate(parsed):
        outcome = p if isinstance(p, ValidationError) else next(applied)
        if isinstance(outcome, ValidationError):
            results.append({"index": index, "status": 422, "replayed": False,
                            "body": validation_problem(list(outcome.errors()), instance)})
        elif isinstance(outcome, ProblemError):
            results.append({"index": index, "status": outcome.status, "replayed": False,
                            "body": outcome.body(instance)})
        else:
            results.append({"index": index, "status": 201, "replayed": outcome.replayed,
                            "body": outcome.body})
    return results
