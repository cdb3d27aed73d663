"""Public lookup (tra cứu hồ sơ) decisions, pure: the second factor and the failure budget."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

STATUS_LABELS: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "processing": "Đang xử lý",
    "awaiting_supplement": "Chờ bổ sung hồ sơ",
    "awaiting_financial_obligation": "Chờ thực hiện nghĩa vụ tài chính",
    "resolved": "Đã có kết quả",
    "returned": "Đã trả kết quả",
    "refused": "Từ chối tiếp nhận, giải quyết",
    "stopped": "Dừng xử lý",
    "withdrawn": "Đã rút hồ sơ",
}


def phone_matches(phone: str | None, last4: str) -> bool:
    """True if the phone on the receipt slip ends with these four digits (constant time)."""
    digits = re.sub(r"\D", "", phone or "")
    # Compare even when there is no phone, so timing does not tell the two cases apart.
    candidate = digits[-4:] if len(digits) >= 4 else "\0\0\0\0"
    return hmac.compare_digest(candidate.encode(), last4.encode())


@dataclass
class TokenBucket:
    """`burst` failures at once, refilled at `rate` per second; one token per failure."""

    tokens: float
    updated: float

    def refill(self, now: float, burst: int, rate: float) -> None:
        """Add what accrued since the last look, up to the burst."""
        self.tokens = min(float(burst), self.tokens + max(0.0, now - self.updated) * rate)
        self.updated = now

    def retry_after(self, rate: float) -> int:
        """Whole seconds until one token is back (0 if there is one now)."""
        return 0 if self.tokens >= 1 else int((1 - self.tokens) / rate) + 1
