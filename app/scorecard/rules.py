"""The national scorecard (Quyết định 766/QĐ-TTg) as pure functions (docs/scorecard.md).

An indicator's points are its rate scaled to its full marks, capped once the rate reaches its
threshold: points = max_points x min(1, rate / threshold). The weights (full marks, threshold,
group) are data, versioned by effective date; the version in force on a period's last day
scores that period. An indicator the service cannot compute from the data it holds is named
with the data it lacks, and counts neither in the total nor in the maximum it could reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Measure = Literal["percent", "working_days"]
Status = Literal["computed", "empty", "not_computable"]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
COST = Decimal("0.0001")


@dataclass(frozen=True)
class Weight:
    """One indicator's row of a weights version."""

    indicator: str
    group_code: int
    group_name: str
    group_max_points: Decimal
    name: str
    max_points: Decimal
    threshold: Decimal | None  # the rate (percent) that gives full marks; None: not scored
    measure: Measure
    source: str


@dataclass(frozen=True)
class Version:
    """A weights version: in force from `effective_from` until the next version's date."""

    version: int
    effective_from: date
    weights: tuple[Weight, ...]


def plain(value: Decimal) -> str:
    """A number as people write it: 20, 2.5 (not 20.00, 2.50 or 2E+1)."""
    return f"{value.normalize():f}"


def in_force(versions: Iterable[Version], day: date) -> Version | None:
    """The version in force on a day: the latest that took effect on or before it."""
    candidates = [v for v in versions if v.effective_from <= day]
    return max(candidates, key=lambda v: (v.effective_from, v.version), default=None)


def weight_problems(weights: Sequence[Weight]) -> list[tuple[str, str]]:
    """What is wrong with a weights table, as (field, reason); empty when it may be stored.

    The groups' maxima add up to 100; each group's indicators add up to its maximum, with one
    name and one maximum per group; a scored indicator has a threshold in (0, 100]; an
    informational one (not a percentage) has no points."""
    out: list[tuple[str, str]] = []
    seen = [w.indicator for w in weights]
    for twice in sorted({c for c in seen if seen.count(c) > 1}):
        out.append(("indicator", f"{twice} appears more than once"))
    groups: dict[int, list[Weight]] = {}
    for w in weights:
        groups.setdefault(w.group_code, []).append(w)
        if w.max_points < 0:
            out.append(("max_points", f"{w.indicator}: must not be negative"))
        if w.measure == "percent":
            if w.threshold is None or not 0 < w.threshold <= HUNDRED:
                out.append(("threshold", f"{w.indicator}: a percentage in (0, 100]"))
        elif w.max_points != 0 or w.threshold is not None:
            out.append(("max_points", f"{w.indicator}: a {w.measure} indicator is not scored"))
    for code, rows in sorted(groups.items()):
        if len({(w.group_name, w.group_max_points) for w in rows}) > 1:
            out.append(("group_max_points", f"group {code}: one name and one maximum"))
            continue
        total = sum((w.max_points for w in rows), Decimal(0))
        if total != rows[0].group_max_points:
            out.append(("max_points", f"group {code}: indicators add up to {plain(total)}, "
                                      f"not the group's {plain(rows[0].group_max_points)}"))
    overall = sum((rows[0].group_max_points for rows in groups.values()), Decimal(0))
    if weights and overall != HUNDRED:
        out.append(("group_max_points", f"the groups add up to {plain(overall)}, not 100"))
    if not weights:
        out.append(("indicator", "a version needs at least one indicator"))
    return out


def percent(numerator: int | Decimal, denominator: int) -> Decimal | None:
    """The exact rate in percent (unrounded); None when nothing is counted."""
    if denominator == 0:
        return None
    return Decimal(numerator) * HUNDRED / Decimal(denominator)


def rounded(value: Decimal | None, step: Decimal = CENT) -> Decimal | None:
    """Two decimals (or `step`), rounded half up as the reports print them."""
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


def points(rate: Decimal | None, max_points: Decimal, threshold: Decimal) -> Decimal | None:
    """An indicator's points from its exact rate: scaled to full marks, capped at the threshold."""
    if rate is None:
        return None
    share = min(Decimal(1), max(Decimal(0), rate) / threshold)
    return rounded(max_points * share)


def marginal_cost(numerator: int, denominator: int, w: Weight) -> Decimal:
    """The points one more dossier in the numerator would bring (what one at risk costs)."""
    if denominator == 0 or w.threshold is None:
        return Decimal(0)
    exact = [w.max_points * min(Decimal(1), percent(n, denominator) / w.threshold)  # type: ignore[operator]
             for n in (numerator, numerator + 1)]
    return rounded(exact[1] - exact[0], COST) or Decimal(0)


# ---- what the service can compute -----------------------------------------------------------

# The data each indicator needs that this service does not hold yet. An indicator listed here
# is answered as not computable, naming the missing data, never with an invented number.
MISSING: Mapping[str, tuple[str, ...]] = {
    "1.1": ("procedure publication decisions and their dates (national procedure database)",),
    "1.2": ("procedure publication dates on the national procedure database",),
    "1.3": ("the published content of each procedure (national procedure database)",),
    "3.3": ("electronic result issued, per dossier",
            "whether a procedure requires a written result"),
    "3.4": ("fee-bearing procedures and their fees",),
    "3.5": ("fee-bearing procedures and their fees", "procedures open to online payment"),
    "3.6": ("fees due and paid per dossier, with the payment channel",),
    "4.1": ("electronic result issued, per dossier",
            "whether a procedure requires a written result"),
    "4.2": ("digitised dossier components and digitised result, per dossier",
            "electronic result issued, per dossier"),
    "4.3": ("digitised data reused, per dossier",),
    "5.1": ("complaints and petitions (phản ánh, kiến nghị) and their classification",),
    "5.2": ("complaints and petitions (phản ánh, kiến nghị) and their handling deadlines",),
    "5.3": ("complaints and petitions (phản ánh, kiến nghị) and their ratings",),
    "5.4": ("complaints and petitions (phản ánh, kiến nghị) about dossiers",),
}
SYNC_OFF = ("acknowledgements of the national portal: the sync is off (PORTAL_BASE_URL unset)",)


@dataclass(frozen=True)
class Measured:
    """What the service counted for an indicator, now and (for an open period) at its end."""

    numerator: int | Decimal
    denominator: int
    forecast_numerator: int | Decimal | None = None
    forecast_denominator: int | None = None


@dataclass(frozen=True)
class Forecast:
    """An indicator at the period's end if nothing changes."""

    numerator: int | Decimal
    denominator: int
    rate: Decimal | None
    points: Decimal | None


@dataclass(frozen=True)
class Scored:
    """One indicator of the scorecard."""

    weight: Weight
    status: Status
    numerator: int | Decimal | None
    denominator: int | None
    rate: Decimal | None
    points: Decimal | None
    missing: tuple[str, ...]
    forecast: Forecast | None


def _value(w: Weight, numerator: int | Decimal, denominator: int) -> Decimal | None:
    if w.measure == "percent":
        return percent(numerator, denominator)
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def _points(w: Weight, value: Decimal | None) -> Decimal | None:
    if w.threshold is None:
        return None
    return points(value, w.max_points, w.threshold)


def score(w: Weight, measured: Measured | None, missing: tuple[str, ...] = ()) -> Scored:
    """One indicator scored from what was counted (None: not computable, `missing` says why)."""
    if measured is None:
        return Scored(w, "not_computable", None, None, None, None,
                      missing or MISSING.get(w.indicator, ("no rule computes it yet",)), None)
    value = _value(w, measured.numerator, measured.denominator)
    forecast = None
    if measured.forecast_numerator is not None and measured.forecast_denominator is not None:
        fv = _value(w, measured.forecast_numerator, measured.forecast_denominator)
        forecast = Forecast(measured.forecast_numerator, measured.forecast_denominator,
                            rounded(fv), _points(w, fv))
    return Scored(w, "empty" if measured.denominator == 0 else "computed", measured.numerator,
                  measured.denominator, rounded(value), _points(w, value), (), forecast)


@dataclass(frozen=True)
class Total:
    """Points of a group or of the whole card over its computable indicators."""

    points: Decimal
    computable_max: Decimal
    max_points: Decimal
    forecast_points: Decimal | None


def total(indicators: Iterable[Scored], max_points: Decimal, open_period: bool) -> Total:
    """The points over the indicators with a score, and the most those could give.

    An indicator without a score (not computable, or nothing to count) is in neither sum."""
    scored = [s for s in indicators if s.points is not None]
    got = sum((s.points for s in scored if s.points is not None), Decimal(0))
    reach = sum((s.weight.max_points for s in scored), Decimal(0))
    forecast = None
    if open_period:
        forecast = sum((s.forecast.points if s.forecast and s.forecast.points is not None
                        else s.points or Decimal(0) for s in scored), Decimal(0))
    return Total(got, reach, max_points, forecast)


# ---- the forecast of an open period --------------------------------------------------------

Outlook = Literal["finished", "overdue", "within", "lost"]


def outlook(*, status_open: bool, paused: bool, due_at: datetime, supplements: int,
            period_end: datetime) -> Outlook:
    """What an open dossier will be at the period's end if nothing changes.

    `period_end` is the first instant after the period. An open dossier whose appointment falls
    inside the period will be overdue then, unless its clock is paused (a paused dossier is
    never overdue); otherwise it will be pending within the deadline. A dossier with a second
    supplement request is never in indicator 2.1's numerator, whatever happens: lost already.
    """
    if not status_open:
        return "finished"
    if supplements > 1:
        return "lost"
    if not paused and due_at < period_end:
        return "overdue"
    return "within"


def at_risk(o: Outlook) -> bool:
    """Whether a dossier with this outlook costs indicator 2.1 points that action could save."""
    return o == "overdue"


# ---- a new version from a table ------------------------------------------------------------

COLUMNS = ("indicator", "group_code", "group_name", "group_max_points", "name", "max_points",
           "threshold", "measure", "source")


def parse_weights(rows: Iterable[Mapping[str, str]]) -> tuple[list[Weight], list[str]]:
    """Weights from table rows (COLUMNS, text cells), and the problems found, one per line
    ("row 3, threshold: ..."); the rows may be stored only when there is none."""
    weights: list[Weight] = []
    problems: list[str] = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        cells = {k: (row.get(k) or "").strip() for k in COLUMNS}
        try:
            threshold = cells["threshold"]
            measure = cells["measure"]
            if measure not in ("percent", "working_days"):
                raise ValueError("measure", "percent or working_days")
            for name in ("indicator", "group_name", "name", "source"):
                if not cells[name]:
                    raise ValueError(name, "required")
                if len(cells[name]) > {"indicator": 8, "group_name": 200}.get(name, 300):
                    raise ValueError(name, "too long")
            weights.append(Weight(
                indicator=cells["indicator"], group_code=_group(cells),
                group_name=cells["group_name"],
                group_max_points=_decimal(cells, "group_max_points"),
                name=cells["name"], max_points=_decimal(cells, "max_points"),
                threshold=_decimal(cells, "threshold") if threshold else None,
                measure="percent" if measure == "percent" else "working_days",
                source=cells["source"]))
        except ValueError as exc:
            problems.append(f"row {n}, {exc.args[0]}: {exc.args[1]}")
    if not problems:
        problems = [f"{field}: {reason}" for field, reason in weight_problems(weights)]
    return weights, problems


def _decimal(cells: Mapping[str, str], name: str) -> Decimal:
    try:
        value = Decimal(cells[name])
    except ArithmeticError:
        raise ValueError(name, "a number") from None
    if not value.is_finite() or abs(value) >= 10_000 or value != value.quantize(CENT):
        raise ValueError(name, "a number with at most two decimals, below 10,000")
    return value


def _group(cells: Mapping[str, str]) -> int:
    text = cells["group_code"]
    if not text.isdigit() or not 0 < int(text) < 100:
        raise ValueError("group_code", "a group number from 1 to 99")
    return int(text)
