"""Fixtures: a throwaway PostgreSQL and Mosquitto per test session, a fresh database per test.

Both servers start lazily, only when a test asks for them, so `pytest tests/unit` needs
neither binary.
"""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import sql
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from schemas.db.migrate import upgrade
from tests.support.containers import docker_engine_answers, mosquitto_container, postgres_container
from tests.support.mosquitto import MosquittoServer, running_mosquitto
from tests.support.postgres import PostgresServer, running_postgres
from tests.support.processes import has_binary

TEMPLATE_DATABASE = "parking_template"


def use_containers(binary: str) -> bool:
    """Local binaries unless missing (or PARKING_TEST_SERVERS=containers) and Docker answers."""
    choice = os.environ.get("PARKING_TEST_SERVERS", "auto")
    if choice not in {"auto", "binaries", "containers"}:
        raise pytest.UsageError(
            f"PARKING_TEST_SERVERS={choice!r}: use auto, binaries or containers"
        )
    if choice == "auto":
        return not has_binary(binary) and docker_engine_answers()
    if choice == "containers" and not docker_engine_answers():
        raise pytest.UsageError("PARKING_TEST_SERVERS=containers, but no Docker engine answers")
    return choice == "containers"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if use_containers("initdb"):
        with postgres_container() as server:
            yield server
        return
    # Not tmp_path_factory: its folders are private to our user, and the server may run as
    # another one (PostgreSQL refuses to run as root).
    with (
        tempfile.TemporaryDirectory(prefix="parking-pg-") as workdir,
        running_postgres(Path(workdir)) as server,
    ):
        yield server


@pytest.fixture(scope="session")
def migrated_template(postgres: PostgresServer) -> str:
    """A database migrated to head once per session; each test copies it (fast)."""
    with postgres.admin() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE_DATABASE)))
    upgrade(postgres.url(TEMPLATE_DATABASE))
    return TEMPLATE_DATABASE


def create_database(postgres: PostgresServer, template: str = "template1") -> str:
    name = f"test_{uuid.uuid4().hex[:16]}"
    with postgres.admin() as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return name


def drop_database(postgres: PostgresServer, name: str) -> None:
    with postgres.admin() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def empty_database_url(postgres: PostgresServer) -> Iterator[str]:
    """A brand-new database with no tables, for migration tests."""
    name = create_database(postgres)
    yield postgres.url(name)
    drop_database(postgres, name)


@pytest.fixture
def database_url(postgres: PostgresServer, migrated_template: str) -> Iterator[str]:
    """A freshly migrated database of this test's own."""
    name = create_database(postgres, template=migrated_template)
    yield postgres.url(name)
    drop_database(postgres, name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def mosquitto() -> Iterator[MosquittoServer]:
    with tempfile.TemporaryDirectory(prefix="parking-mqtt-") as workdir:
        servers = mosquitto_container if use_containers("mosquitto") else running_mosquitto
        with servers(Path(workdir)) as server:
            yield server


@pytest.fixture
def unique_topic() -> str:
    """A topic no other test publishes on, so tests never see each other's messages."""
    return f"parking-test/{uuid.uuid4().hex}"


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash argon2 verifies a password against, in order (the API's login tests)."""
    from argon2 import PasswordHasher  # noqa: PLC0415 - only the API's tests need argon2

    seen: list[str] = []
    real = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        seen.append(str(hash))
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return seen
