"""API keys and who may do what: pure functions, no database."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "counter", "dashboard", "postal"]
ROLES: tuple[Role, ...] = ("admin", "counter", "dashboard", "postal")
KEY_PREFIX = "mc"
KEY_EXAMPLE = "mc_3f9a1c2e7b6d_q1Vw8sKx0bT2mYp4rN7cJd5hLf3gA9eU6iOz1xWk2sE"
"""What a secret looks like, for the API's documentation (never a working key)."""
# The longest X-API-Key header read (issued keys are about 65 characters; ADMIN_API_KEY is
# held to the same bound): a longer one is a 422 before any lookup.
KEY_HEADER_LENGTH = 512


@dataclass(frozen=True)
class Principal:
    """The caller: its key, role and the unit subtree it may act on (None: the whole country)."""

    key_id: int | None
    role: Role
    unit_code: str | None
    unit_path: str | None

    def covers(self, unit_path: str) -> bool:
        """True if a unit (given by its materialised path) lies in this key's subtree."""
        return self.unit_path is None or unit_path.startswith(self.unit_path)

    def may_hand_to(self, unit_path: str) -> bool:
        """True if the key may make this unit handle a dossier (its handling unit at receipt,
        or a transfer): any unit of the key's own province; a national key, any unit.

        Handing a dossier to a unit writes into that unit's figures and shows it the
        applicant's personal data, so a commune may not reach into another province.
        """
        return self.unit_path is None or province_of(unit_path) == province_of(self.unit_path)

    @property
    def sees_personal_data(self) -> bool:
        """Applicant details are for the counter that serves them and for admins."""
        return self.role in ("admin", "counter")


def province_of(unit_path: str) -> str:
    """The province (the tree's top level) of a unit given by its materialised path."""
    return unit_path.strip("/").split("/")[0]


def new_secret() -> tuple[str, str, str]:
    """A fresh key: (full secret shown once, lookup prefix, hash to store)."""
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return secret, prefix, hash_secret(secret)


def hash_secret(secret: str) -> str:
    """SHA-256 is enough: the secrets are 256-bit random tokens, not passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_prefix(secret: str) -> str | None:
    """The lookup prefix of a key, or None when it is not one of ours."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def same_bytes(presented: str, expected: str) -> bool:
    """Constant-time equality of two credentials, compared as UTF-8 bytes.

    `hmac.compare_digest` refuses str with non-ASCII characters (TypeError, so a 500), and a
    header is whatever the client sent, read as Latin-1: bytes always compare.
    """
    return hmac.compare_digest(presented.encode(), expected.encode())


def same_secret(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret against its stored hash."""
    return same_bytes(hash_secret(secret), stored_hash)
