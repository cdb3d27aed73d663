"""Alembic environment: the URL comes from the caller, else from the app's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.core.config import get_settings
from app.core.db import Base

config = context.config
url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
if not url or url.startswith("driver://"):
    url = get_settings().database_url

# Any arbitrary number: two servers starting at once must not both migrate.
MIGRATION_LOCK = 724_513


def run_migrations_offline() -> None:
    """Emit SQL instead of running it."""
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live database, serialised by an advisory lock on PostgreSQL."""
    engine = create_engine(url)
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=Base.metadata,
                              render_as_batch=connection.dialect.name == "sqlite",
                              compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
