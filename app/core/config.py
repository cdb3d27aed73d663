"""Settings, read once from the environment (and a .env file if present)."""

import ipaddress
from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./motcua.db"
    database_read_url: str | None = None
    # At most the X-API-Key header's bound (app.auth.rules.KEY_HEADER_LENGTH).
    admin_api_key: SecretStr | None = Field(default=None, max_length=512)
    migrate_on_start: bool = True
    batch_max_items: int = Field(default=1000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Bodies larger than `small_body_bytes` are read only once their size fits in this
    # process-wide budget; a request that waits longer than the wait gets 503 + Retry-After.
    body_budget_bytes: int = Field(default=24 * 1024 * 1024, ge=1024)
    small_body_bytes: int = Field(default=256 * 1024, ge=0)
    body_admission_wait_seconds: float = Field(default=10.0, gt=0)
    receipt_clock_skew_seconds: int = Field(default=120, ge=0)
    # Working hours an officer has to check an online submission (kiểm tra hồ sơ trực tuyến)
    # before it is accepted or not, counted on the receiving unit's calendar.
    submission_check_hours: int = Field(default=8, ge=1, le=80)
    cors_origins: list[str] = []
    db_pool_size: int = Field(default=10, ge=1)
    webhook_sender_enabled: bool = True
    webhook_interval_seconds: float = Field(default=5.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_batch_size: int = Field(default=100, ge=1, le=10_000)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_max_attempts: int = Field(default=15, ge=1)
    # The national portal (DVCQG) sync: off until a base URL is set. Unit codes map our unit
    # code to the portal's `madonvi` (a unit not listed is sent under its own code).
    portal_base_url: str | None = None
    portal_auth_path: str = "/auth"
    portal_integration_path: str = "/integration"
    portal_dstcode: str = ""
    portal_username: str = ""
    portal_password: SecretStr = SecretStr("")
    portal_unit_codes: dict[str, str] = {}
    portal_session_seconds: float = Field(default=600.0, gt=0)
    portal_interval_seconds: float = Field(default=20.0, gt=0)
    portal_timeout_seconds: float = Field(default=15.0, gt=0)
    portal_batch_size: int = Field(default=100, ge=1, le=10_000)
    portal_retry_base_seconds: float = Field(default=60.0, gt=0)
    portal_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    portal_max_attempts: int = Field(default=10, ge=1)
    # Failed public lookups (tra cứu) allowed in a burst, and refilled per minute, per client
    # IP and per dossier code. In-process buckets: behind several processes, share a store.
    public_lookup_burst: int = Field(default=10, ge=1)
    public_lookup_refill_per_minute: float = Field(default=2.0, gt=0)
    # Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client.
    # Empty: the header is ignored and the connection's own address is the client.
    trusted_proxies: list[str] = []
    # When set, GET /metrics requires "Authorization: Bearer <token>" (Prometheus'
    # `authorization` scrape option); unset, it is open like /health.
    metrics_token: SecretStr | None = None
    # "json": one JSON object per log line (request id, key id), for a log shipper; "text".
    log_format: str = Field(default="json", pattern="^(json|text)$")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry.strip(), strict=False)  # ValueError names the entry
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
