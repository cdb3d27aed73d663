"""Render every failure as RFC 7807 application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core.problems import ProblemError, problem, validation_problem

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# SQLSTATEs of a transaction PostgreSQL rolled back to resolve a deadlock or a conflict.
TRANSACTION_CONFLICTS = frozenset({"40P01", "40001"})


def allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method the path serves, for a 405's Allow header.

    Starlette names only the first route that matched the path (GET /units and POST /units
    are two routes), so a client would be told POST alone.
    """
    methods: set[str] = set()
    for ctx in iter_route_contexts(app.routes):
        if ctx.methods and compile_path(str(ctx.path))[0].match(request.url.path):
            methods |= set(ctx.methods)
    return ", ".join(sorted(methods))


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSONResponse with the problem media type."""
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def install_error_handlers(app: FastAPI) -> None:
    """Render every failure, expected or not, as problem+json."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.status, exc.body(request.url.path), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = validation_problem(list(exc.errors()), request.url.path)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method in ("POST", "PUT", "PATCH") and media != "application/json":
            # Without the header FastAPI does not read the body as JSON, and the field errors
            # alone ("a valid dictionary") do not say why.
            body["detail"] = ("The body was not read as JSON: send it with "
                              "'Content-Type: application/json'.")
        return problem_response(422, body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        body = problem(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(app, request)
        return problem_response(exc.status_code, body, headers)

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> JSONResponse:
        if getattr(exc.orig, "sqlstate", None) in TRANSACTION_CONFLICTS:
            # PostgreSQL broke a deadlock or a serialization conflict by rolling this
            # transaction back: the database is fine, and the same request will go through.
            log.info("transaction conflict: %s", exc.orig)
            body = problem(503, "transaction_conflict", "Transaction conflict",
                           "A concurrent request touched the same data; retry.",
                           request.url.path)
            return problem_response(503, body, {"Retry-After": "1"})
        # A lost or refused connection is the database being unavailable, not a bug: tell the
        # client to retry. Nothing was committed, so a retry is safe.
        log.warning("database unavailable: %s", exc.orig)
        body = problem(503, "database_unavailable", "Service unavailable",
                       "The database is unavailable; retry later.", request.url.path)
        return problem_response(503, body, {"Retry-After": "5"})

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        log.exception("database error", exc_info=exc)
        body = problem(500, "internal_error", "Internal error", "An unexpected error occurred.",
                       request.url.path)
        return problem_response(500, body)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        body = problem(500, "internal_error", "Internal error", "An unexpected error occurred.",
                       request.url.path)
        return problem_response(500, body)
