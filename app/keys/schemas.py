"""API key bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.auth.rules import KEY_EXAMPLE, Role
from app.core.bodies import Strict
from app.core.examples import UNIT_EXAMPLE
from app.core.timefmt import INSTANT_RULES, Instant, LocalDatetime

# Texts a key's request and answer share.
KEY_NAME = ("A label saying who holds the key (a counter, a dashboard, an integrator), shown in "
            "the key listing.")
KEY_NAME_EXAMPLE = "Quầy 1 Phường Hạ Long"
KEY_ROLE = ("What the key may do: admin (everything, nationally: the catalogue, calendars, keys, "
            "the audit trail), counter (receive dossiers and record their events, and read "
            "dossiers and figures with the applicants' personal data), dashboard (read dossiers "
            "and figures, without personal data) or postal (the postal operator's endpoints "
            "only).")
KEY_UNIT = ("Code of the unit whose subtree the key may act on (the unit and every unit below "
            "it); null: the whole country. Required for counter and dashboard keys, optional for "
            "postal keys, refused for admin keys.")
KEY_EXPIRES = "When the key stops working (refused from then on); null: it does not expire."


class KeyIn(Strict):
    """An API key (khóa truy cập) to issue: who holds it, its role, and the unit subtree it may
    act on."""

    name: str = Field(min_length=1, max_length=255, description=KEY_NAME,
                      examples=[KEY_NAME_EXAMPLE])
    role: Role = Field(description=KEY_ROLE, examples=["counter"])
    unit: str | None = Field(default=None, max_length=40, description=KEY_UNIT,
                             examples=[UNIT_EXAMPLE])
    expires_at: Instant | None = Field(
        default=None, description=f"{KEY_EXPIRES} It must be in the future. {INSTANT_RULES}",
        examples=["2027-01-01T00:00:00+07:00"])


class KeyOut(BaseModel):
    """An API key as listed: its id, holder, role, scope and state, never its secret."""

    id: int = Field(description="The key's id, by which it is revoked and named in the audit "
                                "trail; not a secret.", examples=[7])
    name: str = Field(description=KEY_NAME, examples=[KEY_NAME_EXAMPLE])
    role: Role = Field(description=KEY_ROLE, examples=["counter"])
    unit: str | None = Field(description=KEY_UNIT, examples=[UNIT_EXAMPLE])
    created_at: LocalDatetime = Field(description="When the key was issued.")
    expires_at: LocalDatetime | None = Field(description=KEY_EXPIRES,
                                             examples=["2027-01-01T00:00:00+07:00"])
    revoked_at: LocalDatetime | None = Field(
        description="When the key was revoked (refused from then on); null: not revoked.",
        examples=["2026-03-02T09:00:00+07:00"])


class NewKeyOut(KeyOut):
    """A key just issued: its listing, with the secret shown this once and never again."""

    key: str = Field(description="The secret to send in the X-API-Key header. Only its hash is "
                                 "stored, so it cannot be shown again: keep it now; a lost "
                                 "secret needs a new key (and the old one revoked).",
                     examples=[KEY_EXAMPLE])
