"""The catalogue of problem codes holds every code the code raises, each operation documents
its own, docs/errors.md agrees with it, and the check on every test client catches a code an
operation does not document."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.catalog.router import STEP_PROBLEMS
from app.core import problems as problem_classes
from app.core.config import Settings
from app.core.openapi import CODES, problems
from app.core.problem_codes import (
    COMMON_PROBLEMS,
    OPERATION_PROBLEMS,
    PROBLEM_CODES,
    ROUTING_CODES,
    ProblemCode,
)
from app.core.problems import Conflict
from app.main import create_app
from tests.conftest import ADMIN_KEY
from tests.problem_check import resolved, undocumented

ROOT = Path(__file__).parents[2]
APP = ROOT / "app"
DOC = ROOT / "docs" / "errors.md"
# Codes raised in app/ that no HTTP answer carries.
NOT_OVER_HTTP = {
    # Only `python -m app scorecard weights` stores a weights table.
    "invalid_scorecard_weights",
    # The event bodies require to_unit, new_due_at and method, so only the history import
    # (a command) meets the rules' own check.
    "missing_field",
}
# Where a code is not a literal: check_steps raises its first field's code, and
# check_not_future the code its caller passes (collected from those calls: CODE_PASSING).
DYNAMIC = {("app/catalog/rules.py", "check_steps"), ("app/dossiers/rules.py", "check_not_future")}
CODE_PASSING = {"check_not_future": (4, 422)}  # the code's position, the status raised
# Where problem() renders a code decided elsewhere: a ProblemError's own, and the HTTP
# exception handler's (routing and body reading: the codes the scan cannot see).
RENDERED = {("app/core/problems.py", "body"), ("app/core/errors.py", "_http")}
HANDLER_CODES = {"not_found", "method_not_allowed", "http_error"}


# ---- what app/ raises ------------------------------------------------------------------


def _functions(node: ast.AST, around: str = "") -> Iterator[tuple[str, ast.Call]]:
    """Every call with the name of the innermost function around it."""
    for child in ast.iter_child_nodes(node):
        inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else around
        if isinstance(child, ast.Call):
            yield around, child
        yield from _functions(child, inner)


def _literal(node: ast.expr | None) -> Any:
    """A literal's value, None for anything else."""
    return node.value if isinstance(node, ast.Constant) else None


def _raised() -> tuple[dict[str, set[int]], set[tuple[str, str]], set[str]]:
    """Codes raised in app/ with their statuses; where a code is not a literal; and the
    codes of InvalidParams there (what such a site may raise)."""
    found: dict[str, set[int]] = {}
    dynamic: set[tuple[str, str]] = set()
    dynamic_params: set[str] = set()
    for path in sorted(APP.rglob("*.py")):
        where = str(path.relative_to(ROOT))
        calls = list(_functions(ast.parse(path.read_text(encoding="utf-8"))))
        for fn, call in calls:
            name = call.func.id if isinstance(call.func, ast.Name) else None
            cls = getattr(problem_classes, name or "", None)
            if isinstance(cls, type) and issubclass(cls, problem_classes.ProblemError):
                given = next((k.value for k in call.keywords if k.arg == "code"), None)
                code = cls.code if given is None else _literal(given)
                if code is None:
                    dynamic.add((where, fn))
                else:
                    found.setdefault(code, set()).add(cls.status)
            elif name == "problem":
                status, code = (_literal(a) for a in call.args[:2])
                if status is None or code is None:
                    assert (where, fn) in RENDERED, (where, fn)
                else:
                    found.setdefault(code, set()).add(status)
            elif name in CODE_PASSING:
                position, status = CODE_PASSING[name]
                passed = _literal(call.args[position])
                assert passed is not None, (where, fn)
                found.setdefault(passed, set()).add(status)
            elif name == "InvalidParam" and (where, fn) == ("app/catalog/rules.py",
                                                            "check_steps"):
                dynamic_params.add(_literal(call.args[1]))
    return found, dynamic, dynamic_params


def test_every_code_app_raises_is_in_the_catalogue_with_its_status() -> None:
    found, dynamic, _ = _raised()
    assert dynamic == DYNAMIC
    over_http = {code: statuses for code, statuses in found.items() if code not in NOT_OVER_HTTP}
    assert len(over_http) > 50  # the scan saw the raises
    assert {code: {PROBLEM_CODES[code].status} for code in over_http
            if code in PROBLEM_CODES} == over_http


def test_the_step_faults_raised_by_their_field_code_are_catalogued_and_documented() -> None:
    _, _, params = _raised()
    assert params == set(STEP_PROBLEMS)
    assert all(PROBLEM_CODES[code].status == 422 for code in params)


def test_every_catalogued_code_is_raised_somewhere() -> None:
    found, _, params = _raised()
    assert set(PROBLEM_CODES) - set(found) - params == HANDLER_CODES
    assert not NOT_OVER_HTTP & set(PROBLEM_CODES)


def test_a_code_is_common_or_an_operations_not_both() -> None:
    assert not set(COMMON_PROBLEMS) & set(OPERATION_PROBLEMS)
    assert set(COMMON_PROBLEMS) >= ROUTING_CODES


# ---- the OpenAPI document ----------------------------------------------------------------


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield f"{method.upper()} {path}", op


def test_every_error_status_lists_its_codes_and_only_codes_of_that_status(
        client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for name, op in _operations(spec):
        for status, response in op["responses"].items():
            if status[0] in "45":
                response = resolved(spec, response)
                assert response[CODES], (name, status)
                for code in response[CODES]:
                    given = str(PROBLEM_CODES[code].status)
                    assert given == status or given[0] + "XX" == status, (name, status, code)
                    assert f"`{code}`: {PROBLEM_CODES[code].meaning}" in response["description"]


def test_every_operation_code_is_documented_on_an_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    documented = {c for _, op in _operations(spec) for status, r in op["responses"].items()
                  if status[0] in "45" for c in resolved(spec, r)[CODES]}
    assert set(OPERATION_PROBLEMS) <= documented
    ranges = spec["components"]["responses"]
    assert [*ranges["ClientError"][CODES], *ranges["ServerError"][CODES]] == list(COMMON_PROBLEMS)


def test_the_helper_refuses_a_code_outside_the_catalogue_or_a_common_one() -> None:
    with pytest.raises(ValueError, match="no_such_code"):
        problems("no_such_code")
    with pytest.raises(ValueError, match="missing_key"):
        problems("missing_key")
    assert set(problems("unit_not_found", "unit_in_use")) == {404, 409}


# ---- the check every test client runs -----------------------------------------------------


def test_the_check_fails_a_request_answered_with_an_undocumented_code(
        settings: Settings) -> None:
    app = create_app(settings)

    @app.delete("/api/v1/undocumented", summary="Refuse", description="Refuse.")
    def refuse() -> None:
        raise Conflict("Refused.", code="unit_in_use")

    with TestClient(app, raise_server_exceptions=False) as c, pytest.raises(
            AssertionError, match="DELETE /api/v1/undocumented answered 409 with code "
                                  "'unit_in_use', which the OpenAPI document does not list"):
        c.delete("/api/v1/undocumented", headers={"X-API-Key": ADMIN_KEY})


def test_the_check_names_what_is_wrong(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    units = "/api/v1/units/000.00.20.H27"
    assert undocumented(app, "DELETE", units, 409, "unit_in_use") is None
    assert undocumented(app, "GET", units, 409, "unit_in_use") is not None
    assert "no catalogue entry" in str(undocumented(app, "GET", units, 404, "no_such_code"))
    assert "status 409" in str(undocumented(app, "DELETE", units, 422, "unit_in_use"))
    assert undocumented(app, "GET", "/nowhere", 404, "not_found") is None
    assert "only a documented operation" in str(
        undocumented(app, "GET", "/nowhere", 404, "unit_not_found"))


def test_a_body_that_is_not_utf8_is_the_documented_http_error(client: TestClient) -> None:
    r = client.post("/api/v1/units", content=b'{"code": "\xff"}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == "http_error"


# ---- docs/errors.md ----------------------------------------------------------------------

BEGIN, END = "<!-- codes: generated from app/core/problem_codes.py -->", "<!-- end of codes -->"


def _table(entries: dict[str, ProblemCode]) -> list[str]:
    rows = sorted(entries.items(), key=lambda e: (e[1].status, e[0]))
    return ["| status | code | meaning |", "|---|---|---|",
            *(f"| {p.status} | `{code}` | {p.meaning} |" for code, p in rows)]


def test_docs_errors_lists_the_catalogue() -> None:
    """UPDATE_ERRORS_DOC=1 rewrites the generated part after a change to the catalogue."""
    generated = "\n".join([
        BEGIN, "", "### Codes any operation may answer", "", *_table(COMMON_PROBLEMS), "",
        "### Codes of particular operations", "", *_table(OPERATION_PROBLEMS), "", END])
    head, rest = DOC.read_text(encoding="utf-8").split(BEGIN)
    tail = rest.split(END)[1]
    if os.environ.get("UPDATE_ERRORS_DOC"):
        DOC.write_text(head + generated + tail, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == head + generated + tail, \
        "the catalogue changed: run with UPDATE_ERRORS_DOC=1"
