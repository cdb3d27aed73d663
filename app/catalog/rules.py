"""Catalogue rules as pure functions: the procedure version in force, a unit's validity, the
steps of a procedure's internal process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol, TypeVar

from app.core.problems import InvalidParam, Unprocessable


class Dated(Protocol):
    """A version with its number and its first day in force (None: since always)."""

    @property
    def version(self) -> int: ...

    @property
    def effective_from(self) -> date | None: ...


V = TypeVar("V", bound=Dated)


def in_force(versions: Sequence[V], day: date) -> V:
    """The version in force on `day`: the latest whose effective date is not after it.

    Version 1 has no date, so some version is always in force.
    """
    ordered = sorted(versions, key=lambda v: v.version)
    chosen = ordered[0]
    for v in ordered[1:]:
        if v.effective_from is not None and v.effective_from <= day:
            chosen = v
    return chosen


def overlaps(versions: Sequence[Dated], effective_from: date) -> bool:
    """True if a new version from `effective_from` would not start after every existing one.

    Each version is in force from its date until the next one's, so a new version must come
    strictly after the latest; an earlier or equal date would overlap a version's span.
    """
    return any(v.effective_from is not None and v.effective_from >= effective_from
               for v in versions)


def valid_on(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether a unit exists on a (Vietnamese) day: both bounds inclusive, None is open."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def check_valid(code: str, valid_from: date | None, valid_to: date | None, day: date,
                field: str) -> None:
    """Refuse a receipt or transfer at a unit on a day outside its validity period."""
    if valid_on(valid_from, valid_to, day):
        return
    span = f"{valid_from or '…'} to {valid_to or '…'}"
    reason = f"unit '{code}' is valid from {span}, not on {day}"
    raise Unprocessable(f"Unit '{code}' does not exist on {day}: it is valid from {span}.",
                        code="unit_not_valid",
                        invalid_params=[InvalidParam(field, "unit_not_valid", reason)])


# ---- the internal process (quy trình nội bộ) of a procedure in interconnected processing ----

StepKind = Literal["working_days", "working_hours"]


@dataclass(frozen=True)
class ProcedureStep:
    """One step of a procedure's internal process: who performs it and its working-time
    allotment, in hundredths of the kind's unit (1.5 working days is 150), so sums are exact.
    """

    name: str
    kind: StepKind
    hundredths: int
    unit: str | None = None
    role: str | None = None

    def allotment(self, day_length: timedelta) -> timedelta:
        """The working time allotted, on a calendar whose working day lasts `day_length`."""
        whole = day_length if self.kind == "working_days" else timedelta(hours=1)
        return whole * self.hundredths / 100


@dataclass(frozen=True)
class LegalTime:
    """A version's processing time as the steps are checked against it: its kind and its
    amount of working days or hours (None for calendar days or same day, not working time)."""

    field: str
    kind: str
    amount: int | None


def check_steps(steps: Sequence[ProcedureStep], times: Sequence[LegalTime]) -> None:
    """Refuse an internal process that cannot divide the legal time: a step without a name,
    without a performer or with a non-positive allotment, a name given twice, an allotment in
    another kind than the legal time, or allotments that add up to more than the legal time.

    Every failing field is named in one 422; nothing is refused for an empty process.
    """
    if not steps:
        return
    bad: list[InvalidParam] = []
    seen: set[str] = set()
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        name = step.name.strip()
        if not name:
            bad.append(InvalidParam(f"{where}.name", "step_name_empty", "must not be empty"))
        elif name.casefold() in seen:
            bad.append(InvalidParam(f"{where}.name", "step_name_duplicated",
                                    f"'{name}' names an earlier step"))
        seen.add(name.casefold())
        if not (step.unit or "").strip() and not (step.role or "").strip():
            bad.append(InvalidParam(where, "step_performer_missing",
                                    "name the unit or the role that performs it"))
        if step.hundredths <= 0:
            bad.append(InvalidParam(f"{where}.{step.kind}", "step_allotment_not_positive",
                                    "must be more than 0"))
        for legal in times:
            if legal.amount is not None and legal.kind != step.kind:
                bad.append(InvalidParam(f"{where}.{step.kind}", "step_allotment_kind_mismatch",
                                        f"the {legal.field} is in {legal.kind}"))
    for legal in times:
        if legal.amount is None:
            bad.append(InvalidParam(legal.field, "steps_need_working_time",
                                    f"a {legal.kind} time cannot be divided into allotments"))
    if bad:
        raise Unprocessable(f"The steps are not valid: {bad[0].reason}.", code=bad[0].code,
                            invalid_params=bad)
    total = sum(s.hundredths for s in steps)
    over = [legal for legal in times if legal.amount is not None and total > 100 * legal.amount]
    if over:
        shown = f"{total / 100:g} {steps[0].kind.replace('_', ' ')}"
        raise Unprocessable(
            f"The steps' allotments add up to {shown}, more than the legal time.",
            code="step_allotments_exceed_legal_time",
            invalid_params=[InvalidParam(
                "steps", "step_allotments_exceed_legal_time",
                f"{shown} in all; the {legal.field} is {legal.amount} "
                f"{legal.kind.replace('_', ' ')}") for legal in over])
