"""Render the one-stop-shop forms as HTML (Jinja2 templates) and as A4 PDF."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import cache
from typing import Final

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from app.catalog.headings import (
    ApologyFacts,
    Run,
    apology_paragraphs,
    apology_wording,
    form_number,
    format_date,
    format_datetime,
    place_date,
    vn_local,
)

from .context import (
    ApologyContext,
    ControlSheetContext,
    DocumentContext,
    DocumentKind,
    ReceiptContext,
    RefusalContext,
    StepResult,
    StopContext,
    SupplementContext,
)
from .pdf import html_to_pdf

RESULT_LABELS: Final[dict[StepResult | None, str]] = {
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Quá hạn",
    None: "",
}

_CONTEXT_TYPES: Final[dict[str, type]] = {
    "receipt": ReceiptContext,
    "supplement": SupplementContext,
    "refusal": RefusalContext,
    "apology": ApologyContext,
    "stop": StopContext,
    "control_sheet": ControlSheetContext,
}


def form_label(kind: str, value: datetime) -> str:
    """The "Mẫu số .." label of form `kind` dated `value` (Vietnam day), '' if it has none."""
    return form_number(kind, vn_local(value).date()) or ""


def apology_letter(ctx: ApologyContext) -> tuple[tuple[Run, ...], ...]:
    """The apology letter's paragraphs for `ctx`, worded as the citizen notice sends them."""
    return apology_paragraphs(ApologyFacts(
        ctx.applicant.name, ctx.unit_name, ctx.procedure_name, ctx.dossier_code,
        ctx.received_at, ctx.original_appointment_at, ctx.reason, ctx.new_appointment_at,
        ctx.issued_at))


def result_label(result: StepResult | None) -> str:
    """The control-sheet label of a step result ('' while the step is open)."""
    return RESULT_LABELS[result]


def _nfc(value: object) -> object:
    """Compose every printed string (NFC): the PDF has no shaping for combining marks."""
    # Markup here is a macro's output, whose own values already went through this hook.
    if isinstance(value, str) and not isinstance(value, Markup):
        return unicodedata.normalize("NFC", value)
    return value


@cache
def _environment() -> Environment:
    """The Jinja2 environment, built once: templates compile on first use."""
    env = Environment(
        loader=PackageLoader(__name__.rpartition(".")[0], "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_nfc,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vn_datetime"] = format_datetime
    env.filters["vn_date"] = format_date
    env.filters["result_label"] = result_label
    env.globals["place_date"] = place_date
    env.globals["form_label"] = form_label
    env.globals["apology_wording"] = apology_wording
    env.globals["apology_letter"] = apology_letter
    return env


def render_html(kind: DocumentKind, ctx: DocumentContext) -> str:
    """Render form `kind` for `ctx` as a standalone, printable HTML page."""
    expected = _CONTEXT_TYPES.get(kind)
    if expected is None:
        raise ValueError(f"unknown document kind {kind!r}")
    if not isinstance(ctx, expected):
        raise TypeError(f"{kind!r} needs a {expected.__name__}, got {type(ctx).__name__}")
    template = _environment().get_template(f"{kind}.html")
    return template.render(kind=kind, ctx=ctx)


def render_pdf(kind: DocumentKind, ctx: DocumentContext) -> bytes:
    """Render form `kind` for `ctx` as an A4 PDF laid out from the same HTML."""
    return html_to_pdf(render_html(kind, ctx))
