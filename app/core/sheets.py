"""Spreadsheet pieces the official forms share: the two-row column header of a report."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from openpyxl.styles import Alignment, Border, Font


def two_level_header(ws: Any, head: int, labels: Sequence[tuple[str | None, str]], *,
                     font: Font, alignment: Alignment, border: Border) -> int:
    """Write column headers on rows `head` and `head + 1`, and the row numbering the columns
    "(1)", "(2)"... under them; return that row. A label without a group spans both rows;
    consecutive labels of one group sit under one merged cell naming it."""
    sub, numbers = head + 1, head + 2
    col = 1
    for group, run in groupby(labels, key=lambda label: label[0]):
        names = [name for _, name in run]
        if group is None:
            for name in names:
                ws.merge_cells(start_row=head, start_column=col, end_row=sub, end_column=col)
                ws.cell(head, col, name)
                col += 1
            continue
        ws.merge_cells(start_row=head, start_column=col, end_row=head,
                       end_column=col + len(names) - 1)
        ws.cell(head, col, group)
        for j, name in enumerate(names):
            ws.cell(sub, col + j, name)
        col += len(names)
    for c in range(1, len(labels) + 1):
        ws.cell(numbers, c, f"({c})")
        for r in (head, sub, numbers):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border = font, alignment, border
    return numbers
