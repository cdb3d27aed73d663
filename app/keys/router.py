"""API key endpoints (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.dependencies import Admin
from app.core.deps import FreshSession, Now, WriteSession
from app.core.openapi import problems
from app.keys import service
from app.keys.schemas import KeyIn, KeyOut, NewKeyOut

router = APIRouter(prefix="/api/v1/keys", tags=["access (khóa truy cập)"])
# api_keys.id is a 32-bit integer: a larger id cannot exist, and binding one makes the
# driver raise (a 500) instead of the 404 the caller deserves.
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The key's id (not its secret)",
                            examples=[7])]


@router.post("", summary="Create an API key", status_code=201, response_model=NewKeyOut,
             responses=problems("unit_required", "admin_key_is_national", "expired",
                                "unknown_unit"))
def create_key(body: KeyIn, session: WriteSession, who: Admin, now: Now) -> NewKeyOut:
    """Create a key; the response carries the secret once."""
    return service.create_key(session, who, body, now)


@router.get("", summary="List API keys", response_model=list[KeyOut])
def list_keys(session: FreshSession, _who: Admin) -> list[KeyOut]:
    """All keys, without secrets; from the primary, so a revocation shows at once."""
    return service.list_keys(session)


@router.post("/{key_id}/revoke", summary="Revoke an API key", response_model=KeyOut,
             responses=problems("key_not_found", "already_revoked"))
def revoke_key(key_id: KeyId, session: WriteSession, who: Admin, now: Now) -> KeyOut:
    """Revoke a key at once."""
    return service.revoke_key(session, who, key_id, now)
