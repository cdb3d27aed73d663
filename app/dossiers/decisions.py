"""What a write does to a dossier, decided in memory: a command and the dossier as it stands in,
a `DossierChange` out.

Everything here is plain values: no session, no ORM row, no clock. The write pipeline
(app/dossiers/pipeline.py) reads the state and the reference data, calls these functions, and
stores the changes; the projections (statistics, postal returns and their outbox events, the
audit trail) derive their rows from the same changes. The lifecycle, deadline, pause and
apology rules themselves are in app/dossiers/rules.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from app.auth.rules import Principal
from app.catalog import rules as catalog_rules
from app.core.problems import Conflict, Forbidden, InvalidParam, ProblemError, Unprocessable
from app.dossiers import rules
from app.dossiers.rules import DossierState, EventType
from app.worktime.rules import ProcessingTime, WorkCalendar

STATE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DossierState))
RECEIPT = "received"


# ---- commands: the validated request as plain values -------------------------------------


@dataclass(frozen=True, slots=True)
class Applicant:
    """The applicant as received (personal data)."""

    kind: str
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where the post takes a result; None fields fall back to the applicant's."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    cod_amount: int = 0


@dataclass(frozen=True, slots=True)
class Officer:
    """The officer (cán bộ, công chức) who did a step: an opaque staff id and a name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Officers:
    """Who received a dossier, who resolved it and who returned its result (the last time)."""

    received_by: Officer | None = None
    resolved_by: Officer | None = None
    returned_by: Officer | None = None


@dataclass(frozen=True, slots=True)
class Receive:
    """Receive a dossier (tiếp nhận)."""

    procedure: str
    receiving_unit: str
    channel: str
    applicant: Applicant
    fingerprint: str  # of the request body: a reused client_ref must repeat it exactly
    handling_unit: str | None = None
    received_at: datetime | None = None
    client_ref: str | None = None
    documents: tuple[str, ...] = ()
    waybill: str | None = None
    return_by_post: bool = False
    delivery: Delivery | None = None
    officer: Officer | None = None


@dataclass(frozen=True, slots=True)
class PostEvent:
    """Apply one lifecycle event to the dossier with code `dossier`."""

    dossier: str
    id: str
    type: EventType
    at: datetime
    fingerprint: str
    # The event's own fields as the timeline keeps them (JSON-ready; no delivery address).
    details: Mapping[str, Any]
    to_unit: str | None = None
    new_due_at: datetime | None = None
    method: str | None = None
    rating: int | None = None
    waybill: str | None = None
    delivery: Delivery | None = None
    reason: str | None = None
    result_document: str | None = None
    officer: Officer | None = None


Command = Receive | PostEvent


class Caller(NamedTuple):
    """Who sent a command, and its request's notion of now: the commands of one transaction
    may come from several requests (see app/core/group_commit.py)."""

    who: Principal
    now: datetime


# ---- reference data and stored state, as plain values ------------------------------------


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """A unit as receipts and transfers need it."""

    code: str
    province_code: str
    path: str
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class VersionFacts:
    """One version of a procedure's processing rules."""

    version: int
    effective_from: date | None
    time: ProcessingTime
    online_time: ProcessingTime | None = None
    # The internal process dividing the legal time (liên thông); () has no steps.
    steps: tuple[catalog_rules.ProcedureStep, ...] = ()

    def time_for(self, channel: str) -> ProcessingTime:
        """The processing time a dossier filed through `channel` gets."""
        return self.online_time if channel == "online" and self.online_time else self.time


@dataclass(frozen=True, slots=True)
class ProcedureFacts:
    """A procedure as receipts and events need it."""

    code: str
    online: bool
    postal: bool
    versions: tuple[VersionFacts, ...]

    def steps_of(self, version: int) -> tuple[catalog_rules.ProcedureStep, ...]:
        """The steps of one version: a dossier keeps those it was received under."""
        return next((v.steps for v in self.versions if v.version == version), ())


@dataclass(frozen=True, slots=True)
class Record:
    """A dossier as stored: who and what it is, and the state the rules decide."""

    id: int  # 0 until a receipt is stored
    code: str  # "" until a receipt is numbered
    province_code: str
    procedure: str
    procedure_version: int
    receiving_unit: str
    channel: str
    client_ref: str | None
    applicant: Applicant
    state: DossierState
    updated_at: datetime
    # Whether a return by post is on file (its rows and states are app/postal's).
    has_postal_return: bool = False
    officers: Officers = Officers()


@dataclass(frozen=True, slots=True)
class Step:
    """The timeline entry a change adds."""

    id: str  # the client's id (client_ref or "received" for a receipt)
    type: str
    at: datetime
    recorded_at: datetime
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DossierChange:
    """One accepted command: the dossier before (None for a receipt) and after, the timeline
    entry it adds and the flags it earned.

    `event` None is a stored dossier counted afresh (a statistics rebuild), not a write.
    """

    before: Record | None
    after: Record
    event: Step | None
    flags: Mapping[str, Any]
    by: Principal | None = None
    command: Command | None = None

    def changed(self) -> tuple[str, ...]:
        """The state fields this change moved."""
        if self.before is None:
            return STATE_FIELDS
        old, new = self.before.state, self.after.state
        return tuple(n for n in STATE_FIELDS if getattr(old, n) != getattr(new, n))

    @staticmethod
    def as_stored(record: Record) -> DossierChange:
        """A stored dossier as a change from nothing (what a rebuild counts)."""
        return DossierChange(None, record, None, {})


class Answer:
    """A write's answer: the body, and whether it replays an earlier identical request."""

    __slots__ = ("body", "replayed")

    def __init__(self, body: dict[str, Any], replayed: bool) -> None:
        self.body = body
        self.replayed = replayed


Outcome = Answer | ProblemError

# The calendar of a unit (by code) covering the years from the first instant to the second.
Calendars = Callable[[str, datetime, datetime], WorkCalendar]


# ---- checks on the caller and the units ---------------------------------------------------


def unknown_unit(code: str, field: str) -> Unprocessable:
    """The field error for a body naming a unit that does not exist."""
    return Unprocessable(
        f"No unit with code '{code}'.", code="unknown_unit",
        invalid_params=[InvalidParam(field, "unknown_unit", f"no unit '{code}'")],
    )


def unknown_procedure(code: str) -> Unprocessable:
    """The field error for a body naming a procedure that does not exist."""
    detail = f"No procedure with code '{code}'."
    return Unprocessable(detail, code="unknown_procedure",
                         invalid_params=[InvalidParam("procedure", "unknown_procedure", detail)])


def not_offered_online(code: str) -> Unprocessable:
    """The refusal of an online filing of a procedure the catalogue does not offer online."""
    return Unprocessable(
        f"Procedure '{code}' cannot be filed online.", code="channel_not_offered",
        invalid_params=[InvalidParam("channel", "not_offered", "not offered online")],
    )


def known(units: Mapping[str, UnitFacts], code: str, field: str) -> UnitFacts:
    """The unit a command names in `field`, or the field's 422."""
    unit = units.get(code)
    if unit is None:
        raise unknown_unit(code, field)
    return unit


def ensure_covers(who: Principal, *units: UnitFacts) -> None:
    """403 unless the key's unit covers one of these units."""
    if not any(who.covers(u.path) for u in units):
        raise Forbidden("This key's unit does not cover this dossier.", code="outside_unit_scope")


def _ensure_hands_to(who: Principal, unit: UnitFacts, field: str) -> None:
    if not who.may_hand_to(unit.path):
        raise Forbidden(f"This key may hand dossiers only to units of its own province; "
                        f"'{unit.code}' is in another.", code="outside_province",
                        invalid_params=[InvalidParam(field, "outside_province",
                                                     "a unit of another province")])


def _check_valid(unit: UnitFacts, field: str, at: datetime) -> None:
    catalog_rules.check_valid(unit.code, unit.valid_from, unit.valid_to, rules.local_day(at),
                              field)


def receiving_unit(cmd: Receive, who: Principal, units: Mapping[str, UnitFacts]) -> UnitFacts:
    """The receipt's counter, checked against the key before anything else (even a replay)."""
    receiving = known(units, cmd.receiving_unit, "receiving_unit")
    ensure_covers(who, receiving)
    return receiving


# ---- postal refusals: a return by post that cannot be made is refused before any change ---


def _postal_refusal(procedure: ProcedureFacts) -> None:
    if not procedure.postal:
        raise Unprocessable(
            f"Procedure '{procedure.code}' does not offer return by post.",
            code="postal_not_offered",
            invalid_params=[InvalidParam("return_by_post", "not_offered", "not offered")],
        )


def _address(delivery: Delivery | None, applicant: Applicant) -> str:
    address = (delivery.address if delivery else None) or applicant.address
    if not address:
        raise Unprocessable(
            "A delivery address is needed: the applicant has none on file.",
            code="delivery_address_missing",
            invalid_params=[InvalidParam("delivery.address", "missing", "required")],
        )
    return address


# ---- decisions ----------------------------------------------------------------------------


def decide_receipt(
    cmd: Receive, caller: Caller, skew: timedelta, units: Mapping[str, UnitFacts],
    procedures: Mapping[str, ProcedureFacts], calendars: Calendars,
) -> DossierChange:
    """A receipt checked and decided: its appointment, before it has a number.

    The code and id are the store's to give (`numbered`); a refusal raises its problem.
    """
    who, now = caller
    receiving = receiving_unit(cmd, who, units)
    handling = known(units, cmd.handling_unit or cmd.receiving_unit, "handling_unit")
    _ensure_hands_to(who, handling, "handling_unit")
    procedure = procedures.get(cmd.procedure)
    if procedure is None:
        raise unknown_procedure(cmd.procedure)
    if cmd.channel == "online" and not procedure.online:
        raise not_offered_online(procedure.code)
    received_at = cmd.received_at or now
    rules.check_receipt_time(received_at, now, skew)
    for unit, field in ((receiving, "receiving_unit"), (handling, "handling_unit")):
        _check_valid(unit, field, received_at)
    if cmd.return_by_post:
        _postal_refusal(procedure)
        _address(cmd.delivery, cmd.applicant)
    # The rules in force on the day of receipt stay the dossier's, whatever comes later.
    version = catalog_rules.in_force(procedure.versions, rules.local_day(received_at))
    state = rules.receive(handling.code, received_at, version.time_for(cmd.channel),
                          calendars(receiving.code, received_at, received_at),
                          steps=version.steps)
    after = Record(
        id=0, code="", province_code=receiving.province_code, procedure=procedure.code,
        procedure_version=version.version, receiving_unit=receiving.code, channel=cmd.channel,
        client_ref=cmd.client_ref, applicant=cmd.applicant, state=state, updated_at=now,
        has_postal_return=cmd.return_by_post, officers=Officers(received_by=cmd.officer),
    )
    officer = {} if cmd.officer is None else {"officer": {"id": cmd.officer.id,
                                                          "name": cmd.officer.name}}
    step = Step(
        id=cmd.client_ref or RECEIPT, type=RECEIPT, at=received_at, recorded_at=now,
        details={"channel": cmd.channel, "procedure": procedure.code,
                 "receiving_unit": receiving.code, "handling_unit": handling.code,
                 "documents": list(cmd.documents), "waybill": cmd.waybill, **officer},
    )
    return DossierChange(None, after, step, {}, who, cmd)


def numbered(change: DossierChange, id_: int, code: str) -> DossierChange:
    """A decided receipt with the id and code the store gave it."""
    return replace(change, after=replace(change.after, id=id_, code=code))


def decide_event(
    cmd: PostEvent, record: Record, caller: Caller, skew: timedelta,
    units: Mapping[str, UnitFacts], procedure: ProcedureFacts, calendar: WorkCalendar,
) -> DossierChange:
    """An event on a dossier as it stands; a refusal raises its problem and changes nothing.

    `calendar` is the receiving unit's (the appointment is its counter's promise), from the
    receipt to the later of the event and now. The caller's scope and idempotency are checked
    before (`ensure_covers`, the stored ids).
    """
    who, now = caller
    if cmd.type == "transferred" and cmd.to_unit is not None:
        target = known(units, cmd.to_unit, "to_unit")
        _ensure_hands_to(who, target, "to_unit")
        _check_valid(target, "to_unit", cmd.at)
    new, flags = rules.apply_event(
        record.state,
        rules.Event(type=cmd.type, at=cmd.at, to_unit=cmd.to_unit, new_due_at=cmd.new_due_at,
                    method=cmd.method, rating=cmd.rating),
        calendar, now, skew, steps=procedure.steps_of(record.procedure_version),
    )
    postal = record.has_postal_return
    if cmd.type == "return_by_post_requested":
        _postal_refusal(procedure)
        _address(cmd.delivery, record.applicant)
        postal = True
    elif cmd.type == "returned" and cmd.method == "postal":
        if not cmd.waybill:
            raise Unprocessable(
                "A result handed to the post needs its waybill.", code="waybill_missing",
                invalid_params=[InvalidParam("waybill", "missing", "required by post")])
        if not postal:
            # Handed to the post without a request: the applicant's address is the recipient's.
            _address(None, record.applicant)
            postal = True
    after = replace(record, state=new, updated_at=now, has_postal_return=postal,
                    officers=_officers_after(record.officers, cmd))
    step = Step(id=cmd.id, type=cmd.type, at=cmd.at, recorded_at=now, details=cmd.details)
    return DossierChange(record, after, step, flags, who, cmd)


def _officers_after(officers: Officers, cmd: PostEvent) -> Officers:
    """The resolving officer is the `resolved` event's, the returning one the `returned`
    event's; a failed delivery undoes the return (and its rating) until the next one."""
    if cmd.type == "resolved":
        return replace(officers, resolved_by=cmd.officer)
    if cmd.type in ("returned", "delivery_failed"):
        return replace(officers, returned_by=cmd.officer if cmd.type == "returned" else None)
    return officers


# ---- idempotency --------------------------------------------------------------------------


def replay(who: Principal, client_id: str, earlier: tuple[str, dict[str, Any]],
           fingerprint: str) -> Outcome:
    """The answer to a repeated id: the first answer, or 409 if the request differs."""
    if earlier[0] != fingerprint:
        return Conflict(
            f"The id '{client_id}' was already used for a different request.",
            code="idempotency_key_reused",
        )
    return Answer(as_seen_by(who, earlier[1]), replayed=True)


def as_seen_by(who: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """A stored answer as this caller may see it: the first caller may have seen more.

    The post retrying a report that an admin made first must not get the applicant.
    """
    if who.sees_personal_data:
        return body
    if isinstance(body.get("dossier"), dict):
        return {**body, "dossier": {**body["dossier"], "applicant": None}}
    return {**body, "applicant": None}
