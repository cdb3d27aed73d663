"""Path and query parameters every router shares, each with the bound the database has.

The OpenAPI document states these bounds (a test fails on any string parameter without one),
and FastAPI enforces them: a longer value is a 422 before any query runs.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path, Query

CODE_LENGTH: Final = 40  # unit, procedure and field codes (String(40) columns)
DOSSIER_CODE_LENGTH: Final = 64  # dossier codes (String(64))

UnitPath = Annotated[str, Path(max_length=CODE_LENGTH, description="Unit code")]
ProcedurePath = Annotated[str, Path(max_length=CODE_LENGTH, description="Procedure code")]
DossierPath = Annotated[str, Path(max_length=DOSSIER_CODE_LENGTH,
                                  description="Dossier code (mã hồ sơ)")]
UnitQuery = Annotated[str | None, Query(max_length=CODE_LENGTH, description="Unit code")]
ProcedureQuery = Annotated[str | None, Query(max_length=CODE_LENGTH,
                                             description="Procedure code")]
FieldQuery = Annotated[str | None, Query(max_length=CODE_LENGTH,
                                         description="Field (lĩnh vực) code")]
