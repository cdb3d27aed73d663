"""On-time statistics as pure functions (definitions in docs/figures.md).

A dossier contributes a fixed set of cells (local day, measure) -> count, derived from its
current state and timeline alone. Each day counts for the unit that held the dossier at that
day's end (its holders come from the transfers on its timeline), so a transfer changes no cell
of a day before it. The service keeps daily sums of these cells per unit and its
ancestors, updated by the difference between a dossier's cells before and after each change, so
a period's figures are sums over days and never a scan of dossiers. Running figures (pending,
overdue) are sums of +1/-1 cells up to a day, so the edges of any period come out exactly.
"""

from __future__ import annotations

import calendar as _cal
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import Any, Literal

# Re-exported: the statistics name an instant's day as every rule does.
from app.core.clock import local_day as local_day
from app.core.problems import InvalidParam, Unprocessable

ALL = "*"  # the procedure key of the all-procedures rows

FLOWS: tuple[str, ...] = (
    "received_direct", "received_online", "received_postal",
    "resolved_early", "resolved_on_time", "resolved_late",
    "refused", "withdrawn", "stopped",
    "late_apology", "late_apology_timely",
    "processing_millidays",
    "returned_counter", "returned_postal", "rated", "satisfied",
    "supplements", "multi_supplement", "financial_obligations",
    "apologies", "apologies_tardy", "apologies_second",
    "ended_by_appointment", "refused_at_receipt",
    "transferred_in", "transferred_out",
)
# Running measures: +1/-1 cells whose sum up to a day is a state at that day's end.
RUNNING: tuple[str, ...] = (
    "opened",
    "overdue_start", "overdue_stop",
    "overdue_apology_start", "overdue_apology_stop",
    "overdue_apology_timely_start", "overdue_apology_timely_stop",
    "multi_open_start", "multi_open_stop", "multi_overdue_start", "multi_overdue_stop",
)
MEASURES: tuple[str, ...] = FLOWS + RUNNING
HIST = "p:"  # cells "p:<quarter days>" feed the processing-time histogram
QUARTER_DAY = 250  # millidays
MAX_BUCKET = 4 * 500

Role = Literal["b", "h", "r", "c"]  # both, handling only, receiving only, own correction
Cell = tuple[date, str]


@dataclass(frozen=True)
class EventFact:
    """A timeline event as statistics need it."""

    type: str
    at: datetime
    flags: Mapping[str, Any]


@dataclass(frozen=True)
class Facts:
    """A dossier's state and timeline, as far as the figures depend on them."""

    procedure: str
    handling_unit: str  # the unit holding it now; earlier holders are on its transfers
    channel: str
    status: str
    received_at: datetime
    due_at: datetime
    paused_at: datetime | None
    finished_at: datetime | None
    timeliness: str | None
    processing_millidays: int | None
    returned_at: datetime | None
    return_method: str | None
    rating: int | None
    events: tuple[EventFact, ...]


Stint = tuple[date, date | None]  # [first day, first day after) a unit set held a dossier


def holders(f: Facts) -> tuple[tuple[date, str], ...]:
    """Who held the dossier at the end of each day, as (first day, unit) in order.

    A day counts for the unit holding the dossier at its end: a transfer moves the days from
    its own on, a transfer on the receipt day makes the receipt the new holder's, and several
    transfers on one day count as the last. The unit before each transfer is on its
    `from_unit` flag, the one after the last is the current handling unit."""
    transfers = [e for e in f.events if e.type == "transferred"]
    chain = [*(str(e.flags.get("from_unit", f.handling_unit)) for e in transfers),
             f.handling_unit]
    received = local_day(f.received_at)
    out = [(received, chain[0])]
    for e, unit in zip(transfers, chain[1:], strict=True):
        day = max(received, local_day(e.at))
        if out[-1][0] == day:
            out.pop()  # the day counts for the last holder of the day
        if not out:
            out.append((received, unit))
        elif out[-1][1] != unit:
            out.append((day, unit))
    return tuple(out)


def stints(timeline: Iterable[tuple[date, str]], inside: Callable[[str], bool]) -> list[Stint]:
    """The day ranges in which units for which `inside` holds kept the dossier."""
    out: list[Stint] = []
    opened: date | None = None
    for day, unit in timeline:
        if inside(unit) and opened is None:
            opened = day
        elif not inside(unit) and opened is not None:
            out.append((opened, day))
            opened = None
    if opened is not None:
        out.append((opened, None))
    return out


class _Held:
    """Cells of the days in some stints: what one unit (with its subtree) holds of a dossier."""

    def __init__(self, spans: list[Stint], received: date) -> None:
        self.spans = spans
        self.out: dict[Cell, int] = defaultdict(int)
        # Held from receipt on, for good: every day (no cell is dated before the receipt).
        self.always = spans == [(received, None)]

    def held(self, day: date) -> bool:
        return self.always or any(a <= day and (b is None or day < b) for a, b in self.spans)

    def add(self, day: date, measure: str, value: int = 1) -> None:
        """A flow cell, where the day is held."""
        if self.held(day):
            self.out[(day, measure)] += value

    def interval(self, name: str, start: date, stop: date | None) -> None:
        """Mark [start, stop) for a running measure, clipped to each stint; nothing where the
        interval is empty."""
        for a, b in self.spans:
            lo = max(start, a)
            hi = stop if b is None else b if stop is None else min(stop, b)
            if hi is not None and hi <= lo:
                continue
            self.out[(lo, f"{name}_start")] += 1
            if hi is not None:
                self.out[(hi, f"{name}_stop")] += 1


# Steps that mean a dossier was accepted and its processing began; a refusal before any of
# them is a refusal at receipt (từ chối tiếp nhận).
PROCESSING_STEPS = ("processing_started", "transferred", "step_completed",
                    "supplement_requested", "financial_obligation_requested")


def refused_at_receipt(f: Facts) -> bool:
    """Refused before any processing step: never accepted, so in no received total."""
    return f.status == "refused" and not any(e.type in PROCESSING_STEPS for e in f.events)


def cells(f: Facts, inside: Callable[[str], bool] | None = None) -> dict[Cell, int]:
    """Every cell a dossier contributes, from its current state and timeline: for the days
    units for which `inside` holds kept it (every day when None, whoever held it)."""
    received = local_day(f.received_at)
    spans: list[Stint] = [(received, None)] if inside is None else stints(holders(f), inside)
    c = _Held(spans, received)
    if not spans:
        return {}
    if refused_at_receipt(f) and f.finished_at is not None:
        c.add(local_day(f.finished_at), "refused_at_receipt")
        return {k: v for k, v in c.out.items() if v}
    c.add(received, f"received_{f.channel}")
    apologies = [e for e in f.events if e.type == "apology_issued"]
    timely_apology = bool(apologies) and not apologies[0].flags.get("tardy", False)
    finished = local_day(f.finished_at) if f.finished_at else None
    # Open from receipt until it finishes: +1/-1 at the ends of each stint inside it, and a
    # stint that begins or ends while open is a transfer into or out of these units.
    for a, b in spans:
        end = b if finished is None else finished if b is None else min(b, finished)
        if a > received:
            c.out[(a, "transferred_in")] += 1
        if b is not None:
            c.out[(b, "transferred_out")] += 1
        if end is None or a < end:
            c.out[(a, "opened")] += 1
            if end is not None:
                c.out[(end, "opened")] -= 1
    if finished is not None:
        if f.timeliness is not None:
            c.add(finished, f"resolved_{f.timeliness}")
            millidays = f.processing_millidays or 0
            c.add(finished, "processing_millidays", millidays)
            bucket = min(MAX_BUCKET, math.ceil(millidays / QUARTER_DAY))
            c.add(finished, f"{HIST}{bucket}")
            if f.timeliness == "late" and apologies:
                c.add(finished, "late_apology")
                c.add(finished, "late_apology_timely", int(timely_apology))
        else:
            c.add(finished, f.status)
    # Overdue from the appointment's day until it finishes or pauses (a paused clock is
    # never overdue); judged at day ends, against due_at, never the apology's new date.
    stops = [d for d in (finished, local_day(f.paused_at) if f.paused_at else None) if d]
    stop = min(stops) if stops else None
    due = local_day(f.due_at)
    c.interval("overdue", due, stop)
    if apologies:
        start = max(due, local_day(apologies[0].at))
        c.interval("overdue_apology", start, stop)
        if timely_apology:
            c.interval("overdue_apology_timely", start, stop)
    if f.returned_at is not None and f.return_method is not None:
        returned = local_day(f.returned_at)
        c.add(returned, f"returned_{f.return_method}")
        if f.rating is not None:
            c.add(returned, "rated")
            c.add(returned, "satisfied", int(f.rating >= 4))
    supplements = [e for e in f.events if e.type == "supplement_requested"]
    for e in supplements:
        c.add(local_day(e.at), "supplements")
    if len(supplements) > 1:
        c.add(local_day(supplements[1].at), "multi_supplement")
    for e in f.events:
        if e.type == "financial_obligation_requested":
            c.add(local_day(e.at), "financial_obligations")
    _progress(c, f, len(supplements), finished, stop)
    for e in apologies:
        day = local_day(e.at)
        c.add(day, "apologies")
        c.add(day, "apologies_tardy", int(bool(e.flags.get("tardy"))))
        c.add(day, "apologies_second", int(bool(e.flags.get("second"))))
    return {k: v for k, v in c.out.items() if v}


def _progress(c: _Held, f: Facts, supplements: int, finished: date | None,
              stop: date | None) -> None:
    """The QĐ 766 indicator 2.1 cells (docs/figures.md): ended by the appointment, and the
    running count of dossiers with a second supplement request, which never count."""
    if finished is not None and f.finished_at is not None and supplements <= 1 and (
            f.timeliness in ("early", "on_time")
            or (f.timeliness is None and f.finished_at <= f.due_at)):
        c.add(finished, "ended_by_appointment")
    if supplements > 1:
        second = local_day([e.at for e in f.events if e.type == "supplement_requested"][1])
        c.interval("multi_open", second, finished)
        c.interval("multi_overdue", max(second, local_day(f.due_at)), stop)


def ancestors(path: str) -> set[str]:
    """The codes of a materialised path: the unit and every unit above it."""
    return {c for c in path.split("/") if c}


@dataclass(frozen=True)
class Contribution:
    """Where a dossier counts and what it contributes there: per stored row (role, unit),
    its cells. Queries "by handling" read roles h and b, "by receiving" read r and b; a row
    both sides share is stored once, as b. A unit's own dossiers by handling (the days the
    unit itself held them) are its rows minus its children's plus its c rows: the correction
    where a transfer inside its subtree makes that difference wrong (a transfer between two
    children is no transfer of the parent's), so c rows exist only for transferred dossiers."""

    procedure: str
    rows: Mapping[tuple[Role, str], Mapping[Cell, int]]


def contribution(f: Facts, receiving_path: str, paths: Mapping[str, str]) -> Contribution:
    """A dossier's rows: by receiving unit, every cell at the receiving unit and its
    ancestors; by handling unit, at each unit the cells of the days its subtree held the
    dossier (`paths`: the materialised path of every unit that held it)."""
    held = {unit: ancestors(paths[unit]) for _, unit in holders(f)}
    receiving = ancestors(receiving_path)
    total = cells(f)
    by_holders: dict[frozenset[str], dict[Cell, int]] = {frozenset(held): total}

    def within(inside: frozenset[str]) -> dict[Cell, int]:
        if inside not in by_holders:
            by_holders[inside] = cells(f, inside.__contains__) if inside else {}
        return by_holders[inside]

    rows: dict[tuple[Role, str], Mapping[Cell, int]] = {}
    if len(held) == 1:  # never transferred: every unit sees every cell
        (above,) = held.values()
        for unit in receiving | above:
            role = "b" if unit in receiving and unit in above else "h" if unit in above else "r"
            rows[(role, unit)] = total  # type: ignore[index]
        return Contribution(procedure=f.procedure, rows=rows)
    handling: dict[str, dict[Cell, int]] = {}
    for unit in sorted(receiving.union(*held.values())):
        handling[unit] = within(frozenset(h for h, above in held.items() if unit in above))
        by_receipt = total if unit in receiving else {}
        shared = by_receipt if by_receipt == handling[unit] else {
            k: v for k, v in by_receipt.items() if handling[unit].get(k) == v}
        for role, part in (("b", shared),
                           ("r", {k: v for k, v in by_receipt.items() if k not in shared}),
                           ("h", {k: v for k, v in handling[unit].items() if k not in shared})):
            if part:
                rows[(role, unit)] = part  # type: ignore[index]
    if len(held) > 1:
        parent = {code: path.strip("/").split("/")[-2] if path.count("/") > 2 else None
                  for code, path in ((u, _path_of(u, paths, held)) for u in handling)}
        for unit, subtree in handling.items():
            if not subtree:
                continue
            own: Counter[Cell] = Counter(within(frozenset({unit} & set(held))))
            own.subtract(subtree)
            for child, cells_ in handling.items():
                if parent[child] == unit:
                    own.update(cells_)
            correction = {k: v for k, v in own.items() if v}
            if correction:
                rows[("c", unit)] = correction
    return Contribution(procedure=f.procedure, rows=rows)


def _path_of(unit: str, paths: Mapping[str, str], held: Mapping[str, set[str]]) -> str:
    """A unit's path, from the paths given or as the prefix of a holder's path."""
    if unit in paths:
        return paths[unit]
    for h in held:
        path = paths[h]
        cut = path.find(f"/{unit}/")
        if cut >= 0:
            return path[:cut + len(unit) + 2]
    return f"/{unit}/"


Key = tuple[Role, str, str, date]  # role, unit, procedure, day


def delta(
    old: Contribution | None, new: Contribution | None
) -> dict[Key, dict[str, int]]:
    """Per stored row, the change of each measure between two contributions."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, c in ((-1, old), (1, new)):
        if c is None:
            continue
        for (role, unit), cells_ in c.rows.items():
            for procedure in (c.procedure, ALL):
                for (day, measure), value in cells_.items():
                    out[(role, unit, procedure, day)][measure] += sign * value
    return {k: {m: v for m, v in row.items() if v} for k, row in out.items()
            if any(row.values())}


def merged_chain(code: str, path: str, merged: Mapping[str, tuple[str, str]]) -> list[str]:
    """Units whose merged_into chain leads to `code`, outside its own subtree (path).

    `merged` maps each merged unit's code to (the unit it was merged into, its own path)."""
    found: list[str] = []
    frontier = {code}
    seen = set(frontier)
    while frontier:
        frontier = {m for m, (into, _) in merged.items() if into in frontier} - seen
        seen |= frontier
        found += sorted(frontier)
    return [m for m in found if not merged[m][1].startswith(path)]


def listed(valid_from: date | None, valid_to: date | None, start: date, end: date,
           s: Sums) -> bool:
    """Whether a unit is a row of a by-unit grouping, report or ranking for [start, end]: it
    had dossiers in the period, or it existed on one of its days (abolished units with
    nothing in the period are left out)."""
    has = (any(s.flows.values()) or s.before.get("opened", 0) > 0
           or s.through_end.get("opened", 0) > 0)
    return has or ((valid_from is None or valid_from <= end)
                   and (valid_to is None or start <= valid_to))


# ---- periods -------------------------------------------------------------------------------

Grouping = Literal["month", "quarter", "year"]
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}))?$")


def parse_period(period: str) -> tuple[date, date]:
    """`2018`, `2018-Q3`, `2018-H1` or `2018-09` as inclusive local dates."""
    m = _PERIOD.match(period)
    if not m:
        raise _bad("period", "use YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM")
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        return date(year, 1, 1), date(year, 12, 31)
    if part[0] == "Q":
        first = 3 * int(part[1]) - 2
        return date(year, first, 1), _month_end(year, first + 2)
    if part[0] == "H":
        first = 6 * int(part[1]) - 5
        return date(year, first, 1), _month_end(year, first + 5)
    month = int(part)
    if not 1 <= month <= 12:
        raise _bad("period", "month must be 01-12")
    return date(year, month, 1), _month_end(year, month)


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def _bad(name: str, reason: str) -> Unprocessable:
    return Unprocessable(f"Invalid {name}: {reason}.", code="invalid_period",
                         invalid_params=[InvalidParam(name, "invalid", reason)])


def resolve_period(
    period: str | None, start: date | None, end: date | None
) -> tuple[date, date]:
    """The inclusive date range asked for, by name or by from/to."""
    if period is not None:
        if start is not None or end is not None:
            raise _bad("period", "give either period or from/to, not both")
        return parse_period(period)
    if start is None or end is None:
        raise _bad("from", "give period, or both from and to")
    if end < start:
        raise _bad("to", "must not be before from")
    if (end - start).days > 366 * 20:
        raise _bad("to", "at most 20 years")
    return start, end


def groups(start: date, end: date, by: Grouping) -> list[tuple[str, date, date]]:
    """Consecutive calendar groups covering [start, end], clipped to it, with their keys."""
    out = []
    cursor = start
    while cursor <= end:
        if by == "month":
            key = f"{cursor:%Y-%m}"
            last = _month_end(cursor.year, cursor.month)
        elif by == "quarter":
            q = (cursor.month - 1) // 3 + 1
            key = f"{cursor.year}-Q{q}"
            last = _month_end(cursor.year, 3 * q)
        else:
            key = str(cursor.year)
            last = date(cursor.year, 12, 31)
        out.append((key, cursor, min(last, end)))
        cursor = min(last, end) + timedelta(days=1)
    return out


def month_start(d: date) -> date:
    """First day of d's month: the key of the monthly rows."""
    return d.replace(day=1)


def prefix_split(point: date) -> tuple[date, date | None]:
    """How to sum every day up to `point`: whole months before the first date returned, then
    daily rows from the second (None when `point` ends its month)."""
    following = point + timedelta(days=1)
    if following.day == 1:
        return following, None
    return month_start(point), month_start(point)


def range_split(start: date, end: date) -> tuple[list[date], list[tuple[date, date]]]:
    """[start, end] as whole months (their first days) plus the leftover day ranges."""
    months: list[date] = []
    days: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        last = _month_end(cursor.year, cursor.month)
        if cursor.day == 1 and last <= end:
            months.append(cursor)
        else:
            days.append((cursor, min(last, end)))
        cursor = last + timedelta(days=1)
    return months, days


# ---- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sums:
    """What the service fetched for one group: flows over the period, running sums at its
    edges, and the processing-time histogram."""

    flows: Mapping[str, int]
    before: Mapping[str, int]  # running measures summed over days < start
    through_end: Mapping[str, int]  # running measures summed over days <= end
    through_judged: Mapping[str, int]  # running measures summed over days <= judged day
    histogram: Mapping[int, int]


def combine(terms: Iterable[tuple[int, Sums]]) -> Sums:
    """A signed sum of groups' sums (a unit's own dossiers: its subtree minus its children's)."""
    parts: dict[str, dict[Any, int]] = {k: defaultdict(int) for k in (
        "flows", "before", "through_end", "through_judged", "histogram")}
    for sign, sums in terms:
        for name, total in parts.items():
            for key, value in getattr(sums, name).items():
                total[key] += sign * value
    histogram = {k: v for k, v in parts.pop("histogram").items() if v}
    return Sums(**{name: dict(total) for name, total in parts.items()}, histogram=histogram)


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage with two decimals, rounded half up as the reports print it; None on 0/0."""
    if denominator == 0:
        return None
    if numerator >= 0 and denominator > 0:
        # The same rounding in integers (hundredths of a percent), without Decimal's cost: a
        # units x months table computes thousands of rates.
        return (20000 * numerator + denominator) // (2 * denominator) / 100
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def _overdue(s: Sums, name: str) -> int:
    # Started by the judged day (a period not over yet is judged at yesterday's end) and not
    # stopped by the period's end (so it is still pending then).
    return s.through_judged.get(f"{name}_start", 0) - s.through_end.get(f"{name}_stop", 0)


def p90(histogram: Mapping[int, int]) -> float | None:
    """Nearest-rank 90th percentile of processing times, in quarter working days.

    Buckets whose count is not positive are left out: they cannot occur in correct aggregates,
    and a damaged row must give a figure to flag (see `impossible`), not an error.
    """
    counts = {bucket: n for bucket, n in histogram.items() if n > 0}
    if not counts:
        return None
    rank = math.ceil(0.9 * sum(counts.values()))
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            break
    return bucket * QUARTER_DAY / 1000


def impossible(s: Sums) -> list[str]:
    """The measures that came out negative: every flow, running sum and bucket counts
    dossiers, so a negative one means the aggregates are damaged (`stats check` finds where)."""
    if min(chain(s.flows.values(), s.before.values(), s.through_end.values(),
                 s.through_judged.values(), s.histogram.values()), default=0) >= 0:
        return []  # the usual case, checked at C speed: a table of units x months has many
    found = [f"{part}:{name}" for part in ("flows", "before", "through_end", "through_judged")
             for name, value in getattr(s, part).items() if value < 0]
    return found + [f"histogram:{b}" for b, n in s.histogram.items() if n < 0]


def national_progress(s: Sums) -> tuple[int, int]:
    """QĐ 766 indicator 2.1 as (numerator, denominator): dossiers that ended by their
    appointment plus pending within the deadline, never one with a second supplement request,
    over total received (docs/figures.md)."""
    f = s.flows
    total = s.before.get("opened", 0) + sum(
        f.get(f"received_{c}", 0) for c in ("direct", "online", "postal"))
    within = s.through_end.get("opened", 0) - _overdue(s, "overdue")
    multi_pending = (s.through_end.get("multi_open_start", 0)
                     - s.through_end.get("multi_open_stop", 0))
    numerator = f.get("ended_by_appointment", 0) + within - (
        multi_pending - _overdue(s, "multi_overdue"))
    return numerator, total


def figures(s: Sums) -> dict[str, Any]:
    """The response block of the figures (docs/figures.md) for one unit, period and filter."""
    f = s.flows
    new = f.get("received_direct", 0) + f.get("received_online", 0) + f.get("received_postal", 0)
    carried = s.before.get("opened", 0)
    moved_in, moved_out = f.get("transferred_in", 0), f.get("transferred_out", 0)
    total = carried + new + moved_in
    # The shares are of the dossiers the unit kept: what it handed on while open is not its.
    kept = total - moved_out
    early, on_time, late = (f.get(f"resolved_{k}", 0) for k in ("early", "on_time", "late"))
    resolved = early + on_time + late
    pending = s.through_end.get("opened", 0)
    overdue = _overdue(s, "overdue")
    within = pending - overdue
    progress, _ = national_progress(s)
    late_all = late + overdue
    returned = f.get("returned_counter", 0) + f.get("returned_postal", 0)
    covered = f.get("late_apology", 0) + _overdue(s, "overdue_apology")
    timely = f.get("late_apology_timely", 0) + _overdue(s, "overdue_apology_timely")
    mean = (round(f.get("processing_millidays", 0) / resolved / 1000, 2) if resolved else None)
    return {
        "received": {"total": total, "carried_over": carried, "new": new,
                     "transferred_in": moved_in,
                     "online": f.get("received_online", 0),
                     "direct": f.get("received_direct", 0),
                     "postal": f.get("received_postal", 0)},
        "resolved": {"total": resolved, "early": early, "on_time": on_time, "late": late},
        "ended_otherwise": {k: f.get(k, 0) for k in ("refused", "withdrawn", "stopped")},
        "refused_at_receipt": f.get("refused_at_receipt", 0),
        "transferred_out": moved_out,
        "pending": {"total": pending, "within_deadline": within, "overdue": overdue},
        "rates": {
            "on_time": rate(early + on_time, resolved),
            "late": rate(late, resolved),
            "resolved": rate(resolved, kept),
            "pending": rate(pending, kept),
            "national_progress": rate(progress, kept),
            "online": rate(f.get("received_online", 0), new),
            "postal_return": rate(f.get("returned_postal", 0), returned),
            "apology_coverage": rate(covered, late_all),
            "apology_timely": rate(timely, late_all),
            "satisfaction": rate(f.get("satisfied", 0), f.get("rated", 0)),
        },
        "processing_working_days": {"mean": mean, "p90": p90(s.histogram)},
        "supplements": {"requested": f.get("supplements", 0),
                        "dossiers_with_more_than_one": f.get("multi_supplement", 0)},
        "financial_obligations": {"requested": f.get("financial_obligations", 0)},
        "apologies": {"issued": f.get("apologies", 0), "tardy": f.get("apologies_tardy", 0),
                      "second": f.get("apologies_second", 0)},
    }


def subtract(a: Mapping[str, int], b: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """a minus every mapping in b, measure by measure (a unit's own = subtree - children)."""
    out = dict(a)
    for m in b:
        for k, v in m.items():
            out[k] = out.get(k, 0) - v
    return out


# ---- late dossiers by the step that overran (interconnected processing, liên thông) --------

StepKey = tuple[int, str, str]  # the step's position, its name, the unit that held it


def overran_steps(recorded: Iterable[tuple[int, bool, Iterable[Mapping[str, Any]]]]
                  ) -> dict[StepKey, tuple[int, int]]:
    """Per step and unit that overran: from (dossier id, whether it was resolved late, the
    step records of one of its events), how many distinct dossiers the step ended late in (its
    own deadline passed), and how many of those were late against the appointment. A dossier
    that overran two steps counts for both."""
    seen: dict[StepKey, set[int]] = defaultdict(set)
    late: set[int] = set()
    for dossier, resolved_late, records in recorded:
        if resolved_late:
            late.add(dossier)
        for r in records:
            if r.get("result") == "late":
                seen[(int(r["position"]), str(r["name"]), str(r["unit"]))].add(dossier)
    return {key: (len(ids), len(ids & late)) for key, ids in sorted(seen.items())}


# ---- officers (cán bộ, công chức): figures per officer, computed at read time ---------------


@dataclass(frozen=True)
class OfficerAct:
    """One step an officer did to a dossier: the officer as named, and when."""

    officer_id: str
    officer_name: str
    at: datetime


@dataclass(frozen=True)
class OfficerRow:
    """A dossier as the officers' figures read it. An act is None when no officer was named
    for it or it was not done in the units asked about: the receipt and the return by the
    receiving unit, the result by the handling unit."""

    received: OfficerAct | None = None
    resolved: OfficerAct | None = None
    timeliness: str | None = None
    returned: OfficerAct | None = None
    rating: int | None = None


TIMELINESS: tuple[str, ...] = ("early", "on_time", "late")


def average(total: int, count: int) -> float | None:
    """total / count with two decimals, rounded half up; None when count is 0."""
    if count == 0:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"),
                                                             rounding=ROUND_HALF_UP))


def officer_figures(rows: Iterable[OfficerRow], start: date, end: date) -> list[dict[str, Any]]:
    """Per officer, in id order: dossiers received, resolved (by timeliness) and returned
    with a rating in [start, end] (local days), each counted for the officer named for that
    act. An officer is shown by the name of their latest act in the period."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, tuple[datetime, str]] = {}

    def inside(act: OfficerAct | None) -> OfficerAct | None:
        if act is None or not start <= local_day(act.at) <= end:
            return None
        seen = names.get(act.officer_id)
        if seen is None or (act.at, act.officer_name) > seen:
            names[act.officer_id] = (act.at, act.officer_name)
        return act

    for row in rows:
        if (received := inside(row.received)) is not None:
            counts[received.officer_id]["received"] += 1
        if (resolved := inside(row.resolved)) is not None and row.timeliness in TIMELINESS:
            counts[resolved.officer_id][row.timeliness] += 1
        if (returned := inside(row.returned)) is not None and row.rating is not None:
            c = counts[returned.officer_id]
            c["rated"] += 1
            c["rating_sum"] += row.rating
            c["satisfied"] += int(row.rating >= 4)
    out = []
    for officer_id in sorted(counts):
        c = counts[officer_id]
        early, on_time, late = (c[k] for k in TIMELINESS)
        resolved_total = early + on_time + late
        out.append({
            "officer": {"id": officer_id, "name": names[officer_id][1]},
            "received": c["received"],
            "resolved": {"total": resolved_total, "early": early, "on_time": on_time,
                         "late": late},
            "ratings": {"rated": c["rated"], "satisfied": c["satisfied"],
                        "average": average(c["rating_sum"], c["rated"])},
            "rates": {"on_time": rate(early + on_time, resolved_total),
                      "satisfaction": rate(c["satisfied"], c["rated"])},
        })
    return out
