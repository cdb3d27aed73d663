"""The one-stop forms of a dossier, as HTML or PDF (Thông tư 01/2018, 03/2025/TT-VPCP)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from app.auth.dependencies import Counter
from app.core.deps import FreshSession, Now, ReadSession
from app.core.examples import UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, DossierPath
from app.core.timefmt import Day, Period
from app.dossiers.views import COVERED_DOSSIER
from app.stats.router import UNIT_FIGURES
from app.stats.rules import resolve_period

from . import render_html, render_pdf
from .context import DocumentKind
from .register import to_xlsx
from .service import build_context, build_register

router = APIRouter(prefix="/api/v1", tags=["documents (biểu mẫu)"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/dossiers/{code}/documents/{kind}",
    summary="Render a dossier's form (HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}},
               **problems(*COVERED_DOSSIER, "document_not_applicable")},
)
def document(
    code: DossierPath,
    kind: Annotated[DocumentKind, Path(
        description="receipt (Mẫu 01), supplement (02), refusal (03), apology (04), stop "
                    "(05) or control_sheet (06)", examples=["receipt"])],
    session: FreshSession, who: Counter, now: Now,
    format: Annotated[Literal["html", "pdf"], Query(
        description="html, printable in a browser, or an A4 pdf", examples=["pdf"])] = "html",
) -> Response:
    """Receipt slip, supplement request, refusal, apology, stop notice or process control
    sheet, with the heading and "Mẫu số" of the circular in force on the form's date."""
    # From the primary: a form is printed right after the step that creates it, and a
    # lagging replica would answer 404 for the receipt slip of the dossier just received.
    ctx = build_context(session, who, code, kind, now)
    if format == "html":
        return HTMLResponse(render_html(kind, ctx))
    return Response(render_pdf(kind, ctx), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{code}-{kind}.pdf"'})


@router.get(
    "/documents/register",
    summary="The dossier register of a unit for a period (XLSX)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, **problems(*UNIT_FIGURES, "register_too_large")},
)
def register(
    session: ReadSession, who: Counter, now: Now,
    unit: Annotated[str | None, Query(
        max_length=CODE_LENGTH,
        description="The receiving unit whose register this is (default: the key's own); "
                    "the key must cover it", examples=[UNIT_EXAMPLE])] = None,
    period: Annotated[Period | None, Query(
        description="2026, 2026-Q3, 2026-H1 or 2026-09", examples=["2026-03"])] = None,
    from_: Annotated[Day | None, Query(
        alias="from", description="First day of receipt (Vietnamese time), inclusive",
        examples=["2026-03-01"])] = None,
    to: Annotated[Day | None, Query(
        description="Last day of receipt (Vietnamese time), inclusive",
        examples=["2026-03-31"])] = None,
) -> Response:
    """Sổ theo dõi hồ sơ: one row per dossier the unit received in the period, with its
    applicant, deciding unit, receipt, appointment, hand-off, result and return."""
    start, end = resolve_period(period, from_, to)
    data = build_register(session, who, unit, start, end, now)
    stem = f"so-theo-doi-ho-so-{data.unit_code}-{start:%Y%m%d}-{end:%Y%m%d}"
    return Response(to_xlsx(data), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'})
