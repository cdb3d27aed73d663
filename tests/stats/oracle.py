"""A straightforward per-dossier recomputation of the figures, written from the definitions
in docs/figures.md and nothing else, to check what the aggregates answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.core.clock import VN_TZ


def day(text: str | None) -> date | None:
    return datetime.fromisoformat(text).astimezone(VN_TZ).date() if text else None


def pct(a: int, b: int) -> float | None:
    if b == 0:
        return None
    return float((Decimal(a) * 100 / b).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass
class Query:
    units: set[str]  # dossiers of these units count
    by: str  # "handling" or "receiving"
    start: date
    end: date
    judged: date  # overdue is judged at the end of this day
    procedures: set[str] | None = None


def holder_on(d: dict[str, Any]) -> Any:
    """The unit holding a dossier at the end of a day, from its receipt and its transfers'
    destinations (the last transfer of a day counts)."""
    timeline = d["timeline"]
    first = next((e["details"]["handling_unit"] for e in timeline if e["type"] == "received"),
                 None) or d["handling_unit"]
    moves = [(day(e["at"]), e["details"]["to_unit"]) for e in timeline
             if e["type"] == "transferred"]

    def on(x: date) -> str:
        unit = first
        for moved, to in moves:
            if moved is not None and moved <= x:
                unit = to
        return str(unit)
    return on


def _owner(d: dict[str, Any], q: Query) -> Any:
    """Whether the query's units held the dossier at the end of a day."""
    holder = holder_on(d)

    def owns(x: date) -> bool:
        unit = holder(x) if q.by == "handling" else d["receiving_unit"]
        return bool(unit in q.units)
    return owns


def figures(dossiers: list[dict[str, Any]], q: Query) -> dict[str, Any]:
    """Classify each dossier (GET /dossiers/{code} bodies with timelines) for the query: by
    handling unit, each day counts for the unit holding the dossier at that day's end."""
    c: dict[str, int] = dict.fromkeys(
        ["carried", "new", "online", "direct", "postal", "early", "on_time", "late", "refused",
         "withdrawn", "stopped", "pending", "overdue", "late_apology", "late_timely",
         "returned", "returned_postal", "rated", "satisfied", "supplements", "multi",
         "apologies", "tardy", "second", "ended_by_appointment", "multi_within",
         "refused_at_receipt", "obligations", "moved_in", "moved_out"], 0)
    processing: list[float] = []
    for d in dossiers:
        if q.procedures and d["procedure"] not in q.procedures:
            continue
        received, finished = day(d["received_at"]), day(d["finished_at"])
        assert received is not None
        owns = _owner(d, q)

        def in_p(x: date | None, owns: Any = owns) -> bool:
            return x is not None and q.start <= x <= q.end and bool(owns(x))

        timeline = d["timeline"]
        if d["status"] == "refused" and not any(
                e["type"] in ("processing_started", "transferred", "step_completed",
                              "supplement_requested", "financial_obligation_requested")
                for e in timeline):
            # refused at receipt: never accepted, counted apart and nowhere else
            c["refused_at_receipt"] += in_p(finished)
            continue
        apologies = [e for e in timeline if e["type"] == "apology_issued"]
        supplements = [e for e in timeline if e["type"] == "supplement_requested"]
        if received < q.start and (finished is None or finished >= q.start) and owns(
                q.start - timedelta(days=1)):
            c["carried"] += 1
        # a day on which the holder changed moves the dossier into or out of these units
        moved = sorted({x for x in (day(e["at"]) for e in timeline if e["type"] == "transferred")
                        if x is not None and x > received})
        for x in moved:
            if q.start <= x <= q.end and owns(x) != owns(x - timedelta(days=1)):
                c["moved_in" if owns(x) else "moved_out"] += 1
        # the first day of the run of days these units held it up to the period's end
        entered = max([x for x in moved if x <= q.end and owns(x)
                       and not owns(x - timedelta(days=1))], default=received)
        if in_p(received):
            c["new"] += 1
            c[d["channel"]] += 1
        multi = len(supplements) > 1
        if in_p(finished) and not multi and (
                d["timeliness"] in ("early", "on_time")
                or (not d["timeliness"] and d["finished_at"] is not None
                    and datetime.fromisoformat(d["finished_at"])
                    <= datetime.fromisoformat(d["due_at"]))):
            c["ended_by_appointment"] += 1
        if in_p(finished):
            if d["timeliness"]:
                c[d["timeliness"]] += 1
                processing.append(round(d["processing_working_days"] * 1000))
                if d["timeliness"] == "late" and apologies:
                    c["late_apology"] += 1
                    c["late_timely"] += not apologies[0]["flags"]["tardy"]
            else:
                c[d["status"]] += 1
        pending = received <= q.end and (finished is None or finished > q.end) and owns(q.end)
        if pending:
            c["pending"] += 1
            paused_by_end = d["paused"] and day(_last_pause(d)) <= q.end  # type: ignore[operator]
            due = day(d["due_at"])
            assert due is not None
            # judged at the judged day's end, and only where the dossier was then held
            overdue = not paused_by_end and due <= q.judged and entered <= q.judged
            if multi:
                second = day(supplements[1]["at"])
                assert second is not None
                # judged like overdue: a second request made after the judged day is not late
                c["multi_within"] += second <= q.end and not (overdue and second <= q.judged)
            if overdue:
                c["overdue"] += 1
                if apologies and day(apologies[0]["at"]) <= q.judged:  # type: ignore[operator]
                    c["late_apology"] += 1
                    c["late_timely"] += not apologies[0]["flags"]["tardy"]
        if in_p(day(d["returned_at"])):
            c["returned"] += 1
            c["returned_postal"] += d["return_method"] == "postal"
            if d["rating"] is not None:
                c["rated"] += 1
                c["satisfied"] += d["rating"] >= 4
        c["supplements"] += sum(in_p(day(e["at"])) for e in supplements)
        c["multi"] += len(supplements) > 1 and in_p(day(supplements[1]["at"]))
        c["obligations"] += sum(in_p(day(e["at"])) for e in timeline
                                if e["type"] == "financial_obligation_requested")
        for e in apologies:
            if in_p(day(e["at"])):
                c["apologies"] += 1
                c["tardy"] += e["flags"]["tardy"]
                c["second"] += e["flags"]["second"]
    total = c["carried"] + c["new"] + c["moved_in"]
    kept = total - c["moved_out"]  # the shares are of what the unit did not hand on
    resolved = c["early"] + c["on_time"] + c["late"]
    within = c["pending"] - c["overdue"]
    late_all = c["late"] + c["overdue"]
    quarters = sorted(math.ceil(m / 250) / 4 for m in processing)
    return {
        "received": {"total": total, "carried_over": c["carried"], "new": c["new"],
                     "transferred_in": c["moved_in"],
                     "online": c["online"], "direct": c["direct"], "postal": c["postal"]},
        "resolved": {"total": resolved, "early": c["early"], "on_time": c["on_time"],
                     "late": c["late"]},
        "ended_otherwise": {"refused": c["refused"], "withdrawn": c["withdrawn"],
                            "stopped": c["stopped"]},
        "refused_at_receipt": c["refused_at_receipt"],
        "transferred_out": c["moved_out"],
        "pending": {"total": c["pending"], "within_deadline": within, "overdue": c["overdue"]},
        "rates": {
            "on_time": pct(c["early"] + c["on_time"], resolved),
            "late": pct(c["late"], resolved),
            "resolved": pct(resolved, kept),
            "pending": pct(c["pending"], kept),
            # QĐ 766 indicator 2.1: ended by the appointment + pending within the deadline,
            # never a dossier with more than one supplement request.
            "national_progress": pct(c["ended_by_appointment"] + within - c["multi_within"],
                                     kept),
            "online": pct(c["online"], c["new"]),
            "postal_return": pct(c["returned_postal"], c["returned"]),
            "apology_coverage": pct(c["late_apology"], late_all),
            "apology_timely": pct(c["late_timely"], late_all),
            "satisfaction": pct(c["satisfied"], c["rated"]),
        },
        "processing_working_days": {
            "mean": round(sum(processing) / len(processing) / 1000, 2) if processing else None,
            "p90": quarters[math.ceil(0.9 * len(quarters)) - 1] if quarters else None},
        "supplements": {"requested": c["supplements"], "dossiers_with_more_than_one": c["multi"]},
        "financial_obligations": {"requested": c["obligations"]},
        "apologies": {"issued": c["apologies"], "tardy": c["tardy"], "second": c["second"]},
    }


def _last_pause(d: dict[str, Any]) -> str:
    """When the running pause began: the last request of either kind."""
    return str([e for e in d["timeline"] if e["type"] in (
        "supplement_requested", "financial_obligation_requested")][-1]["at"])
