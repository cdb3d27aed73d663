"""Every problem+json answer a test client receives must be documented in the OpenAPI document.

tests/conftest.py installs `check` on every TestClient the suite creates: a response whose
(operation, status, code) the operation's OpenAPI entry does not list in `x-problem-codes`
(its own entry for the status, else the 4XX or 5XX range's) fails the test at once with the
three named, as does a code outside the catalogue or with another status than the
catalogue's. An answer no documented operation gave (an unknown path, a method the path does
not serve, an undocumented route such as /metrics) may carry only the common codes.

With RECORD_PROBLEM_CODES=<file> nothing fails: each problem is appended to the file as one
JSON line (method, path template, status, code), to see what the suite produces.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Match

from app.core.errors import PROBLEM_JSON
from app.core.openapi import CODES
from app.core.problem_codes import COMMON_CODES, PROBLEM_CODES

RECORD = "RECORD_PROBLEM_CODES"


def operation_of(app: FastAPI, method: str, path: str) -> tuple[str, str] | None:
    """The documented operation (method, path template) a request reached, if any."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in iter_route_contexts(app.routes):
        if route.matches(scope)[0] is Match.FULL:
            if isinstance(route.original_route, APIRoute) and route.include_in_schema:
                return method, str(route.path)
            return None
    return None


def documented_codes(app: FastAPI, operation: tuple[str, str], status: int) -> list[str]:
    """The codes the OpenAPI document lists for one status of an operation: its own entry for
    that status, else the 4XX or 5XX range's, as a client resolves them."""
    method, template = operation
    schema = app.openapi()
    responses: dict[str, Any] = schema["paths"][template][method.lower()]["responses"]
    return list(resolved(schema, responses.get(str(status)) or responses[f"{status // 100}XX"])
                .get(CODES, []))


def resolved(schema: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """A response of the OpenAPI document, its `$ref` (to components/responses) followed."""
    if "$ref" not in response:
        return response
    found: dict[str, Any] = schema["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return found


def undocumented(app: FastAPI, method: str, path: str, status: int, code: str) -> str | None:
    """Why this problem answer is not documented, or None when it is."""
    operation = operation_of(app, method, path)
    name = f"{method} {operation[1] if operation else path}"
    known = PROBLEM_CODES.get(code)
    if known is None:
        return f"{name} answered {status} with code '{code}', which no catalogue entry names"
    if known.status != status:
        return (f"{name} answered {status} with code '{code}', which the catalogue gives "
                f"status {known.status}")
    if operation is None:
        if code in COMMON_CODES:
            return None
        return (f"{name} answered {status} with code '{code}', which only a documented "
                "operation may answer")
    if code not in documented_codes(app, operation, status):
        return (f"{name} answered {status} with code '{code}', which the OpenAPI document "
                f"does not list for that operation and status")
    return None


def _record(app: FastAPI, request: httpx.Request, status: int, code: str, target: str) -> None:
    operation = operation_of(app, request.method, request.url.path)
    line = {"method": request.method, "path": operation[1] if operation else None,
            "status": status, "code": code}
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def check(app: FastAPI, response: httpx.Response) -> None:
    """Fail on a problem+json response the OpenAPI document does not announce (httpx hook)."""
    if response.headers.get("content-type", "").split(";")[0] != PROBLEM_JSON:
        return
    response.read()
    status, code = response.status_code, str(response.json().get("code"))
    request = response.request
    target = os.environ.get(RECORD)
    if target:
        _record(app, request, status, code, target)
        return
    why = undocumented(app, request.method, request.url.path, status, code)
    if why is not None:
        raise AssertionError(f"Undocumented problem: {why}.")
