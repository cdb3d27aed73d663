"""The one door of receipts and events: from validated requests to commands, the callers'
admission, the batch envelope and its outcomes.

Every write reaches the pipeline (app/dossiers/pipeline.py) through here: single requests
through the group-commit writer (`group_writer`), batches through `run_batch`, postal reports
through `post_events`. Whoever else needs to receive a list of receipts or post a list of
events (an importer, the demo loader) builds commands with `receipt_command` and
`event_command` and calls `receive_many` and `post_events`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, NamedTuple, TypeVar

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.audit.service import jsonable
from app.auth.rules import Principal
from app.auth.service import Credential, admit, look_up
from app.core.group_commit import GroupCommit
from app.core.observability import CURRENT, RequestInfo, identify_key
from app.core.problems import ProblemError, validation_problem
from app.dossiers import rules
from app.dossiers.decisions import (
    Answer,
    Applicant,
    Caller,
    Command,
    Delivery,
    Officer,
    Outcome,
    PostEvent,
    Receive,
)
from app.dossiers.pipeline import Pipeline
from app.dossiers.schemas import DeliveryIn, DossierIn, EventIn, OfficerIn

__all__ = ["Answer", "Caller", "Outcome"]


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable hash of a request body, to spot an id reused for a different request.

    Of the fields sent only (`exclude_unset`): the officer, when named, is part of it, so a
    retry of the same body replays and the same id naming another officer is refused, while
    a body without one hashes as it did before officers were recorded.
    """
    canonical = json.dumps(jsonable(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _delivery(d: DeliveryIn | None) -> Delivery | None:
    return None if d is None else Delivery(d.name, d.address, d.phone, d.cod_amount)


def _officer(o: OfficerIn | None) -> Officer | None:
    return None if o is None else Officer(o.id, o.name)


def receipt_command(body: DossierIn) -> Receive:
    """A validated receipt body as a command."""
    a = body.applicant
    return Receive(
        procedure=body.procedure, receiving_unit=body.receiving_unit, channel=body.channel,
        applicant=Applicant(a.kind, a.name, a.id_number, a.phone, a.address),
        fingerprint=fingerprint(body.model_dump(exclude_unset=True)),
        handling_unit=body.handling_unit, received_at=body.received_at,
        client_ref=body.client_ref, documents=tuple(body.documents), waybill=body.waybill,
        return_by_post=body.return_by_post, delivery=_delivery(body.delivery),
        officer=_officer(body.officer),
    )


def event_command(code: str, event: EventIn) -> PostEvent:
    """A validated event body for the dossier `code` as a command."""
    payload = event.model_dump(exclude_unset=True)
    return PostEvent(
        dossier=code, id=event.id, type=event.type, at=event.at,
        fingerprint=fingerprint(payload),
        # The reason code stays out of the fingerprint: a retry sent across the upgrade that
        # added it still replays.
        details=jsonable(rules.event_details(event.type, payload)),
        to_unit=getattr(event, "to_unit", None), new_due_at=getattr(event, "new_due_at", None),
        method=getattr(event, "method", None), rating=getattr(event, "rating", None),
        waybill=getattr(event, "waybill", None), delivery=_delivery(getattr(event, "delivery",
                                                                            None)),
        reason=getattr(event, "reason", None),
        result_document=getattr(event, "result_document", None),
        officer=_officer(event.officer),
    )


def receive_many(session: Session, pipeline: Pipeline,
                 items: Sequence[tuple[Caller, Receive]]) -> list[Outcome]:
    """Receive a list of receipts in the caller's transaction; one outcome per item."""
    return pipeline.receive(session, items)


def post_events(session: Session, pipeline: Pipeline,
                items: Sequence[tuple[Caller, PostEvent]]) -> list[Outcome]:
    """Post a list of events in the caller's transaction, in order; one outcome per item."""
    return pipeline.post(session, items)


def settle(outcome: Outcome) -> Answer:
    """An item's answer, or its problem raised."""
    if isinstance(outcome, ProblemError):
        raise outcome
    return outcome


# ---- the group-commit writer's items ----------------------------------------------------


class Presented(NamedTuple):
    """A caller whose stored key the writer still has to look up, the request's now, and the
    request, whose logs and span the writer names the key in once it knows it."""

    credential: Credential
    now: datetime
    request: RequestInfo | None


Submitted = tuple[Caller | Presented, Command]
"""What a request hands to the writer: its caller and its command."""


def caller_of(who: Principal | Credential, now: datetime) -> Caller | Presented:
    """What a request hands to the writer about its caller."""
    return (Caller(who, now) if isinstance(who, Principal)
            else Presented(who, now, CURRENT.get()))


def group_writer(pipeline: Pipeline) -> Callable[[Session, list[Submitted]], list[Outcome]]:
    """The writer's handler: look up the keys the requests left to it, in its transaction
    (once per key and group), answer 401/403 as `authenticate` and `require` would, and apply
    the rest together."""

    def run(session: Session, items: list[Submitted]) -> list[Outcome]:
        known: dict[Credential, Principal] = {}
        outcomes: list[Outcome | None] = [None] * len(items)
        admitted: list[tuple[int, tuple[Caller, Command]]] = []
        for index, (caller, command) in enumerate(items):
            if isinstance(caller, Presented):
                credential = caller.credential
                try:
                    found = known.get(credential) or look_up(session, credential.secret,
                                                             caller.now)
                    identify_key(found.key_id, caller.request)  # a 403 names its key too
                    who = admit(found, credential.roles)
                except ProblemError as exc:
                    outcomes[index] = exc
                    continue
                known[credential] = who
                caller = Caller(who, caller.now)
            admitted.append((index, (caller, command)))
        if admitted:
            results = pipeline.apply(session, [item for _, item in admitted])
            for (index, _), outcome in zip(admitted, results, strict=True):
                outcomes[index] = outcome
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(items)  # every item has its outcome
        return done

    return run


async def get_writer(request: Request) -> GroupCommit[Submitted, Outcome]:
    """The app's group-commit writer for single receipts and events."""
    writer: GroupCommit[Submitted, Outcome] = request.app.state.writer
    return writer


async def get_pipeline(request: Request) -> Pipeline:
    """The app's write pipeline."""
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


Writer = Annotated[GroupCommit[Submitted, Outcome], Depends(get_writer)]
Writes = Annotated[Pipeline, Depends(get_pipeline)]


# ---- the batch envelope -----------------------------------------------------------------

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
