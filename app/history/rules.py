"""A history row read into the API's own bodies: pure, no database, no clock.

One row is one dossier of the previous system: the receipt's fields (the body of
`POST /api/v1/dossiers`) and its `events`, each the body of an event without its `id`. Three
things differ from the API, because a file is not a live request:
- `client_ref` is required: it is the dossier's id in the previous system, and what makes a
  second run of the same file change nothing;
- an event without an `id` gets one derived from its place in the row (`history-1`,
  `history-2`...), so the same row always posts the same events;
- a time without an offset is Vietnamese time. The API refuses it because a live caller's
  clock may be anywhere; an export of a Vietnamese one-stop system is written on Vietnamese
  wall clocks, a spreadsheet cell cannot hold an offset at all, and Vietnam keeps one offset
  (+07:00) all year, so every such time names exactly one instant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from app.core.clock import VN_TZ

Row = dict[str, Any]
Outcome = Literal["created", "updated", "unchanged"]
OUTCOMES: tuple[str, ...] = ("created", "updated", "unchanged", "refused")
# Time fields of a receipt and of an event; the only values read as local time.
RECEIPT_TIMES = ("received_at",)
EVENT_TIMES = ("at", "new_due_at")
_LOCAL_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Refusal:
    """Why a row was not imported: its number in the file, the field, the reason."""

    row: int
    field: str
    reason: str


class RowError(ValueError):
    """A row that cannot be read into bodies at all: (field, reason) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {r}" for f, r in problems))
        self.problems = problems


def local_instant(value: object) -> object:
    """An ISO time without an offset, as Vietnamese time with its offset; anything else as it
    is, for the API's own validation to accept or refuse with its own words."""
    if isinstance(value, str) and _LOCAL_INSTANT.fullmatch(value.strip()):
        return datetime.fromisoformat(value.strip()).replace(tzinfo=VN_TZ).isoformat()
    return value


def event_id(position: int) -> str:
    """The id of the row's event at `position` (1-based) when the file gives none."""
    return f"history-{position}"


def unflatten(cells: dict[str, str]) -> Row:
    """A CSV or spreadsheet row (column -> text) as the JSON object a JSONL line would hold.

    A dotted column is a nested field (`applicant.name`); a numbered part is a list's place
    (`events.1.at`, from 1); a cell starting with `[` or `{` is JSON; `true` and `false` are
    booleans; everything else stays text for the API's validation to read.
    """
    out: Row = {}
    problems: list[tuple[str, str]] = []
    for name, text in cells.items():
        value: Any
        if text[:1] in "[{":
            try:
                value = json.loads(text)
            except ValueError as exc:
                problems.append((name, f"not valid JSON: {exc}"))
                continue
        else:
            value = _BOOLEANS.get(text.lower(), text)
        target = out
        *parents, leaf = name.split(".")
        for part in parents:
            nested = target.setdefault(part, {})
            if not isinstance(nested, dict):
                problems.append((name, f"'{part}' is given both as a value and as columns"))
                break
            target = nested
        else:
            target[leaf] = value
    if problems:
        raise RowError(problems)
    events = out.get("events")
    if isinstance(events, dict):
        out["events"] = _numbered(events)
    return out


def _numbered(columns: dict[str, Any]) -> list[Any]:
    """{"1": {...}, "2": {...}} (from `events.N.field` columns) as a list in number order."""
    bad = [k for k in columns if not k.isdigit() or int(k) < 1]
    if bad:
        raise RowError([(f"events.{bad[0]}", "events columns are numbered from 1: events.1.at")])
    return [columns[k] for k in sorted(columns, key=int)]


def split(row: Row) -> tuple[Row, list[Row]]:
    """The receipt body and the events of a row, times read as local when without offset and
    event ids derived when missing; raises RowError for a row of the wrong shape."""
    if not isinstance(row, dict):
        raise RowError([("row", "must be an object (one dossier)")])
    receipt = {k: v for k, v in row.items() if k != "events"}
    if not isinstance(receipt.get("client_ref"), str) or not receipt["client_ref"].strip():
        raise RowError([("client_ref", "required: the dossier's id in the previous system, "
                                       "which makes a second import of the row change nothing")])
    for name in RECEIPT_TIMES:
        if name in receipt:
            receipt[name] = local_instant(receipt[name])
    events = row.get("events", [])
    if not isinstance(events, list):
        raise RowError([("events", "must be a list of events")])
    shaped: list[Row] = []
    for position, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise RowError([(f"events.{position}", "must be an object (one event)")])
        shaped.append({"id": event_id(position),
                       **{k: local_instant(v) if k in EVENT_TIMES else v
                          for k, v in event.items()}})
    return receipt, shaped


T = TypeVar("T")


def in_order(events: Iterable[tuple[int, T]], at: Callable[[T], datetime]
             ) -> list[tuple[int, T]]:
    """A row's (position, event) pairs in the order they happened; events at the same instant
    keep the file's order (a result returned the minute it was issued)."""
    return sorted(events, key=lambda pair: at(pair[1]))


def outcome(receipt_replayed: bool, events_replayed: Iterable[bool]) -> Outcome:
    """What importing a row did: a new dossier, new events on a known one, or nothing."""
    if not receipt_replayed:
        return "created"
    return "unchanged" if all(events_replayed) else "updated"


def groups(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    """Consecutive groups of `size` rows (the last one shorter)."""
    group: list[T] = []
    for row in rows:
        group.append(row)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group
