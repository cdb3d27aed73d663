"""Serving the dashboard page and its files, with strict security headers.

The page holds no data of its own: it calls the same statistics API as integrators, with the
key typed into its login form, so it needs no session or cookie on the server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
PREFIX = "/dashboard"
# Everything comes from this origin (scripts, styles, the API), so nothing else is allowed;
# no inline script or style either, so an injected string cannot run.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)


@router.get(PREFIX)
def page() -> FileResponse:
    """The dashboard page."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    """Serve the page and its static files, every response with the security headers."""
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="dashboard-static")

    @app.middleware("http")
    async def secure(request: Request,
                     call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path == PREFIX or request.url.path.startswith(f"{PREFIX}/"):
            response.headers.update(SECURITY_HEADERS)
        return response
