"""Schemathesis against the app's own OpenAPI schema: every operation, valid and invalid input.

Each operation gets positive (schema-valid) and negative (schema-breaking) cases, half of the
positive ones aimed at seeded rows (a province, a procedure, a dossier, a key) so that they get
past the 404s into the real rules. Every answer must be below 500, every 4xx must be
application/problem+json, and every answer must conform to the schema.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from app.core.config import Settings
from app.main import create_app
from tests.conftest import ADMIN_KEY
from tests.factories import COMMUNE, OTHER_COMMUNE, PROCEDURE, PROVINCE, Api

# The schema does not depend on the database, so it is read once, at collection.
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
# Bounded so both engines together take about a minute on 2 cores; raise it for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "40"))
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


def _send(client: TestClient, case: Case[Any]) -> Any:
    """Send the case through the in-process app, always with the admin key."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {k: v for k, v in kwargs.get("headers", {}).items() if k.lower() != "x-api-key"}
    headers["X-API-Key"] = ADMIN_KEY
    extra: dict[str, Any] = {"json": kwargs["json"]} if "json" in kwargs else {
        "content": kwargs.get("data")}
    return client.request(kwargs["method"], kwargs["url"], headers=headers,
                          params=kwargs.get("params"), **extra)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_survives_fuzzing(label: str, api: Api, client: TestClient) -> None:
    api.province()
    dossier = api.receive("2026-03-02 08:00")["code"]
    key_id = int(client.post("/api/v1/keys", json={"name": "fuzz", "role": "admin"}).json()["id"])
    operation = OPERATIONS[label]
    modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

    @given(data=st.data())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(data: st.DataObject) -> None:
        mode = data.draw(modes, label="mode")
        case = data.draw(operation.as_strategy(mode), label="case")
        if mode is GenerationMode.POSITIVE and data.draw(st.booleans(), label="aimed"):
            _aim(case, dossier, key_id)
        response = _send(client, case)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json"), (
                response.status_code, response.text)
        case.validate_response(response, checks=CHECKS)

    fuzz()
