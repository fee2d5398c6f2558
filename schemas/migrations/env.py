"""Alembic environment: migrate the database named by sqlalchemy.url or DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import create_engine

from schemas.db import Base
from schemas.db.partitions import is_partition

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Autogenerate compares the model's tables: slot_events' partitions are not among them."""
    return not (type_ == "table" and name is not None and is_partition(name))


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL (postgresql+psycopg://user:pass@host:port/db)")
    return url


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`) without a database."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, include_name=include_name
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
