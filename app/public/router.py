"""Public status lookup (tra cứu hồ sơ): no key, a second factor from the receipt slip."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from app.core.deps import Now, ReadSession
from app.core.errors import problem_response
from app.core.openapi import problems
from app.core.params import DossierPath
from app.core.problems import NotFound
from app.public import rules, service
from app.public.schemas import PublicDossierOut

router = APIRouter(prefix="/api/v1/public", tags=["public lookup (tra cứu hồ sơ)"])
# The header is the way: a query string lands in access logs and proxies' logs.
Last4 = Annotated[str | None, Query(
    min_length=4, max_length=4, pattern=r"^[0-9]{4}$", deprecated=True,
    description="Last 4 digits of the phone on the slip; prefer the X-Phone-Last4 header, "
                "as a query string is written to access logs.", examples=["4567"])]
Last4Header = Annotated[str | None, Header(
    min_length=4, max_length=4, pattern=r"^[0-9]{4}$",
    description="Last 4 digits of the phone on the slip.", examples=["4567"])]
SecretHeader = Annotated[str | None, Header(
    max_length=11, pattern=r"^[0-9A-Za-z]{5}[- ]?[0-9A-Za-z]{5}$",
    description="The lookup code printed on the receipt slip (mã tra cứu), e.g. `7K2QX-M9D4R`. "
                "Preferred: a wrong one never holds back the dossier's owner.",
    examples=["7K2QX-M9D4R"])]


def limiter(request: Request) -> service.FailureLimiter:
    """The app's failure limiter, made on first use with the app's settings."""
    state = request.app.state
    if not hasattr(state, "public_limiter"):
        s = state.settings
        state.public_limiter = service.FailureLimiter(s.public_lookup_burst,
                                                      s.public_lookup_refill_per_minute)
    found: service.FailureLimiter = state.public_limiter
    return found


def client_of(request: Request) -> str:
    """The client's address: the connection's, or X-Forwarded-For's from a trusted proxy."""
    state = request.app.state
    if not hasattr(state, "trusted_proxies"):
        state.trusted_proxies = rules.trusted_networks(state.settings.trusted_proxies)
    peer = request.client.host if request.client else "-"
    return rules.client_address(peer, request.headers.getlist("x-forwarded-for"),
                                state.trusted_proxies)


@router.get("/dossiers/{code}", summary="Look up a dossier (citizens, no key)",
            response_model=PublicDossierOut,
            responses=problems("dossier_not_found", "too_many_lookups"))
def lookup(
    code: DossierPath, request: Request, session: ReadSession, now: Now,
    phone_last4: Last4 = None, x_phone_last4: Last4Header = None,
    x_lookup_secret: SecretHeader = None,
) -> PublicDossierOut | JSONResponse:
    """A dossier's status for the applicant, with one of two second factors from the receipt
    slip: its lookup code in `X-Lookup-Secret`, or the last 4 digits of the phone in
    `X-Phone-Last4` (`phone_last4` in the query still works, but lands in access logs).
    No personal data is returned.

    Failed lookups are limited per client address first, so one client cannot enumerate.
    Phone digits (10,000 values) are also limited per code, which strangers can use up;
    the lookup code (50 bits) is limited per client only, so its holder always gets through."""
    client = f"ip:{client_of(request)}"
    keys = (client,) if x_lookup_secret else (client, f"code:{code}")
    guard = limiter(request)
    guard.check(keys, time.monotonic())
    try:
        if x_lookup_secret:
            return service.lookup_by_secret(session, code, x_lookup_secret, now)
        return service.lookup(session, code, phone_last4 or x_phone_last4 or "", now)
    except NotFound as exc:
        guard.fail(keys, time.monotonic())
        # The instance leaves out the code, so the body is byte for byte the same whether
        # the code is unknown or the digits are wrong.
        return problem_response(404, exc.body(router.prefix + "/dossiers"))
