"""Stored rows as the plain values the decisions and projections work on."""

from __future__ import annotations

from typing import Any

from app.catalog.models import Unit
from app.dossiers import rules
from app.dossiers.decisions import STATE_FIELDS, Applicant, Officer, Officers, Record, UnitFacts
from app.dossiers.models import Dossier

# The officers a dossier row keeps, each in an <act>_officer_id and _name column pair.
OFFICER_ACTS = ("received_by", "resolved_by", "returned_by")


def state_of(d: Dossier) -> rules.DossierState:
    """The rule-level state stored on a dossier row."""
    return rules.DossierState(**{name: getattr(d, name) for name in STATE_FIELDS})


def record_of(d: Dossier, has_postal_return: bool = False) -> Record:
    """A stored dossier row as plain values."""
    return Record(
        id=d.id, code=d.code, province_code=d.province_code, procedure=d.procedure_code,
        procedure_version=d.procedure_version, receiving_unit=d.receiving_unit,
        channel=d.channel, client_ref=d.client_ref,
        applicant=Applicant(d.applicant_kind, d.applicant_name, d.applicant_id_number,
                            d.applicant_phone, d.applicant_address),
        state=state_of(d), updated_at=d.updated_at, has_postal_return=has_postal_return,
        officers=Officers(**{act: _officer(getattr(d, f"{act}_officer_id"),
                                           getattr(d, f"{act}_officer_name"))
                             for act in OFFICER_ACTS}),
    )


def _officer(id_: str | None, name: str | None) -> Officer | None:
    return None if id_ is None or name is None else Officer(id_, name)


def officer_columns(officers: Officers) -> dict[str, Any]:
    """The officer columns of a dossier row, for an insert or an update."""
    out: dict[str, Any] = {}
    for act in OFFICER_ACTS:
        officer: Officer | None = getattr(officers, act)
        out[f"{act}_officer_id"] = None if officer is None else officer.id
        out[f"{act}_officer_name"] = None if officer is None else officer.name
    return out


def unit_facts(u: Unit) -> UnitFacts:
    """A unit row as the decisions need it."""
    return UnitFacts(u.code, u.province_code, u.path, u.valid_from, u.valid_to)
