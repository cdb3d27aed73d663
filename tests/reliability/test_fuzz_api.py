"""Schemathesis against the app's own OpenAPI schema: every operation, valid and invalid input.

Each operation gets positive (schema-valid) and negative (schema-breaking) cases, half of the
positive ones aimed at seeded rows (a province, a procedure, a dossier, a key) so that they get
past the 404s into the real rules. Every answer must be below 500, every 4xx must be
application/problem+json, and every answer must conform to the schema.

The cases go in with an admin key, and again (100 examples per operation, marked slow) with a
commune's counter key and a dashboard key, which must never get a write through. A stateful
phase then chains operations along the links schemathesis infers (a received dossier's code
into its events and documents, a created unit into its update and delete), with each key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)
from sqlalchemy import Engine

from app.core.config import Settings
from app.main import create_app
from tests.conftest import ADMIN_KEY, empty_database
from tests.factories import COMMUNE, OTHER_COMMUNE, PROCEDURE, PROVINCE, Api


def _without_key_header(spec: dict[str, Any]) -> dict[str, Any]:
    """The schema minus the X-API-Key header: every case carries the test's own key, so a
    generated one (too long, say) would be replaced and the case no longer say what was sent."""
    for item in spec["paths"].values():
        for op in item.values():
            op["parameters"] = [p for p in op.get("parameters", [])
                                if p["name"].lower() != "x-api-key"]
    return spec


# The schema does not depend on the database, so it is read once, at collection.
SCHEMA = schemathesis.openapi.from_dict(
    _without_key_header(create_app(Settings(database_url="sqlite://")).openapi()))
# Bounded so both engines together take about a minute on 2 cores; raise it for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "40"))
# With the counter and dashboard keys (slow tests): at least 100 per operation.
ROLE_EXAMPLES = max(100, EXAMPLES_PER_OPERATION)
# Stateful scenarios per key, each of up to STATEFUL_STEPS linked calls.
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_STATEFUL_SCENARIOS", "150"))
STATEFUL_STEPS = 6
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
# Body fields that name catalogue rows: aimed cases point them at the seeded ones.
SEEDED_FIELDS = {"procedure": PROCEDURE, "receiving_unit": COMMUNE, "handling_unit": COMMUNE,
                 "to_unit": OTHER_COMMUNE, "parent": PROVINCE, "unit": COMMUNE}


def _operations() -> dict[str, APIOperation[Any, Any, Any, Any]]:
    found = {}
    for result in SCHEMA.get_all_operations():
        assert isinstance(result, Ok), result  # an operation the schema cannot describe
        found[result.ok().label] = result.ok()
    return found


OPERATIONS = _operations()


def _seeded_path(path: str, dossier: str, key_id: int) -> dict[str, Any]:
    """The seeded row each path parameter can name."""
    if path.startswith("/api/v1/units/"):
        return {"code": COMMUNE}
    if path.startswith("/api/v1/procedures/"):
        return {"code": PROCEDURE}
    if path.startswith("/api/v1/dossiers/"):
        return {"code": dossier}
    if path.startswith("/api/v1/keys/"):
        return {"key_id": key_id}
    return {}


def _aim(case: Case[Any], dossier: str, key_id: int) -> None:
    """Point a positive case at the seeded rows, so it reaches the rules behind the lookups."""
    for name, value in _seeded_path(case.operation.path, dossier, key_id).items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    if case.query and "unit" in case.query:
        case.query["unit"] = COMMUNE
    if isinstance(case.body, dict):
        for name, value in SEEDED_FIELDS.items():
            if name in case.body:
                case.body[name] = value


@dataclass(frozen=True)
class Role:
    """Whose key the cases carry."""

    name: str
    unit: str | None
    examples: int

    def key(self, api: Api) -> str:
        """The key to send: the bootstrap admin key, or a fresh key of the role."""
        return ADMIN_KEY if self.name == "admin" else api.key(self.name, self.unit)


ROLES = [
    pytest.param(Role("admin", None, EXAMPLES_PER_OPERATION), id="admin"),
    pytest.param(Role("counter", COMMUNE, ROLE_EXAMPLES), id="counter", marks=pytest.mark.slow),
    pytest.param(Role("dashboard", COMMUNE, ROLE_EXAMPLES), id="dashboard",
                 marks=pytest.mark.slow),
]
READS = {"GET", "HEAD", "OPTIONS"}
# A batch takes its envelope and judges each item by itself: an item that breaks the schema is
# refused in its own result while the request answers 200.
BATCHES = {"/api/v1/dossiers/batch", "/api/v1/events/batch"}


def _send(client: TestClient, case: Case[Any], key: str = ADMIN_KEY) -> Any:
    """Send the case through the in-process app with `key` (the one the case drew is dropped)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {k: v for k, v in kwargs.get("headers", {}).items() if k.lower() != "x-api-key"}
    headers["X-API-Key"] = key
    extra: dict[str, Any] = {"json": kwargs["json"]} if "json" in kwargs else {
        "content": kwargs.get("data")}
    return client.request(kwargs["method"], kwargs["url"], headers=headers,
                          params=kwargs.get("params"), **extra)


def _check(role: Role, case: Case[Any], response: Any, negative: bool) -> None:
    """The checks every answer passes, whatever the key."""
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), (
            response.status_code, response.text)
    if role.name == "dashboard" and case.method.upper() not in READS:
        # A dashboard key reads; no write may get through (the public lookup is a GET).
        assert response.status_code >= 400, (case.method, case.path, response.text)
    if case.operation.path in BATCHES and response.status_code == 200:
        if negative:
            assert any(r["status"] >= 400 for r in response.json()["results"]), response.text
        case.validate_response(response, checks=[c for c in CHECKS
                                                 if c is not negative_data_rejection])
        return
    case.validate_response(response, checks=CHECKS)


def _seed(api: Api, client: TestClient) -> tuple[str, int]:
    api.province()
    dossier = str(api.receive("2026-03-02 08:00")["code"])
    key_id = int(client.post("/api/v1/keys", json={"name": "fuzz", "role": "admin"}).json()["id"])
    return dossier, key_id


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_survives_fuzzing(label: str, role: Role, api: Api,
                                    client: TestClient) -> None:
    dossier, key_id = _seed(api, client)
    key = role.key(api)
    operation = OPERATIONS[label]
    modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

    @given(data=st.data())
    @settings(max_examples=role.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(data: st.DataObject) -> None:
        mode = data.draw(modes, label="mode")
        case = data.draw(operation.as_strategy(mode), label="case")
        if mode is GenerationMode.POSITIVE and data.draw(st.booleans(), label="aimed"):
            _aim(case, dossier, key_id)
        _check(role, case, _send(client, case, key), mode is GenerationMode.NEGATIVE)

    fuzz()


@pytest.mark.slow
@pytest.mark.parametrize("role", [p.values[0] for p in ROLES], ids=lambda r: r.name)
def test_linked_operations_survive_stateful_fuzzing(role: Role, api: Api, client: TestClient,
                                                    engine: Engine) -> None:
    """Scenarios of linked calls: what one answer returns (a code, an id) feeds the next."""
    keys: list[str] = []
    calls: list[int] = []

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same seeded rows: what the listings hand the
            # links, and so what Hypothesis draws, must not depend on earlier scenarios.
            empty_database(engine)
            _seed(api, client)
            keys[:] = [role.key(api)]

        def call(self, case: Case[Any], **kwargs: Any) -> Response:
            if isinstance(case.body, dict):  # bodies name the seeded units and procedure
                case.body.update({k: v for k, v in SEEDED_FIELDS.items() if k in case.body})
            calls.append(1)
            return Response.from_httpx(_send(client, case, keys[0]), verify=False)

        def validate_response(self, response: Response, case: Case[Any],
                              additional_checks: Any = None, **kwargs: Any) -> None:
            if response.status_code >= 400:
                assert response.headers["content-type"][0].startswith(
                    "application/problem+json"), (response.status_code, response.text)
            if role.name == "dashboard" and case.method.upper() not in READS:
                assert response.status_code >= 400, (case.method, case.path, response.text)
            case.validate_response(response, checks=CHECKS[:3])

    # Generation only: the database outlives each scenario, so a replay (for shrinking) would
    # meet other rows and Hypothesis would call the strategy flaky.
    Workflow.run(settings=settings(max_examples=STATEFUL_SCENARIOS, deadline=None,
                                   phases=[Phase.generate],
                                   database=None, stateful_step_count=STATEFUL_STEPS,
                                   suppress_health_check=list(HealthCheck)))
    assert len(calls) >= STATEFUL_SCENARIOS  # every scenario made calls
