"""The base of every request body: unknown fields and text no database can store are refused,
and text is normalised to NFC."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, TypeAdapter, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


def unstorable_text(value: Any, where: str = "body") -> str | None:
    """Where the first string (or key) holding a NUL or an unpaired surrogate is, else None.

    PostgreSQL refuses NUL in text and no driver can encode a lone surrogate: left alone, both
    fail in the driver as a 500, and SQLite would store what PostgreSQL refuses.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return where
        try:
            value.encode()
        except UnicodeEncodeError:
            return where
        return None
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
        for key, item in items:
            found = unstorable_text(key, where) or unstorable_text(item, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unstorable_text(item, f"{where}.{index}")
            if found:
                return found
    return None


def nfc(value: Any) -> Any:
    """Every string inside `value` in Unicode NFC.

    Vietnamese has two spellings of most letters (precomposed "ờ", or "o" with combining
    marks): without this one name would split into two rows of a report, and one code search
    would miss what the other spelling stored.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: nfc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [nfc(item) for item in value]
    return value


class Strict(BaseModel):
    """Unknown fields are an error, so a typo never silently does nothing; text is NFC."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        where = unstorable_text(data)
        if where is not None:
            raise ValueError(f"{where} holds a NUL character or an unpaired surrogate")
        return nfc(data)


@dataclass(frozen=True)
class DocumentedAs:
    """Annotate a value that is taken as it comes but documented as `shape`.

    A batch takes its items as plain objects and validates each one by itself, so one bad item
    gets its own error and does not sink the others; the OpenAPI still shows the item's real
    shape (with its discriminator), so an integrator and a generated client can see it."""

    shape: Any

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(TypeAdapter(self.shape).core_schema)
