"""API key bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.auth.rules import Role
from app.core.bodies import Strict
from app.core.timefmt import Instant, LocalDatetime


class KeyIn(Strict):
    """A key to create; counter and dashboard keys are scoped to a unit subtree."""

    name: str = Field(min_length=1, max_length=255)
    role: Role
    unit: str | None = Field(default=None, max_length=40,
                             description="Unit code whose subtree the key may act on")
    expires_at: Instant | None = None


class KeyOut(BaseModel):
    """A key as listed: never its secret."""

    id: int
    name: str
    role: Role
    unit: str | None
    created_at: LocalDatetime
    expires_at: LocalDatetime | None
    revoked_at: LocalDatetime | None


class NewKeyOut(KeyOut):
    """A key just created: the secret is shown this once and never again."""

    key: str
