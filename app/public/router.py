"""Public status lookup (tra cứu hồ sơ): no key, a second factor from the receipt slip."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from app.core.deps import Now, ReadSession
from app.core.errors import problem_response
from app.core.problems import NotFound
from app.public import service
from app.public.schemas import PublicDossierOut

router = APIRouter(prefix="/api/v1/public", tags=["public lookup (tra cứu hồ sơ)"])
# The header is the way: a query string lands in access logs and proxies' logs.
Last4 = Annotated[str | None, Query(
    pattern=r"^[0-9]{4}$", deprecated=True,
    description="Last 4 digits of the phone on the slip; prefer the X-Phone-Last4 header, "
                "as a query string is written to access logs.")]
Last4Header = Annotated[str | None, Header(
    pattern=r"^[0-9]{4}$", description="Last 4 digits of the phone on the slip.")]


def limiter(request: Request) -> service.FailureLimiter:
    """The app's failure limiter, made on first use with the app's settings."""
    state = request.app.state
    if not hasattr(state, "public_limiter"):
        s = state.settings
        state.public_limiter = service.FailureLimiter(s.public_lookup_burst,
                                                      s.public_lookup_refill_per_minute)
    found: service.FailureLimiter = state.public_limiter
    return found


@router.get("/dossiers/{code}", summary="Look up a dossier (citizens, no key)",
            response_model=PublicDossierOut,
            responses={404: {"description": "Unknown code or wrong phone digits (one answer)"},
                       429: {"description": "Too many failed lookups"}})
def lookup(
    code: str, request: Request, session: ReadSession, now: Now,
    phone_last4: Last4 = None, x_phone_last4: Last4Header = None,
) -> PublicDossierOut | JSONResponse:
    """A dossier's status for the applicant: send the last 4 digits of the phone on the slip
    in the `X-Phone-Last4` header (`phone_last4` in the query still works, but lands in access
    logs). No personal data is returned."""
    digits = phone_last4 or x_phone_last4 or ""
    # The client IP as the ASGI server sees it: behind a proxy, run uvicorn --proxy-headers.
    keys = (f"ip:{request.client.host if request.client else '-'}", f"code:{code}")
    guard = limiter(request)
    guard.check(keys, time.monotonic())
    try:
        return service.lookup(session, code, digits, now)
    except NotFound as exc:
        guard.fail(keys, time.monotonic())
        # The instance leaves out the code, so the body is byte for byte the same whether
        # the code is unknown or the digits are wrong.
        return problem_response(404, exc.body(router.prefix + "/dossiers"))
