"""The Alembic migrations build the whole model from empty, match it, and unwind cleanly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from parkctl.__main__ import main as parkctl
from schemas.db import Base

pytestmark = pytest.mark.integration


def public_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.fixture
def empty_engine(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    return create_engine(empty_database_url)


def test_upgrade_from_empty_creates_every_table(empty_engine: Engine) -> None:
    assert parkctl(["db", "upgrade"]) == 0
    assert public_tables(empty_engine) == set(Base.metadata.tables) | {"alembic_version"}
    empty_engine.dispose()


def test_migrated_schema_matches_the_models(empty_engine: Engine) -> None:
    assert parkctl(["db", "upgrade"]) == 0
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    empty_engine.dispose()
    assert differences == [], "models changed without a migration: run alembic revision"


def test_downgrade_to_base_leaves_nothing_and_upgrade_again_works(empty_engine: Engine) -> None:
    assert parkctl(["db", "upgrade"]) == 0
    assert parkctl(["db", "downgrade", "base"]) == 0
    assert public_tables(empty_engine) == {"alembic_version"}
    with empty_engine.connect() as connection:
        extensions = set(connection.scalars(text("SELECT extname FROM pg_extension")))
    assert "btree_gist" not in extensions
    assert parkctl(["db", "upgrade"]) == 0
    assert "slots" in public_tables(empty_engine)
    empty_engine.dispose()


def test_upgrade_against_an_unreachable_database_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert parkctl(["db", "upgrade"]) == 1
    assert "database unreachable" in capsys.readouterr().err
