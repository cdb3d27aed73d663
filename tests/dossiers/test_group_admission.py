"""The writer's key check: in one group, each item is admitted or refused on its own key."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.auth.rules import Role
from app.auth.service import Credential
from app.core.clock import utcnow
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
    items: list[intake.Submitted] = [
        (Presented(Credential(counter, COUNTER), now), body("a")),
        (Presented(Credential("mc_000000000000_nope", COUNTER), now), body("b")),
        (Presented(Credential(dashboard, COUNTER), now), body("c")),
        (Caller(ADMIN_BOOTSTRAP, now), body("d")),
        (Presented(Credential(counter, COUNTER), now), body("e")),
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
