"""A stand-in national portal on loopback: checks every payload against the documented field
table, stores what it accepted, and can be down, refuse, answer late or acknowledge twice."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from tests.loopback import QuietHandler, serving

DATE = re.compile(r"\d{14}")
DOSSIER_REQUIRED = ("MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "LoaiDoiTuong",
                    "SoDienThoai", "TrichYeuHoSo", "DonViXuLy", "NgayTiepNhan", "NgayHenTra",
                    "TrangThaiHoSo", "HinhThuc")
DOSSIER_OPTIONAL = ("ChuHoSo", "NgayTra", "NgayKetThucXuLy")
STEP_REQUIRED = ("MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai")
STEP_OPTIONAL = ("ChucDanh", "PhongBanXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")
REQUIRED_DATES = ("NgayTiepNhan", "NgayHenTra", "ThoiDiemXuLy")
OPTIONAL_DATES = ("NgayTra", "NgayKetThucXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")
CODES = {str(n) for n in range(1, 11)}
SESSION = "phien-lam-viec-1"



def shape_errors(service: str, body: dict[str, Any]) -> list[str]:
    """What is wrong with a call's body, by the field table of docs/portal-sync.md."""
    errors = []
    required: tuple[str, ...]
    optional: tuple[str, ...]
    if service == "DongBoHoSoMC":
        if body.get("isUpdating") not in ("True", "False"):
            errors.append(f"isUpdating {body.get('isUpdating')!r}")
        required, optional, status = DOSSIER_REQUIRED, DOSSIER_OPTIONAL, "TrangThaiHoSo"
    else:
        required, optional, status = STEP_REQUIRED, STEP_OPTIONAL, "TrangThai"
    items = body.get("data")
    if not isinstance(items, list) or not items:
        return [*errors, "data must be a non-empty list"]
    for item in items:
        errors += [f"missing {k}" for k in required if not item.get(k)]
        errors += [f"unknown {k}" for k in item if k not in required + optional]
        errors += [f"{k} not a string" for k, v in item.items() if not isinstance(v, str)]
        errors += [f"{k} {item[k]!r}" for k in REQUIRED_DATES
                   if k in item and not DATE.fullmatch(str(item[k]))]
        errors += [f"{k} {item[k]!r}" for k in OPTIONAL_DATES
                   if item.get(k) and not DATE.fullmatch(str(item[k]))]
        if item.get(status) not in CODES:
            errors.append(f"{status} {item.get(status)!r}")
    return errors


@dataclass
class Portal:
    """What the portal holds, and how it misbehaves on the next calls."""

    url: str = ""
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    acks: dict[str, int] = field(default_factory=dict)  # acknowledgements sent per dossier
    shape: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    logins: int = 0
    down: bool = False          # answer 503 to everything
    refuse: bool = False        # answer 200 with a non-zero error_code
    late_next: int = 0          # progress calls to store, then answer after `delay` s
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, service: str, body: dict[str, Any]) -> None:
        """Store an accepted call: a dossier replaces its earlier state, as an update does."""
        for item in body["data"]:
            if service == "DongBoHoSoMC":
                self.dossiers[item["MaHoSo"]] = item
            else:
                self.steps.setdefault(item["MaHoSo"], [])
                if item not in self.steps[item["MaHoSo"]]:
                    self.steps[item["MaHoSo"]].append(item)
        if service == "CapNhatTienDoHoSoMC":
            code = body["data"][0]["MaHoSo"]
            self.acks[code] = self.acks.get(code, 0) + 1


@contextmanager
def portal() -> Iterator[Portal]:
    """Serve on 127.0.0.1 on a free port until the block ends."""
    got = Portal()

    class Handler(QuietHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The caller may have stopped waiting for a late answer.
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if got.down:
                self._answer(503, {"error_code": -1, "message": "Hệ thống bảo trì"})
                return
            if self.path == "/auth":
                got.logins += 1
                self._answer(200, {"error_code": "0", "session": SESSION})
                return
            service = body.get("service", "")
            with got.lock:
                got.calls.append(service)
                errors = shape_errors(service, body)
                if body.get("session") != SESSION or not body.get("madonvi") or \
                        self.headers.get("dstcode") != "H12":
                    errors.append("session, madonvi or dstcode")
                got.shape += errors
                if got.refuse or errors:
                    self._answer(200, {"error_code": "1", "message": "; ".join(errors)
                                       or "Lỗi hệ thống"})
                    return
                got.accept(service, body)
                late = got.late_next > 0 and service == "CapNhatTienDoHoSoMC"
                got.late_next -= late
            if late:
                time.sleep(got.delay)  # the caller gives up: it holds no acknowledgement
            self._answer(200, {"error_code": 0, "message": "Đồng bộ thành công"})

    with serving(Handler) as base:
        got.url = base
        yield got
