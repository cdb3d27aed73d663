"""Realistic request bodies: receipts and the event streams that follow them.

Every time is in the past and increases along a dossier's timeline, as a counter that
posts its day's work (or an offline counter catching up) would send them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.clock import VN_TZ

PROVINCE = "000.00.00.B01"
COMMUNES = tuple(f"000.00.{n:02d}.B01" for n in range(10, 30))
# (code, working days, working hours): most procedures count days, a few count hours.
PROCEDURES = (("2.000001", 5, None), ("2.000002", 10, None), ("2.000003", None, 8))
CHANNELS = ("direct", "online", "postal")
CHANNEL_WEIGHTS = (6, 3, 1)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Long", "Ngọc Lan")
STREETS = ("Tràng Tiền", "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng")


@dataclass(frozen=True)
class Receipt:
    """One receipt body and the instant the dossier was received."""

    ref: str
    at: datetime
    body: dict[str, Any]


def receipt(rng: random.Random, ref: str, now: datetime) -> Receipt:
    """A receipt 20 to 200 days ago, during office hours, at a random commune."""
    day = (now - timedelta(days=rng.randint(20, 200))).astimezone(VN_TZ)
    at = day.replace(hour=rng.choice((7, 8, 9, 10, 13, 14, 15, 16)), minute=rng.randint(0, 59),
                     second=rng.randint(0, 59), microsecond=0)
    procedure = rng.choice(PROCEDURES)[0]
    body = {
        "procedure": procedure,
        "receiving_unit": rng.choice(COMMUNES),
        "channel": rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
        "received_at": at.isoformat(),
        "applicant": {
            "kind": "person",
            "name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
            "id_number": f"0010{rng.randrange(10**8):08d}",
            "phone": f"09{rng.randrange(10**8):08d}",
            "address": f"Số {rng.randint(1, 300)} {rng.choice(STREETS)}, Hà Nội",
        },
        "client_ref": ref,
    }
    return Receipt(ref, at, body)


def events(rng: random.Random, r: Receipt) -> Iterator[dict[str, Any]]:
    """The events after a receipt: processing, maybe a supplement round, result, return.

    About one in twenty applicants withdraws instead; the last event is at most ten days after
    the receipt, so with receipts at least 20 days old every time stays in the past.
    """
    at = r.at
    n = 0

    def event(type_: str, after: timedelta, **fields: Any) -> dict[str, Any]:
        nonlocal at, n
        at += after
        n += 1
        return {"id": f"{r.ref}-e{n}", "type": type_, "at": at.isoformat(), **fields}

    yield event("processing_started", timedelta(hours=2))
    if rng.random() < 0.05:
        yield event("withdrawn", timedelta(days=1), reason="Người nộp rút hồ sơ")
        return
    if rng.random() < 0.15:
        yield event("supplement_requested", timedelta(days=1),
                    reason="Thiếu bản sao giấy khai sinh", documents=["Giấy khai sinh (bản sao)"])
        yield event("supplement_received", timedelta(days=2))
    yield event("resolved", timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5)))
    method = "postal" if rng.random() < 0.1 else "counter"
    extra: dict[str, Any] = {"method": method, "rating": rng.choice((None, 4, 5, 5, 3))}
    if method == "postal":
        extra["waybill"] = f"EB{rng.randrange(10**9):09d}VN_TZ"
    yield event("returned", timedelta(hours=rng.randint(1, 30)), **extra)
