import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.problem_check import resolved

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _responses(client: TestClient) -> list[tuple[str, dict[str, Any]]]:
    spec = client.get("/openapi.json").json()
    return [(status, resolved(spec, response)) for item in spec["paths"].values()
            for op in item.values() for status, response in op["responses"].items()]


def test_every_error_response_is_documented_as_problem_json(client: TestClient) -> None:
    errors = [(s, r) for s, r in _responses(client) if s[0] in "45"]
    assert errors
    assert all(r["content"] == PROBLEM for _, r in errors)


def test_every_operation_documents_client_and_server_errors(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for item in paths.values():
        for op in item.values():
            assert {"4XX", "5XX"} <= set(op["responses"])


def test_a_validation_error_matches_the_documented_problem(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Problem"]
    r = client.post("/api/v1/units", json={})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert set(schema["required"]) <= set(r.json())


def test_every_operation_has_a_written_summary_and_description(client: TestClient) -> None:
    """Not FastAPI's fallback ("Report Ii06A" from `report_ii06a`), which reads as noise."""
    paths = client.get("/openapi.json").json()["paths"]
    lacking = []
    for path, item in paths.items():
        for method, op in item.items():
            # FastAPI's fallback is the function name in title case, which starts operationId.
            generated = op["operationId"].startswith(
                op.get("summary", "").lower().replace(" ", "_") + "_")
            if generated or not op.get("description"):
                lacking.append(f"{method.upper()} {path}")
    assert lacking == []


def test_schema_names_are_the_models_names(client: TestClient) -> None:
    names = client.get("/openapi.json").json()["components"]["schemas"]
    assert [n for n in names if not n.isidentifier() or "__" in n] == []
    assert {"DossiersResolved", "StatsResolved"} <= set(names)


SNAPSHOT = Path(__file__).with_name("openapi.json")


def test_openapi_matches_the_committed_snapshot(client: TestClient) -> None:
    """A change to the API's contract shows in review as a diff of tests/core/openapi.json;
    UPDATE_OPENAPI=1 rewrites it after an intended change."""
    current = json.dumps(client.get("/openapi.json").json(), ensure_ascii=False, indent=1,
                         sort_keys=True) + "\n"
    if os.environ.get("UPDATE_OPENAPI"):
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8"), \
        "the OpenAPI document changed: review it, then run with UPDATE_OPENAPI=1"


# Formats whose values have a bounded length by construction.
BOUNDED_FORMATS = {"date", "date-time", "uuid", "binary"}


def _unbounded_strings(spec: dict[str, Any]) -> list[str]:
    """Every string parameter, and every string property of a request body, that states no
    bound: neither maxLength nor an enum, const or bounded format."""
    components = spec["components"]["schemas"]
    seen: set[str] = set()
    found: list[str] = []

    def walk(schema: Any, where: str) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(components[name], name)
            return
        if schema.get("type") == "string" and not (
                {"maxLength", "enum", "const"} & set(schema)
                or schema.get("format") in BOUNDED_FORMATS):
            found.append(where)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(sub, where)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}")
        walk(schema.get("items"), f"{where}[]")
        walk(schema.get("additionalProperties"), f"{where}{{}}")
        if "discriminator" in schema:
            for ref in schema["discriminator"].get("mapping", {}).values():
                walk({"$ref": ref}, where)

    for path, item in spec["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                walk(p["schema"], f"{method.upper()} {path} {p['in']} {p['name']}")
            for content in op.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], f"{method.upper()} {path} body")
    assert len(seen) > 20  # the walk reached the request models
    return found


def test_every_string_input_states_its_bound(client: TestClient) -> None:
    assert _unbounded_strings(client.get("/openapi.json").json()) == []


def test_the_walk_finds_an_unbounded_string() -> None:
    spec = json.loads(SNAPSHOT.read_text())
    item = spec["paths"]["/api/v1/units"]["get"]
    item["parameters"] = [*item["parameters"],
                          {"in": "query", "name": "loose", "schema": {"type": "string"}}]
    spec["components"]["schemas"]["UnitIn"]["properties"]["name"].pop("maxLength")
    assert _unbounded_strings(spec) == ["GET /api/v1/units query loose", "UnitIn.name"]


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/api/v1/units/" + "U" * 41),
    ("GET", "/api/v1/units?parent=" + "U" * 41),
    ("GET", "/api/v1/procedures/" + "P" * 41),
    ("GET", "/api/v1/procedures?field=" + "F" * 41),
    ("GET", "/api/v1/dossiers/" + "D" * 65),
    ("GET", "/api/v1/dossiers?unit=" + "U" * 41),
    ("GET", "/api/v1/dossiers/overdue?unit=" + "U" * 41),
    ("GET", "/api/v1/stats/on-time?unit=U&procedure=" + "P" * 41),
    ("GET", "/api/v1/stats/on-time?unit=U&period=2026-Q1x"),
    ("GET", "/api/v1/audit?entity_id=" + "E" * 81),
    ("GET", "/api/v1/public/dossiers/" + "D" * 65),
    ("POST", "/api/v1/postal/returns/" + "D" * 65 + "/delivered"),
])
def test_the_server_enforces_the_stated_bounds(client: TestClient, method: str,
                                               url: str) -> None:
    r = client.request(method, url, json={"at": "2026-03-02T08:00:00+07:00"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_an_overlong_key_header_is_refused_before_any_lookup(client: TestClient) -> None:
    r = client.get("/api/v1/units", headers={"X-API-Key": "k" * 513})
    assert r.status_code == 422, r.text


def _value(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a nullable value has when present (pydantic writes `X | None` as anyOf)."""
    present = [s for s in schema.get("anyOf", schema.get("allOf", [])) if s != {"type": "null"}]
    return present[0] if len(present) == 1 else schema


def _model(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    """The model a property holds (one, or a list of them), if it holds one."""
    value = _value(schema)
    if value.get("type") == "array":
        value = _value(value.get("items", {}))
    ref = value.get("$ref")
    return components[ref.rsplit("/", 1)[-1]] if ref else None


def _undocumented(spec: dict[str, Any]) -> list[str]:
    """Every operation parameter and every schema property without a description or an
    example, named as `GET /path query name: example` or `Model.property: description`.

    A property may carry its example on its value's schema (a nullable `Instant | None` has it
    on the Instant), and its description on itself or, for a nullable value, beside it. A
    property holding a model (or a list of models) needs no example of its own: the model's
    properties have theirs, and a whole object repeated there would only drift. Its
    description may be the model's docstring, as pydantic cannot put a description on a bare
    `$ref` without wrapping it."""
    components = spec["components"]["schemas"]
    found = []

    def check(where: str, described: Any, *schemas: dict[str, Any]) -> None:
        if not described:
            found.append(f"{where}: description")
        if not any("examples" in s or "example" in s for s in schemas):
            found.append(f"{where}: example")

    for path, item in spec["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                check(f"{method.upper()} {path} {p['in']} {p['name']}", p.get("description"),
                      p, p["schema"], _value(p["schema"]))
    for name, schema in components.items():
        for prop, sub in schema.get("properties", {}).items():
            model = _model(sub, components)
            described = sub.get("description") or _value(sub).get("description")
            if model is not None:
                check(f"{name}.{prop}", described or model.get("description"), {"examples": 0})
            else:
                check(f"{name}.{prop}", described, sub, _value(sub))
    return found


# Models whose fields are still to be described, by package; the list only shrinks (a model
# that becomes complete must leave it), and no new model may join it.
NOT_YET_DOCUMENTED = {
    "InvalidParamOut", "Problem",  # core
}


def test_every_parameter_and_property_is_described_with_an_example(client: TestClient) -> None:
    found = _undocumented(client.get("/openapi.json").json())
    pending = {f.split(": ")[0].rsplit(".", 1)[0] for f in found} & NOT_YET_DOCUMENTED
    assert [f for f in found if f.split(": ")[0].rsplit(".", 1)[0] not in pending] == []
    assert NOT_YET_DOCUMENTED - pending == set(), "complete now: take them off the list"


def test_the_walk_finds_an_undocumented_parameter_and_property() -> None:
    spec = json.loads(SNAPSHOT.read_text())
    spec["paths"]["/api/v1/units"]["get"]["parameters"][0].pop("description")
    dossier = spec["components"]["schemas"]["DossierIn"]["properties"]
    dossier["procedure"].pop("examples")
    dossier["channel"].pop("description")
    assert {"GET /api/v1/units query parent: description", "DossierIn.procedure: example",
            "DossierIn.channel: description"} <= set(_undocumented(spec))
