"""End-to-end fixtures: one local stack (make demo's scripts, free ports) per test session."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import LocalStack, running_stack


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: runs the whole local stack (infra/local, as make demo) on free ports"
    )


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    # Not tmp_path_factory: PostgreSQL and Mosquitto run as their own users when we are root,
    # and must be able to enter the folder.
    with tempfile.TemporaryDirectory(prefix="parking-e2e-") as state:
        Path(state).chmod(0o755)
        with running_stack(Path(state)) as running:
            yield running
