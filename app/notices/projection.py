"""Citizen notices as a projection of dossier changes: one `citizen.notice` outbox event per
accepted supplement request, apology, result ready or result posted, carrying the texts
app/notices/rules.py composes for the province's notification gateway.

Only accepted changes reach a projection: a refused event changes nothing and a replayed id
answers from the store, so neither sends a notice. The event's dedupe key is the dossier's
code and the event's own id, which the dossier keeps once: a notice goes out once per event.

This is the one webhook event with personal data (the applicant's name and phone, which the
gateway needs to address the SMS): only a webhook that names it receives it (one registered
for every type does not), it is written only while such a webhook exists, and nothing of it
is logged or counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.headings import Heading, UnitLine, heading
from app.catalog.models import Procedure, Unit
from app.dossiers.decisions import DossierChange, PostEvent
from app.notices import rules
from app.notifications.models import Webhook
from app.notifications.outbox import enqueue
from app.notifications.rules import hears

CITIZEN_NOTICE = "citizen.notice"
# The events a citizen hears of; a result handed to the post is `returned` by post.
EVENTS = frozenset({"supplement_requested", "apology_issued", "resolved", "returned"})
# A unit chain longer than this is a broken tree, not a deeper one (as the catalogue's).
_MAX_DEPTH = 16


@dataclass(frozen=True)
class UnitRow:
    """A unit as a notice names it, with its parent for the heading."""

    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Prepared:
    """The names the notices of a group print."""

    procedures: dict[str, str]
    units: dict[str, UnitRow]


Row = tuple[str, str, dict[str, Any], datetime]  # dedupe key, dossier code, payload, now


def _concerns(c: DossierChange) -> bool:
    cmd = c.command
    return (isinstance(cmd, PostEvent) and c.event is not None and cmd.type in EVENTS
            and (cmd.type != "returned" or cmd.method == "postal"))


def _subscribed(session: Session) -> bool:
    return any(hears(types, CITIZEN_NOTICE)
               for types in session.scalars(select(Webhook.event_types)))


def prepare(session: Session, changes: Sequence[DossierChange]) -> Prepared | None:
    """The procedures' and units' names (the issuer's ancestors too, for the letter's
    heading); None, and no notice, unless a change calls for one and a webhook subscribes."""
    concerned = [c for c in changes if _concerns(c)]
    if not concerned or not _subscribed(session):
        return None
    procedures = {code: name for code, name in session.execute(
        select(Procedure.code, Procedure.name).where(
            Procedure.code.in_({c.after.procedure for c in concerned})))}
    codes = {c.after.receiving_unit for c in concerned} | {
        c.after.state.handling_unit for c in concerned}
    # The materialised paths ("/root/child/") of the handling units name their ancestors.
    paths = session.scalars(select(Unit.path).where(Unit.code.in_(codes)))
    codes |= {code for path in paths for code in path.strip("/").split("/")}
    units = {u.code: UnitRow(u.name, u.level, u.parent_code)
             for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return Prepared(procedures, units)


def _heading(units: dict[str, UnitRow], code: str) -> Heading:
    chain = [units[code]]
    while (parent := chain[-1].parent_code) in units and len(chain) < _MAX_DEPTH:
        chain.append(units[parent])
    return heading([UnitLine(u.level, u.name) for u in chain])


def _occasion(c: DossierChange, cmd: PostEvent, units: dict[str, UnitRow]) -> rules.Occasion:
    details, state = cmd.details, c.after.state
    match cmd.type:
        case "supplement_requested":
            return rules.SupplementRequest(cmd.at, str(details["reason"]),
                                           str(details.get("reason_code") or "other"),
                                           tuple(details.get("documents") or ()),
                                           pauses=state.paused_at is not None)
        case "apology_issued":
            assert cmd.new_due_at is not None  # the event requires it
            issuer = state.handling_unit
            return rules.Apology(cmd.at, str(details["reason"]),
                                 str(details.get("reason_code") or "other"), cmd.new_due_at,
                                 state.received_at, state.due_at, units[issuer].name,
                                 _heading(units, issuer))
        case "resolved":
            return rules.ResultReady(cmd.at, c.after.has_postal_return, cmd.result_document)
    assert cmd.waybill is not None  # a result handed to the post has its waybill
    return rules.ResultPosted(cmd.at, cmd.waybill)


def _payload(c: DossierChange, n: rules.Notice, at: datetime) -> dict[str, Any]:
    r = c.after
    return {
        "dossier_code": r.code, "kind": n.kind, "channel": r.channel, "at": at.isoformat(),
        "recipient": {"name": r.applicant.name, "phone": r.applicant.phone},
        "sms": n.sms, "email": {"subject": n.subject, "body": n.body},
        "letter": None if n.letter is None else {
            "title": n.letter.title, "text": n.letter.text, "path": n.letter.path},
    }


def project(changes: Sequence[DossierChange], prepared: Prepared | None) -> list[Row]:
    """One notice per concerned change, in the group's order."""
    if prepared is None:
        return []
    rows: list[Row] = []
    for c in changes:
        cmd = c.command
        if not _concerns(c) or not isinstance(cmd, PostEvent):
            continue
        r = c.after
        dossier = rules.Dossier(r.code, prepared.procedures[r.procedure], r.channel,
                                r.applicant.name, prepared.units[r.receiving_unit].name)
        n = rules.notice(dossier, _occasion(c, cmd, prepared.units))
        rows.append((f"{CITIZEN_NOTICE}:{r.code}:{cmd.id}", r.code, _payload(c, n, cmd.at),
                     r.updated_at))
    return rows


def write(session: Session, rows: list[Row]) -> None:
    """Write each notice to the outbox, with a delivery per subscribed webhook."""
    for key, code, payload, now in rows:
        enqueue(session, CITIZEN_NOTICE, key, code, payload, now)
