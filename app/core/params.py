"""Path and query parameters every router shares, each with the bound the database has.

The OpenAPI document states these bounds (a test fails on any string parameter without one),
and FastAPI enforces them: a longer value is a 422 before any query runs.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path, Query

from app.core.cursor import CURSOR_EXAMPLE, MAX_CURSOR_CHARS
from app.core.examples import DOSSIER_EXAMPLE, FIELD_EXAMPLE, PROCEDURE_EXAMPLE, UNIT_EXAMPLE

CODE_LENGTH: Final = 40  # unit, procedure and field codes (String(40) columns)
DOSSIER_CODE_LENGTH: Final = 64  # dossier codes (String(64))


UnitPath = Annotated[str, Path(max_length=CODE_LENGTH, examples=[UNIT_EXAMPLE],
                               description="Unit code (mã đơn vị)")]
ProcedurePath = Annotated[str, Path(max_length=CODE_LENGTH, examples=[PROCEDURE_EXAMPLE],
                                    description="Procedure code (mã thủ tục hành chính)")]
DossierPath = Annotated[str, Path(max_length=DOSSIER_CODE_LENGTH, examples=[DOSSIER_EXAMPLE],
                                  description="Dossier code (mã hồ sơ)")]
ProcedureQuery = Annotated[str | None, Query(max_length=CODE_LENGTH,
                                             examples=[PROCEDURE_EXAMPLE],
                                             description="Procedure code (mã thủ tục)")]
FieldQuery = Annotated[str | None, Query(max_length=CODE_LENGTH, examples=[FIELD_EXAMPLE],
                                         description="Field (lĩnh vực) code")]
PageSize = Annotated[int, Query(ge=1, le=500, description="At most this many items, 1-500",
                                examples=[100])]
"""The limit of listings that answer at most 500 items at a time."""


CursorQuery = Annotated[str | None, Query(
    max_length=MAX_CURSOR_CHARS, description="The next_cursor of the previous page, as given",
    examples=[CURSOR_EXAMPLE])]
"""The cursor parameter of every paged listing, its bound stated in the OpenAPI."""
