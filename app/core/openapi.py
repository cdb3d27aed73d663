"""Describe errors in the OpenAPI document as the handlers send them: application/problem+json.

FastAPI documents its own 422 body (HTTPValidationError, application/json), which this service
never sends; generated clients and schema-driven tests would then reject every real error.

Each error response also lists the problem codes it may carry (app/core/problem_codes.py),
with their meanings, in its description and in `x-problem-codes`.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from app.core.errors import PROBLEM_JSON
from app.core.problem_codes import (
    COMMON_PROBLEMS,
    OPERATION_PROBLEMS,
    PROBLEM_CODES,
    ROUTING_CODES,
)

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
CODES = "x-problem-codes"
"""The extension naming, in each error response, the problem codes it may carry."""
PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
# What any operation may answer besides its own codes (a bad key or role, an unknown path, a
# body too large or invalid; the database unavailable): one shared response per range, by
# the name it has in components/responses.
_ERROR_RANGES = {"4XX": "ClientError", "5XX": "ServerError"}


def _described(title: str, codes: list[str], with_status: bool) -> dict[str, Any]:
    """An error response listing its codes with their meanings, and in `x-problem-codes`."""
    lines = [f"- {f'{PROBLEM_CODES[c].status} ' if with_status else ''}`{c}`: "
             f"{PROBLEM_CODES[c].meaning}" for c in codes]
    return {"description": "\n".join([title, "", *lines]), CODES: codes}


def _with_status(status: int, codes: list[str]) -> dict[str, Any]:
    """One status of an operation: its own codes, then the common codes of that status."""
    common = [c for c, p in COMMON_PROBLEMS.items()
              if p.status == status and c not in codes and c not in ROUTING_CODES]
    return _described(f"{HTTPStatus(status).phrase}; the problem's `code` is one of:",
                      [*codes, *common], with_status=False)


def _range(status_range: str) -> dict[str, Any]:
    """The codes of a range (4XX, 5XX) any operation may answer, each with its status."""
    codes = [c for c, p in COMMON_PROBLEMS.items() if str(p.status)[0] == status_range[0]]
    kind = "Client" if status_range == "4XX" else "Server"
    return {**_described(f"{kind} error, with one of the codes any operation may answer (an "
                         "operation's own codes are listed under their status):", codes,
                         with_status=True), "content": PROBLEM_CONTENT}


def problems(*codes: str) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of an operation that answers these codes (from
    app/core/problem_codes.py) besides the common ones: one response per status, listing each
    code with its meaning. An unknown or common code is refused when the router is imported.
    """
    by_status: dict[int, list[str]] = {}
    for code in codes:
        if code not in OPERATION_PROBLEMS:
            raise ValueError(f"'{code}' is not an operation's code in app/core/problem_codes.py")
        by_status.setdefault(OPERATION_PROBLEMS[code].status, []).append(code)
    return {status: _with_status(status, listed) for status, listed in sorted(by_status.items())}


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
    code: str = Field(description="Stable machine code: each error response lists the codes "
                                  "it may carry in `x-problem-codes`, with their meanings")
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
            for status, response in responses.items():
                if _is_error(status):
                    # FastAPI's own 422 included: the common codes of the status join.
                    response.update(_with_status(int(status), response.get(CODES, [])))
                    response["content"] = PROBLEM_CONTENT
            for status_range, name in _ERROR_RANGES.items():
                responses[status_range] = {"$ref": f"#/components/responses/{name}"}
        schema.setdefault("components", {})["responses"] = {
            name: _range(status_range) for status_range, name in _ERROR_RANGES.items()}
        components = schema["components"].setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
