"""Pure derivations for the forms: the control sheet's rows from a dossier's timeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from app.worktime.rules import timeliness

from .context import ControlSheetRow

# Events that end the current holder's step; a transfer also starts the next one.
_CLOSING = frozenset({"transferred", "resolved", "refused", "stopped", "withdrawn"})


@dataclass(frozen=True)
class Step:
    """A timeline event as the control sheet needs it; units already given by name."""

    type: str
    at: datetime
    from_unit: str | None = None
    to_unit: str | None = None


def _finish(row: ControlSheetRow, at: datetime) -> ControlSheetRow:
    assert row.step_deadline is not None  # every derived row has the appointment
    return replace(row, finished_at=at, result=timeliness(at, row.step_deadline))


def control_sheet_rows(
    counter: str, first_handler: str, received_at: datetime, due_at: datetime,
    steps: list[Step], returned_at: datetime | None,
) -> list[ControlSheetRow]:
    """One row per handoff: counter to handler, each transfer, and the result back.

    No per-step legal time exists in the data, so each step is judged against the dossier's
    appointment (moved by pauses): a step that ends after it is late.
    """
    rows = [ControlSheetRow("Tiếp nhận, chuyển hồ sơ", counter, first_handler, received_at,
                            due_at)]
    for step in steps:
        if step.type not in _CLOSING:
            continue
        rows[-1] = _finish(rows[-1], step.at)
        if step.type == "transferred":
            rows.append(ControlSheetRow("Chuyển xử lý liên thông", step.from_unit or "",
                                        step.to_unit or "", step.at, due_at))
            continue
        if step.type == "resolved":
            rows.append(ControlSheetRow("Trả kết quả giải quyết", rows[-1].to_unit, counter,
                                        step.at, due_at))
            if returned_at is not None:
                rows[-1] = _finish(rows[-1], returned_at)
        break  # the dossier has ended: nothing later hands it on
    return rows
