"""Settings, read once from the environment (and a .env file if present)."""

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./motcua.db"
    database_read_url: str | None = None
    admin_api_key: SecretStr | None = None
    migrate_on_start: bool = True
    batch_max_items: int = Field(default=1000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    receipt_clock_skew_seconds: int = Field(default=120, ge=0)
    cors_origins: list[str] = []
    db_pool_size: int = Field(default=10, ge=1)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
