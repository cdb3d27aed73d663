"""Answers of the sync endpoints."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.core.timefmt import LocalDatetime


class ReplayOut(BaseModel):
    """What a replay put back in the queue."""

    queued: int
    dossiers: list[str]


class DeadOut(BaseModel):
    """A dossier the worker gave up on after its attempts."""

    dossier: str
    attempts: int
    last_error: str | None
    acked_version: int | None = Field(description="last event id the portal acknowledged")
    last_attempt_lease_end: LocalDatetime


class UnitDayOut(BaseModel):
    """One receiving unit on one day."""

    unit: str
    day: date
    dossiers: int = Field(description="dossiers received that day, refused at receipt included")
    acknowledged: int = Field(description="of them, acknowledged by the portal up to date")
    missing: list[str] = Field(description="codes the portal lacks or holds out of date")
    received: int = Field(description="received, refused at receipt excluded")
    synced: int = Field(description="of the received, acknowledged at least once")
    indicator_1_4: float | None = Field(description="synced / received, percent")


class ReconciliationOut(BaseModel):
    """The day's reconciliation: every unit, those that differ, and indicator 1.4."""

    day: date
    units: list[UnitDayOut]
    differences: list[UnitDayOut]
    received: int
    synced: int
    indicator_1_4: float | None
