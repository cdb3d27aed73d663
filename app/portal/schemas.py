"""Answers of the sync endpoints: what the provincial operator sees of the national portal
sync (Cổng Dịch vụ công quốc gia), described in docs/portal-sync.md."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.core.examples import DOSSIER_EXAMPLE, UNIT_EXAMPLE
from app.core.timefmt import LocalDatetime

DAY_DOC = "The day of receipt reconciled (Vietnamese time)."
INDICATOR_DOC = ("Indicator 1.4 (QĐ 766): synced / received in percent, two decimals; null "
                 "when nothing was received.")


class ReplayOut(BaseModel):
    """What a replay put back in the queue: the worker sends these dossiers again, with fresh
    attempts, on its next pass."""

    queued: int = Field(description="How many dossiers were queued again: the dead letters and "
                                    "acknowledged dossiers in scope (those already pending are "
                                    "left as they are).", examples=[2])
    dossiers: list[str] = Field(description="Their codes (mã hồ sơ), sorted.",
                                examples=[[DOSSIER_EXAMPLE, "000.00.20.H12-260302-0008"]])


class DeadOut(BaseModel):
    """A dead letter: a dossier the worker gave up on after PORTAL_MAX_ATTEMPTS failed sends.
    Newer events do not queue it again (they would overtake the failed one); a replay does."""

    dossier: str = Field(description="Dossier code (mã hồ sơ).", examples=[DOSSIER_EXAMPLE])
    attempts: int = Field(description="Failed sends since it was last queued (the limit, "
                                      "PORTAL_MAX_ATTEMPTS, is 10 by default).", examples=[10])
    last_error: str | None = Field(
        description="The last failure: the error's kind and, from the portal, the operation, "
                    "the HTTP status and the portal's message.",
        examples=["PortalError: DongBoHoSoMC: HTTP 503"])
    acked_version: int | None = Field(
        description="Id of the dossier's latest event the portal acknowledged; null if it never "
                    "acknowledged the dossier.", examples=[48213])
    last_attempt_lease_end: LocalDatetime = Field(
        description="When the last attempt's lease ran out: its start plus four times "
                    "PORTAL_TIMEOUT_SECONDS, so the worker gave up shortly before.")


class UnitDayOut(BaseModel):
    """One receiving unit on one day: the dossiers it received against those the portal
    acknowledged."""

    unit: str = Field(description="Code of the receiving unit (mã đơn vị).",
                      examples=[UNIT_EXAMPLE])
    day: date = Field(description=DAY_DOC, examples=["2026-03-02"])
    dossiers: int = Field(description="Dossiers received that day, refused at receipt included.",
                          examples=[42])
    acknowledged: int = Field(description="Of them, acknowledged by the portal up to their "
                                          "latest event.", examples=[41])
    missing: list[str] = Field(description="Codes (mã hồ sơ) the portal lacks or holds out of "
                                           "date; empty once the day is synced.",
                               examples=[[DOSSIER_EXAMPLE]])
    received: int = Field(description="Dossiers received, refused at receipt excluded (they are "
                                      "synced, with code 3, but in no received total).",
                          examples=[41])
    synced: int = Field(description="Of the received, acknowledged by the portal at least once.",
                        examples=[40])
    indicator_1_4: float | None = Field(description=INDICATOR_DOC, examples=[97.56])


class ReconciliationOut(BaseModel):
    """A day's reconciliation with the portal's acknowledgements: every receiving unit, those
    that differ, and indicator 1.4 over them all."""

    day: date = Field(description=DAY_DOC, examples=["2026-03-02"])
    units: list[UnitDayOut] = Field(description="Every unit that received dossiers that day (or "
                                                "only the unit asked for), by code.")
    differences: list[UnitDayOut] = Field(description="The units whose `missing` is not empty; "
                                                      "empty after the day's sync.")
    received: int = Field(description="The units' `received` added up.", examples=[41])
    synced: int = Field(description="The units' `synced` added up.", examples=[40])
    indicator_1_4: float | None = Field(description=INDICATOR_DOC, examples=[97.56])
