"""Planning realistic dossier streams as pure functions: no database, the clock passed in.

A plan is what counter software would post: a receipt body and the events after it, in time
order. Times are chosen in working time from the receipt (so "on time" means what the
calendar says), and everything after `now` is cut off, which leaves the recent dossiers open:
some within their deadline, some due within a day, some overdue.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from app.core.clock import VN_TZ
from app.demo import catalog
from app.demo.catalog import DemoProcedure, DemoUnit
from app.worktime.rules import (
    ProcessingTime,
    WorkCalendar,
    add_working_time,
    build_calendar,
    national_holidays,
)

Body = dict[str, Any]

# Month factors: the pre-Tết and year-end rushes, the quiet weeks after Tết and in summer.
_MONTH = {1: 1.15, 2: 0.85, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.05, 7: 0.95, 8: 0.95, 9: 1.0,
          10: 1.05, 11: 1.1, 12: 1.2}
_OFF_DAY_ONLINE = 0.12  # receipts on a day off (online only), relative to a working day

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
             "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh")
_MIDDLE = {"m": ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Xuân", "Công"),
           "f": ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Mai", "Phương")}
_GIVEN = {"m": ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong",
                "Quân", "Sơn", "Tuấn", "Việt", "Thắng", "Hiếu", "Đạt", "Trung"),
          "f": ("Anh", "Châu", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga",
                "Nhung", "Phương", "Tâm", "Thảo", "Trang", "Yến", "Huyền", "Oanh")}
_COMPANY = ("Hạ Long Xanh", "Vịnh Ngọc", "Bãi Cháy", "Than Việt", "Đông Bắc", "Hòn Gai",
            "Biển Bắc", "Móng Cái Trade", "Tuần Châu", "Yên Tử", "Cẩm Phả", "Vân Đồn Logistics")
_COMPANY_KIND = ("Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Hợp tác xã")
_STREETS = ("Lê Thánh Tông", "Trần Hưng Đạo", "Nguyễn Văn Cừ", "Hạ Long", "Lê Lợi",
            "Cao Thắng", "Trần Phú", "Hùng Vương", "Kênh Liêm", "Bến Đoan")
_COMPANY_PROCEDURES = frozenset({"DKKD", "YT", "CTH"})

REASONS = {
    "refused": ("Thành phần hồ sơ không đúng quy định",
                "Hồ sơ không thuộc thẩm quyền giải quyết",
                "Người nộp hồ sơ không đủ điều kiện theo quy định"),
    "supplement_requested": ("Thiếu bản sao giấy tờ tùy thân", "Tờ khai chưa đủ thông tin",
                             "Thiếu văn bản ủy quyền có chứng thực",
                             "Bản vẽ sơ đồ thửa đất chưa đúng hiện trạng"),
    "stopped": ("Quá thời hạn bổ sung hồ sơ mà người nộp không bổ sung",
                "Theo đề nghị của cơ quan phối hợp liên thông"),
    "withdrawn": ("Người nộp hồ sơ đề nghị rút hồ sơ",),
    "apology_issued": ("Cần xác minh thêm thông tin với cơ quan liên quan",
                       "Chờ ý kiến của cơ quan phối hợp liên thông",
                       "Số lượng hồ sơ tăng đột biến", "Hệ thống phần mềm gặp sự cố"),
}
DOCUMENTS = ("Bản sao Căn cước công dân", "Tờ khai theo mẫu", "Văn bản ủy quyền",
             "Trích lục bản đồ địa chính")


def calendar(years: Sequence[int]) -> WorkCalendar:
    """The demo province's calendar: the national one (swapped Saturdays included), its hours."""
    return build_calendar(catalog.WORKING_HOURS.to_rules(), years, {})


def _tet_days(years: Sequence[int]) -> list[date]:
    return sorted(d for d, name in national_holidays(years).items() if name == "Lunar New Year")


def day_weight(d: date, cal: WorkCalendar, tet: Sequence[date], growth: float) -> float:
    """Relative number of receipts on a day: season, the Tết dip, days off, a growing trend."""
    w = _MONTH[d.month] * (1 + growth)
    for t in tet:
        if timedelta(0) < t - d <= timedelta(days=10):
            w *= 1.3  # everyone wants their papers before Tết
        elif timedelta(0) <= d - t <= timedelta(days=12):
            w *= 0.55  # and nobody comes back right after it
    return w if cal.is_working_day(d) else w * _OFF_DAY_ONLINE


def receipt_times(rng: random.Random, n: int, first: date, now: datetime,
                  cal: WorkCalendar) -> list[tuple[datetime, bool]]:
    """n receipt instants from `first` to `now`, sorted, each with whether it fell in working
    hours (outside them only online filing is possible)."""
    today = now.astimezone(VN_TZ).date()
    days = [first + timedelta(days=k) for k in range((today - first).days + 1)]
    tet = _tet_days(range(first.year, today.year + 2))
    span = max(1, len(days) - 1)
    weights = [day_weight(d, cal, tet, 0.15 * k / span) for k, d in enumerate(days)]
    out = []
    for d in rng.choices(days, cum_weights=list(itertools.accumulate(weights)), k=n):
        in_hours = cal.is_working_day(d) and rng.random() < 0.9
        if in_hours:
            # Mornings are busier than afternoons at every counter.
            start, end = cal.hours.sessions[0 if rng.random() < 0.62 else -1]
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            at = datetime.combine(d, start, VN_TZ) + timedelta(minutes=rng.randrange(minutes))
        else:
            at = datetime.combine(d, time(6), VN_TZ) + timedelta(minutes=rng.randrange(17 * 60))
        if at > now:
            at, in_hours = now - timedelta(minutes=rng.randint(1, 300)), False
        out.append((at, in_hours))
    out.sort(key=lambda x: x[0])
    return out


@dataclass(frozen=True)
class Province:
    """What plans are drawn from, prepared once per run."""

    cal: WorkCalendar
    first: date
    last: date
    late_rate: dict[str, float]


# Cumulative weights for drawing a procedure (any, or one that may be filed online) and the
# commune an applicant lives in.
_PROCEDURE_CUM = list(itertools.accumulate(p.weight for p in catalog.PROCEDURES))
_ONLINE_CUM = list(itertools.accumulate(p.weight * p.online for p in catalog.PROCEDURES))
_COMMUNE_CUM = list(itertools.accumulate(u.weight for u in catalog.COMMUNES))


DOSSIERS_PER_YEAR = 10_000
"""How many demo dossiers make a year of history by default: 2,000 cover the last ten weeks,
20,000 or more the last two years, so a small run still fills the current quarter."""


def history_years(n: int) -> float:
    """The default length of the history for n dossiers, between 0.2 and 2 years."""
    return min(2.0, max(0.2, n / DOSSIERS_PER_YEAR))


def province(seed: int, first: date, last: date) -> Province:
    """The run's province: its calendar and each unit's own share of late results."""
    rng = random.Random(seed)
    cal = calendar(range(first.year - 1, last.year + 3))
    late: dict[str, float] = {}
    # Units differ: a few are late on one dossier in a hundred, most on a few percent, and
    # some communes struggle with one in five, so a ranking has a top and a bottom. The
    # departments' procedures are harder already (difficulty), so their own rates stay lower.
    for unit in catalog.AGENCIES:
        late[unit.code] = rng.choice((0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.10))
    for unit in catalog.COMMUNES:
        late[unit.code] = rng.choice((0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.10, 0.14, 0.20,
                                      0.25))
    return Province(cal, first, last, late)


def _pick(rng: random.Random, items: Sequence[Any], cum: list[float]) -> Any:
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _applicant(rng: random.Random, procedure: DemoProcedure, commune: DemoUnit) -> Body:
    if procedure.field in _COMPANY_PROCEDURES and procedure.handler:
        name = f"{rng.choice(_COMPANY_KIND)} {rng.choice(_COMPANY)} {rng.randint(1, 99)}"
        return {"kind": "organisation", "name": name,
                "id_number": f"57{rng.randrange(10**8):08d}",
                "phone": f"0203{rng.randrange(10**6):06d}",
                "address": f"Số {rng.randint(1, 400)} đường {rng.choice(_STREETS)}, "
                           f"{commune.name.lower().capitalize()}, tỉnh Quảng Ninh"}
    sex = rng.choice("mf")
    # Citizen id (CCCD): province 022, century-and-sex digit, year of birth, six digits.
    id_number = f"022{rng.choice('01')}{rng.randint(50, 99):02d}{rng.randrange(10**6):06d}"
    name = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"
    return {"kind": "person", "name": name,
            "id_number": id_number,
            "phone": f"09{rng.randrange(10**8):08d}",
            "address": f"Tổ {rng.randint(1, 30)}, khu {rng.randint(1, 12)}, "
                       f"{commune.name}, tỉnh Quảng Ninh"}


@dataclass
class _Timeline:
    """Events laid out in working time after the receipt, converted to instants on the way."""

    cal: WorkCalendar
    start: datetime
    now: datetime
    events: list[Body] = field(default_factory=list)
    offset: timedelta = timedelta(0)
    cut: bool = False

    def at(self, offset: timedelta) -> datetime:
        return add_working_time(self.cal, self.start, offset)

    def add(self, offset: timedelta, type_: str, **fields: Any) -> None:
        # Never earlier than the previous event: the service refuses events out of order.
        self.offset = max(self.offset, offset)
        at = self.at(self.offset)
        if self.cut or at > self.now:
            self.cut = True  # not happened yet: the dossier stays open
            return
        self.events.append({"id": f"e{len(self.events) + 1}", "type": type_, "at": at,
                            **fields})


def plan(p: Province, index: int, seed: int, received_at: datetime, in_hours: bool,
         now: datetime) -> tuple[Body, list[Body]]:
    """One dossier: its receipt body and the events that have happened by `now`."""
    rng = random.Random(seed * 1_000_003 + index)
    day = received_at.astimezone(VN_TZ).date()
    trend = (day - p.first).days / max(1, (p.last - p.first).days)
    if in_hours:
        procedure: DemoProcedure = _pick(rng, catalog.PROCEDURES, _PROCEDURE_CUM)
        r = rng.random()
        channel = ("online" if procedure.online and r < 0.27 + 0.2 * trend
                   else "postal" if procedure.postal and r > 0.96 else "direct")
    else:
        procedure, channel = _pick(rng, catalog.PROCEDURES, _ONLINE_CUM), "online"
    commune: DemoUnit = _pick(rng, catalog.COMMUNES, _COMMUNE_CUM)
    receiving = handling = commune.code
    transfer_to = None
    if procedure.handler:
        agency = catalog.handler(procedure.handler, day)
        if channel == "online" or rng.random() < 0.65:
            receiving, handling = catalog.CENTRE, agency
        else:
            transfer_to = agency  # filed at the commune, decided by the department (liên thông)
    # The applicant chooses at the counter whether the result comes by post (QĐ 45/2016):
    # most who filed by post, some who filed online, a few at the counter.
    by_post = procedure.postal and rng.random() < _BY_POST.get(channel, 0.04)
    receipt: Body = {"procedure": procedure.code, "receiving_unit": receiving,
                     "handling_unit": handling, "channel": channel,
                     "received_at": received_at,
                     "applicant": _applicant(rng, procedure, commune)}
    if by_post:
        receipt["return_by_post"] = True
    return receipt, _events(rng, p, procedure, transfer_to or handling, transfer_to, channel,
                            received_at, now, by_post)


_BY_POST = {"online": 0.2, "postal": 0.85}


def _events(rng: random.Random, p: Province, procedure: DemoProcedure, decider: str,
            transfer_to: str | None, channel: str, received_at: datetime,
            now: datetime, by_post: bool) -> list[Body]:
    cal = p.cal
    day = cal.hours.day_length
    amount = ProcessingTime(days=procedure.days, hours=procedure.hours).amount(cal)
    t = _Timeline(cal, received_at, now)
    u = rng.random()
    if u < 0.015:
        t.add(day * rng.uniform(0.02, 0.3), "refused", reason=rng.choice(REASONS["refused"]))
        return t.events
    first = min(amount * 0.1, day * rng.uniform(0.02, 0.4))
    if transfer_to:
        t.add(first, "transferred", to_unit=transfer_to)
    else:
        t.add(first, "processing_started")
    if u < 0.023:
        t.add(amount * rng.uniform(0.2, 0.9), "withdrawn",
              reason=rng.choice(REASONS["withdrawn"]))
        return t.events
    if u < 0.027:
        t.add(amount * rng.uniform(0.3, 0.9), "stopped", reason=rng.choice(REASONS["stopped"]))
        return t.events
    paused = timedelta(0)
    if procedure.days and rng.random() < 0.12 * procedure.difficulty:
        for n in range(1 + (rng.random() < 0.1)):
            ask = amount * rng.uniform(0.15, 0.5) + paused + day * n
            t.add(ask, "supplement_requested",
                  reason=rng.choice(REASONS["supplement_requested"]),
                  documents=[rng.choice(DOCUMENTS)])
            if rng.random() < 0.07:  # never supplied
                t.add(ask + day * rng.uniform(10, 20), "stopped",
                      reason=REASONS["stopped"][0])
                return t.events
            wait = day * rng.uniform(0.5, 6)
            t.add(ask + wait, "supplement_received")
            paused += wait
    due = amount + paused
    late = rng.random() < p.late_rate[decider] * procedure.difficulty * (
        1.4 if received_at.month in (12, 1) else 1.0)
    if late and procedure.days:
        tail = rng.random()
        # Mostly a few days late; a long tail of dossiers stuck for weeks (the overdue queue).
        share = (rng.uniform(0.02, 0.5) if tail < 0.6 else rng.uniform(0.5, 2)
                 if tail < 0.85 else rng.uniform(2, 8))
        done = due + amount * share + day * rng.uniform(0, 1)
        if rng.random() < 0.8:
            timely = rng.random() < 0.85
            when = due - day * rng.uniform(1.05, 2) if timely else due + day * rng.uniform(0, 1)
            t.add(when, "apology_issued", reason=rng.choice(REASONS["apology_issued"]),
                  new_due_at=t.at(max(done, due) + day * rng.uniform(1, 3)))
    elif late:
        done = due + timedelta(minutes=rng.randint(10, 240))
    else:
        on_the_day = rng.random() < 0.08
        done = amount * (rng.uniform(0.97, 1.0) if on_the_day else rng.uniform(0.25, 0.95))
        done += paused
    t.add(done, "resolved")
    rating: Body = {"rating": _rating(rng, late)} if rng.random() < 0.55 else {}
    if by_post:
        # The post collects results on its rounds, up to a few working days after they are
        # ready: the newest results are still in the postal feed, waiting for it.
        handed = done + day * rng.uniform(0.3, 3.5)
        t.add(handed, "returned", method="postal",
              waybill=f"EB{rng.randrange(10**9):09d}VN", **rating)
        if rng.random() < 0.95:
            t.add(handed + day * rng.uniform(0.5, 3), "delivered")
    elif rng.random() < 0.97:
        t.add(done + day * rng.uniform(0.05, 2.5), "returned", method="counter", **rating)
    return t.events


def _rating(rng: random.Random, late: bool) -> int:
    stars: int = rng.choices((5, 4, 3, 2, 1), (20, 25, 25, 15, 15) if late
                             else (62, 26, 7, 3, 2))[0]
    return stars
