"""Public lookup (tra cứu hồ sơ) decisions, pure: the second factor and the failure budget."""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.dossiers.rules import SECRET_LENGTH

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

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


def secret_matches(stored: str | None, given: str) -> bool:
    """True if `given` is the dossier's lookup code, as printed or typed (case, dashes and
    spaces ignored; O read as 0, I and L as 1), compared in constant time."""
    typed = re.sub(r"[\s-]", "", given).upper().translate(str.maketrans("OIL", "011"))
    candidate = stored if stored is not None else "\0" * SECRET_LENGTH
    return hmac.compare_digest(candidate.encode(), typed.encode()) and stored is not None


def trusted_networks(entries: Sequence[str]) -> tuple[IPNetwork, ...]:
    """The trusted proxies setting (addresses or CIDR networks) parsed; ValueError if one is
    neither."""
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: Sequence[str],
                   trusted: Sequence[IPNetwork]) -> str:
    """The address a request comes from, for the lookup limits.

    `X-Forwarded-For` counts only when the connection itself comes from a trusted proxy; then
    the list is read from the right (the addresses our own proxies appended) and the first
    address that is not a trusted proxy is the client. Anything to its left was written by the
    client and proves nothing. A list that is malformed there falls back to the last proxy.
    """
    here = _address(peer)
    if here is None or not any(here in net for net in trusted):
        return peer
    hops = [h for value in forwarded_for for h in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(here)
        if not any(address in net for net in trusted):
            return str(address)
        here = address
    return str(here)


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
