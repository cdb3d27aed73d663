"""API key endpoints (admin only)."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth import service
from app.auth.dependencies import Admin
from app.auth.schemas import KeyIn, KeyOut, NewKeyOut
from app.core.deps import FreshSession, Now, WriteSession

router = APIRouter(prefix="/api/v1/keys", tags=["access (khóa truy cập)"])


@router.post("", status_code=201, response_model=NewKeyOut)
def create_key(body: KeyIn, session: WriteSession, who: Admin, now: Now) -> NewKeyOut:
    """Create a key; the response carries the secret once."""
    return service.create_key(session, who, body, now)


@router.get("", response_model=list[KeyOut])
def list_keys(session: FreshSession, _who: Admin) -> list[KeyOut]:
    """All keys, without secrets; from the primary, so a revocation shows at once."""
    return service.list_keys(session)


@router.post("/{key_id}/revoke", response_model=KeyOut)
def revoke_key(key_id: int, session: WriteSession, who: Admin, now: Now) -> KeyOut:
    """Revoke a key at once."""
    return service.revoke_key(session, who, key_id, now)
