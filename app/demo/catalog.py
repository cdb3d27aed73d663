"""The demo province: its units, procedures and calendar, as plain data.

Names are real Vietnamese administrative names (the wards and communes of Quảng Ninh after the
1 July 2025 reform, the provincial departments before and after their 1 March 2025 mergers);
codes follow the national format of unit codes (mã định danh, `000.00.xx.H12`) and procedure
codes (`1.001193`), but the numbers are illustrative, not the official register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from app.catalog.schemas import Level, WorkingHoursIn

PROVINCE = "000.00.00.H12"
CENTRE = "000.00.01.H12"
# Northern provinces commonly work 07:30-11:30 and 13:30-17:00 (working hours per unit).
WORKING_HOURS = WorkingHoursIn(sessions=[(time(7, 30), time(11, 30)), (time(13, 30), time(17))])
# 1 March 2025: the departments merged (Nghị quyết 176/2025/QH15 and the provinces' decisions).
DEPARTMENT_MERGER = date(2025, 3, 1)


@dataclass(frozen=True)
class DemoUnit:
    """A unit of the demo tree; `weight` is its relative share of receipts."""

    code: str
    name: str
    level: Level
    weight: float = 0.0
    valid_from: date | None = None
    valid_to: date | None = None
    merged_into: str | None = None


def _agency(n: int, name: str, merged_into: int | None = None, opened: bool = False
            ) -> DemoUnit:
    """A department; `merged_into` closes it on the eve of the merger."""
    return DemoUnit(
        f"000.00.{n:02d}.H12", name, "agency",
        valid_from=DEPARTMENT_MERGER if opened else None,
        valid_to=DEPARTMENT_MERGER - timedelta(days=1) if merged_into else None,
        merged_into=f"000.00.{merged_into:02d}.H12" if merged_into else None,
    )


AGENCIES: tuple[DemoUnit, ...] = (
    _agency(1, "Trung tâm Phục vụ hành chính công tỉnh"),
    _agency(2, "Sở Tư pháp"),
    _agency(3, "Sở Tài nguyên và Môi trường", merged_into=11),
    _agency(4, "Sở Kế hoạch và Đầu tư", merged_into=12),
    _agency(5, "Sở Xây dựng"),
    _agency(6, "Sở Lao động - Thương binh và Xã hội", merged_into=13),
    _agency(7, "Sở Giao thông vận tải", merged_into=5),
    _agency(8, "Sở Y tế"),
    _agency(9, "Sở Công Thương"),
    _agency(10, "Sở Giáo dục và Đào tạo"),
    _agency(11, "Sở Nông nghiệp và Môi trường", opened=True),
    _agency(12, "Sở Tài chính"),
    _agency(13, "Sở Nội vụ"),
)

# (name, relative population): the cities' wards file far more than the island communes.
_COMMUNES = (
    ("Phường Hạ Long", 6), ("Phường Bãi Cháy", 5), ("Phường Hồng Gai", 5),
    ("Phường Hà Tu", 3), ("Phường Hà Lầm", 3), ("Phường Cao Xanh", 3), ("Phường Việt Hưng", 2),
    ("Phường Tuần Châu", 2), ("Phường Hoành Bồ", 2), ("Phường Cẩm Phả", 5),
    ("Phường Quang Hanh", 3), ("Phường Cửa Ông", 3), ("Phường Mông Dương", 2),
    ("Phường Móng Cái 1", 4), ("Phường Móng Cái 2", 2), ("Phường Uông Bí", 4),
    ("Phường Vàng Danh", 2), ("Phường Yên Tử", 1), ("Phường Đông Triều", 3),
    ("Phường Mạo Khê", 3), ("Phường Quảng Yên", 3), ("Phường Hà An", 2),
    ("Xã Tiên Yên", 2), ("Xã Đầm Hà", 2), ("Xã Quảng Hà", 2), ("Xã Bình Liêu", 1),
    ("Xã Ba Chẽ", 1), ("Đặc khu Vân Đồn", 2), ("Đặc khu Cô Tô", 0.5),
)
COMMUNES: tuple[DemoUnit, ...] = tuple(
    DemoUnit(f"000.00.{20 + i:02d}.H12", name, "commune", weight)
    for i, (name, weight) in enumerate(_COMMUNES)
)

# Which department decides a kind of provincial procedure, before and after the mergers.
HANDLERS: dict[str, tuple[str, str]] = {
    "land": ("000.00.03.H12", "000.00.11.H12"),
    "business": ("000.00.04.H12", "000.00.12.H12"),
    "labour": ("000.00.06.H12", "000.00.13.H12"),
    "transport": ("000.00.07.H12", "000.00.05.H12"),
    "construction": ("000.00.05.H12", "000.00.05.H12"),
    "justice": ("000.00.02.H12", "000.00.02.H12"),
    "health": ("000.00.08.H12", "000.00.08.H12"),
    "trade": ("000.00.09.H12", "000.00.09.H12"),
    "education": ("000.00.10.H12", "000.00.10.H12"),
}


def handler(kind: str, day: date) -> str:
    """The department deciding a `kind` of provincial procedure on `day`."""
    before, after = HANDLERS[kind]
    return before if day < DEPARTMENT_MERGER else after


@dataclass(frozen=True)
class DemoProcedure:
    """A procedure; `handler` is None for commune procedures, else a HANDLERS kind."""

    code: str
    name: str
    field: str
    days: int | None
    hours: int | None
    weight: float
    handler: str | None = None
    online: bool = True
    postal: bool = True
    difficulty: float = 1.0  # multiplies the unit's late rate


FIELDS = {
    "HT": "Hộ tịch", "CT": "Chứng thực", "DD": "Đất đai", "DKKD": "Đăng ký kinh doanh",
    "XD": "Xây dựng", "TP": "Tư pháp", "LD": "Lao động, việc làm", "BTXH": "Bảo trợ xã hội",
    "GT": "Giao thông vận tải", "YT": "Y tế", "CTH": "Công thương", "GD": "Giáo dục",
}


def _p(code: str, name: str, field: str, time: str, weight: float, handler: str | None = None,
       *, online: bool = True, postal: bool = True, difficulty: float = 1.0) -> DemoProcedure:
    """A procedure; `time` is "5" (working days) or "4h" (working hours)."""
    days, hours = (None, int(time[:-1])) if time.endswith("h") else (int(time), None)
    return DemoProcedure(code, name, field, days, hours, weight, handler, online, postal,
                         difficulty)


PROCEDURES: tuple[DemoProcedure, ...] = (
    _p("1.001193", "Đăng ký khai sinh", "HT", "1", 9, postal=False),
    _p("1.000894", "Đăng ký kết hôn", "HT", "3", 4, online=False, postal=False),
    _p("1.000656", "Đăng ký khai tử", "HT", "1", 2),
    _p("1.004884", "Cấp bản sao trích lục hộ tịch", "HT", "8h", 5),
    _p("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "HT", "3", 6),
    _p("1.004859", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "HT", "3", 2,
       difficulty=1.3),
    _p("1.001022", "Đăng ký nhận cha, mẹ, con", "HT", "3", 0.5, online=False),
    _p("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "CT", "4h", 14,
       online=False),
    _p("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "CT", "4h", 6,
       online=False, postal=False),
    _p("2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", "CT",
       "2", 2, online=False),
    _p("2.001009", "Chứng thực văn bản thỏa thuận phân chia di sản", "CT", "3", 1,
       online=False),
    _p("1.001990", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
       "DD", "10", 7, "land", difficulty=2.2),
    _p("1.004227", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "DD", "20", 3, "land",
       difficulty=2.8),
    _p("1.002273", "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", "DD", "3", 4,
       "land"),
    _p("1.003003", "Cấp đổi, cấp lại Giấy chứng nhận quyền sử dụng đất", "DD", "7", 2, "land",
       difficulty=1.8),
    _p("1.001045", "Tách thửa hoặc hợp thửa đất", "DD", "15", 1.5, "land", difficulty=2.5),
    _p("2.001610", "Đăng ký thành lập doanh nghiệp", "DKKD", "3", 3, "business"),
    _p("2.002011", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "DKKD", "3", 4, "business"),
    _p("2.001199", "Thông báo tạm ngừng kinh doanh", "DKKD", "3", 1, "business"),
    _p("2.000575", "Giải thể doanh nghiệp", "DKKD", "5", 0.5, "business"),
    _p("2.000720", "Đăng ký thành lập hộ kinh doanh", "DKKD", "3", 3),
    _p("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", "15", 2.5, difficulty=1.8),
    _p("1.009974", "Cấp giấy phép xây dựng công trình", "XD", "20", 0.6, "construction",
       difficulty=2.0),
    _p("1.009972", "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng", "XD", "30", 0.3,
       "construction", postal=False, difficulty=2.0),
    _p("1.009982", "Cấp chứng chỉ hành nghề hoạt động xây dựng", "XD", "20", 0.5,
       "construction"),
    _p("2.000488", "Cấp Phiếu lý lịch tư pháp", "TP", "10", 4, "justice"),
    _p("1.001877", "Đăng ký hoạt động văn phòng công chứng", "TP", "10", 0.1, "justice",
       postal=False),
    _p("1.000459", "Cấp giấy phép lao động cho người lao động nước ngoài", "LD", "5", 0.8,
       "labour"),
    _p("1.001978", "Giải quyết hưởng trợ cấp thất nghiệp", "LD", "20", 1.5, "labour"),
    _p("1.001959", "Đăng ký nội quy lao động của doanh nghiệp", "LD", "7", 0.3, "labour"),
    _p("1.001776", "Thực hiện trợ cấp xã hội hằng tháng", "BTXH", "10", 1.5, difficulty=1.4),
    _p("1.002804", "Cấp đổi giấy phép lái xe", "GT", "5", 3, "transport"),
    _p("1.002861", "Cấp phù hiệu xe ô tô kinh doanh vận tải", "GT", "2", 1, "transport"),
    _p("1.004602", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "YT", "20", 0.3, "health",
       difficulty=1.6),
    _p("1.001621", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "YT", "20", 0.5,
       "health"),
    _p("2.000633", "Cấp giấy phép bán lẻ sản phẩm rượu", "CTH", "10", 0.4, "trade"),
    _p("1.005092", "Chỉnh sửa nội dung văn bằng, chứng chỉ", "GD", "5", 0.4, "education"),
)
