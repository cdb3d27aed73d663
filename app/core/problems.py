"""Domain errors: a stable machine code and an HTTP status, free of web-framework imports.

Pure rules raise these; app.core.errors renders them as RFC 7807 problem+json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InvalidParam:
    """One field that failed: where, a machine code, and why."""

    name: str
    code: str
    reason: str


class ProblemError(Exception):
    """Base of every expected failure; rendered as application/problem+json."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        invalid_params: list[InvalidParam] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.invalid_params = invalid_params or []
        self.headers = headers or {}

    def body(self, instance: str) -> dict[str, Any]:
        """The problem document."""
        return problem(
            self.status, self.code, self.title, self.detail, instance, self.invalid_params
        )


class Unauthorized(ProblemError):
    status, code, title = 401, "unauthorized", "Missing or invalid API key"


class Forbidden(ProblemError):
    status, code, title = 403, "forbidden", "Not allowed for this key"


class NotFound(ProblemError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(ProblemError):
    status, code, title = 409, "conflict", "Conflicts with the current state"


class Unprocessable(ProblemError):
    status, code, title = 422, "invalid", "Invalid request"


class PayloadTooLarge(ProblemError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class TooManyRequests(ProblemError):
    status, code, title = 429, "too_many_requests", "Too many requests"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    invalid_params: list[InvalidParam] | None = None,
) -> dict[str, Any]:
    """An RFC 7807 body with our stable `code` and open-zaak style `invalid_params`."""
    body: dict[str, Any] = {
        "type": f"https://motcua.gov.vn/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        "instance": instance,
    }
    if invalid_params:
        body["invalid_params"] = [
            {"name": p.name, "code": p.code, "reason": p.reason} for p in invalid_params
        ]
    return body


def validation_params(errors: list[Any]) -> list[InvalidParam]:
    """Pydantic errors as invalid_params, field paths joined with dots."""
    params = []
    for err in errors:
        if err.get("type") == "json_invalid":
            # FastAPI puts the character position where a field name goes: name the body.
            where = [p for p in err.get("loc", ()) if isinstance(p, int)]
            why = err.get("ctx", {}).get("error", "invalid JSON")
            at = f" at character {where[0]}" if where else ""
            params.append(InvalidParam("body", "json_invalid", f"malformed JSON: {why}{at}"))
            continue
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        params.append(
            InvalidParam(name=".".join(loc) or "body", code=err.get("type", "invalid"),
                         reason=err.get("msg", "invalid"))
        )
    return params


def validation_problem(errors: list[Any], instance: str) -> dict[str, Any]:
    """The problem document for a body that failed validation."""
    return problem(422, "validation_failed", "Invalid request",
                   "The request has invalid fields; see invalid_params.", instance,
                   validation_params(errors))
