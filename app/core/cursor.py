"""Keyset cursors: the one codec every paged listing uses, with range checks on the way in.

A cursor is the last row's sort key, JSON in URL-safe base64. Decoding checks it against
the listing's declared shape (types and ranges), so a forged cursor is a 422 and never
reaches the database, where an out-of-range number would fail while being bound.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar

from pydantic import Field, TypeAdapter, ValidationError

from app.core.problems import InvalidParam, Unprocessable

T = TypeVar("T")

RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]
"""A position held in a 64-bit column (row id, transaction id)."""
Code = Annotated[str, Field(min_length=1, max_length=64)]
"""A position by code (units, procedures)."""
MAX_CURSOR_CHARS = 256
CURSOR_EXAMPLE = "WzQ4MjFd"
NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
"""What every paged listing says of its next_cursor."""


def encode_cursor(*position: int | str) -> str:
    """The opaque cursor of a position."""
    return base64.urlsafe_b64encode(TypeAdapter(tuple[int | str, ...]).dump_json(position)
                                    ).decode()


def decode_cursor(cursor: str, shape: TypeAdapter[T]) -> T:
    """The position a cursor stands for, checked against `shape`; anything else is a 422."""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor.encode("ascii"))
        return shape.validate_json(raw, strict=True)
    except (ValueError, binascii.Error, ValidationError) as exc:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor",
                            invalid_params=[InvalidParam("cursor", "invalid", "not a cursor")]
                            ) from exc


BY_ID: TypeAdapter[tuple[int]] = TypeAdapter(tuple[RowId])
"""Listings ordered by row id (dossiers, the audit trail)."""
BY_CODE: TypeAdapter[tuple[str]] = TypeAdapter(tuple[Code])
"""Listings ordered by code (units, procedures)."""
Micros = Annotated[int, Field(ge=0, le=4_102_444_800_000_000)]
"""An instant from the Unix epoch to 2100 (where every instant of the API ends), in
microseconds: a forged position beyond it is a 422, not an overflow."""
BY_INSTANT_AND_ID: TypeAdapter[tuple[int, int]] = TypeAdapter(tuple[Micros, RowId])
"""Listings ordered by an instant, then row id (a queue by deadline); the instant is held as
microseconds since the Unix epoch (`instant_position`)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant_position(at: datetime) -> int:
    """An aware instant as a cursor position: whole microseconds since the Unix epoch."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def position_instant(position: int) -> datetime:
    """The instant a cursor position stands for (UTC)."""
    return _EPOCH + timedelta(microseconds=position)
