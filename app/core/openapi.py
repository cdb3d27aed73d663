"""Describe errors in the OpenAPI document as the handlers send them: application/problem+json.

FastAPI documents its own 422 body (HTTPValidationError, application/json), which this service
never sends; generated clients and schema-driven tests would then reject every real error.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from app.core.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Statuses any operation may answer besides the ones it documents itself: bad key, scope,
# unknown row, state conflict, body too large, too many requests; database unavailable.
_ERROR_RANGES = {"4XX": "Client error (problem+json)", "5XX": "Server error (problem+json)"}


class InvalidParamOut(BaseModel):
    """One field that failed."""

    name: str
    code: str
    reason: str


class Problem(BaseModel):
    """An RFC 7807 problem document with a stable machine `code`."""

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    code: str
    detail: str
    instance: str
    invalid_params: list[InvalidParamOut] | None = None


def _short_names(schema: dict[str, Any]) -> dict[str, Any]:
    """Name two same-named models by their package: `app__stats__schemas__Resolved` becomes
    `StatsResolved` (FastAPI's long names otherwise leak into generated clients)."""
    components: dict[str, Any] = schema["components"]["schemas"]
    renames = {}
    for name in list(components):
        if "__" in name:
            parts = name.split("__")
            renames[name] = parts[1].title().replace("_", "") + parts[-1]
    if not renames:
        return schema
    text = json.dumps(schema)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    for old, new in renames.items():
        schemas[new] = schemas.pop(old)
    return renamed


def _is_error(status: str) -> bool:
    return status[0] in "45"


def document_problems(app: FastAPI) -> None:
    """Make `app.openapi()` describe every error response as a Problem in problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = _short_names(generate())
        for operation in (op for item in schema["paths"].values() for op in item.values()):
            responses: dict[str, Any] = operation["responses"]
            for status, description in _ERROR_RANGES.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if _is_error(status):
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
