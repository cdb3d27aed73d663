"""Printable one-stop-shop forms (Thông tư 01/2018/TT-VPCP, 03/2025/TT-VPCP) as HTML and PDF."""

from .context import (
    ApologyContext,
    Applicant,
    ControlSheetContext,
    ControlSheetRow,
    DocumentContext,
    DocumentKind,
    ReceiptContext,
    RefusalContext,
    SupplementContext,
)
from .render import render_html, render_pdf

__all__ = [
    "ApologyContext",
    "Applicant",
    "ControlSheetContext",
    "ControlSheetRow",
    "DocumentContext",
    "DocumentKind",
    "ReceiptContext",
    "RefusalContext",
    "SupplementContext",
    "render_html",
    "render_pdf",
]
