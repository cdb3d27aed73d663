"""The writer's key check: in one group, each item is admitted or refused on its own key."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.auth.rules import Role
from app.auth.service import Credential
from app.core.clock import utcnow
from app.core.observability import RequestInfo
from app.core.problems import Forbidden, Unauthorized
from app.dossiers import intake
from app.dossiers.decisions import Receive
from app.dossiers.intake import Answer, Caller, Presented
from app.dossiers.models import Dossier
from app.dossiers.schemas import DossierIn
from app.wiring import write_pipeline
from tests.factories import COMMUNE, PROCEDURE, Api, iso, vn
from tests.notifications.test_webhooks import db_of

COUNTER: tuple[Role, ...] = ("admin", "counter")


def body(ref: str) -> Receive:
    return intake.receipt_command(DossierIn.model_validate({
        "procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
        "received_at": iso(vn("2026-03-02 08:00")), "client_ref": ref,
        "applicant": {"kind": "person", "name": "Nguyễn Văn An"}}))


def test_a_group_admits_each_item_on_its_own_key(api: Api) -> None:
    api.province()
    counter, dashboard = api.key("counter", COMMUNE), api.key("dashboard", COMMUNE)
    now = utcnow()
    receive = intake.group_writer(write_pipeline(timedelta(minutes=2)))
    requests = [RequestInfo(f"r-{ref}") for ref in "abce"]
    items: list[intake.Submitted] = [
        (Presented(Credential(counter, COUNTER), now, requests[0]), body("a")),
        (Presented(Credential("mc_000000000000_nope", COUNTER), now, requests[1]), body("b")),
        (Presented(Credential(dashboard, COUNTER), now, requests[2]), body("c")),
        (Caller(ADMIN_BOOTSTRAP, now), body("d")),
        (Presented(Credential(counter, COUNTER), now, requests[3]), body("e")),
    ]
    db = db_of(api)
    with db.transaction() as session:
        outcomes = receive(session, items)
    assert [type(o) for o in outcomes] == [Answer, Unauthorized, Forbidden,
                                           Answer, Answer]
    assert [o.body["client_ref"] for o in outcomes if isinstance(o, Answer)] == [
        "a", "d", "e"]
    with db.transaction("fresh") as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 3
    # Each request's logs and span name the key the writer found for it (a key refused for
    # its role too); an unknown key names none.
    ids = [r.key_id for r in requests]
    assert ids[0] is not None and ids[3] == ids[0]
    assert ids[1] is None
    assert ids[2] is not None and ids[2] != ids[0]

