"""The same throwaway servers through testcontainers, where a Docker engine answers.

Used when the server binaries are missing from the machine (or when asked with
PARKING_TEST_SERVERS=containers); tests/conftest.py chooses.
"""

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.mosquitto import MosquittoServer
from tests.support.postgres import PostgresServer, accepts_connections

POSTGRES_IMAGE = "postgres:16-alpine"
MOSQUITTO_IMAGE = "eclipse-mosquitto:2"


def docker_engine_answers() -> bool:
    """Whether a Docker engine is reachable (testcontainers needs one)."""
    try:
        import docker  # noqa: PLC0415 - installed with testcontainers, needed only here

        docker.from_env(timeout=3).ping()
    except Exception:  # noqa: BLE001 - any failure means "no engine to use"
        return False
    return True


def _listening(server: MosquittoServer) -> bool:
    try:
        socket.create_connection((server.host, server.port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _wait(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not become ready within 60 s")
        time.sleep(0.2)


@contextmanager
def postgres_container() -> Iterator[PostgresServer]:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    container = (
        DockerContainer(POSTGRES_IMAGE)
        .with_env("POSTGRES_HOST_AUTH_METHOD", "trust")
        .with_exposed_ports(5432)
        .with_command(
            "postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
    )
    with container:
        port = int(container.get_exposed_port(5432))
        server = PostgresServer(container.get_container_host_ip(), port)
        _wait(lambda: accepts_connections(server), "PostgreSQL container")
        yield server


@contextmanager
def mosquitto_container(workdir: Path) -> Iterator[MosquittoServer]:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    (workdir / "mosquitto.conf").write_text(
        "listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\n"
    )
    container = (
        DockerContainer(MOSQUITTO_IMAGE)
        .with_volume_mapping(str(workdir), "/mosquitto/config", "ro")
        .with_exposed_ports(1883)
    )
    with container:
        port = int(container.get_exposed_port(1883))
        server = MosquittoServer(container.get_container_host_ip(), port)
        _wait(lambda: _listening(server), "Mosquitto container")
        yield server
