"""The one-stop forms of a dossier, as HTML or PDF (Thông tư 01/2018, 03/2025/TT-VPCP)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.auth.dependencies import Counter
from app.core.deps import FreshSession, Now
from app.core.params import DossierPath

from . import render_html, render_pdf
from .context import DocumentKind
from .service import build_context

router = APIRouter(prefix="/api/v1/dossiers", tags=["documents (biểu mẫu)"])


@router.get(
    "/{code}/documents/{kind}",
    summary="Render a dossier's form (HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}},
               409: {"description": "The form does not apply to the dossier yet"}},
)
def document(
    code: DossierPath, kind: DocumentKind, session: FreshSession, who: Counter, now: Now,
    format: Literal["html", "pdf"] = "html",
) -> Response:
    """Receipt slip, supplement request, refusal, apology or process control sheet."""
    # From the primary: a form is printed right after the step that creates it, and a
    # lagging replica would answer 404 for the receipt slip of the dossier just received.
    ctx = build_context(session, who, code, kind, now)
    if format == "html":
        return HTMLResponse(render_html(kind, ctx))
    return Response(render_pdf(kind, ctx), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{code}-{kind}.pdf"'})
