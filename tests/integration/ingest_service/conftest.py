"""Fixtures for ingest tests: a lot with registered nodes, per-test share groups."""

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from ingest_service.settings import IngestSettings
from tests.integration.ingest_service.support import (
    import_example_lot,
    register_node,
    settings_for,
)
from tests.support.mosquitto import MosquittoServer


@pytest.fixture
def harbour(engine: Engine) -> str:
    """The 24-slot harbour-surface lot."""
    return import_example_lot(engine, "harbour-surface")


@pytest.fixture
def node_id(engine: Engine, harbour: str) -> str:
    """A node registered for the harbour lot and online, with an id no other test uses."""
    node = f"node-{uuid.uuid4().hex[:8]}"
    register_node(engine, node, harbour)
    return node


@pytest.fixture
def unborn_node(engine: Engine, harbour: str) -> str:
    """A node registered for the harbour lot that has never sent a birth."""
    node = f"node-{uuid.uuid4().hex[:8]}"
    register_node(engine, node, harbour, online=False)
    return node


@pytest.fixture
def make_settings(database_url: str, mosquitto: MosquittoServer) -> Callable[..., IngestSettings]:
    """Worker settings for this test: its own share group, so tests never share messages."""
    group = f"g{uuid.uuid4().hex[:10]}"

    def make(client_id: str = "w1", **overrides: object) -> IngestSettings:
        return settings_for(database_url, mosquitto, group, f"{group}-{client_id}", **overrides)

    return make
